#!/bin/sh
# One CLI grammar: every error is one "crimetab: error:" line (usage errors add
# one pointer to --help), help and version as commands, global options before
# or after the command, and the exit-status table the same everywhere.
. tests/e2e/lib.sh
cd "$T" || exit 1
DB=$T/cli.db

# usage errors: exactly two lines on stderr, nothing on stdout, status 2
usage_error() { # NAME EXPECTED-FIRST-LINE HINT-COMMAND ARGS...
	name=$1 want=$2 hint=$3
	shift 3
	"$BIN" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	got=$(cat "$T/err")
	exp=$(printf '%s\n%s' "$want" "crimetab: see 'crimetab ${hint:+$hint }--help'")
	if [ "$rc" -eq 2 ] && [ "$got" = "$exp" ] && [ ! -s "$T/out" ]; then
		ok "$name"
	else
		not_ok "$name"
		echo "    status $rc; stderr:"
		sed 's/^/    | /' "$T/err"
		echo "    expected:"
		echo "$exp" | sed 's/^/    | /'
	fi
}
usage_error "unknown long option" "crimetab: error: report: unknown option '--frob'" report report --frob
usage_error "missing value" "crimetab: error: report: option '--month' needs a value" report report --month
usage_error "flag given a value" "crimetab: error: import: option '--quiet' takes no value" import import --quiet=1 x.csv
usage_error "unknown short option" "crimetab: error: areas: unknown option '-x'" areas areas -x list
usage_error "bad month value" "crimetab: error: facematch: --from: \"2024-13\" is not a month (YYYY-MM)" facematch \
	facematch run --from 2024-13
usage_error "bad number value" "crimetab: error: rejects: --source: \"two\" is not a whole number" rejects \
	rejects --source two
usage_error "report operand" "crimetab: error: report: unexpected argument 'out.md' (outputs are given with --md, --xlsx, ...)" \
	report report out.md
usage_error "unknown command" "crimetab: error: 'frob' is not a crimetab command" "" frob
usage_error "unknown global option" "crimetab: error: unknown option '--frob'" "" --frob sources
usage_error "help for no such command" "crimetab: error: 'frob' is not a crimetab command" "" help frob
usage_error "no command, not a terminal" "crimetab: error: no command given (on a terminal, no command opens the TUI)" ""
check "no database made by usage errors" test ! -e "$T/crimetab.db"

# crimetab help CMD is crimetab CMD --help, for every command
for c in import sources rejects areas report tui facematch help version; do
	"$BIN" "$c" --help >"$T/a" 2>&1
	"$BIN" help "$c" >"$T/b" 2>&1
	check "help $c = $c --help" cmp -s "$T/a" "$T/b"
	check_grep "$c --help lists the global options" '^  --db FILE' "$T/a"
done
"$BIN" --help >"$T/a"
"$BIN" help >"$T/b"
check "help = --help" cmp -s "$T/a" "$T/b"
check_grep "--help lists every command" '^  facematch ' "$T/a"

# version: stdout, status 0, nothing on stderr
v1=$("$BIN" version 2>"$T/err")
check_eq "version exits 0" 0 $?
v2=$("$BIN" --version)
check_eq "version = --version" "$v1" "$v2"
case $v1 in "crimetab "[0-9]*) ok "version names crimetab" ;; *) not_ok "version names crimetab: $v1" ;; esac
check "version writes nothing on stderr" test ! -s "$T/err"

# global options before or after the command, for every command that opens a database
# (only import creates one: the others name the one they were given)
"$BIN" import -q --db "$T/ref.db" "$ROOT/sample-data/policeuk/2022-09"
for c in sources rejects "areas list" "facematch list" import; do
	rm -f "$DB"
	arg=
	[ "$c" = import ] && arg=$ROOT/sample-data/policeuk/2022-09
	# shellcheck disable=SC2086
	"$BIN" --db "$DB" -q $c $arg >/dev/null 2>"$T/err"
	if [ "$c" = import ]; then
		check "--db -q before: $c" test -f "$DB"
		rm -f "$DB"
	else
		check_grep "--db -q before: $c" "no database at $DB" "$T/err"
		cp "$T/ref.db" "$DB"
	fi
	# shellcheck disable=SC2086
	"$BIN" $c $arg --no-color --quiet --db "$DB" >/dev/null 2>"$T/err"
	check_eq "--db --quiet --no-color after: $c" "0 yes" "$? $(test -f "$DB" && echo yes)"
	check "no error: $c" test ! -s "$T/err"
done
"$BIN" tui -q --no-color --db "$DB" <"$T/a" >"$T/out" 2>"$T/err"
check_eq "tui takes the global options (then needs a terminal)" "2|crimetab: error: tui: needs a terminal (standard output is not one); for files use crimetab report" \
	"$?|$(cat "$T/err")"
mkdir -p "$T/elsewhere"
"$BIN" -C "$T/elsewhere" import -q "$ROOT/sample-data/policeuk/2022-09"
check "-C makes the default database there" test -f "$T/elsewhere/crimetab.db"
"$BIN" -C "$T/nowhere" sources >/dev/null 2>"$T/err"
check_eq "-C to a missing folder: status 5, one line" "5|1" "$?|$(wc -l <"$T/err" | tr -d ' ')"

# the exit-status table: the code's (from --help) is the README's and the man page's
"$BIN" --help | sed -n '/^exit status:/,$p' | tail -n +2 >"$T/help-status"
awk '/^  [0-9]  /{if (s) print s; s=$0; sub(/^  /, "", s); next} /^     /{sub(/^ +/, ""); s=s " " $0} END{print s}' \
	"$T/help-status" | sed 's/^\([0-9]\)  /\1 /' >"$T/code-table"
sed -n '/^| code | meaning |/,/^$/p' "$ROOT/README.md" | sed -n 's/^| \([0-9]\) | \(.*\) |$/\1 \2/p' >"$T/readme-table"
check "README exit-status table = crimetab --help's" diff "$T/code-table" "$T/readme-table"
# every exit status, pinned: one error line each, the documented code
status_is() { # NAME CODE ARGS...: ARGS exit with CODE, printing one error line
	name=$1 want=$2
	shift 2
	"$BIN" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	n=$(grep -c '^crimetab: error: ' "$T/err")
	if [ "$rc" -eq "$want" ] && [ "$n" -eq 1 ]; then
		ok "$name: status $want"
	else
		not_ok "$name: status $rc (want $want), $n error lines"
		sed 's/^/    | /' "$T/err"
	fi
}
DB=$T/status.db
"$BIN" --db "$DB" -q import --mapping cleveland-force-export "$ROOT/sample-data/force"
"$BIN" --db "$DB" -q areas load stockton-town-centres
printf '{\n"taxonomy_version": 1,\n' >"$T/bad.json"
printf 'Nope,Not,A,Header\n1,2,3,4\n' >"$T/junk.csv"
printf 'not a database, but a text file that says so at some length, %s\n' 1 2 3 4 5 6 7 8 >"$T/not.db"
: >"$T/a-file"
for kind in "data file:import $T/nosuch.csv" "mapping:import --mapping nosuch $T/junk.csv" \
	"taxonomy:report --taxonomy nosuch" "areas file:areas load nosuch" "report config:report --config nosuch" \
	"run config:run --config nosuch" "plugin config:facematch run --plugin facematch-embeddings --config @$T/nosuch"; do
	# shellcheck disable=SC2086
	status_is "unreadable ${kind%%:*}" 5 --db "$DB" ${kind#*:}
done
# a missing file of any kind reads the same: FILE: cannot open: reason
for kind in "data file:import $T/nosuch.csv" "zip:import $T/nosuch.zip" "folder:import $T/nosuch/" \
	"mapping:import --mapping $T/nosuch.json $T/junk.csv" "taxonomy:report --taxonomy $T/nosuch.json" \
	"areas file:areas load $T/nosuch.json" "report config:report --config $T/nosuch.json"; do
	# shellcheck disable=SC2086
	"$BIN" --db "$DB" ${kind#*:} >/dev/null 2>"$T/err"
	check_grep "missing ${kind%%:*}: 'cannot open'" "^crimetab: error: $T/nosuch[^:]*: cannot open: No such file or directory$" "$T/err"
done
for kind in "data file:import $T/junk.csv" "mapping:import --mapping $T/bad.json $T/junk.csv" \
	"taxonomy:report --taxonomy $T/bad.json" "areas file:areas load $T/bad.json" \
	"report config:report --config $T/bad.json" "run config:run --config $T/bad.json"; do
	# shellcheck disable=SC2086
	status_is "invalid ${kind%%:*}" 3 --db "$DB" ${kind#*:}
done
"$BIN" --db "$DB" report --month 2024-10 --md "$T/r.md" 2>"$T/err"
check_eq "missing months: status 4, reports written" "4|1" "$?|$(test -s "$T/r.md" && echo 1)"
check_grep "missing months: named in a warning" '^crimetab: warning: .*2024-10' "$T/err"
status_is "output not written" 5 --db "$DB" report --month 2024-09 --md "$T/a-file/r.md"
status_is "database error" 6 --db "$T/not.db" sources
status_is "plugin error" 8 --db "$DB" facematch run --plugin "$T/a-file"
finish
