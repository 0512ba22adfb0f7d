#!/bin/sh
# Runs every unit test binary and end-to-end script and ends with one line,
# "N passed, N failed", counting cmocka tests and "ok -"/"not ok -" checks.
set -u
BUILD=${BUILD:-build}
export BUILD
BIN="$BUILD/crimetab"
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

count() { # $1 = log of one suite, $2 = its exit status
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$1" | awk '{s+=$1} END {print s+0}')
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$1" | awk '{s+=$1} END {print s+0}')
	p=$((p + $(grep -Ec '^ok( [0-9]+)? - ' "$1")))
	f=$((f + $(grep -Ec '^not ok( [0-9]+)? - ' "$1")))
	if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1 # crashed or failed without saying which check
		echo "not ok - $3 exited with status $2"
	fi
	passed=$((passed + p))
	failed=$((failed + f))
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	echo "== $t"
	"$t" >"$log" 2>&1
	rc=$?
	cat "$log"
	count "$log" "$rc" "$t"
done
for t in tests/e2e/*.sh; do
	case $t in tests/e2e/lib*.sh) continue ;; esac # helpers the scripts source
	[ -f "$t" ] || continue
	echo "== $t"
	bash "$t" "$BIN" >"$log" 2>&1
	rc=$?
	cat "$log"
	count "$log" "$rc" "$t"
done
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
