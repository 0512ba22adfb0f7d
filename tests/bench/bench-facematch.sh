#!/bin/sh
# Times the reference face-match plugin clustering 10,000 x 512-d sightings
# (or "$@": SIGHTINGS DIM INDIVIDUALS CONFIG-EXTRA).  A benchmark: it prints
# seconds and fails only if the run itself fails.
set -eu
BUILD=${BUILD:-build}
make --no-print-directory BUILD="$BUILD" "$BUILD/tests/bench/bench_facematch" \
	"$BUILD/plugins/facematch-embeddings.so" >&2
exec "$BUILD/tests/bench/bench_facematch" "$BUILD/plugins/facematch-embeddings.so" "$@"
