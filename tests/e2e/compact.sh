#!/bin/sh
# The compact store (issue 16): export --raw gives every police.uk file back
# byte for byte (the sample data and files with every oddity the importer
# accepts), a force export's mapped columns field for field; the views answer
# analysts' SQL; a database of the schema before (version 8, real rows made
# by crimetab of that version: tests/data/schema-v8) is converted in place.
. tests/e2e/lib.sh

# ---- the sample data, exported back ----
DB=$T/sample.db
"$BIN" import -q --db "$DB" sample-data/policeuk
"$BIN" import -q --db "$DB" --mapping cleveland-force-export sample-data/force
"$BIN" export -q --db "$DB" --raw --out "$T/out" >"$T/log" 2>&1
check_eq "export --raw of the sample data exits 0" 0 $?
n=0 same=0
for f in sample-data/policeuk/*/*.csv; do
	n=$((n + 1))
	cmp -s "$f" "$T/out/${f#sample-data/policeuk/}" && same=$((same + 1))
done
check_eq "every sample police.uk file comes back byte for byte ($n files)" "$n" "$same"
check "nothing else in the export but the force export" \
	test "$(find "$T/out" -type f | wc -l)" -eq $((n + 1))
python3 - "$ROOT/sample-data/force/cleveland-force-export-2024.csv" "$T/out/cleveland-force-export-2024.csv" \
	>"$T/force.txt" 2>&1 <<'EOF'
import csv, json, sys
mapping = json.load(open("templates/mappings/cleveland-force-export.json"))["columns"]
order = ["crime_id", "date", "category", "offence_code", "area", "location", "longitude", "latitude",
         "lsoa_code", "lsoa_name", "outcome"]
cols = [mapping[k] for k in order if k in mapping]
orig = list(csv.DictReader(open(sys.argv[1], newline="")))
back = list(csv.DictReader(open(sys.argv[2], newline="")))
assert len(orig) == len(back), (len(orig), len(back))
for i, (a, b) in enumerate(zip(orig, back)):
    for c in cols:
        assert a[c] == b[c], (i + 2, c, a[c], b[c])
assert list(back[0].keys()) == cols, list(back[0].keys())
print(len(orig), "rows,", len(cols), "mapped columns")
EOF
check_eq "the force export's mapped fields come back field for field" 0 $?
"$BIN" export -q --db "$DB" --raw --source 3 -o - >"$T/one.csv"
check "export -o - writes one source to standard output" cmp -s "$T/one.csv" sample-data/policeuk/2022-11/2022-11-cleveland-street.csv

# every field the store codes (coordinates, months, Crime IDs, dates) takes up
# no room for its text when it comes back as written
check_eq "no sample row keeps its text" "0|0|0" \
	"$(sql 'select (select count(raw) from crime_records), (select count(raw) from outcome_records), (select count(raw) from stop_records)')"

# a police.uk API response and the members of a download zip come back too
DB=$T/api.db
"$BIN" import -q --db "$DB" tests/fixtures/api/crimes-street-all-crime-poly-2024-09.json
"$BIN" export -q --db "$DB" --raw --out "$T/api" 2>"$T/log"
check_eq "export of an API response exits 0" 0 $?
check "the API response comes back byte for byte" cmp tests/fixtures/api/crimes-street-all-crime-poly-2024-09.json "$T/api/crimes-street-all-crime-poly-2024-09.json"
DB=$T/zip.db
"$BIN" import -q --db "$DB" sample-data/real/policeuk-stockton-town-centres.zip
"$BIN" export -q --db "$DB" --raw --out "$T/az" 2>"$T/log"
check_eq "export of a zip's members exits 0" 0 $?
mkdir -p "$T/unzipped" && (cd "$T/unzipped" && unzip -q "$ROOT/sample-data/real/policeuk-stockton-town-centres.zip")
n=0 same=0
for f in $(cd "$T/unzipped" && find . -name '*.csv' | sed 's|^\./||'); do
	n=$((n + 1))
	cmp -s "$T/unzipped/$f" "$T/az/$(basename "$(dirname "$f")")/$(basename "$f")" && same=$((same + 1))
done
check_eq "every member of the download zip comes back byte for byte ($n files)" "$n" "$same"
# outcomes join crimes by Crime ID as fast as before: an automatic index
check_grep "a join on \"Crime ID\" gets an automatic index" "AUTOMATIC" \
	"$(sqlite3 "$DB" 'EXPLAIN QUERY PLAN select count(*) from outcomes o join street_crimes c on c."Crime ID" = o."Crime ID"' >"$T/plan"; echo "$T/plan")"
check_eq "and finds what the stored IDs find" "$(sqlite3 "$DB" 'select count(*) from outcome_records o join crime_records c on c.crime_id = o.crime_id')" \
	"$(sqlite3 "$DB" 'select count(*) from outcomes o join street_crimes c on c."Crime ID" = o."Crime ID"')"
DB=$T/sample.db

# ---- the views answer the README's SQL ----
check_eq "street_crimes: crimes by type, as in the files" \
	"$(python3 -c "
import csv, glob, collections
c = collections.Counter(r['Crime type'] for f in glob.glob('sample-data/policeuk/*/*-street.csv') for r in csv.DictReader(open(f, newline='')))
print('\n'.join(f'{k}|{v}' for k, v in sorted(c.items())))")" \
	"$(sql 'select "Crime type", count(*) from street_crimes group by 1 order by 1')"
check_eq "outcomes: every row, police.uk columns" "199|Crime ID|Outcome type" \
	"$(sql 'select count(*) from outcomes')|$(sqlite3 -header "$DB" 'select * from outcomes limit 1' | head -n 1 | cut -d'|' -f1,10)"
check_eq "outcomes join street crimes by Crime ID" "1" \
	"$(sql 'select count(*) > 150 from outcomes o join street_crimes c on c."Crime ID" = o."Crime ID"')"
check_eq "stop_and_search: Date as written, Latitude first" "2024-09-30T23:00:00+00:00|54.587869|-1.316112" \
	"$(sql 'select "Date", "Latitude", "Longitude" from stop_and_search limit 1')"
check_eq "street_crimes: Month as YYYY-MM, coordinates as numbers" "2022-09|real" \
	"$(sql 'select "Month", typeof("Longitude") from street_crimes where "Longitude" is not null limit 1')"

# ---- odd files: every layout the importer accepts comes back exactly ----
H='Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context'
ID=a4c83212c5e08e368dc841371fc26a62f7a476d19dd8362ff4c95d560a244d63
mkdir -p "$T/odd/2024-10" "$T/odd/2024-11" "$T/odd/2024-12" "$T/odd/2025-01"
F1=$T/odd/2024-10/2024-10-cleveland-street.csv
{
	printf '\357\273\277%s\r\n' "$H"
	printf '%s,2024-10,Cleveland Police,Cleveland Police,-1.312500,54.565500,"On or near High Street, Norton",E01035196,Stockton-on-Tees 025A,Shoplifting,Under investigation,\r\n' "$ID"
	printf '\r\n'
	printf 'B1C2,2024-10,Cleveland Police,Cleveland Police,-1.3,54.600000,On or near ,E01012227,Stockton-on-Tees 027D,Drugs,,\r\n'
	printf ',2024-10,Cleveland Police,Cleveland Police,-0.000000,054.600000,On or near X,E01012227,Stockton-on-Tees 027D,Anti-social behaviour,,\n'
	printf '"b3",2024-10,Cleveland Police,Cleveland Police,-1.300000,54.600000,"On or near ""The"" Square",E01012227,S,Robbery,,\r\n'
	printf 'b4,2024-13,Cleveland Police,Cleveland Police,-1.300000,54.600000,On or near X,E01012227,S,Drugs,,\r\n'
	printf 'b5,2024-10,Cleveland Police,Cleveland Police,1.5e0,54.6,"On or near\r\nTwo Lines",E01012227,S,Drugs,,\r\n'
	printf 'b6,2024-10,Cleveland Police,Cleveland Police,-1.3,54.6,On or near X\r\n'
	printf '\r\n\r\n'
	printf 'b7,2024-10,Cleveland Police,Cleveland Police,-1.300000,54.600000,On or near Y,E01012227,S,Drugs,,'
} >"$F1"
F2=$T/odd/2024-11/2024-11-cleveland-street.csv
{
	printf '%s\r' "$H"
	printf '%s,2024-11,Cleveland Police,Cleveland Police,-1.312500,54.565500,On or near A,E01035196,S 025A,Shoplifting,,\r' "$ID"
	printf 'c1,2024-11,Cleveland Police,Cleveland Police,,,No Location,,,Burglary,,\r'
} >"$F2"
F3=$T/odd/2024-12/2024-12-cleveland-outcomes.csv
{
	echo 'Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Outcome type'
	echo "$ID,2024-12,Cleveland Police,Cleveland Police,-1.312500,54.565500,On or near A,E01035196,S 025A,Suspect charged"
	echo "$ID,2024-12,Cleveland Police,Cleveland Police,-1.3125,54.5655,On or near A,E01035196,S 025A,Suspect charged"
	echo ",2024-12,Cleveland Police,Cleveland Police,-1.3125,54.5655,On or near A,E01035196,S 025A,Suspect charged"
	echo
	echo
} >"$F3"
F4=$T/odd/2025-01/2025-01-cleveland-stop-and-search.csv
{
	echo 'Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude,Gender,Age range,Self-defined ethnicity,Officer-defined ethnicity,Legislation,Object of search,Outcome,Outcome linked to object of search,Removal of more than just outer clothing'
	echo 'Person search,2024-12-31T23:00:00+00:00,,,54.587869,-1.316112,Male,18-24,"White - English/Welsh/Scottish/Northern Irish/British",White,Misuse of Drugs Act 1971 (section 23),Controlled drugs,Arrest,True,'
	echo 'Vehicle search,2025-01-02T10:15:00Z,False,,,,Female,over 34,,,Police and Criminal Evidence Act 1984 (section 1),Stolen goods,,,False'
	echo 'Person search,2025-01-03,,,54.1,-1.2,,,,,,,,,'
	echo 'Person search,not a date,,,54.1,-1.2,,,,,,,,,'
} >"$F4"
DB=$T/odd.db
"$BIN" import -q --db "$DB" "$T/odd" 2>"$T/log"
# rejected: a bad month, a short row, an outcome without a Crime ID, a Date
# without a time and one that is not a date
check_eq "odd files import" "4|5" "$(sql 'select count(*), sum(rows_rejected) from sources')"
"$BIN" export -q --db "$DB" --raw --out "$T/oddout" >"$T/log" 2>&1
check_eq "odd files export" 0 $?
for f in "$F1" "$F2" "$F3" "$F4"; do
	check "$(basename "$f") comes back byte for byte" cmp "$f" "$T/oddout/${f#"$T"/odd/}"
done
# kept: after a blank line, "-1.3", "-0.000000" with another line ending, quotes
# not needed, "1.5e0", no final newline; "-1.3125"; "Z", quotes
check_eq "only the rows written unlike police.uk keep their text" "5|1|2" \
	"$(sql 'select (select count(raw) from crime_records), (select count(raw) from outcome_records), (select count(raw) from stop_records)')"

# the lines an unterminated quote swallowed (more than 1 MiB) are not kept: that
# file cannot be given back, and says so
mkdir -p "$T/swallow/2024-10"
F5=$T/swallow/2024-10/2024-10-cleveland-street.csv
{
	echo "$H"
	echo 'q1,2024-10,Cleveland Police,Cleveland Police,-1.3,54.6,"On or near an unterminated quote,E01012227,S,Drugs,,'
	seq 1 30000 | sed 's/^/a line of free text that an unterminated quote swallowed, number /'
	echo 'q2,2024-10,Cleveland Police,Cleveland Police,-1.300000,54.600000,On or near Y,E01012227,S,Drugs,,'
} >"$F5"
DB=$T/swallow.db
"$BIN" import -q --db "$DB" "$F5"
"$BIN" export -q --db "$DB" --raw --source 1 -o "$T/swallowed.csv" 2>"$T/log"
check_eq "a file whose swallowed lines were not kept: export exits 3" 3 $?
check_grep "and says why" "a rejected row of more than 1 MiB (an unterminated quote?) is not kept whole" "$T/log"
check "and keeps nothing of the swallowed lines" \
	test "$(sql 'select coalesce(sum(length(raw)), 0) + coalesce(sum(length(span)), 0) from rejects')" -lt 100000

# a file whose months a newer file superseded cannot be given back
DB=$T/super.db
"$BIN" import -q --db "$DB" "$F2"
sed 's/Burglary/Robbery/' "$F2" >"$T/newer.csv"
mkdir -p "$T/newer/2024-11" && cp "$T/newer.csv" "$T/newer/2024-11/2024-11-cleveland-street.csv"
"$BIN" import -q --db "$DB" "$T/newer"
"$BIN" export -q --db "$DB" --raw --source 1 -o "$T/s1.csv" 2>"$T/log"
check_eq "a superseded source: export exits 3" 3 $?
check_grep "and says why" "source 1 (.*): 2 of its 2 rows are no longer stored" "$T/log"
check "and writes nothing" test ! -e "$T/s1.csv"
"$BIN" export -q --db "$DB" --raw --out "$T/sup" 2>"$T/log"
check_eq "export of every source skips the superseded one" 0 $?
check "the newer file comes back" cmp "$T/newer.csv" "$T/sup/2024-11/2024-11-cleveland-street.csv"

# ---- a database of the schema before 020, with real rows, converted in place ----
OLD=$T/v8.db
sqlite3 "$OLD" <tests/data/schema-v8/crimetab.sql
sqlite3 "$OLD" 'PRAGMA user_version = 8'
check_eq "the fixture is a version-8 database with rows of every kind" "8|1088|199|60|1|$(sqlite3 "$OLD" 'select count(*) from crime_areas')" \
	"$(sqlite3 "$OLD" 'PRAGMA user_version' | tr '\n' '|')$(sqlite3 "$OLD" 'select (select count(*) from crimes), (select count(*) from outcomes), (select count(*) from stop_search), (select count(*) from api_coverage), (select count(*) from crime_areas)')"
"$BIN" sources --db "$OLD" >/dev/null 2>"$T/log"
check_eq "opening it converts it" 0 $?
NEW=$T/fresh.db
"$BIN" import -q --db "$NEW" sample-data/policeuk/2023-01 sample-data/policeuk/2024-10
"$BIN" import -q --db "$NEW" --mapping cleveland-force-export tests/data/schema-v8/cleveland-force-export-head.csv
"$BIN" import -q --db "$NEW" tests/fixtures/api/crimes-street-all-crime-poly-2024-09.json
"$BIN" areas -q --db "$NEW" load sample-data/areas/hand-drawn-town-centres.geojson
same_sql() { # NAME QUERY: the converted database answers QUERY as a fresh import does
	a=$(sqlite3 "$OLD" "$2" | md5sum) b=$(sqlite3 "$NEW" "$2" | md5sum) n=$(sqlite3 "$NEW" "$2" | wc -l)
	if [ "$a" = "$b" ] && [ "$n" -gt 0 ]; then ok "$1 ($n rows)"; else not_ok "$1"; fi
}
same_sql "converted crimes are the imported ones" \
	"select id, source_id, line, kind, crime_id, month, force, reported_by, falls_within, lon, lat, location, lsoa_code, lsoa_name, category, last_outcome, context, area_value, offence_code from crimes order by id"
same_sql "street_crimes the same" "select * from street_crimes"
same_sql "outcomes the same" "select * from outcomes"
same_sql "stop_and_search the same" "select * from stop_and_search"
same_sql "stop_search the same" "select * from stop_search"
same_sql "crime_areas the same" "select * from crime_areas order by area, crime"
same_sql "the cube the same" "select * from cube order by 1, 2, 3, 4"
same_sql "API coverage the same" "select * from api_coverage order by 1, 2"
same_sql "crime-ID runs the same" "select source_id, hex(keys) from crime_id_runs order by 1"
check_eq "no old table left" "" \
	"$(sqlite3 "$OLD" "select name from sqlite_master where name in ('crimes_v1', 'outcomes_v1', 'stop_search_v1', 'crime_areas_v2', 'crime_records_v20', 'crime_areas_v21') or (type = 'table' and name in ('crimes', 'outcomes', 'stop_search'))")"
check_eq "the converted database passes integrity and foreign-key checks" "ok" \
	"$(sqlite3 "$OLD" 'PRAGMA integrity_check; PRAGMA foreign_key_check')"
"$BIN" report --db "$OLD" --month 2024-10 --taxonomy police-uk --allow-missing -q --md "$T/old.md" 2>/dev/null
"$BIN" report --db "$NEW" --month 2024-10 --taxonomy police-uk --allow-missing -q --md "$T/new.md" 2>/dev/null
check "the same report from both" cmp "$T/old.md" "$T/new.md"
"$BIN" export -q --db "$OLD" --raw --out "$T/oldout" 2>"$T/log"
check_eq "export of the converted database: the force export and the API response cannot be given back (status 3)" 3 $?
check_grep "the force export says so" "imported before crimetab kept what a raw export needs" "$T/log"
check_grep "the API response says so" "crimes-street-all-crime-poly-2024-09.json): what the store holds does not give the file back exactly" "$T/log"
for f in sample-data/policeuk/2023-01/*.csv sample-data/policeuk/2024-10/*.csv; do
	check "converted $(basename "$f") comes back byte for byte" cmp "$f" "$T/oldout/${f#sample-data/policeuk/}"
done
"$BIN" import -q --db "$OLD" sample-data/policeuk/2024-09
check_eq "the converted database takes new imports" "1" \
	"$(sqlite3 "$OLD" "select count(*) > 200 from street_crimes where \"Month\" = '2024-09'")"
finish
