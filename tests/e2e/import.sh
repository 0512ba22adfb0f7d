#!/bin/sh
# Import end to end: every police.uk quirk, rejects accounting, idempotence,
# supersede, atomic failure, folders, and the sample data.
. tests/e2e/lib.sh
DB=$T/import.db
H='Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context'
ID1=a4c83212c5e08e368dc841371fc26a62f7a476d19dd8362ff4c95d560a244d63
mkdir -p "$T/dl/2024-10"
F=$T/dl/2024-10/2024-10-cleveland-street.csv
{
	echo "$H"
	echo "$ID1,2024-10,Cleveland Police,Cleveland Police,-1.312500,54.565500,On or near High Street,E01035196,Stockton-on-Tees 025A,Shoplifting,Under investigation,"
	echo ",2024-10,Cleveland Police,Cleveland Police,-1.235660,54.710526,On or near Dobson Place,E01011954,Hartlepool 001A,Anti-social behaviour,,"
	echo "b1,2024-10,Cleveland Police,Cleveland Police,,,No Location,,,Other theft,Unable to prosecute suspect,"
	echo "b2,2024-10,Cleveland Police,Cleveland Police,-1.300000,54.600000,\"On or near Station Road, Norton\",E01012227,Stockton-on-Tees 027D,Robbery,,"
	echo "b3,2024-10,Cleveland Police,Cleveland Police,-1.300000,54.600000,On or near ,E01012227,Stockton-on-Tees 027D,Drugs,,"
	echo "b4,2024-13,Cleveland Police,Cleveland Police,-1.300000,54.600000,On or near X,E01012227,Stockton-on-Tees 027D,Drugs,,"
	echo "b5,2024-10,Cleveland Police,Cleveland Police,-191.000000,54.600000,On or near X,E01012227,Stockton-on-Tees 027D,Drugs,,"
	echo "b6,2024-10,Cleveland Police,Cleveland Police,-1.3,54.6,On or near X,Drugs,,"
	printf 'b7,2024-10,Cleveland Police,Cleveland Police,-1.3,54.6,On or near \377\376,E01012227,Stockton-on-Tees 027D,Drugs,,\n'
	printf 'b8,2024-10,Cleveland Police,Cleveland Police,-1.3,54.6,On or near %s,E0,S,Drugs,,\n' "$(head -c 70000 /dev/zero | tr '\0' x)"
	echo "b9,2024-10,Cleveland Police,Cleveland Police,-1.3,54.6,On or near Y,E01012227,Stockton-on-Tees 027D,Drugs,,"
} >"$F"
"$BIN" import --db "$DB" "$F" >"$T/out" 2>&1
check_eq "import with bad rows exits 0" 0 $?
check_grep "summary line counts" 'imported 6, rejected 5 (see crimetab rejects --source 1)' "$T/out"
check_eq "imported + rejected = rows read" "11|6|5" "$(sql 'select rows_read, rows_imported, rows_rejected from sources')"
check_eq "ASB with empty Crime ID imported" "1" "$(sql "select count(*) from crimes where crime_id is null and category = 'Anti-social behaviour'")"
check_eq "No Location row has no coordinates" "1" "$(sql "select count(*) from crimes where location = 'No Location' and lon is null")"
check_eq "quoted comma kept" "On or near Station Road, Norton" "$(sql "select location from crimes where crime_id = 'b2'")"
check_eq "empty-name location kept with its space" "On or near |" "$(sql "select location || '|' from crimes where crime_id = 'b3'")"
"$BIN" rejects --db "$DB" >"$T/rej"
check_grep "bad month reject" "2024-10-cleveland-street.csv:7: column 'Month': \"2024-13\" is not a month (YYYY-MM)" "$T/rej"
check_grep "longitude out of range reject" ":8: column 'Longitude': \"-191.000000\" is out of range" "$T/rej"
check_grep "field count reject" ":9: expected 12 fields, found 10" "$T/rej"
check_grep "invalid UTF-8 reject" ":10: column 'Location' is not valid UTF-8" "$T/rej"
check_grep "huge row reject" ":11: row is longer than 65536 bytes" "$T/rej"
check_eq "row after the huge one imported" "1" "$(sql "select count(*) from crimes where crime_id = 'b9' and line = 12")"

"$BIN" import --db "$DB" "$F" >"$T/out" 2>&1
check_grep "same file twice is a no-op" 'already imported (source 1, same content): skipped' "$T/out"
check_eq "no second source" "1" "$(sql 'select count(*) from sources')"

# BOM + CRLF + a revised republication of the same month supersedes
mkdir -p "$T/v2"
printf '\357\273\277%s\r\n' "$H" >"$T/v2/2024-10-cleveland-street.csv"
printf '%s,2024-10,Cleveland Police,Cleveland Police,-1.312500,54.565500,On or near High Street,E01035196,Stockton-on-Tees 025A,Shoplifting,Local resolution,\r\n' "$ID1" >>"$T/v2/2024-10-cleveland-street.csv"
printf ',2024-10,Cleveland Police,Cleveland Police,-1.235660,54.710526,On or near Dobson Place,E01011954,Hartlepool 001A,Anti-social behaviour,,\r\n' >>"$T/v2/2024-10-cleveland-street.csv"
"$BIN" import --db "$DB" "$T/v2/2024-10-cleveland-street.csv" >"$T/out" 2>&1
check_grep "BOM and CRLF import, supersede reported" 'imported 2, rejected 0; superseded 6 rows of an earlier file' "$T/out"
check_eq "superseded month holds only the new rows" "2|Local resolution" "$(sql "select count(*), max(last_outcome) from crimes where month = 2024*12+9")"
check_eq "old source marked superseded" "2" "$(sql 'select superseded_by from sources where id = 1')"
check_eq "cube follows the supersede" "2" "$(sql "select sum(n) from cube where area = 0 and month = 2024*12+9")"

# a file-level error leaves the database exactly as it was
before=$(sqlite3 "$DB" .dump | md5sum)
printf 'Nope,Not,A,Header\n1,2,3,4\n' >"$T/bad.csv"
"$BIN" import --db "$DB" "$T/bad.csv" 2>"$T/err"
check_eq "unknown header exits 3" 3 $?
check_grep "unknown header message" "bad.csv:1: not a police.uk street, outcomes or stop-and-search header" "$T/err"
printf 'Ref,When,What\nX1,01/13/2024,Arson\n' >"$T/force.csv"
printf '{"mapping_version":1,"force":"Test Police","date_format":"dd/mm/yyyy","columns":{"date":"When","category":"Offence"}}' >"$T/map.json"
"$BIN" import --db "$DB" --mapping "$T/map.json" "$T/force.csv" 2>"$T/err"
check_grep "mapping that does not fit" "force.csv:1: mapping \"$T/map.json\" does not fit: no column 'Offence' in the header" "$T/err"
check_eq "database unchanged after failed files" "$before" "$(sqlite3 "$DB" .dump | md5sum)"

# force export: a bad date is a reject with the column and format
printf '{"mapping_version":1,"force":"Test Police","date_format":"dd/mm/yyyy","columns":{"date":"When","category":"What","crime_id":"Ref"}}' >"$T/map.json"
printf 'Ref,When,What\nX1,01/10/2024,Arson\nX2,31/02/2024,Arson\nX3,15/10/2024 13:45,Robbery\n' >"$T/force.csv"
"$BIN" import --db "$DB" --mapping "$T/map.json" "$T/force.csv" >"$T/out" 2>&1
check_grep "force export imported" 'force, Test Police, 2024-10: imported 2, rejected 1' "$T/out"
"$BIN" rejects --db "$DB" --source 3 >"$T/rej"
check_grep "force export bad date reject" "force.csv:3: column 'When': \"31/02/2024\" is not a date (dd/mm/yyyy)" "$T/rej"

# the bundled sample data, as a whole police.uk download folder
DB=$T/sample.db
"$BIN" import --db "$DB" sample-data/policeuk >"$T/out" 2>&1
check_eq "sample folder imports" 0 $?
check_eq "every sample file recognised by its header" "26|1|1" \
	"$(sql "select sum(kind = 'street'), sum(kind = 'outcomes'), sum(kind = 'stop-and-search') from sources")"
check_eq "sample: nothing lost" "0" "$(sql 'select sum(rows_read - rows_imported - rows_rejected) from sources')"
check_eq "stop-and-search BST rows filed under the file's month" "2" \
	"$(sql "select count(*) from stop_search where date like '2024-09-30T23:%' and month = 2024*12+9")"
check_eq "stop-and-search force from the file name" "cleveland" "$(sql 'select distinct force from stop_search')"
check_eq "outcomes link to crimes by Crime ID" "1" \
	"$(sql "select count(*) > 150 from outcomes o join crimes c on c.crime_id = o.\"Crime ID\"")"
"$BIN" areas --db "$DB" load sample-data/areas/hand-drawn-town-centres.geojson >/dev/null 2>&1
check_eq "areas assign imported crimes" "6" "$(sql 'select count(distinct area) from crime_areas')"
check_eq "a crime in the Stockton hole is not in Stockton" "0" \
	"$(sql "select count(*) from crimes c join crime_areas ca on ca.crime = c.id join areas a on a.id = ca.area where a.name = 'Stockton Town Centre' and c.lon = -1.310487 and c.lat = 54.566021")"
check_eq "cube per area equals assignments" "$(sql 'select count(*) from crime_areas')" "$(sql 'select sum(n) from cube where area > 0')"
"$BIN" areas --db "$DB" remove "Norton Central" >/dev/null 2>&1
check_eq "area remove drops its cube rows" "0" "$(sql "select count(*) from cube where area not in (0) and area not in (select id from areas)")"

# an older database is migrated on open; a fresh one gets every migration
DB=$T/old.db
sqlite3 "$DB" <sql/001_init.sql
sqlite3 "$DB" 'PRAGMA user_version = 1'
"$BIN" sources --db "$DB" >/dev/null
# the version is the highest migration's number (numbers may have gaps)
LATEST=$(ls sql/*.sql | sed 's,^sql/0*,,; s,_.*,,' | sort -n | tail -n 1)
check_eq "version-1 database migrated to the latest" "$LATEST" "$(sql 'PRAGMA user_version')"
check_eq "migration added the face-match tables" "1" "$(sql "select count(*) from sqlite_master where name = 'fm_sightings'")"
DB=$T/new.db
"$BIN" import --db "$DB" -q "$F"
check_eq "empty database gets every migration" "$LATEST" "$(sql 'PRAGMA user_version')"
CRIMETAB_DB=$T/env.db "$BIN" import -q "$F"
check "CRIMETAB_DB names the database" test -f "$T/env.db"
finish
