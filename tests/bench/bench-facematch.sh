#!/bin/sh
# Times the reference face-match plugin grouping 100,000 x 512-d sightings
# of 2,000 people on 2 threads, five times, each in a process of its own:
# the median and range of the time, and the peak memory, against the budget
# (under 10 s and under 200 MB).  Arguments replace the defaults:
# SIGHTINGS DIM INDIVIDUALS REPS CONFIG-EXTRA.  Then the accuracy table of
# docs/facematch-accuracy.md, measured again (FM_ACCURACY=0 skips it).
set -eu
BUILD=${BUILD:-build}
make --no-print-directory BUILD="$BUILD" "$BUILD/tests/bench/bench_facematch" "$BUILD/tests/bench/fm_accuracy" \
	"$BUILD/plugins/facematch-embeddings.so" >&2
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine slows the runs)"
"$BUILD/tests/bench/bench_facematch" "$BUILD/plugins/facematch-embeddings.so" "${1:-100000}" "${2:-512}" \
	"${3:-2000}" "${4:-5}" "${5:-threads=2}"
[ "${FM_ACCURACY:-1}" = 0 ] || "$BUILD/tests/bench/fm_accuracy" "$BUILD/plugins/facematch-embeddings.so"
