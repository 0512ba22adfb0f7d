#!/usr/bin/env bash
# The TUI on real police.uk data with months missing (tests/data/policeuk-gaps),
# at 80x24 in a private tmux server: marked cells, the footnote on the message
# line, and the count of incomplete windows in the status bar.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${1:-build/crimetab}
case $BIN in /*) ;; *) BIN=$ROOT/$BIN ;; esac
SOCK=crimetab-gaps-$$
TMP=$(mktemp -d "${TMPDIR:-/tmp}/crimetab-tui-gaps.XXXXXX")
DB=$TMP/gaps.db
SESSION=gaps
. "$ROOT/tests/e2e/lib-tmux.sh"
trap tmux_cleanup EXIT
trap 'exit 130' INT TERM

command -v tmux >/dev/null || { echo "1..0 # skip tmux not installed"; exit 0; }
cd "$ROOT" || exit 1
if ! "$BIN" import --db "$DB" --quiet tests/data/policeuk-gaps >"$TMP/log" 2>&1 ||
	! "$BIN" areas --db "$DB" load tests/data/policeuk-gaps/areas.json >>"$TMP/log" 2>&1; then
	echo "Bail out! cannot build the database"
	sed 's/^/# /' "$TMP/log"
	exit 1
fi
tmux_start gaps 80 24 \
	"env -i PATH='$PATH' HOME='$TMP' TERM=xterm-256color LANG=C.UTF-8 '$BIN' tui --db '$DB' --month 2024-04 --taxonomy police-uk; sleep 30" ||
	{ echo "Bail out! cannot start tmux"; exit 1; }

check "starts on April 2024" shows "All data · April 2024"
check "status bar counts the incomplete windows" shows "2 of 3 windows incomplete"
# the month window is complete (66 against 79); the 6-month one lacks months
# (80 columns leave out the Diff columns; 110 show them)
check "complete window plain, incomplete ones marked" shows "Victim Based Crime +66 +-16\.5% +197‡ +n/a +197‡ +n/a"
tm resize-window -t gaps -x 110 -y 24
check "  and with the Diff columns" shows "Victim Based Crime +66 +-13 +-16\.5% +197‡ +n/a‡ +n/a"
tm resize-window -t gaps -x 80 -y 24
check "the footnote on the message line" shows "^ ?‡ Cleveland Police: no police\.uk street data for 2022-05 to 2022-12,"
tm send-keys -t gaps '['
check "[ goes to March 2024, a month without data" shows "March 2024"
check "that month is blank with the mark, n/a" shows "Victim Based Crime +‡ +n/a +131‡ +n/a"
check "all three windows incomplete" shows "3 of 3 windows incomplete"
check "no Infinity or -100.0% on the screen" bash -c "! tmux -L '$SOCK' capture-pane -p -t gaps | grep -Eq 'Infinity|-100\.0%'"
tm send-keys -t gaps q
tap_end
