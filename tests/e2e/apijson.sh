#!/bin/sh
# Saved police.uk API responses: the fixtures hold real crimes (rebuilt from
# the real CSV rows of sample-data/real, see tests/fixtures/api/README.md);
# odd cases are derived from them here.  Accounting, slugs, coverage, how API
# and CSV data of the same month meet, and error messages.
. tests/e2e/lib.sh
POLY=tests/fixtures/api/crimes-street-all-crime-poly-2024-09.json
POINT=tests/fixtures/api/crimes-street-all-crime-point-2024-10.json
REAL=sample-data/real/policeuk-stockton-town-centres.zip
SEP=$((2024 * 12 + 8))
# derive FILE from the poly fixture with a python expression on `c` (the crimes)
derive() {
	out=$1
	shift
	python3 - "$POLY" "$out" "$@" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
for stmt in sys.argv[3:]:
    exec(stmt)
if isinstance(c, str):
    open(sys.argv[2], "w").write(c)
else:
    open(sys.argv[2], "w").write(json.dumps(c, indent=2))
PY
}

# real rows: the Stockton polygon, September 2024
DB=$T/api.db
"$BIN" import --db "$DB" "$POLY" >"$T/out" 2>&1
check_eq "API response imports" 0 $?
check_grep "API response line" "$POLY: police.uk API response (street), police.uk API, 2024-09: imported 334, rejected 0" "$T/out"
check_eq "API: rows read = imported + rejected" "334|334|0" "$(sql 'select rows_read, rows_imported, rows_rejected from sources')"
check_eq "API: slugs mapped to the CSV crime types, raw slug kept" "120|violent-crime" \
	"$(sql "select count(*), offence_code from crimes where category = 'Violence and sexual offences' group by 2")"
check_eq "API: every category a CSV crime type" "0" \
	"$(sql "select count(*) from crimes where category not in ('Anti-social behaviour', 'Bicycle theft', 'Burglary', 'Criminal damage and arson', 'Drugs', 'Other theft', 'Possession of weapons', 'Public order', 'Robbery', 'Shoplifting', 'Theft from the person', 'Vehicle crime', 'Violence and sexual offences', 'Other crime')")"
check_eq "API: anti-social behaviour has no ID and no outcome" "48|48|48" \
	"$(sql "select count(*), sum(crime_id is null), sum(last_outcome is null) from crimes where category = 'Anti-social behaviour'")"
check_eq "API: persistent_id is the Crime ID, coordinates from strings, outcome kept" \
	"-1.305962|54.574501|On or near Kingston Road|Investigation complete; no suspect identified" \
	"$(sql "select lon, lat, location, last_outcome from crimes where crime_id = '477a27a326d49bf17b23e83b6a1038ee6339e308a3f5e002b7350135bca5fd85'")"
check_eq "API: claims no force-month" "0" "$(sql 'select count(*) from source_months')"
check_eq "API: coverage is its month, rows and points' extent" "$SEP|334|286|-1.323188|54.56|-1.301988|54.575828" \
	"$(sql 'select month, crimes, with_id, lon_min, lat_min, lon_max, lat_max from api_coverage')"
"$BIN" import --db "$DB" "$POLY" >"$T/out" 2>&1
check_grep "API: same response twice is a no-op" "already imported (source 1, same content): skipped" "$T/out"
"$BIN" areas --db "$DB" load templates/areas/stockton-town-centres.geojson >/dev/null 2>&1
check_eq "API: crimes assigned to town centres" "1" "$(sql "select count(*) > 0 from crime_areas")"

# coverage: an API month is not a complete force-month
"$BIN" report --db "$DB" --taxonomy police-uk --md "$T/r.md" >"$T/out" 2>&1
check_eq "API only: no latest complete month (exit 3)" 3 $?
check_grep "API only: says why and what to do" "only police.uk API responses hold street data: .*give --month YYYY-MM" "$T/out"
"$BIN" report --db "$DB" --taxonomy police-uk --month 2024-09 --md "$T/r.md" >"$T/out" 2>&1
check_eq "API month in the windows: report written, exit 4" 4 $?
check_grep "API month in the windows: warned by name" "police.uk API responses: 1 month of the windows .* not a whole force (2024-09)" "$T/out"
# months no response covers hold no data: marked and footnoted, never a rise from nothing
check_grep "API only: the months no response covers are a gap" \
	"warning: police.uk API responses: no police.uk street data for 2022-10 to 2024-08; the windows and comparisons need 2022-10 to 2024-09" "$T/out"
check "API only: no Infinity or -100.0% from the months without data" sh -c "! grep -Eq '^\|.*(Infinity|-100\.0%)' '$T/r.md'"
check_grep "API only: the month's count, its comparison marked" '^| \*\*Total\*\* | \*\*[0-9][0-9]*\*\* | \*\*n/a‡\*\* | \*\*n/a\*\* | \*\*[0-9][0-9]*‡\*\* |' "$T/r.md"
check_grep "API only: the footnote names the months" "^‡ police.uk API responses: no police.uk street data for 2022-10 to 2024-08$" "$T/r.md"

# API and CSV of the same month: the CSV file is the whole force-month; the
# response's crimes it holds (same Crime ID) are not counted twice, in either order
DB=$T/csv.db
"$BIN" import --db "$DB" -q "$REAL"
csv_cube=$(sql "select sum(n) from cube where area = 0 and month = $SEP")
DB=$T/api-then-csv.db
"$BIN" import --db "$DB" "$POLY" "$REAL" >"$T/out" 2>&1
check_grep "API then CSV: the CSV supersedes the response's rows" "2024-09-cleveland-street.csv: street, Cleveland Police, 2024-09: imported 828, rejected 0; superseded 334 rows of an earlier file" "$T/out"
check_eq "API then CSV: the month counts as the CSV alone" "$csv_cube" "$(sql "select sum(n) from cube where area = 0 and month = $SEP")"
check_eq "API then CSV: coverage says so" "334|1" "$(sql 'select superseded, contained from api_coverage')"
check_eq "API then CSV: the response is marked superseded by the CSV file" \
	"$(sql "select id from sources where path like '%2024-09-cleveland-street.csv'")" \
	"$(sql "select superseded_by from sources where path = '$POLY'")"
DB=$T/csv-then-api.db
"$BIN" import --db "$DB" -q "$REAL"
"$BIN" import --db "$DB" "$POLY" >"$T/out" 2>&1
check_grep "CSV then API: the response's rows are already held" "imported 334, rejected 0; 334 of its rows are already held by police.uk CSV files or newer API responses (same Crime ID): not counted twice" "$T/out"
check_eq "CSV then API: the month counts as the CSV alone" "$csv_cube" "$(sql "select sum(n) from cube where area = 0 and month = $SEP")"
check_eq "CSV then API: nothing lost from the accounting" "334|334|0" "$(sql "select rows_read, rows_imported, rows_rejected from sources where path = '$POLY'")"
check_eq "CSV then API: the response is marked superseded by the CSV file" \
	"$(sql "select id from sources where path like '%2024-09-cleveland-street.csv'")" \
	"$(sql "select superseded_by from sources where path = '$POLY'")"

# a response reaching beyond the CSV (a crime the CSV does not have): only
# the matched crimes go; its ASB rows cannot be matched and are kept, with a warning
derive "$T/beyond.json" 'c.append(dict(c[1], persistent_id="f" * 64, id=1))'
DB=$T/beyond.db
"$BIN" import --db "$DB" -q "$REAL"
"$BIN" import --db "$DB" "$T/beyond.json" >"$T/out" 2>&1
check_grep "beyond the CSV: matched crimes not counted twice" "286 of its rows are already held" "$T/out"
check_grep "beyond the CSV: unmatched rows without an ID warned about" "warning: .*beyond.json: 48 police.uk API rows without an ID .* may be counted twice" "$T/out"
check_eq "beyond the CSV: the new crime and the ASB rows count" "$((csv_cube + 49))" "$(sql "select sum(n) from cube where area = 0 and month = $SEP")"
check_eq "beyond the CSV: the response still provides rows" "" "$(sql "select superseded_by from sources where path like '%beyond.json'")"

# a newer response for the same query (revised outcomes): the older one's rows
# are held by the newer and go, ASB included
derive "$T/newer.json" 'for x in c:
    if x["outcome_status"]: x["outcome_status"]["category"] = "Unable to prosecute suspect"'
DB=$T/newer.db
"$BIN" import --db "$DB" "$POLY" "$T/newer.json" >"$T/out" 2>&1
check_eq "newer response: the month counted once" "334" "$(sql "select sum(n) from cube where area = 0 and month = $SEP")"
check_eq "newer response: the newer outcomes count" "286" "$(sql "select count(*) from crimes where last_outcome = 'Unable to prosecute suspect'")"

# slugs: older and unknown ones are kept visible, never dropped
derive "$T/slugs.json" 'c[0]["category"] = "public-disorder-weapons"' 'c[1]["category"] = "kidnapping"' \
	'c[2]["category"] = "kidnapping"' 'c[3]["location_type"] = "BTP"' 'c[3]["persistent_id"] = ""' \
	'c[4]["location"]["latitude"] = 54.57' 'c[4]["location"]["longitude"] = -1.31'
DB=$T/slugs.db
"$BIN" import --db "$DB" "$T/slugs.json" >"$T/out" 2>&1
check_eq "unknown slug: still imported (exit 0)" 0 $?
check_grep "unknown slug: warned about by name" "warning: .*slugs.json: 2 rows with a category police.uk does not document (\"kidnapping\", ...): kept under that name, shown as Unknown" "$T/out"
check_eq "unknown slug: kept under its own name" "2" "$(sql "select count(*) from crimes where category = 'kidnapping' and offence_code = 'kidnapping'")"
check_eq "older slug: the pre-2013 crime type" "1" "$(sql "select count(*) from crimes where category = 'Public disorder and weapons'")"
check_eq "BTP location type: British Transport Police" "1" "$(sql "select count(*) from crimes where force = 'British Transport Police'")"
check_eq "coordinates given as numbers are read" "1" "$(sql "select count(*) from crimes where lon = -1.31 and lat = 54.57")"
"$BIN" report --db "$DB" --taxonomy police-uk --month 2024-09 --allow-missing --md "$T/slugs.md" >/dev/null 2>&1
check_grep "unknown slug: shown as Unknown in the report" "| Unknown | 2 |" "$T/slugs.md"

# bad crimes are rejects with file, line, crime and field, as for CSV rows
derive "$T/bad.json" 'c = c[:6]' 'c[1]["location"]["latitude"] = {"x": 1}' 'c[2]["month"] = "2024-13"' 'c[3] = 42' \
	'c[4]["location"]["longitude"] = "-191.5"' 'del c[5]["category"]'
DB=$T/bad.db
"$BIN" import --db "$DB" "$T/bad.json" >"$T/out" 2>&1
check_eq "bad crimes: exit 0, counted" "6|1|5" "$(sql 'select rows_read, rows_imported, rows_rejected from sources')"
"$BIN" rejects --db "$DB" >"$T/rej"
check_grep "bad crime: wrong JSON type, with line and field" "bad.json:20: crime 2: field 'location.latitude': expected a string or a number, found an object" "$T/rej"
check_grep "bad crime: bad month" "bad.json:[0-9]*: crime 3: column 'month': \"2024-13\" is not a month (YYYY-MM)" "$T/rej"
check_grep "bad crime: not an object" "bad.json:[0-9]*: crime 4: not a JSON object (a crime)" "$T/rej"
check_grep "bad crime: longitude out of range" "crime 5: column 'location.longitude': \"-191.5\" is out of range" "$T/rej"
check_grep "bad crime: category missing" "crime 6: column 'category' is missing or empty" "$T/rej"

# file-level errors: nothing stored, the message says where
DB=$T/err.db
"$BIN" import --db "$DB" -q "$POINT"
before=$(sqlite3 "$DB" .dump | md5sum)
head -c 60000 "$POLY" >"$T/truncated.json"
"$BIN" import --db "$DB" "$T/truncated.json" >"$T/out" 2>&1
check_eq "truncated response exits 3" 3 $?
check_grep "truncated response: says so" "truncated.json:1: not valid JSON: it ends early (a truncated or unfinished download?)" "$T/out"
derive "$T/broken.json" 'c = json.dumps(c[:3], indent=2).replace("\"context\": \"\",", "\"context\": \"\";", 1)'
"$BIN" import --db "$DB" "$T/broken.json" >"$T/out" 2>&1
check_eq "malformed JSON exits 3" 3 $?
check_grep "malformed JSON: line and column" "broken.json:13: not valid JSON at column 18 (near \";" "$T/out"
printf '{"error": "too many crimes"}\n' >"$T/object.json"
"$BIN" import --db "$DB" "$T/object.json" >"$T/out" 2>&1
check_grep "an object, not an array of crimes" "object.json:1: not a police.uk API crimes response: the top level is an object, not an array of crimes" "$T/out"
printf '[]\n' >"$T/empty.json"
"$BIN" import --db "$DB" "$T/empty.json" >"$T/out" 2>&1
check_eq "empty response exits 3" 3 $?
check_grep "empty response: says why" "empty.json:1: an empty response (\[\]): no crimes, and no month" "$T/out"
check_eq "file-level errors leave the database as it was" "$before" "$(sqlite3 "$DB" .dump | md5sum)"
finish
