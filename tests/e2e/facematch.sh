#!/bin/sh
# Face-match end to end: the reference plugin on the sample sightings, the
# offender section in Markdown and XLSX, refusals, and all-or-nothing runs.
. tests/e2e/lib.sh
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
PLUGIN=$BUILD/plugins/facematch-embeddings.so
CFG="sightings=sample-data/facematch/sightings.jsonl;watchlist=sample-data/facematch/watchlist.jsonl"
DB=$T/fm.db
"$BIN" import --db "$DB" --quiet --mapping cleveland-force-export sample-data/force
"$BIN" areas --db "$DB" load templates/areas/stockton-town-centres.geojson 2>/dev/null
"$BIN" report --db "$DB" --quiet --md "$T/before.md" --month 2024-09
check "no offender section without a plugin run" sh -c "! grep -q 'Offenders (face match)' '$T/before.md'"

check "facematch run on the sample" "$BIN" facematch run --db "$DB" --plugin "$PLUGIN" --config "$CFG"
check_eq "all sightings stored" "400" "$(sql 'select count(*) from fm_sightings')"
check_eq "sightings assigned to town centres" "1" "$(sql 'select count(distinct sighting) > 300 from fm_sighting_areas')"
"$BIN" report --db "$DB" --quiet --month 2024-09 --md "$T/r.md" --xlsx "$T/r.xlsx" --csv "$T/r.csv" --json "$T/r.json"
check_grep "Markdown offender section" '^### Offenders (face match)$' "$T/r.md"
check_grep "Markdown offender rows" '^| Repeat offenders |' "$T/r.md"
# All data counts every sighting: the 12 months to 2024-10 and the 12 before
# them hold all 400 but those of 2022-10
"$BIN" report --db "$DB" --quiet --month 2024-10 --area "All data" --json "$T/all.json" --allow-missing 2>/dev/null
want=$(sql "select count(*) from fm_sightings where month >= 2022*12+10")
got=$(python3 -c "
import json; a = json.load(open('$T/all.json'))['areas'][0]['offenders']['rows'][0]['windows'][2]
print(a['current'] + a['comparison'])")
check_eq "All data: 12-month sightings and comparison cover 2022-11..2024-10" "$want" "$got"
check_grep "CSV offender rows" 'Offenders (face match) > Distinct offenders' "$T/r.csv"
check "no individual key in any output" sh -c "! grep -q 'ind-' '$T/r.md' '$T/r.csv' '$T/r.json' && python3 -c \"import zipfile,sys; z=zipfile.ZipFile('$T/r.xlsx'); sys.exit(any(b'ind-' in z.read(n) for n in z.namelist()))\""
if /usr/bin/python3 -c 'import openpyxl' 2>/dev/null; then
	check "XLSX offender section" /usr/bin/python3 -c "
import openpyxl, sys
wb = openpyxl.load_workbook('$T/r.xlsx')
ws = wb['Stockton Town Centre']
labels = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
sys.exit(0 if any('Offenders (face match)' in l for l in labels) and 'Distinct offenders' in labels else 1)"
fi

# a re-run replaces, it does not add
"$BIN" facematch run --db "$DB" --quiet --plugin "$PLUGIN" --config "$CFG"
check_eq "re-run replaces the earlier sightings" "400" "$(sql 'select count(*) from fm_sightings')"

# refusals, and nothing stored from a failing run
"$BIN" facematch run --db "$DB" --plugin "$BUILD/tests/plugins/bad_abi.so" 2>"$T/err"
check_eq "wrong ABI exits 8" 8 $?
check_grep "wrong ABI message" 'ABI version 99' "$T/err"
"$BIN" facematch run --db "$DB" --plugin "$BUILD/tests/plugins/fail_midstream.so" 2>"$T/err"
check_eq "mid-stream failure exits 8" 8 $?
check_grep "mid-stream failure: nothing stored" 'nothing stored from this run' "$T/err"
check_eq "mid-stream failure left the database alone" "400" "$(sql 'select count(*) from fm_sightings')"
cp "$PLUGIN" "$T/open.so" && chmod 666 "$T/open.so"
"$BIN" facematch run --db "$DB" --plugin "$T/open.so" --config "$CFG" 2>"$T/err"
check_eq "world-writable plugin refused" 8 $?
check_grep "world-writable plugin message" 'writable' "$T/err"
printf '{"id":"x1","time":"2024-10-01T10:00:00Z","embedding":[1,2]}\n{"id":"x2","time":"2024-10-01T10:00:00Z","embedding":[1,2,3]}\n' >"$T/bad.jsonl"
"$BIN" facematch run --db "$DB" --plugin "$PLUGIN" --config "sightings=$T/bad.jsonl" 2>"$T/err"
check_grep "malformed sightings line named" "bad.jsonl:2:" "$T/err"
finish
