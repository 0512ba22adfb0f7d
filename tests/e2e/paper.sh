#!/bin/sh
# The committee paper's tables, reproduced cell for cell from record-level
# data (tests/paper/, derived from the paper by tests/tools/make-paper-data.py).
. tests/e2e/lib.sh
DB=$T/paper.db
check "import paper force export" "$BIN" import --db "$DB" --quiet --mapping tests/paper/mapping.json tests/paper/paper-force-export.csv
check "load paper areas" "$BIN" areas --db "$DB" load tests/paper/areas.json
check "report Markdown for 2024-09" "$BIN" report --db "$DB" --quiet --month 2024-09 --md "$T/paper.md"
for a in "Stockton Town Centre:stockton-town-centre" "Billingham Central:billingham-central" "Norton Central:norton-central"; do
	check "paper table: ${a%%:*}" python3 tests/tools/md-cells.py "$T/paper.md" "${a%%:*}" "tests/paper/expected-${a##*:}.tsv"
done
# the same tables in the workbook, cell for cell, with formats, merges and chart
PY=
for p in "${PYTHON:-}" python3 /usr/bin/python3; do
	[ -n "$p" ] && "$p" -c 'import openpyxl' 2>/dev/null && PY=$p && break
done
if [ -n "$PY" ]; then
	check "report XLSX for 2024-09" "$BIN" report --db "$DB" --quiet --month 2024-09 --xlsx "$T/paper.xlsx"
	check "paper tables in the XLSX" "$PY" tests/tools/check-xlsx.py "$T/paper.xlsx" \
		--expect-tsv "Stockton Town Centre=tests/paper/expected-stockton-town-centre.tsv" \
		--expect-tsv "Billingham Central=tests/paper/expected-billingham-central.tsv" \
		--expect-tsv "Norton Central=tests/paper/expected-norton-central.tsv"
else
	echo "# skipped XLSX checks: no python3 with openpyxl"
fi
check "report matches golden file" diff -u tests/golden/paper-2024-09.md "$T/paper.md"
# without significance: the paper's own cells exactly, no marks, no legend, no Highlights
check "report --significance none" "$BIN" report --db "$DB" --quiet --month 2024-09 --significance none --md "$T/plain.md"
check "no marks, legend or Highlights with --significance none" sh -c "! grep -q '\(▲\|▼\|Highlights\|unlikely to be chance\)' '$T/plain.md'"
check "paper table without significance: Stockton Town Centre" python3 tests/tools/md-cells.py "$T/plain.md" \
	"Stockton Town Centre" tests/paper/expected-stockton-town-centre.tsv
check_eq "with and without significance, the same cells but for the marks" \
	"$(grep '^|' "$T/plain.md")" "$(grep '^|' "$T/paper.md" | sed 's/ [▲▼]//g')"
# the summary table is the top-level rows and Total of the full one
check_grep "Stockton summary has Unknown" '^| Unknown |  |  |  |  |  |  |  | -1 | -100.0% |$' "$T/paper.md"
# latest = 2024-09, the last month the force export covers
"$BIN" report --db "$DB" --quiet --area "Norton Central" --md "$T/latest.md"
check_grep "month latest picks 2024-09" '^# Town centre crime: September 2024$' "$T/latest.md"
# the preceding-period basis compares with the window just before
"$BIN" report --db "$DB" --quiet --month 2024-09 --compare previous --area "Stockton Town Centre" --md "$T/prev.md"
check_grep "compare previous: basis stated" 'compared with the preceding period' "$T/prev.md"
# the issue's own check: Stockton's preceding 6 months differ by +103
check_grep "compare previous: 6-month Total +103 against Oct 2023-Mar 2024" '^| \*\*Total\*\* | \*\*345\*\* | \*\*7\*\* | \*\*2.1%\*\* | \*\*2073\*\* | \*\*103\*\* | \*\*5.2%\*\* | \*\*4043\*\* | \*\*-127\*\* |' "$T/prev.md"
# an unknown area is a usage error
"$BIN" report --db "$DB" --quiet --area "Nowhere" --md "$T/x.md" 2>"$T/err"
check_eq "unknown area exits 2" 2 $?
check_grep "unknown area message" 'no area named "Nowhere"' "$T/err"
# a month the data does not fully cover: written, warned, exit 4
"$BIN" report --db "$DB" --quiet --month 2024-10 --area "Norton Central" --md "$T/oct.md" 2>"$T/err"
check_eq "missing months exit 4" 4 $?
check_grep "missing months named" 'Cleveland Police: no force export for 2024-10; the windows and comparisons need 2022-11 to 2024-10' "$T/err"
check "missing months report still written" test -s "$T/oct.md"
"$BIN" report --db "$DB" --quiet --month 2024-10 --allow-missing --area "Norton Central" --md "$T/oct.md" 2>/dev/null
check_eq "--allow-missing exits 0" 0 $?
finish
