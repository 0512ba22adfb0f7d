#!/bin/sh
# crimetab report --json against its JSON Schema (docs/report.schema.json),
# validated with python3-jsonschema on real outputs: the paper's complete
# data, real police.uk files with months missing, and a report with
# face-match offender counts.
. tests/e2e/lib.sh
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
PY=
for p in "${PYTHON:-}" /usr/bin/python3 python3; do
	[ -n "$p" ] && "$p" -c 'import jsonschema' 2>/dev/null && PY=$p && break
done
if [ -z "$PY" ]; then
	not_ok "python3-jsonschema is installed (scripts/install-deps.sh)"
	finish
fi
V="$PY tests/tools/validate-json.py docs/report.schema.json"

DB=$T/paper.db
"$BIN" import --db "$DB" --quiet --mapping tests/paper/mapping.json tests/paper/paper-force-export.csv
"$BIN" areas --db "$DB" load tests/paper/areas.json 2>/dev/null
"$BIN" report --db "$DB" --quiet --all-data --month 2024-09 --json "$T/paper.json"
check "paper report (complete data) matches the schema" $V "$T/paper.json"
"$BIN" report --db "$DB" --quiet --all-data --json "$T/latest.json"
check "--month latest (a month_reason) matches the schema" $V "$T/latest.json"
"$BIN" report --db "$DB" --quiet --month 2024-10 --compare previous --allow-missing --json "$T/oct.json" 2>/dev/null
check "a month beyond the data matches the schema" $V "$T/oct.json"

DB=$T/gaps.db
"$BIN" import --db "$DB" --quiet tests/data/policeuk-gaps
"$BIN" areas --db "$DB" load tests/data/policeuk-gaps/areas.json 2>/dev/null
for m in 2023-04 2024-03 2024-04; do
	"$BIN" report --db "$DB" --quiet --all-data --month $m --taxonomy police-uk --allow-missing --json "$T/gaps-$m.json" 2>/dev/null
done
check "real data with months missing matches the schema" $V "$T/gaps-2023-04.json" "$T/gaps-2024-03.json" \
	"$T/gaps-2024-04.json"

DB=$T/fm.db
"$BIN" import --db "$DB" --quiet --mapping cleveland-force-export sample-data/force
"$BIN" areas --db "$DB" load templates/areas/stockton-town-centres.geojson 2>/dev/null
"$BIN" facematch run --db "$DB" --quiet --plugin "$BUILD/plugins/facematch-embeddings.so" \
	--config "sightings=sample-data/facematch/sightings.jsonl;watchlist=sample-data/facematch/watchlist.jsonl" 2>/dev/null
"$BIN" report --db "$DB" --quiet --month 2024-09 --json "$T/fm.json"
check_grep "the face-match report has offender rows" '"Offenders (face match) > Sightings"' "$T/fm.json"
check "a report with offender counts matches the schema" $V "$T/fm.json"

# the schema is strict: an incomplete window with a number for diff fails
"$PY" -c "
import json, sys
d = json.load(open('$T/gaps-2024-04.json'))
d['areas'][0]['rows'][0]['windows'][1]['diff'] = 5
json.dump(d, open('$T/broken.json', 'w'))"
check "a diff beside an incomplete window is refused" sh -c "! $V '$T/broken.json' >/dev/null"
finish
