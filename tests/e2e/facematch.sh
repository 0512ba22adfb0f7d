#!/bin/sh
# Face-match end to end: the reference plugin on the sample sightings, the
# offender section in every output, keys kept only as keyed hashes, runs
# replaced by plugin name, provenance, purge and retention, and plugins that
# are refused, crash, hang or send garbage leaving the database unchanged.
. tests/e2e/lib.sh
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
PLUGIN=$BUILD/plugins/facematch-embeddings.so
TP=$BUILD/tests/plugins
CFG="sightings=sample-data/facematch/sightings.jsonl;watchlist=sample-data/facematch/watchlist.jsonl;model=synthetic-gaussian;model_version=1"
DB=$T/fm.db
"$BIN" import --db "$DB" --quiet --mapping cleveland-force-export sample-data/force
"$BIN" areas --db "$DB" load templates/areas/stockton-town-centres.geojson 2>/dev/null
"$BIN" report --db "$DB" --quiet --md "$T/before.md" --month 2024-09
check "no offender section without a plugin run" sh -c "! grep -q 'Offenders (face match)' '$T/before.md'"

check "facematch run on the sample" "$BIN" facematch run --db "$DB" --plugin "$PLUGIN" --config "$CFG"
check_eq "all sightings stored" "400" "$(sql 'select count(*) from fm_sightings')"
check_eq "sightings assigned to town centres" "1" "$(sql 'select count(distinct sighting) > 300 from fm_sighting_areas')"
check_eq "confirmed and cameras stored" "237 18" "$(sql 'select sum(confirmed), count(distinct site) from fm_sightings' | tr '|' ' ')"

# privacy: keys only as HMAC-SHA-256, the secret beside the database, 0600
check_eq "keys stored as 32-byte keyed hashes" "blob 32" \
	"$(sql 'select distinct typeof(individual), length(individual) from fm_sightings' | tr '|' ' ')"
check_eq "80 individuals, as the truth has" 80 "$(sql 'select count(distinct individual) from fm_sightings')"
check_eq "the secret file is 0600" 600 "$(stat -c %a "$DB.fm-secret")"
check_eq "the plugin state folder is 0700" 700 "$(stat -c %a "$DB.fm-state")"
sql 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
check "no plugin key (ind-..., W-0001...) anywhere in the database files" \
	sh -c "! grep -a -q -e 'ind-' -e 'W-00' '$DB' '$DB-wal' 2>/dev/null"
# the same keys, another secret: nothing in common
cp "$DB" "$T/other.db"
CRIMETAB_FM_SECRET=0123456789abcdef0123456789abcdef "$BIN" facematch run --db "$T/other.db" --quiet \
	--plugin "$PLUGIN" --config "$CFG" 2>/dev/null
check_eq "a secret from the environment: no file made" "no" "$(test -e "$T/other.db.fm-secret" && echo yes || echo no)"
check_eq "another secret, no key in common" 0 \
	"$(sql "attach '$T/other.db' as o; select count(*) from fm_sightings a join o.fm_sightings b on a.individual = b.individual")"
chmod 644 "$DB.fm-secret"
"$BIN" facematch run --db "$DB" --quiet --plugin "$PLUGIN" --config "$CFG" 2>"$T/err"
check_eq "a secret others can read is refused (exit 3)" 3 $?
check_grep "secret mode message" 'fm-secret: the face-match secret may be read by group or others (mode 0644)' "$T/err"
chmod 600 "$DB.fm-secret"

# every output: the offender section, confirmed rows, disclosure marks
"$BIN" report --db "$DB" --quiet --month 2024-09 --md "$T/r.md" --xlsx "$T/r.xlsx" --csv "$T/r.csv" --json "$T/r.json"
check_grep "Markdown offender section" '^### Offenders (face match)$' "$T/r.md"
check_grep "Markdown confirmed rows" '^| Repeat offenders (confirmed) |' "$T/r.md"
check_grep "Markdown: small counts as <3" '| <3 |' "$T/r.md"
check_grep "Markdown: provenance footnote" 'facematch-embeddings 1.1.0 (run 1, 2022-10 to 2024-10, keys kept across runs; model synthetic-gaussian 1; cosine \\>= 0.6; gallery watchlist.jsonl' "$T/r.md"
check_grep "Markdown: plugin hash in the footnote" "plugin sha256:$(sha256sum "$PLUGIN" | cut -c1-16)" "$T/r.md"
check_grep "Markdown: input hash in the footnote" "sightings.jsonl sha256:$(sha256sum sample-data/facematch/sightings.jsonl | cut -c1-64)" "$T/r.md"
check_grep "CSV offender rows" 'Offenders (face match) > Distinct offenders (confirmed)' "$T/r.csv"
check_grep "CSV: small counts as <3" ',<3,' "$T/r.csv"
check "JSON: no offender count from 1 to 2" python3 -c "
import json, sys
for a in json.load(open('$T/r.json'))['areas']:
    for r in a['offenders']['rows']:
        for w in r['windows']:
            for k in ('current', 'comparison'):
                v = w[k]
                assert v is None or v == 0 or v >= 3, (a['name'], r['label'], w)
                assert v is not None or w[k + '_text'] in ('<3', '[c]')
            # a withheld figure is never tested: no z, p or flag to give it away
            if w['current'] is None or w['comparison'] is None:
                assert not w['tested'] and w['z'] is None and w['p'] is None and w['flag'] is None, w"
if /usr/bin/python3 -c 'import openpyxl' 2>/dev/null; then
	check "XLSX: offender rows, marks, and the run in Sources" /usr/bin/python3 -c "
import openpyxl
wb = openpyxl.load_workbook('$T/r.xlsx')
cells = [c.value for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]
assert 'Distinct offenders (confirmed)' in cells and '<3' in cells and '[c]' in cells
src = [str(c.value) for row in wb['Sources'].iter_rows() for c in row if c.value is not None]
assert any(s.startswith('facematch-embeddings 1.1.0 (run 1') and 'cosine >= 0.6' in s for s in src), src
for ws in wb:
    on = False
    for row in ws.iter_rows(values_only=True):
        on = on or row[0] == 'Offenders (face match)'
        if on and row[0] and row[0] != 'Offenders (face match)':
            for v in row[1::3]:  # the Current columns
                assert v is None or isinstance(v, str) or v >= 3, (ws.title, row)"
fi
"$BIN" report --db "$DB" --quiet --month 2024-09 --confirmed-only --suppress-below 0 --json "$T/c.json"
check "--confirmed-only: confirmed rows alone, counts unsuppressed" python3 -c "
import json
a = json.load(open('$T/c.json'))['areas'][0]['offenders']
assert [r['label'] for r in a['rows']] == ['Sightings (confirmed)', 'Distinct offenders (confirmed)', 'Repeat offenders (confirmed)', 'Watchlist matches (confirmed)'], a['rows']
assert a['suppress_below'] == 0"
check "no individual key in any output" sh -c "! grep -q -e 'ind-' -e 'W-00' '$T/r.md' '$T/r.csv' '$T/r.json' && python3 -c \"import zipfile,sys; z=zipfile.ZipFile('$T/r.xlsx'); sys.exit(any(b'ind-' in z.read(n) or b'W-00' in z.read(n) for n in z.namelist()))\""

# All data counts every sighting: the 12 months to 2024-10 and the 12 before
"$BIN" report --db "$DB" --quiet --month 2024-10 --area "All data" --suppress-below 0 --json "$T/all.json" --allow-missing 2>/dev/null
want=$(sql "select count(*) from fm_sightings where month >= 2022*12+10")
got=$(python3 -c "
import json; a = json.load(open('$T/all.json'))['areas'][0]['offenders']['rows'][0]['windows'][2]
print(a['current'] + a['comparison'])")
check_eq "All data: 12-month sightings and comparison cover 2022-11..2024-10" "$want" "$got"

# provenance in the list
"$BIN" facematch list --db "$DB" >"$T/list"
check_grep "list: header with provenance columns" '^id	plugin	version	from	to	sightings	confirmed	run_at	identity	abi	model	similarity	threshold	gallery	options	plugin_sha256	inputs	path$' "$T/list"
check_grep "list: the run and its provenance" "^1	facematch-embeddings	1.1.0	2022-10	2024-10	400	237	.*	persistent	1.1	synthetic-gaussian 1	cosine	0.6	watchlist.jsonl 12 entries sha256:$(sha256sum sample-data/facematch/watchlist.jsonl | cut -c1-64)	threshold=0.6;dim=128;.*	$(sha256sum "$PLUGIN" | cut -c1-64)	sample-data/facematch/sightings.jsonl sha256:" "$T/list"

# a re-run replaces; so does an upgraded plugin at another path
"$BIN" facematch run --db "$DB" --quiet --plugin "$PLUGIN" --config "$CFG"
check_eq "re-run replaces the earlier sightings" "400" "$(sql 'select count(*) from fm_sightings')"
mkdir -m 700 "$T/v2" && cp "$TP/facematch-embeddings-next.so" "$T/v2/fm.so"
"$BIN" facematch run --db "$DB" --quiet --plugin "$T/v2/fm.so" --config "$CFG"
check_eq "an upgraded plugin at a new path replaces its runs" "400 1 1.1.1-next" \
	"$(sql 'select count(*), count(distinct run_id), (select group_concat(plugin_version) from fm_runs) from fm_sightings' | tr '|' ' ')"
check_eq "and keeps its individuals' keys" 80 "$(sql 'select count(distinct individual) from fm_sightings')"
# a run of some months replaces only those months (whole months: a file
# that ends part-way through a month replaces the whole month)
"$BIN" facematch run --db "$DB" --quiet --plugin "$PLUGIN" --config "$CFG" --from 2023-01 --to 2023-03
check_eq "a run of some months replaces only those" "400 2" "$(sql 'select count(*), count(distinct run_id) from fm_sightings' | tr '|' ' ')"
check_eq "and still 80 individuals" 80 "$(sql 'select count(distinct individual) from fm_sightings')"
check_eq "that run covers 2023-01 to 2023-03" "2023-01	2023-03" "$("$BIN" facematch list --db "$DB" | tail -n 1 | awk -F'\t' '{print $4 "\t" $5}')"

# a bad plugin: refused, crashing, hanging, garbage, failing: exit 8, nothing changed
"$BIN" facematch run --db "$DB" --quiet --plugin "$PLUGIN" --config "$CFG"
snapshot() { sqlite3 "$DB" .dump | sha256sum; }
before=$(snapshot)
bad_plugin() { # NAME PLUGIN CONFIG MESSAGE [OPTIONS...]
	name=$1 plugin=$2 config=$3 message=$4
	shift 4
	"$BIN" facematch run --db "$DB" --plugin "$plugin" --config "$config" "$@" 2>"$T/err"
	check_eq "$name: exit 8" 8 $?
	check_grep "$name: says why" "$message" "$T/err"
	check_grep "$name: says nothing was stored" 'nothing stored from this run' "$T/err"
	check_eq "$name: database unchanged" "$before" "$(snapshot)"
}
bad_plugin "wrong ABI" "$TP/bad_abi.so" "" 'ABI version 99'
bad_plugin "mid-stream failure" "$TP/fail_midstream.so" "" 'failed after 3 sightings: match service connection lost'
bad_plugin "segfault" "$TP/crash.so" "" 'plugin \(crashed (signal\|process ended without finishing\)'
bad_plugin "hang" "$TP/hang.so" "" 'plugin did not finish within 1 s' --timeout 1
bad_plugin "garbage on the pipe" "$TP/garbage.so" "pipe" 'plugin sent malformed data after 2 sightings'
bad_plugin "garbage in a sighting" "$TP/garbage.so" "nan" 'sighting 3 has confidence nan outside 0..1'
cp "$PLUGIN" "$T/open.so" && chmod 666 "$T/open.so"
bad_plugin "world-writable plugin" "$T/open.so" "$CFG" 'writable by group or others'
printf '{"id":"x1","time":"2024-10-01T10:00:00Z","embedding":[1,2]}\n{"id":"x2","time":"2024-10-01T10:00:00Z","embedding":[1,2,3]}\n' >"$T/bad.jsonl"
bad_plugin "malformed sightings line" "$PLUGIN" "sightings=$T/bad.jsonl" "bad.jsonl:2: embedding has 3 values, expected 2"
bad_plugin "another threshold than the state's" "$PLUGIN" "$CFG;threshold=0.5" "matched with threshold 0.6, this run asks for 0.5"

# an ABI 1.0 plugin still loads
cp "$T/fm.db" "$T/abi10.db"
DB=$T/abi10.db
"$BIN" facematch purge --db "$DB" --quiet --all
check "an ABI 1.0 plugin loads and runs" "$BIN" facematch run --db "$DB" --quiet --plugin "$TP/abi10.so"
check_eq "ABI 1.0 sightings: unconfirmed, no site, recorded as ABI 1.0, keys hashed" "3 0 0 1.0 run 2" \
	"$(sql "select count(*), sum(confirmed), count(site), (select abi || ' ' || identity from fm_runs), count(distinct individual) from fm_sightings" | tr '|' ' ')"
DB=$T/fm.db

# the database is locked only while storing: an import during a slow run works
DB2=$T/lock.db
cp "$DB" "$DB2"
cp "$DB.fm-secret" "$DB2.fm-secret"
"$BIN" facematch run --db "$DB2" --quiet --plugin "$TP/hang.so" --config "sleep=7" 2>/dev/null &
fm=$!
sleep 1
# (an import waits at most 2 s for a writer's lock here: had the run held
# the lock while its plugin worked, this would end in exit 7)
CRIMETAB_LOCK_TIMEOUT=2 "$BIN" import --db "$DB2" --quiet sample-data/policeuk 2>"$T/err"
check_eq "an import during a 7 s plugin run is not blocked" 0 $?
"$BIN" facematch run --db "$DB2" --quiet --plugin "$TP/hang.so" --config "sleep=1" 2>"$T/err"
check_eq "a second run of the same plugin meanwhile is refused" 8 $?
check_grep "and says why" 'another run of hang is using its state' "$T/err"
wait $fm
check_eq "and the slow run then stores its sightings" 0 $?

# purge: one run, months before, everything; no orphan left
DB=$T/fm.db
runs=$(sql 'select count(*) from fm_runs')
last=$(sql 'select max(id) from fm_runs')
"$BIN" facematch purge --db "$DB" --quiet --run "$last"
check_eq "purge --run: the run and its sightings are gone" "0 $((runs - 1))" \
	"$(sql "select (select count(*) from fm_sightings where run_id = $last), count(*) from fm_runs" | tr '|' ' ')"
check_eq "purge --run: no orphan area links" 0 \
	"$(sql 'select count(*) from fm_sighting_areas where sighting not in (select id from fm_sightings)')"
"$BIN" facematch run --db "$DB" --quiet --plugin "$PLUGIN" --config "$CFG"
"$BIN" facematch purge --db "$DB" --quiet --before 2024-01
check_eq "purge --before: nothing before 2024-01 left" 0 "$(sql "select count(*) from fm_sightings where month < 2024*12")"
check_eq "purge --before: later months kept" \
	"$(grep -c '"time":"2024' sample-data/facematch/sightings.jsonl)" "$(sql 'select count(*) from fm_sightings')"
check_eq "purge --before: the plugin is told to forget before 2024-01" 1704067200 "$(sql 'select forget_before from fm_policy')"
"$BIN" facematch run --db "$DB" --quiet --plugin "$PLUGIN" --config "$CFG"
check_eq "the next run does not bring the forgotten months back" 0 "$(sql "select count(*) from fm_sightings where month < 2024*12")"
check_eq "secure_delete is on for face-match deletes" 1 "$(sql 'PRAGMA secure_delete' 2>/dev/null || echo 1)"
"$BIN" facematch purge --db "$DB" --quiet --all
check_eq "purge --all: no sightings, runs or area links" "0 0 0" \
	"$(sql 'select (select count(*) from fm_sightings), (select count(*) from fm_runs), (select count(*) from fm_sighting_areas)' | tr '|' ' ')"
check_eq "purge --all: the plugin state is gone" no "$(test -e "$DB.fm-state" && echo yes || echo no)"
"$BIN" facematch purge --db "$DB" --run 5 --all 2>"$T/err"
check_eq "purge needs exactly one of --run, --before, --all" 2 $?

# retention: a maximum age, kept in the database and applied on every run.
# The sample ends in 2024-10; keep from 2024-05 on, whatever today is.
now=$(python3 -c "from datetime import datetime; from zoneinfo import ZoneInfo; d = datetime.now(ZoneInfo('Europe/London')); print(d.year * 12 + d.month - 1)")
keep=$((2024 * 12 + 4))
retain=$((now - keep + 1))
"$BIN" facematch run --db "$DB" --quiet --plugin "$PLUGIN" --config "$CFG" --retain-months $retain 2>"$T/err"
check_eq "--retain-months: nothing older stored, the rest kept" \
	"0 $(python3 tests/tools/fm-truth.py sample-data/facematch/sightings.jsonl sample-data/facematch/truth.json 2024-10 | awk '$1 == 6 && $2 == 0 {print $3}')" \
	"$(sql "select (select count(*) from fm_sightings where month < $keep), count(*) from fm_sightings" | tr '|' ' ')"
check_eq "--retain-months: the policy is kept" $retain "$(sql 'select retain_months from fm_policy')"
sql "insert into fm_sightings (run_id, time, month, individual, confidence, watchlist) select max(id), 0, $keep - 1, x'00', 1, 0 from fm_runs"
"$BIN" facematch run --db "$DB" --quiet --plugin "$PLUGIN" --config "$CFG" --from 2024-10 --to 2024-10
check_eq "and applied on the next run, without the option" 0 "$(sql "select count(*) from fm_sightings where month < $keep")"
"$BIN" facematch run --db "$DB" --quiet --plugin "$PLUGIN" --config "$CFG" --retain-months 0
check_eq "--retain-months 0 lifts the limit, but what was forgotten stays so" "0 0" \
	"$(sql "select (select count(*) from fm_sightings where month < $keep), coalesce((select retain_months from fm_policy), 0)" | tr '|' ' ')"
"$BIN" facematch purge --db "$DB" --quiet --all
"$BIN" facematch run --db "$DB" --quiet --plugin "$PLUGIN" --config "$CFG"
check_eq "after purge --all, everything can be run again" 400 "$(sql 'select count(*) from fm_sightings')"
printf '{"report_version":1,"month":"2024-09","retain_months":%d,"outputs":{"md":"%s/cfg.md"}}\n' $retain "$T" >"$T/cfg.json"
"$BIN" report --db "$DB" --quiet --config "$T/cfg.json" 2>/dev/null
check_eq "retain_months in a report config is applied too" "0 $retain" \
	"$(sql "select count(*), (select retain_months from fm_policy) from fm_sightings where month < $keep" | tr '|' ' ')"
finish
