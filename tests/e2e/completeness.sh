#!/bin/sh
# Honest figures on real police.uk data with months missing
# (tests/data/policeuk-gaps): every output marks each figure that rests on a
# missing month and names the months; none shows Infinity or -100.0% that
# comes from missing data; --month latest says which month and why.
. tests/e2e/lib.sh
DB=$T/gaps.db
DATA=tests/data/policeuk-gaps
PRESENT=2023-01,2023-02,2023-03,2023-04,2024-01,2024-02,2024-04
PY=
for p in "${PYTHON:-}" /usr/bin/python3 python3; do
	[ -n "$p" ] && "$p" -c 'import openpyxl' 2>/dev/null && PY=$p && break
done
[ -n "$PY" ] || PY=python3
check "import the real files with gaps" "$BIN" import --db "$DB" --quiet "$DATA"
check "load the LSOA area" "$BIN" areas --db "$DB" load "$DATA/areas.json"

# M: a month; the comparisons of 2023-04 are all missing (Infinity before),
# 2024-03 itself is missing (-100.0% before), 2024-04 has a complete month
# window beside incomplete 6- and 12-month ones.
for spec in 2023-04:yoy:police-uk 2024-03:yoy:police-uk 2024-04:yoy:police-uk 2024-04:previous:home-office \
	2024-02:yoy:home-office; do
	m=${spec%%:*}
	rest=${spec#*:}
	cmp=${rest%%:*}
	tax=${rest#*:}
	o=$T/$m-$cmp-$tax
	"$BIN" report --db "$DB" --quiet --all-data --month "$m" --compare "$cmp" --taxonomy "$tax" \
		--md "$o.md" --csv "$o.csv" --json "$o.json" --xlsx "$o.xlsx" 2>"$o.err"
	check_eq "$m ($cmp, $tax): written, exit 4 for the missing months" 4 $?
	check "$m ($cmp, $tax): every incomplete figure marked, months named, in every output" \
		"$PY" tests/tools/check-marks.py --month "$m" --compare "$cmp" --present "$PRESENT" \
		--force "Cleveland Police" --md "$o.md" --csv "$o.csv" --json "$o.json" --xlsx "$o.xlsx"
done
# the check reads every table of an area's sheet, the full one under the
# summary too: a -100.0% put into the full table's last row is caught
o=$T/2024-04-yoy-police-uk
"$PY" - "$o.xlsx" "$T/broken.xlsx" <<'PYEOF'
import sys
import openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb[wb.sheetnames[-3]]
heads = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Crime"]
row = heads[-1] + 2
while ws.cell(row + 1, 1).value not in (None, ""):
    row += 1
ws.cell(row, 7).value = -1.0  # Last 6 Months % Diff, a window that lacks months
wb.save(sys.argv[2])
PYEOF
"$PY" tests/tools/check-marks.py --month 2024-04 --present "$PRESENT" --force "Cleveland Police" \
	--xlsx "$T/broken.xlsx" >"$T/broken.out" 2>&1
check_eq "check-marks: a wrong cell in the full table fails the check" 1 $?
check_grep "  and is named" "Total Last 6 Months: diff/pct 'n/a\(‡\)\?' '-100.0%'" "$T/broken.out"
o=$T/2024-03-yoy-police-uk
# before: "|  | -81 | -100.0% |" for a month with no file at all
check_grep "a month without data: blank with the mark, n/a" '^| \*\*Total\*\* | \*\*‡\*\* | \*\*n/a\*\* | \*\*n/a\*\* |' "$o.md"
check "no -100.0% in a report whose every window lacks months" sh -c "! grep -q -- '-100.0%' '$o.md'"
o=$T/2023-04-yoy-police-uk
# before: "Infinity" in every row, the comparisons being a year the data do not reach
check "no Infinity when the comparisons are missing" sh -c "! grep -Eq '(\| |\*\*)Infinity|\"Infinity\"' '$o.md' '$o.json'"
check_grep "footnote names the force and months" \
	'^‡ Cleveland Police: no police.uk street data for 2021-05 to 2022-12$' "$o.md"
# one warning per distinct gap, and the month window of 2024-04 is complete
o=$T/2024-04-yoy-police-uk
check_eq "one warning line for the one force's gaps" 1 "$(grep -c 'warning:' "$o.err")"
check_grep "the warning names the runs of months" \
	'warning: Cleveland Police: no police.uk street data for 2022-05 to 2022-12, 2023-05 to 2023-12, 2024-03; the windows and comparisons need 2022-05 to 2024-04' "$o.err"
check_grep "a complete window keeps its plain figures" '^| \*\*Total\*\* | \*\*76\*\* | \*\*-28\*\* | \*\*-26.9% ▼\*\* | \*\*231‡\*\* |' "$o.md"

# --month latest: the newest month, and why (no month's comparisons are complete here)
"$BIN" report --db "$DB" --taxonomy police-uk --md "$T/latest.md" 2>"$T/latest.err"
check_eq "latest: exit 4" 4 $?
check_grep "latest: the first line says which month and why" \
	"^crimetab: report for 2024-04: the latest month with data from every force; no month's comparisons are complete" \
	"$T/latest.err"
check_eq "latest: that is the first line" "1" "$(grep -n 'report for 2024-04' "$T/latest.err" | cut -d: -f1)"
"$BIN" report --db "$DB" --quiet --allow-missing --taxonomy police-uk --md "$T/latest.md" 2>/dev/null
check_eq "latest --allow-missing: exit 0" 0 $?
finish
