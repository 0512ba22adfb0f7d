#!/bin/sh
# `make bench` (tests/bench/run.sh BIN): generates a police.uk download with
# gen-policeuk, then prints a Markdown table of
#   1. import of one national month and of 24 months of one force (street
#      files, fresh database, six town centres assigned), BENCH_REPS times
#      each, alternating with the sqlite3 shell's `.import --csv` of the same
#      files into a plain table: medians with the spread (fastest-slowest),
#      crimetab's rows/s as a multiple of sqlite3's (ratio of the medians), and
#      the database's size against the CSV bytes;
#   2. the six-town-centre report (Markdown, CSV, JSON, XLSX) on one database
#      as it grows to 6, 12 and 24 months of every file kind, its size, and a
#      face-match run on it right after the last import;
#   3. loading 1,000 polygons against one national month;
#   4. the XLSX of a report of 7,000 areas (BENCH_XLSX_AREAS), built in memory
#      by bench-xlsx: the model alone, then the default (auto) and each layout;
#      medians of BENCH_REPS runs (peak RSS includes the model).
# BENCH_SCALE=full: 43 forces (~13 million street rows over 24 months; about
# 10 GB under BENCH_DIR, some minutes).  Default: 6 forces.  BENCH_DIR (default
# BUILD/bench) keeps the generated data for the next run (until the generator
# is rebuilt); databases are deleted unless BENCH_KEEP=1.  BENCH_REPS (default
# 7): timed runs of each step; medians are reported, never the best run.
# BENCH_ONLY=import stops after the two imports.
# A benchmark: it fails only if a step itself fails.
set -eu
BIN=${1:-build/crimetab}
BUILD=$(dirname "$BIN")
SCALE=${BENCH_SCALE:-default}
case $SCALE in
full) FORCES=43 ;;
default) FORCES=6 ;;
*) echo "bench: BENCH_SCALE is 'default' or 'full'" >&2; exit 2 ;;
esac
MONTHS=24
ROWS=${BENCH_ROWS:-12800}
SEED=${BENCH_SEED:-1}
REPS=${BENCH_REPS:-7}
DIR=${BENCH_DIR:-$BUILD/bench}
GEN=$BUILD/tests/bench/gen-policeuk
MEASURE=$BUILD/tests/bench/measure
AREAS=templates/areas/stockton-town-centres.geojson
PLUGIN=$BUILD/plugins/facematch-embeddings.so

command -v sqlite3 >/dev/null || { echo "bench: the sqlite3 shell is needed for the baseline" >&2; exit 2; }
XLSX_BENCH=$BUILD/tests/bench/bench-xlsx
XLSX_AREAS=${BENCH_XLSX_AREAS:-7000}
make --no-print-directory BUILD="$BUILD" "$BIN" "$GEN" "$MEASURE" "$PLUGIN" "$XLSX_BENCH" >&2
mkdir -p "$DIR"
note() { echo "bench: $*" >&2; }

DATA=$DIR/data-$FORCES-$ROWS-$SEED
if [ ! -f "$DATA/.complete" ] || [ "$GEN" -nt "$DATA/.complete" ]; then
	rm -rf "$DATA"
	note "generating $MONTHS months x $FORCES forces x ~$ROWS street rows a month into $DATA"
	"$MEASURE" "$DIR/t.gen" "$GEN" --months "$MONTHS" --forces "$FORCES" --rows-per-force-month "$ROWS" \
		--seed "$SEED" --out "$DATA" --areas 1000 --areas-out "$DATA/areas-1000.geojson"
	read -r s _ _ <"$DIR/t.gen"
	note "generated in $s s"
	touch "$DATA/.complete"
fi
FIRST=$(ls -d "$DATA"/20??-?? | head -n 1)
NATIONAL=$(ls "$FIRST"/*-street.csv)
ONE_FORCE=$(ls "$DATA"/20??-??/*-cleveland-street.csv)

DB=$DIR/bench.db
SDB=$DIR/sqlite3.db
fresh_db() {
	rm -f "$DB" "$DB-wal" "$DB-shm"
	"$BIN" areas --db "$DB" load "$AREAS" >/dev/null 2>&1
}
fresh_sqlite3() {
	rm -f "$SDB" "$SDB-journal"
	sqlite3 "$SDB" 'CREATE TABLE street ("Crime ID" TEXT, "Month" TEXT, "Reported by" TEXT, "Falls within" TEXT,
		"Longitude" TEXT, "Latitude" TEXT, "Location" TEXT, "LSOA code" TEXT, "LSOA name" TEXT,
		"Crime type" TEXT, "Last outcome category" TEXT, "Context" TEXT)'
}
nothing() { :; }

# timed NAME CMD...: runs CMD once under measure; sets t_s (seconds) and
# t_rss (peak RSS, KiB); a failing command stops the bench with its output
timed() {
	name=$1
	shift
	if ! "$MEASURE" "$DIR/t.$name" "$@" >"$DIR/log.$name" 2>&1; then
		note "$name failed:"
		cat "$DIR/log.$name" >&2
		exit 1
	fi
	read -r t_s t_rss _ <"$DIR/t.$name"
}

# Order statistics of the numbers on stdin: "median min max" (the median of an
# even count is the mean of the middle two).
stats() {
	sort -g | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.3f %.3f %.3f\n", m, v[1], v[NR] }'
}

# run_median NAME SETUP CMD...: REPS times SETUP, then CMD timed; sets med_s,
# min_s, max_s and max_rss (the largest peak RSS, KiB)
run_median() {
	name=$1 setup=$2
	shift 2
	: >"$DIR/times.$name"
	max_rss=0 i=0
	while [ "$i" -lt "$REPS" ]; do
		$setup
		timed "$name" "$@"
		echo "$t_s" >>"$DIR/times.$name"
		[ "$t_rss" -gt "$max_rss" ] && max_rss=$t_rss
		i=$((i + 1))
	done
	read -r med_s min_s max_s <<-EOF
	$(stats <"$DIR/times.$name")
	EOF
}

rows_of() { cat "$@" | wc -l | awk -v n=$# '{ print $1 - n }'; }
bytes_of() { cat "$@" | wc -c | awk '{ print $1 }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
mb() { awk -v n="$1" 'BEGIN { printf "%.1f", n / 1e6 }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.0f MiB", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
crimes() { sqlite3 "$DB" 'SELECT count(*) FROM crimes'; }
# the database's bytes on disk: the file, and a WAL if one was left
db_bytes() { cat "$1" "$1-wal" 2>/dev/null | wc -c | awk '{ print $1 }'; }

OUT=$DIR/results-$SCALE.md
{
	echo "## crimetab bench, scale $SCALE: $FORCES forces x $MONTHS months, ~$ROWS street rows a force-month (seed $SEED)"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)," \
		"$(awk '/MemTotal/ { printf "%.0f GiB RAM", $2 / 1048576 }' /proc/meminfo); sqlite3 $(sqlite3 --version | cut -d' ' -f1);" \
		"$REPS runs of each import, crimetab and sqlite3 alternating; medians, with the fastest and slowest run"
	echo
	echo "| import (street files, fresh database, areas assigned) | rows | MB | crimetab s: median (fastest-slowest) | rows/s | peak RSS | sqlite3 .import s: median (fastest-slowest) | rows/s | crimetab / sqlite3 rows/s | database MB | database / CSV |"
	echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
} >"$OUT"

# One import, REPS times each way, alternating: crimetab into a fresh database
# (the town centres loaded first), then the sqlite3 shell into a fresh table.
import_row() { # LABEL FILES...
	label=$1
	shift
	n=$(rows_of "$@")
	b=$(bytes_of "$@")
	note "import: $label ($n rows), $REPS runs each, alternating with sqlite3"
	for f in "$@"; do printf '.import --csv --skip 1 %s street\n' "$f"; done >"$DIR/sqlite3-import.sql"
	: >"$DIR/times.import"
	: >"$DIR/times.sqlite3"
	crss=0 i=0
	while [ "$i" -lt "$REPS" ]; do
		fresh_db
		timed import "$BIN" import -q --db "$DB" "$@"
		echo "$t_s" >>"$DIR/times.import"
		[ "$t_rss" -gt "$crss" ] && crss=$t_rss
		fresh_sqlite3
		timed sqlite3 sqlite3 "$SDB" ".read $DIR/sqlite3-import.sql"
		echo "$t_s" >>"$DIR/times.sqlite3"
		note "  run $((i + 1)): crimetab $(tail -n 1 "$DIR/times.import") s, sqlite3 $t_s s"
		i=$((i + 1))
	done
	read -r cs cmin cmax <<-EOF
	$(stats <"$DIR/times.import")
	EOF
	read -r ss smin smax <<-EOF
	$(stats <"$DIR/times.sqlite3")
	EOF
	if [ "$(sqlite3 "$SDB" 'SELECT count(*) FROM street')" != "$n" ] || [ "$(crimes)" != "$n" ]; then
		note "$label: row counts differ ($n rows in the files)"
		exit 1
	fi
	dbb=$(db_bytes "$DB")
	echo "| $label | $n | $(mb "$b") | $cs ($cmin-$cmax) | $(rate "$n" "$cs") | $(mib "$crss") |" \
		"$ss ($smin-$smax) | $(rate "$n" "$ss") | **$(ratio "$ss" "$cs")x** | $(mb "$dbb") | **$(ratio "$dbb" "$b")** |" >>"$OUT"
}

# shellcheck disable=SC2086 # file lists are split on purpose (no spaces in them)
import_row "one national month ($FORCES forces)" $NATIONAL
cp "$DB" "$DIR/national.db"
# shellcheck disable=SC2086
import_row "24 months of one force (cleveland)" $ONE_FORCE
if [ "${BENCH_ONLY:-}" = import ]; then
	rm -f "$DB" "$DB-wal" "$DB-shm" "$SDB" "$DIR/national.db"
	cat "$OUT"
	note "results also in $OUT (BENCH_ONLY=import: the imports alone)"
	exit 0
fi

{
	echo
	echo "| one database growing (every file: street, outcomes, stop and search) | rows | MB | import s | rows/s | import peak RSS | crimes held | database MB | database / CSV | report s: median (fastest-slowest) | report peak RSS |"
	echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
} >>"$OUT"
fresh_db
done_months=0 all_bytes=0
for upto in 6 12 24; do
	folders=$(ls -d "$DATA"/20??-?? | sed -n "$((done_months + 1)),${upto}p")
	# shellcheck disable=SC2086
	files=$(for d in $folders; do ls "$d"/*.csv; done)
	# shellcheck disable=SC2086
	n=$(rows_of $files)
	# shellcheck disable=SC2086
	all_bytes=$((all_bytes + $(bytes_of $files)))
	note "import: months $((done_months + 1))-$upto ($n rows)"
	# shellcheck disable=SC2086
	timed grow "$BIN" import -q --db "$DB" $folders
	is=$t_s irss=$t_rss
	held=$(crimes)
	dbb=$(db_bytes "$DB")
	note "report on $upto months ($held crimes)"
	mkdir -p "$DIR/report"
	run_median report nothing "$BIN" report --db "$DB" --month latest --taxonomy police-uk --allow-missing -q \
		--md "$DIR/report/report.md" --csv "$DIR/report/report.csv" --json "$DIR/report/report.json" \
		--xlsx "$DIR/report/report.xlsx"
	echo "| months $((done_months + 1))-$upto | $n | $(mb "$all_bytes") (all so far) | $is | $(rate "$n" "$is") | $(mib "$irss") | $held |" \
		"$(mb "$dbb") | $(ratio "$dbb" "$all_bytes") | $med_s ($min_s-$max_s) | $(mib "$max_rss") |" >>"$OUT"
	done_months=$upto
done

# Face-match right after the last import: the first run is the one that once
# rebuilt an index over every crime's ID; the sightings name crimes.
note "face-match run after the import ($held crimes)"
fm_config="sightings=sample-data/facematch/sightings.jsonl;watchlist=sample-data/facematch/watchlist.jsonl"
timed facematch "$BIN" facematch run --db "$DB" --plugin "$PLUGIN" --config "$fm_config" -q
fm_first=$t_s
run_median facematch nothing "$BIN" facematch run --db "$DB" --plugin "$PLUGIN" --config "$fm_config" -q
{
	echo
	echo "| face-match run right after the import (sample sightings, 400 naming crimes) | crimes held | first run s | later runs s: median (fastest-slowest) |"
	echo "|---|--:|--:|--:|"
	echo "| \`crimetab facematch run\` | $held | $fm_first | $med_s ($min_s-$max_s) |"
} >>"$OUT"

note "areas: 1,000 polygons against one national month"
restore_national() {
	rm -f "$DIR/areas.db" "$DIR/areas.db-wal" "$DIR/areas.db-shm"
	cp "$DIR/national.db" "$DIR/areas.db"
}
run_median areas restore_national "$BIN" areas --db "$DIR/areas.db" load "$DATA/areas-1000.geojson"
{
	echo
	echo "| area assignment | polygons | crimes | assignments made | s: median (fastest-slowest) | peak RSS |"
	echo "|---|--:|--:|--:|--:|--:|"
	echo "| load 1,000 polygons against one national month | 1000 | $(sqlite3 "$DIR/areas.db" 'SELECT count(*) FROM crimes') |" \
		"$(sqlite3 "$DIR/areas.db" "SELECT count(*) FROM crime_areas ca JOIN areas a ON a.id = ca.area WHERE a.name LIKE 'Bench area %'") |" \
		"$med_s ($min_s-$max_s) | $(mib "$max_rss") |"
} >>"$OUT"

# median of the numbers on standard input
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
{
	echo
	echo "| XLSX of $XLSX_AREAS areas (police-uk rows, model built in memory) | s (median) | CPU s (median) | peak RSS (median) | file MB |"
	echo "|---|--:|--:|--:|--:|"
} >>"$OUT"
for layout in none auto long sheets; do
	note "xlsx: $XLSX_AREAS areas, layout $layout"
	: >"$DIR/xlsx.runs"
	i=0
	while [ "$i" -lt "$REPS" ]; do
		rm -f "$DIR/bench.xlsx"
		if ! "$MEASURE" "$DIR/t.xlsx" "$XLSX_BENCH" "$DIR/bench.xlsx" --areas "$XLSX_AREAS" --layout "$layout" \
			>"$DIR/log.xlsx" 2>&1; then
			note "xlsx $layout failed:"
			cat "$DIR/log.xlsx" >&2
			exit 1
		fi
		cat "$DIR/t.xlsx" >>"$DIR/xlsx.runs"
		i=$((i + 1))
	done
	s=$(awk '{ print $1 }' "$DIR/xlsx.runs" | median)
	rss=$(awk '{ print $2 }' "$DIR/xlsx.runs" | median)
	cpu=$(awk '{ print $4 }' "$DIR/xlsx.runs" | median)
	size=$( [ -f "$DIR/bench.xlsx" ] && mb "$(wc -c <"$DIR/bench.xlsx")" || echo "-")
	case $layout in
	none) label="the report model alone (baseline)" ;;
	auto) label="the default, --xlsx-layout auto (long above $(grep -o 'REP_XLSX_SHEETS_MAX = [0-9]*' src/report/export.h | sed 's/.*= //') areas)" ;;
	long) label="--xlsx-layout long" ;;
	sheets) label="--xlsx-layout sheets (a sheet per area)" ;;
	esac
	echo "| $label | $s | $cpu | $(mib "$rss") | $size |" >>"$OUT"
done
rm -f "$DIR/bench.xlsx"

if [ "${BENCH_KEEP:-0}" != 1 ]; then
	rm -f "$DB" "$DB-wal" "$DB-shm" "$SDB" "$DIR/national.db" "$DIR/areas.db" "$DIR/areas.db-wal" "$DIR/areas.db-shm"
fi
cat "$OUT"
note "results also in $OUT"
