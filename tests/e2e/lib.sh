# Shared helpers for the end-to-end scripts: each check prints "ok - NAME" or
# "not ok - NAME" and the script exits non-zero if any failed.
BIN=${1:-build/crimetab}
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
ROOT=$PWD
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
FAILS=0

ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; FAILS=$((FAILS + 1)); }
# check NAME COMMAND...: passes when COMMAND succeeds
check() { name=$1; shift; if "$@" >"$T/.out" 2>&1; then ok "$name"; else not_ok "$name"; sed 's/^/    /' "$T/.out"; fi; }
# check_eq NAME EXPECTED ACTUAL
check_eq() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1"; echo "    expected: $2"; echo "    actual:   $3"; fi; }
# check_grep NAME PATTERN FILE
check_grep() { if grep -q -- "$2" "$3"; then ok "$1"; else not_ok "$1"; echo "    no match for: $2"; sed 's/^/    /' "$3" | head -20; fi; }
sql() { sqlite3 "$DB" "$1"; }
finish() { exit $((FAILS > 0)); }
