#!/bin/sh
# Builds libFuzzer targets with ASan + UBSan into build-fuzz/ and runs each for
# FUZZ_SECONDS (default 30) on seeds copied from the project's own files.
# Usage, from the repository root: tests/fuzz/run.sh tests/fuzz/fuzz_*.c
# A crash is kept as build-fuzz/<target>-crash-<hash>; replay it with
# build-fuzz/<target> <that file>.
set -u
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
FUZZ_CC=${FUZZ_CC:-clang}
OUT=build-fuzz
PKGS="sqlite3 libcjson nettle libzip proj shapelib"

# The sources each target links besides itself, and the files its seeds come from.
target_sources() {
	case $1 in
	fuzz_csvread) echo "src/import/csvread.c src/core/util.c build/gen/embedded.c" ;;
	fuzz_mapping) echo "src/import/import.c src/import/apijson.c src/import/csvread.c src/import/readahead.c src/areas/areas.c \
src/areas/crs.c src/areas/shapefile.c src/store/*.c src/core/strmap.c src/core/textpool.c src/core/util.c build/gen/embedded.c" ;;
	fuzz_areas) echo "src/areas/areas.c src/areas/crs.c src/areas/shapefile.c src/store/*.c src/core/strmap.c src/core/textpool.c src/core/util.c \
build/gen/embedded.c" ;;
	fuzz_apijson) echo "src/import/apijson.c src/core/util.c build/gen/embedded.c" ;;
	fuzz_zip) echo "src/import/zipin.c src/import/import.c src/import/apijson.c src/import/csvread.c src/import/readahead.c \
src/areas/areas.c src/areas/crs.c src/areas/shapefile.c src/store/*.c src/core/strmap.c src/core/textpool.c src/core/util.c build/gen/embedded.c" ;;
	fuzz_fmwire) echo "src/plugin/fm_host.c src/plugin/fm_privacy.c src/plugin/fm_elf.c src/core/util.c build/gen/embedded.c -ldl" ;;
	fuzz_fmlines) echo "src/plugins/facematch-embeddings/*.c -lpthread" ;;
	fuzz_phrases) echo "src/report/phrases.c src/core/util.c build/gen/embedded.c" ;;
	*) return 1 ;;
	esac
}
target_seeds() {
	case $1 in
	fuzz_csvread) echo "sample-data/policeuk/2024-10/*.csv sample-data/force/*.csv tests/paper/*.csv" ;;
	fuzz_mapping) echo "templates/mappings/*.json tests/paper/mapping.json" ;;
	fuzz_areas) echo "templates/areas/*.geojson tests/paper/areas.json tests/fixtures/geo/*.geojson" ;;
	fuzz_apijson) echo "tests/fixtures/api/*.json" ;;
	fuzz_zip) echo "tests/fuzz/seeds/*.zip" ;;
	fuzz_fmwire) echo "tests/fuzz/seeds/*.fmwire" ;;
	fuzz_fmlines) echo "sample-data/facematch/*.jsonl" ;;
	fuzz_phrases) echo "templates/highlights/*.json" ;;
	esac
}

if [ $# -eq 0 ]; then
	echo "usage: $0 tests/fuzz/fuzz_*.c" >&2
	exit 2
fi
# the embedded sql/ and templates/ files that the store and the loaders use
make --no-print-directory -s build/gen/embedded.c || exit 1
mkdir -p "$OUT"
# shellcheck disable=SC2086 # PKGS is a list of package names
CFLAGS="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g -O1 -Wall -Wextra \
-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Isrc -Iinclude -Ibuild/gen $(pkg-config --cflags $PKGS)"
# shellcheck disable=SC2086
LIBS="$(pkg-config --libs $PKGS) -lcsv -lm"

failed=""
for src in "$@"; do
	name=$(basename "$src" .c)
	if ! srcs=$(target_sources "$name"); then
		echo "not ok - $name: unknown target (add it to $0)"
		failed="$failed $name"
		continue
	fi
	echo "== $name: building"
	# shellcheck disable=SC2086 # the flag and file lists are meant to split
	if ! $FUZZ_CC $CFLAGS -o "$OUT/$name" "$src" $srcs $LIBS; then
		echo "not ok - $name does not build"
		failed="$failed $name"
		continue
	fi

	corpus=$(mktemp -d)
	# shellcheck disable=SC2086 # the seeds are globs
	for f in $(target_seeds "$name"); do
		[ -f "$f" ] || continue
		# a big file seeds with its first lines: libFuzzer's inputs stay small
		if [ "$(wc -c <"$f")" -gt 4096 ]; then
			head -n 25 "$f" | head -c 4096
		else
			cat "$f"
		fi >"$corpus/$(echo "$f" | tr / _)"
	done

	# shapefile seeds for fuzz_areas: .shp and .shx lengths (16 bits, little
	# endian), then the .shp, .shx and .dbf
	if [ "$name" = fuzz_areas ]; then
		for b in tests/fixtures/geo/latin1 tests/fixtures/geo/hand-drawn-bng; do
			python3 -c "import os, struct, sys; b = sys.argv[1]; p = [open(b + e, 'rb').read() for e in ('.shp', '.shx', '.dbf')]
sys.stdout.buffer.write(struct.pack('<HH', len(p[0]), len(p[1])) + b''.join(p))" "$b" >"$corpus/shp_$(basename "$b")"
		done
	fi
	echo "== $name: fuzzing for ${FUZZ_SECONDS}s from $(find "$corpus" -type f | wc -l) seeds"
	"./$OUT/$name" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$OUT/$name-" -print_final_stats=1 "$corpus" >"$OUT/$name.log" 2>&1
	rc=$?
	rm -rf "$corpus"
	grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)' "$OUT/$name.log"
	if [ $rc -ne 0 ]; then
		tail -n 40 "$OUT/$name.log"
		echo "not ok - $name crashed (exit $rc): $(sed -n 's/.*Test unit written to //p' "$OUT/$name.log")"
		failed="$failed $name"
	else
		echo "ok - $name"
	fi
done

if [ -n "$failed" ]; then
	echo "fuzz: failed:$failed"
	exit 1
fi
echo "fuzz: every target ran ${FUZZ_SECONDS}s without a crash"
