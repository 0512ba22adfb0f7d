#!/bin/sh
# The workbook as a committee paper: each layout printed to PDF by
# LibreOffice, every page read back (tests/tools/check-pdf-pages.py): no page
# holds only repeated headings or a note.  Skipped without LibreOffice or
# pdftotext (CI machines may have neither); the XLSX contents themselves are
# checked by test_export and paper.sh without them.
. tests/e2e/lib.sh
if ! command -v libreoffice >/dev/null && ! command -v soffice >/dev/null || ! command -v pdftotext >/dev/null; then
	echo "1..0 # skip LibreOffice or pdftotext not installed"
	exit 0
fi
DB=$T/paper.db
GAPS=$T/gaps.db
check "paper data imported" "$BIN" import --db "$DB" --quiet --mapping tests/paper/mapping.json \
	tests/paper/paper-force-export.csv
check "paper areas loaded" "$BIN" areas --db "$DB" --quiet load tests/paper/areas.json
check "police.uk files with gaps imported" "$BIN" import --db "$GAPS" --quiet tests/data/policeuk-gaps
check "their area loaded" "$BIN" areas --db "$GAPS" --quiet load tests/data/policeuk-gaps/areas.json
# the paper's tables (Home Office, force export); the long layout; police.uk
# categories with their † notes and months missing (‡ footnotes); the
# Highlights (with the rows the council asks about) after each Summary
check "paper workbook" "$BIN" report --db "$DB" --quiet --all-data --month 2024-09 --highlight Shoplifting \
	--xlsx "$T/paper.xlsx"
check "long workbook" "$BIN" report --db "$DB" --quiet --all-data --month 2024-09 --highlight Shoplifting \
	--xlsx "$T/long.xlsx" --xlsx-layout long
check "workbook with gaps" "$BIN" report --db "$GAPS" --quiet --all-data --allow-missing --month 2024-04 \
	--taxonomy police-uk --xlsx "$T/gaps.xlsx"
python3 tests/tools/check-pdf-pages.py "$T/paper.xlsx" "$T/long.xlsx" "$T/gaps.xlsx" >"$T/pages" 2>&1
rc=$?
cat "$T/pages"
[ "$rc" -eq 77 ] && exit 0
check_eq "every printed page has table rows" 0 "$rc"
# the area sheets are one page each, after the Summary's and the Highlights'
check_eq "an area's sheet on one page" 1 "$(grep -c 'paper.xlsx page [0-9]*/.*(Billingham Central' "$T/pages")"
check_grep "the Highlights printed after the Summary" "paper.xlsx page 2/.*(Highlights" "$T/pages"
check_grep "the long workbook's Highlights printed" "long.xlsx page 2/.*(Highlights" "$T/pages"

# the check itself: a page break before a sheet's last note leaves the note
# alone on a page, under the repeated headings, and is caught
PY=
for p in "${PYTHON:-}" /usr/bin/python3 python3; do
	[ -n "$p" ] && "$p" -c 'import openpyxl' 2>/dev/null && PY=$p && break
done
if [ -n "$PY" ]; then
	"$PY" - "$T/bad.xlsx" <<'PYEOF'
import sys
import openpyxl
from openpyxl.worksheet.pagebreak import Break
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "Norton Central"
ws.append(["Crime", "Current", "Diff", "% Diff"])
for i in range(10):
    ws.append([f"Row {i}", i + 1, 1, 0.5])
ws.append([])
ws.append(["Blank cells are zero. Infinity: nothing in the comparison period."])
ws.print_title_rows = "1:1"
ws.row_breaks.append(Break(id=12))
ws.oddHeader.center.text = "Norton Central, compared with the same period a year earlier"
ws.oddFooter.right.text = "Page &P of &N"
wb.save(sys.argv[1])
PYEOF
	python3 tests/tools/check-pdf-pages.py "$T/bad.xlsx" >"$T/bad" 2>&1
	check_eq "a page with a note alone is caught" 1 $?
	check_grep "  and named" "not ok - bad.xlsx page 2/2 has no table rows" "$T/bad"
fi
finish
