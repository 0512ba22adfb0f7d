#!/bin/sh
# `make bench` (tests/bench/run.sh BIN): generates a police.uk download with
# gen-policeuk, then prints a Markdown table of
#   1. import of one national month and of 24 months of one force (street
#      files, fresh database, six town centres assigned): rows/s, MB/s, peak RSS;
#   2. the same files through the sqlite3 shell's `.import --csv` into a plain
#      table, and crimetab's speed as a multiple of it;
#   3. the six-town-centre report (Markdown, CSV, JSON, XLSX) on one database
#      as it grows to 6, 12 and 24 months of every file kind;
#   4. loading 1,000 polygons against one national month;
#   5. the XLSX of a report of 7,000 areas (BENCH_XLSX_AREAS), built in memory
#      by bench-xlsx: the model alone, then the default (auto) and each layout;
#      medians of BENCH_REPS runs (peak RSS includes the model).
# BENCH_SCALE=full: 43 forces (~13 million street rows over 24 months; about
# 10 GB under BENCH_DIR, some minutes).  Default: 6 forces.  BENCH_DIR (default
# BUILD/bench) keeps the generated data for the next run (until the generator
# is rebuilt); databases are deleted unless BENCH_KEEP=1.  BENCH_REPS (default
# 3): timed runs of each step, the fastest reported (peak RSS: the largest).
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
REPS=${BENCH_REPS:-3}
DIR=${BENCH_DIR:-$BUILD/bench}
GEN=$BUILD/tests/bench/gen-policeuk
MEASURE=$BUILD/tests/bench/measure
AREAS=templates/areas/stockton-town-centres.geojson

command -v sqlite3 >/dev/null || { echo "bench: the sqlite3 shell is needed for the baseline" >&2; exit 2; }
XLSX_BENCH=$BUILD/tests/bench/bench-xlsx
XLSX_AREAS=${BENCH_XLSX_AREAS:-7000}
make --no-print-directory BUILD="$BUILD" "$BIN" "$GEN" "$MEASURE" "$XLSX_BENCH" >&2
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

# run_best NAME SETUP CMD...: REPS times SETUP, then CMD timed; sets best_s
# (the fastest run) and best_rss (the largest peak RSS, KiB)
run_best() {
	name=$1 setup=$2
	shift 2
	best_s= best_rss=0 i=0
	while [ "$i" -lt "$REPS" ]; do
		$setup
		if ! "$MEASURE" "$DIR/t.$name" "$@" >"$DIR/log.$name" 2>&1; then
			note "$name failed:"
			cat "$DIR/log.$name" >&2
			exit 1
		fi
		read -r s rss _ <"$DIR/t.$name"
		best_s=$(awk -v a="$best_s" -v b="$s" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }')
		[ "$rss" -gt "$best_rss" ] && best_rss=$rss
		i=$((i + 1))
	done
}

rows_of() { cat "$@" | wc -l | awk -v n=$# '{ print $1 - n }'; }
bytes_of() { cat "$@" | wc -c | awk '{ print $1 }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
mb() { awk -v n="$1" 'BEGIN { printf "%.1f", n / 1e6 }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.0f MiB", k / 1024 }'; }
crimes() { sqlite3 "$DB" 'SELECT count(*) FROM crimes'; }

OUT=$DIR/results-$SCALE.md
{
	echo "## crimetab bench, scale $SCALE: $FORCES forces x $MONTHS months, ~$ROWS street rows a force-month (seed $SEED)"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)," \
		"$(awk '/MemTotal/ { printf "%.0f GiB RAM", $2 / 1048576 }' /proc/meminfo); sqlite3 $(sqlite3 --version | cut -d' ' -f1);" \
		"best of $REPS runs"
	echo
	echo "| import (street files, fresh database, areas assigned) | rows | MB | crimetab s | rows/s | MB/s | peak RSS | sqlite3 .import s | rows/s | peak RSS | crimetab / sqlite3 |"
	echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
} >"$OUT"

import_row() { # LABEL FILES...
	label=$1
	shift
	n=$(rows_of "$@")
	b=$(bytes_of "$@")
	note "import: $label ($n rows)"
	run_best import fresh_db "$BIN" import -q --db "$DB" "$@"
	cs=$best_s crss=$best_rss
	for f in "$@"; do printf '.import --csv --skip 1 %s street\n' "$f"; done >"$DIR/sqlite3-import.sql"
	run_best sqlite3 fresh_sqlite3 sqlite3 "$SDB" ".read $DIR/sqlite3-import.sql"
	ss=$best_s srss=$best_rss
	if [ "$(sqlite3 "$SDB" 'SELECT count(*) FROM street')" != "$n" ] || [ "$(crimes)" != "$n" ]; then
		note "$label: row counts differ ($n rows in the files)"
		exit 1
	fi
	echo "| $label | $n | $(mb "$b") | $cs | $(rate "$n" "$cs") | $(rate "$b" "$cs" | awk '{ printf "%.1f", $1 / 1e6 }') |" \
		"$(mib "$crss") | $ss | $(rate "$n" "$ss") | $(mib "$srss") |" \
		"$(awk -v a="$ss" -v b="$cs" 'BEGIN { printf "%.2fx", a / b }') |" >>"$OUT"
}

# shellcheck disable=SC2086 # file lists are split on purpose (no spaces in them)
import_row "one national month ($FORCES forces)" $NATIONAL
cp "$DB" "$DIR/national.db"
# shellcheck disable=SC2086
import_row "24 months of one force (cleveland)" $ONE_FORCE

{
	echo
	echo "| one database growing (every file: street, outcomes, stop and search) | rows | import s | rows/s | import peak RSS | crimes held | report s | report peak RSS |"
	echo "|---|--:|--:|--:|--:|--:|--:|--:|"
} >>"$OUT"
fresh_db
done_months=0
for upto in 6 12 24; do
	folders=$(ls -d "$DATA"/20??-?? | sed -n "$((done_months + 1)),${upto}p")
	# shellcheck disable=SC2086
	n=$(rows_of $(for d in $folders; do ls "$d"/*.csv; done))
	note "import: months $((done_months + 1))-$upto ($n rows)"
	# shellcheck disable=SC2086
	"$MEASURE" "$DIR/t.grow" "$BIN" import -q --db "$DB" $folders >"$DIR/log.grow" 2>&1 ||
		{ cat "$DIR/log.grow" >&2; exit 1; }
	read -r is irss _ <"$DIR/t.grow"
	held=$(crimes)
	note "report on $upto months ($held crimes)"
	mkdir -p "$DIR/report"
	run_best report nothing "$BIN" report --db "$DB" --month latest --taxonomy police-uk --allow-missing -q \
		--md "$DIR/report/report.md" --csv "$DIR/report/report.csv" --json "$DIR/report/report.json" \
		--xlsx "$DIR/report/report.xlsx"
	echo "| months $((done_months + 1))-$upto | $n | $is | $(rate "$n" "$is") | $(mib "$irss") | $held | $best_s | $(mib "$best_rss") |" >>"$OUT"
	done_months=$upto
done

note "areas: 1,000 polygons against one national month"
restore_national() {
	rm -f "$DIR/areas.db" "$DIR/areas.db-wal" "$DIR/areas.db-shm"
	cp "$DIR/national.db" "$DIR/areas.db"
}
run_best areas restore_national "$BIN" areas --db "$DIR/areas.db" load "$DATA/areas-1000.geojson"
{
	echo
	echo "| area assignment | polygons | crimes | assignments made | s | peak RSS |"
	echo "|---|--:|--:|--:|--:|--:|"
	echo "| load 1,000 polygons against one national month | 1000 | $(sqlite3 "$DIR/areas.db" 'SELECT count(*) FROM crimes') |" \
		"$(sqlite3 "$DIR/areas.db" "SELECT count(*) FROM crime_areas ca JOIN areas a ON a.id = ca.area WHERE a.name LIKE 'Bench area %'") |" \
		"$best_s | $(mib "$best_rss") |"
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
