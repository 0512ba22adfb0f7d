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
SESSION=crimetab

. "$ROOT/tests/e2e/lib-tmux.sh"
trap tmux_cleanup EXIT
trap 'exit 130' INT TERM

keys() {
	tm send-keys -t crimetab "$@"
}

resize() {
	tm resize-window -t crimetab -x "$1" -y "$2"
}

command -v tmux >/dev/null || { echo "1..0 # skip tmux not installed"; exit 0; }
[ -x "$BIN" ] || { echo "Bail out! no binary at $BIN"; exit 1; }

cd "$ROOT" || exit 1
STREET=$TMP/street.db
if ! "$BIN" import --db "$DB" --mapping tests/paper/mapping.json tests/paper/paper-force-export.csv >"$TMP/log" 2>&1 ||
	! "$BIN" import --db "$STREET" sample-data/policeuk/2024-10 >>"$TMP/log" 2>&1 ||
	! "$BIN" areas --db "$DB" load tests/paper/areas.json >>"$TMP/log" 2>&1; then
	echo "Bail out! cannot build the sample databases"
	sed 's/^/# /' "$TMP/log"
	exit 1
fi

# Not on a terminal: a clear refusal with status 2.
"$BIN" tui --db "$DB" </dev/null >"$TMP/out" 2>"$TMP/err"
rc=$?
check "refuses without a terminal (status 2)" test "$rc" -eq 2
check "says why it refused" grep -q "needs a terminal" "$TMP/err"

tmux_start crimetab 80 24 \
	"env -i PATH='$PATH' HOME='$TMP' HISTFILE=/dev/null TERM=xterm-256color LANG=C.UTF-8 PS1='$PROMPT' bash --norc --noprofile" ||
	{ echo "Bail out! cannot start tmux"; exit 1; }
shows "crimetab-test" || { echo "Bail out! no shell prompt"; exit 1; }
keys "cd '$TMP' && clear && '$BIN' tui --db '$DB'; echo \"tui-exit=\$?\"" Enter

check "starts on All data, September 2024" shows "All data · September 2024 vs September 2023"
# 80 columns: whole labels; the Diff columns give way, and the heading says so
check "draws the table heading" shows "Crime +Cur +%Diff +Cur +%Diff +Cur +%Diff"
check "says the Diff columns are hidden" shows "Diff columns: d, or widen"
check "whole labels at 80 columns" shows "Burglary Business and Community +5 "
check "status line: coverage, basis, position" \
	shows "force 2022-10\.\.2024-09 · vs year before · 0 warnings · row 1/27 · \? help"
check "each window's months on the info line" shows "Sep 2024 vs 2023 │ Apr–Sep 2024 vs 2023 │ Oct 2023–Sep 2024 vs 2022–23"

keys '>' '>' '>'
check "> moves to Stockton Town Centre" shows "crimetab  Stockton Town Centre · September 2024"
keys G
# the paper's Stockton Total: 345 -4 -1.1%, 2073 3 0.1%, 4043 -127 -3.0%
check "Stockton's Total row, as in the paper" shows "Total +345 +-1\.1% +2073 +0\.1% +4043 +-3\.0%"
check "position follows the cursor" shows "row 27/27"
resize 110 30
check "110 columns: the Diff columns too" shows "Total +345 +-4 +-1\.1% +2073 +3 +0\.1% +4043 +-127 +-3\.0%"
resize 80 24

keys '['
check "[ selects August 2024 in the header" shows "Stockton Town Centre · August 2024 vs August 2023"
keys ']'
check "] goes back to September 2024" shows "Stockton Town Centre · September 2024 vs September 2023"
keys ']'
check "] at the last month says so" shows "September 2024 is the last month with data \(the data covers October 2022"
keys m
check "m asks for a month on its own line" shows "^Go to month \(YYYY-MM\): *$"
keys 2019-01 Enter
check "a month outside the data names the range" shows "no data for January 2019: the data covers October 2022 to September 2024"
keys C-u 2022-10 Enter
check "m jumps to the typed month" shows "Stockton Town Centre · October 2022 vs October 2021"
keys '['
check "[ at the first month says so" shows "October 2022 is the first month with data"
keys L

keys g
check "g goes to the first row" shows "Victim Based Crime +271 +-2\.5%"
check "children shown (expanded by default)" shows "Violence With Injury +39 +-4\.9%"
keys -
check "- collapses: children hidden" gone "Violence With Inj"
check "collapsed row marked" shows "▸ Victim Based Crime"
keys +
check "+ expands: children shown again" shows "Violence With Injury +39 "

keys s
check "s sorts by a column, and says which" shows "sorted by Selected Month Current, largest first"
check "the heading marks the sorted column" shows "Crime \(sorted\) +▾Cur"
keys S
check "S goes back to the paper's order" shows "the paper's order"

keys '?'
check "? shows the help" shows "Keys"
check "help lists the month keys" shows "\[ +selected month: one month back"
keys q
check "q closes the help, not the program" gone "selected month: one month back"

keys / s h o p
check "/ opens the search prompt" shows "^/shop"
keys Enter
check "/ finds the row" shows "^ Shoplifting  E-test p"
# the cursor row's z and p, window by window, on the second info line (the
# months keep the first): 219 against 195 is the issue's p = 0.24
check "the info line gives the row's p and z, the flagging test named" shows "E-test p = 0\.6 \(z -0\.76\) │ p = 0\.24 \(z 1\.67\) │ p = 0\.39 \(z 1\.21\)"
check "the months stay on the line above" shows "^ Sep 2024 vs 2023 │ Apr–Sep 2024 vs 2023 │ Oct 2023–Sep 2024 vs 2022–23"
check "a flagged change carries its mark in the cell" shows "-29\.1%▼ "
keys d
check "d shows the row" shows "Victim Based Crime > Theft Offences > Shoplifting"
check "d shows 24 months of the row" shows "Counts by month"
keys Escape
check "Esc closes the details" gone "Counts by month"

# The Evaluate screen: did Shoplifting in Stockton change from April 2024,
# against Billingham Central?  The same figures as crimetab evaluate.
keys w
check "w opens the Evaluate form on the selected area" shows "Treated area +Stockton Town Centre"
check "  its category is the cursor row" shows "Category +Victim Based Crime > Theft Offences > Shoplifting"
check "  its start is the selected month" shows "Start month +2024-09"
check "  the other areas are listed to tick" shows "▸ \[ \] Billingham Central"
keys Enter
check "  Enter without a control says so" shows "tick a control area"
keys Space Down Down 2024-04 Enter
check "Enter shows the result" shows "Did it work\? Shoplifting"
check "  the treated area's counts" shows "Treated Stockton Town Centre +221 +219 +-2 "
check "  the control's counts" shows "Control Billingham Central +47 +35 +-12 "
check "  the WDD and its standard error" shows "WDD 10 · standard error 22\.8"
check "  the interval, z and p" shows "95% interval -34\.8 to 54\.8 · z 0\.44 · p = 0\.66 \(two-sided\)"
check "  the verdict" shows "Verdict: Shoplifting in the treated area was 10 higher than the"
"$BIN" evaluate --db "$DB" --treated "Stockton Town Centre" --control "Billingham Central" --start 2024-04 \
	--category Shoplifting --md "$TMP/evaluate.md" 2>/dev/null
check "  as crimetab evaluate gives them" grep -q "^| Standard error | 22\.8 |$" "$TMP/evaluate.md"
check "  at 80x24, read whole" shows "figures give no evidence that the intervention changed it"
keys Escape
check "Esc closes it" gone "Did it work"
check "  back on the table" shows "row 9/27"

keys t
check "t: the police.uk taxonomy" shows "taxonomy: police\.uk \(force export\)"
keys / u n k n o w n Enter d
check "d on Unknown lists the categories no rule maps" shows "Source categories in this row"
check "  with their counts" shows "Violence Without Injury +67 +354 +676"
keys Escape t

keys e
check "e asks for a file name on its own line" shows "^Export to \(\.md \.xlsx \.csv \.json\): crimetab-stockton-town-centre-2024-09\.md"
keys Enter
check "export reports the file" shows "wrote crimetab-stockton-town-centre-2024-09\.md"
check "exported Markdown holds the area" grep -q "Stockton Town Centre" "$TMP/crimetab-stockton-town-centre-2024-09.md"
: >"$TMP/crimetab-stockton-town-centre-2024-09.md"
keys e Enter
# the question that used to be cut off at 80 columns, read whole
check "an existing file: the question is asked" shows "\"crimetab-stockton-town-centre-2024-09\.md\" exists: press Enter again to"
check "  and shown whole at 80 columns" shows "^ *overwrite it, Esc to cancel, or edit the name|Esc to cancel, or edit the name *$"
check "  and nothing is written yet" test ! -s "$TMP/crimetab-stockton-town-centre-2024-09.md"
keys Enter
check "a second Enter overwrites" shows "wrote crimetab-stockton-town-centre-2024-09\.md"
check "  the file is written" grep -q "Stockton Town Centre" "$TMP/crimetab-stockton-town-centre-2024-09.md"

resize 60 24
check "60x24: the month stays in the title" shows "crimetab  Stockton Tow.*… · Sep 2024 vs Sep 2023"
check "60x24: a hidden window is named" shows "Last 12 Months l ▸"
keys l
check "l scrolls to it" shows "h ◂ Selected Month"
keys Left
check "Left scrolls back" shows "Last 12 Months l ▸"
resize 200 60
check "200x60: area list on the left" shows "^ Areas +│"
check "200x60: trend column" shows "Trend"
check "200x60: full headings" shows "Current +Diff +% Diff"
check "200x60: each window's months in the heading" shows "Apr–Sep 2024 vs 2023"
resize 50 12
check "50x12: says the terminal is too small" shows "Terminal too small \(50x12\)"
resize 80 24
check "80x24: draws again" shows "Crime +Cur +%Diff"
check "80x24: area tabs" shows "All data +Billingham Central +Norton Central"

keys q
check "q quits with status 0" shows "tui-exit=0"
check "the shell prompt is back" shows "^crimetab-test\\\$ *$"
check "alternate screen is off" test "$(tm display-message -p -t crimetab '#{alternate_on}')" = 0
check "no table left on the screen" gone "Victim Based Crime|force export"

# police.uk street data only: the police.uk taxonomy by default, † marks
keys "clear; '$BIN' tui --db '$STREET'; echo \"street-exit=\$?\"" Enter
check "street data: police.uk taxonomy by default" shows "All data · October 2024 vs October 2023 +police\.uk"
check "  † on its approximate rows" shows "Violence and sexual offences † +[0-9]"
# one month of data: every window lacks months, so the info line is the footnote
check "  the footnote on the info line" shows "^ ‡ Cleveland Police: no police\.uk street data for 2022-11 to 2024-09"
keys / v i o l Enter d
check "  d shows an approximate row's note" shows "Home Office Violence \+ Sexual Offences"
keys Escape q
check "  quits with status 0" shows "street-exit=0"

# After a face-match run: o shows the selected area's offender table, cell
# for cell as crimetab report writes it, disclosure marks and all.
FM=$TMP/fm.db
PLUGIN=$(dirname "$BIN")/plugins/facematch-embeddings.so
if ! "$BIN" import --db "$FM" --quiet --mapping cleveland-force-export sample-data/force >"$TMP/log" 2>&1 ||
	! "$BIN" areas --db "$FM" --quiet load templates/areas/stockton-town-centres.geojson >>"$TMP/log" 2>&1 ||
	! "$BIN" facematch run --db "$FM" --quiet --plugin "$PLUGIN" \
		--config "sightings=sample-data/facematch/sightings.jsonl;watchlist=sample-data/facematch/watchlist.jsonl" \
		>>"$TMP/log" 2>&1 ||
	! "$BIN" report --db "$FM" --quiet --month 2024-09 --all-data --md "$TMP/fm.md" >>"$TMP/log" 2>&1; then
	echo "Bail out! cannot build the face-match database"
	sed 's/^/# /' "$TMP/log"
	exit 1
fi
# Yarm Town Centre's offender rows in a Markdown report FILE, as written
md_off() {
	sed -n '/^## Yarm Town Centre$/,/^## /p' "$1" | sed -n '/^### Offenders (face match)$/,$p' |
		grep '^| [A-Z]' | grep -v '^| Measure'
}
# ... and as patterns of the cells the screen shows (ALL: every column, else
# Current and % Diff); a blank (zero) cell is no text, and the mark is tight
off_rows() {
	md_off "$TMP/fm.md" | sed 's/ \([▲▼]\)/\1/g' | awk -F ' [|] ?' -v all="$1" '{
		gsub(/^[|] /, "", $1); p = $1
		for (i = 2; i <= 10; i++)
			if ((all || (i - 2) % 3 != 1) && $i != "") p = p " +" $i
		gsub(/[][()]/, "\\\\&", p); print p
	}'
}
off_rows "" >"$TMP/off80"
off_rows 1 >"$TMP/off110"
check "the report has 8 offender rows to compare" test "$(wc -l <"$TMP/off80")" -eq 8
check "  and withholds some" grep -q '<3' "$TMP/off80"
keys "clear; '$BIN' tui --db '$FM' --month 2024-09; echo \"fm-exit=\$?\"" Enter
check "face match: the TUI starts" shows "All data · September 2024 vs September 2023"
keys '>' '>' '>' '>' '>' '>' o
check "o: the offender table of the selected area" shows "Yarm Town Centre · September 2024"
check "  under its heading" shows "^ Offenders \(face match\) +Cur +%Diff"
while IFS= read -r pat; do
	check "  80x24: $(echo "$pat" | sed 's/ +.*//; s/\\//g') as in the report" shows "^   $pat *$"
done <"$TMP/off80"
check "  the disclosure marks explained" shows "Counts from 1 to 2 show as <3, and \[c\] hides a figure"
check "  the position among the offender rows" shows "row 1/8"
resize 110 30
while IFS= read -r pat; do
	check "  110x30: $(echo "$pat" | sed 's/ +.*//; s/\\//g') with the Diff columns" shows "   $pat *$"
done <"$TMP/off110"
resize 80 24
keys j j j Enter
check "Enter: the row's details" shows "Offenders \(face match\) > Distinct offenders \(confirmed\)"
keys G
check "  and the run it comes from" shows "facematch-embeddings 1\.1\.0 \(run 1"
keys Escape e C-u fm-yarm.md Enter
check "an export from the offender table" shows "wrote fm-yarm\.md"
md_off "$TMP/fm-yarm.md" >"$TMP/exported"
md_off "$TMP/fm.md" >"$TMP/reported"
check "  holds the report's offender rows, marks and all" cmp -s "$TMP/exported" "$TMP/reported"
check "  withheld counts among them" grep -q '^| Repeat offenders | <3 |' "$TMP/exported"
keys o
check "o again: the crimes" shows "^ Crime +Cur +%Diff"
keys q
check "  quits with status 0" shows "fm-exit=0"
keys "clear; '$BIN' tui --db '$FM' --month 2024-09 --suppress-below 0; echo \"fm0-exit=\$?\"" Enter
check "--suppress-below 0: the TUI starts" shows "All data · September 2024"
keys '>' '>' '>' '>' '>' '>' o
check "  the offender table" shows "^   Repeat offenders +[0-9]"
check "  with nothing withheld" gone "<3|\[c\]"
keys q
check "  quits with status 0" shows "fm0-exit=0"

keys "clear; TERM=dumb '$BIN' tui --db '$DB'; echo \"dumb-exit=\$?\"" Enter
check "TERM=dumb is refused with status 2" shows "dumb-exit=2"
check "  and says why" shows "the terminal \(TERM=dumb\) cannot move its cursor"
keys "clear; '$BIN' tui --db '$DB' --month 2019-01; echo \"month-exit=\$?\"" Enter
check "--month outside the data: status 2" shows "month-exit=2"
check "  naming the range" shows "no data for 2019-01: the force export covers 2022-10 to 2024-09"

tap_end
