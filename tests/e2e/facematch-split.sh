#!/bin/sh
# Identity across runs: the sample's sightings, split into monthly files and
# run in 1, 2, 3 and 13 runs (the last 12 a month each), give the same
# offender counts in every window and area, and those counts are the truth
# the generator recorded.
. tests/e2e/lib.sh
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
PLUGIN=$BUILD/plugins/facematch-embeddings.so
S=sample-data/facematch
BASE=$T/base.db
DB=$BASE
"$BIN" import --db "$BASE" --quiet --mapping cleveland-force-export sample-data/force
"$BIN" areas --db "$BASE" load templates/areas/stockton-town-centres.geojson >/dev/null 2>&1
sql 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null

# one file per UK month, named by it
mkdir "$T/months"
python3 - "$S/sightings.jsonl" "$T/months" <<'EOF'
import json, sys
from datetime import datetime
from zoneinfo import ZoneInfo
for line in open(sys.argv[1], encoding="utf-8"):
    s = json.loads(line)
    t = datetime.fromisoformat(s["time"].replace("Z", "+00:00")).astimezone(ZoneInfo("Europe/London"))
    with open("%s/%04d-%02d.jsonl" % (sys.argv[2], t.year, t.month), "a", encoding="utf-8") as out:
        out.write(line)
EOF
check_eq "the sample spans 25 months" 25 "$(ls "$T/months" | wc -l | tr -d ' ')"

# run_split NAME LAST-MONTH-OF-EACH-PART...: a fresh copy of the database,
# and one plugin run per part (months up to and including each given one)
run_split() {
	name=$1
	shift
	cp "$BASE" "$T/$name.db"
	part=0
	: >"$T/$name.part"
	for f in "$T"/months/*.jsonl; do
		m=$(basename "$f" .jsonl)
		cat "$f" >>"$T/$name.part"
		if [ "$m" = "$1" ]; then
			part=$((part + 1))
			cp "$T/$name.part" "$T/$name.$part.jsonl"
			"$BIN" facematch run --db "$T/$name.db" --quiet --plugin "$PLUGIN" \
				--config "sightings=$T/$name.$part.jsonl;watchlist=$S/watchlist.jsonl" || echo "run $name.$part failed"
			: >"$T/$name.part"
			shift
		fi
	done
	"$BIN" report --db "$T/$name.db" --quiet --month 2024-10 --all-data --suppress-below 0 --allow-missing \
		--json "$T/$name.json" 2>/dev/null
	# every offender figure of every area, one line each
	python3 -c "
import json, sys
for a in json.load(open(sys.argv[1]))['areas']:
    for r in a['offenders']['rows']:
        for i, w in enumerate(r['windows']):
            print(a['name'], r['label'], i, w['current'], w['comparison'])" "$T/$name.json" >"$T/$name.counts"
}

run_split one 2024-10
run_split two 2024-04 2024-10
run_split three 2023-06 2024-01 2024-10
run_split thirteen 2023-10 2023-11 2023-12 2024-01 2024-02 2024-03 2024-04 2024-05 2024-06 2024-07 2024-08 2024-09 2024-10
check_eq "13 runs stored" 13 "$(DB=$T/thirteen.db sql 'select count(*) from fm_runs')"
check_eq "every sighting stored once in 13 runs" 400 "$(DB=$T/thirteen.db sql 'select count(*) from fm_sightings')"
check "one run: offender figures present" test -s "$T/one.counts"
for n in two three thirteen; do
	check "$n runs give the same counts as one, in every area and window" cmp "$T/one.counts" "$T/$n.counts"
done

# and the truth: All data, selected month, 6 and 12 months, all and confirmed
python3 tests/tools/fm-truth.py "$S/sightings.jsonl" "$S/truth.json" 2024-10 >"$T/truth"
check_eq "truth: 12 months, 55 distinct, 40 repeat" "12 0 206 55 40" "$(sed -n 5p "$T/truth")"
for n in one thirteen; do
	python3 -c "
import json, sys
a = json.load(open(sys.argv[1]))['areas'][0]
assert a['name'] == 'All data'
rows = {r['label']: r['windows'] for r in a['offenders']['rows']}
for i, months in enumerate((1, 6, 12)):
    for conf, sfx in ((0, ''), (1, ' (confirmed)')):
        print(months, conf, rows['Sightings' + sfx][i]['current'], rows['Distinct offenders' + sfx][i]['current'],
              rows['Repeat offenders' + sfx][i]['current'])" "$T/$n.json" >"$T/$n.truthcmp"
	check "$n run(s): All data counts are the truth's" cmp "$T/truth" "$T/$n.truthcmp"
done

# merges really happen across runs: a person seen in part 1 and part 2 has
# one key, so the 12-month count is not the sum of the parts' counts
check_eq "two runs: one key per person across runs" \
	"$(DB=$T/one.db sql 'select count(distinct individual) from fm_sightings')" \
	"$(DB=$T/two.db sql 'select count(distinct individual) from fm_sightings')"
finish
