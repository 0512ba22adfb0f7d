#!/usr/bin/env bash
# crimetab tui on a real screen: runs it in a private tmux server on the
# paper's data and checks what a person would see.  TAP-like output.
#
#   tests/e2e/tui.sh [path/to/crimetab]
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${1:-build/crimetab}
case $BIN in /*) ;; *) BIN=$ROOT/$BIN ;; esac
SOCK=crimetab-test-$$
TMP=$(mktemp -d "${TMPDIR:-/tmp}/crimetab-tui.XXXXXX")
DB=$TMP/crimetab.db
PROMPT='crimetab-test$ '
failed=0
n=0

cleanup() {
	tmux -L "$SOCK" kill-server >/dev/null 2>&1
	# the shell may still be exiting in there
	rm -rf "$TMP" 2>/dev/null || { sleep 0.5; rm -rf "$TMP"; }
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}

not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	echo "# screen:"
	screen | sed 's/^/#   /'
}

check() { # name, then a command that succeeds when the check passes
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}

tm() {
	tmux -L "$SOCK" "$@"
}

screen() {
	tm capture-pane -p -t crimetab
}

keys() {
	tm send-keys -t crimetab "$@"
}

# Polls the screen (every 0.1 s, up to 10 s) until PATTERN (grep -E) shows.
shows() {
	local i
	for ((i = 0; i < 100; i++)); do
		screen | grep -Eq -- "$1" && return 0
		sleep 0.1
	done
	return 1
}

# Polls until PATTERN is gone.
gone() {
	local i
	for ((i = 0; i < 100; i++)); do
		screen | grep -Eq -- "$1" || return 0
		sleep 0.1
	done
	return 1
}

resize() {
	tm resize-window -t crimetab -x "$1" -y "$2"
}

command -v tmux >/dev/null || { echo "1..0 # skip tmux not installed"; exit 0; }
[ -x "$BIN" ] || { echo "Bail out! no binary at $BIN"; exit 1; }

cd "$ROOT" || exit 1
if ! "$BIN" import --db "$DB" --mapping tests/paper/mapping.json tests/paper/paper-force-export.csv >"$TMP/log" 2>&1 ||
	! "$BIN" areas --db "$DB" load tests/paper/areas.json >>"$TMP/log" 2>&1; then
	echo "Bail out! cannot build the sample database"
	sed 's/^/# /' "$TMP/log"
	exit 1
fi

# Not on a terminal: a clear refusal with status 2.
"$BIN" tui --db "$DB" </dev/null >"$TMP/out" 2>"$TMP/err"
rc=$?
check "refuses without a terminal (status 2)" test "$rc" -eq 2
check "says why it refused" grep -q "needs a terminal" "$TMP/err"

tm -f /dev/null new-session -d -s crimetab -x 80 -y 24 \
	"env -i PATH='$PATH' HOME='$TMP' HISTFILE=/dev/null TERM=xterm-256color LANG=C.UTF-8 PS1='$PROMPT' bash --norc --noprofile" ||
	{ echo "Bail out! cannot start tmux"; exit 1; }
shows "crimetab-test" || { echo "Bail out! no shell prompt"; exit 1; }
keys "cd '$TMP' && clear && '$BIN' tui --db '$DB'; echo \"tui-exit=\$?\"" Enter

check "starts on All data, September 2024" shows "All data · September 2024 vs September 2023"
check "draws the table heading" shows "Crime +Cur +Diff +%Diff"
check "status line shows coverage and basis" shows "force export 2022-10\.\.2024-09 · basis: year earlier · 0 warnings"

keys '>' '>' '>'
check "> moves to Stockton Town Centre" shows "crimetab  Stockton Town Centre · September 2024"
keys G
# the paper's Stockton Total: 345 -4 -1.1%, 2073 3 0.1%, 4043 -127 -3.0%
check "Stockton's Total row, as in the paper" \
	shows "Total +345 +-4 +-1\.1% +2073 +3 +0\.1% +4043 +-127 +-3\.0%"

keys '['
check "[ selects August 2024 in the header" shows "Stockton Town Centre · August 2024 vs August 2023"
keys ']'
check "] goes back to September 2024" shows "Stockton Town Centre · September 2024 vs September 2023"
keys ']'
check "] at the latest month says so" shows "September 2024 is the latest month with data"

keys g
check "g goes to the first row" shows "Victim Based Crime +271 +-7"
# 80 columns cut the longer labels: "Violence With Inj…"
check "children shown (expanded by default)" shows "Violence With Inj.* 39 +-2 "
keys -
check "- collapses: children hidden" gone "Violence With Inj"
check "collapsed row marked" shows "▸ Victim Based Crime"
keys +
check "+ expands: children shown again" shows "Violence With Inj.* 39 +-2 "

keys '?'
check "? shows the help" shows "Keys"
check "help lists the month keys" shows "\[ Left +selected month: one month back"
keys q
check "q closes the help, not the program" gone "selected month: one month back"

keys / s h o p
check "/ opens the search prompt" shows "^/shop"
keys Enter
check "/ finds the row" shows "Theft Offences > Shoplifting"
# the cursor row's z and p, window by window: 219 against 195 is the issue's p = 0.24
check "the message line gives the row's z and p" shows "Shoplifting  z -0.76 p 0\.6 \| z 1\.67 p 0\.24 \| z 1\.21 p 0\.39"
check "a flagged change carries its mark in the cell" shows "-29\.1%▼ "
keys d
check "d shows 24 months of the row" shows "Counts by month"
keys Escape
check "Esc closes the details" gone "Counts by month"

keys e
check "e proposes a file name" shows "crimetab-stockton-town-centre-2024-09\.md"
keys Enter
check "export reports the file" shows "wrote crimetab-stockton-town-centre-2024-09\.md"
check "exported Markdown holds the area" grep -q "Stockton Town Centre" "$TMP/crimetab-stockton-town-centre-2024-09.md"

resize 200 60
check "200x60: area list on the left" shows "^ Areas +│"
check "200x60: trend column" shows "Trend"
check "200x60: full headings" shows "Current Diff +% Diff"
resize 50 12
check "50x12: says the terminal is too small" shows "Terminal too small \(50x12\)"
resize 80 24
check "80x24: draws again" shows "Crime +Cur +Diff +%Diff"
check "80x24: area tabs" shows "All data +Billingham Central +Norton Central"

keys q
check "q quits with status 0" shows "tui-exit=0"
check "the shell prompt is back" shows "^crimetab-test\\\$ *$"
check "alternate screen is off" test "$(tm display-message -p -t crimetab '#{alternate_on}')" = 0
check "no table left on the screen" gone "Victim Based Crime|force export"

echo "1..$n"
if [ "$failed" -gt 0 ]; then
	echo "# $failed of $n failed"
	exit 1
fi
exit 0
