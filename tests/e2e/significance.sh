#!/bin/sh
# Significance in the scrutiny tables end to end, on the paper's data: the
# issue's own Highlights sentence, marks and legends in every output, the
# options and the report config, a reworded template, and bad input.
. tests/e2e/lib.sh
DB=$T/paper.db
"$BIN" import --db "$DB" --quiet --mapping tests/paper/mapping.json tests/paper/paper-force-export.csv
"$BIN" areas --db "$DB" load tests/paper/areas.json 2>/dev/null
R="$BIN report --db $DB --quiet --month 2024-09"

check "report with a watched row" $R --area "Stockton Town Centre" --highlight Shoplifting \
	--md "$T/r.md" --csv "$T/r.csv" --json "$T/r.json"
# the issue's example, word for word, from the record-level data
check_grep "the issue's Highlights sentence" '^- Shoplifting in Stockton Town Centre rose from 195 to 219 over the last 6 months (+24, +12.3%) against a year earlier; a change this size is within normal variation (p = 0.24)\.$' "$T/r.md"
check_grep "one sentence on how many changes were examined and flagged" \
	'^[0-9]* changes were examined in Stockton Town Centre; [0-9]* passed the E-test at the 5% level ([0-9]* rises, [0-9]* falls)\. By chance alone about [0-9]* would\.$' "$T/r.md"
check_grep "legend under the tables" '^▲ ▼ a rise or fall unlikely to be chance: E-test, two-sided p \\< 0.05\.' "$T/r.md"
# CSV: every tested line has z and p; flagged lines agree with p < 0.05
got=$(python3 -c "
import csv, sys
bad = n = 0
for row in csv.DictReader(open('$T/r.csv')):
    if row['row_kind'] == 'offenders':
        continue
    n += 1
    p = float(row['p'])
    flagged = row['significant'] in ('rise', 'fall')
    if flagged != (p < 0.05 and row['diff'] != '0'):
        bad += 1
    if row['significant'] == 'rise' and int(row['diff']) <= 0:
        bad += 1
print(n == 3 * len({r['row'] for r in csv.DictReader(open('$T/r.csv')) if r['row_kind'] != 'offenders'}), bad)")
check_eq "CSV: z, p and significant on every line, flags where p < 0.05" "True 0" "$got"
got=$(python3 -c "
import json
a = json.load(open('$T/r.json'))['areas'][0]
texts = [i['text'] for i in a['highlights']['items'] if i['watched']]
print(len(texts), a['highlights']['flagged'] == sum(1 for r in a['rows'] for w in r['windows'] if w['significant']))")
check_eq "JSON: the watched row in three windows, the flagged count matches the figures" "3 True" "$got"

# the z-score flags more than the E-test at the same level; none flags nothing
$R --area "Stockton Town Centre" --significance z --csv "$T/z.csv"
$R --area "Stockton Town Centre" --significance e-test --alpha 0.01 --csv "$T/e01.csv"
count_flags() { grep -c ',\(rise\|fall\)$' "$1"; }
check "--significance z flags at least as many as the E-test" test "$(count_flags "$T/z.csv")" -ge "$(count_flags "$T/r.csv")"
check "--alpha 0.01 flags fewer" test "$(count_flags "$T/e01.csv")" -lt "$(count_flags "$T/r.csv")"
$R --area "Stockton Town Centre" --significance none --md "$T/none.md" --csv "$T/none.csv"
check_eq "--significance none: no flags" 0 "$(count_flags "$T/none.csv")"
check "--significance none: no Highlights" sh -c "! grep -q Highlights '$T/none.md'"

# the report config: its highlight_rows and wording
cat >"$T/config.json" <<EOF
{"report_version": 1, "month": "2024-09", "areas": ["Norton Central"], "highlight_rows": ["Shoplifting"],
 "alpha": 0.05, "highlights_template": "$T/council.json", "outputs": {"md": "$T/config.md", "xlsx": "$T/config.xlsx"}}
EOF
sed -e 's/"heading": "Highlights"/"heading": "Key points"/' \
	-e 's/a change this size is within normal variation/no real change/' templates/highlights/plain-english.json >"$T/council.json"
check "report from a config" "$BIN" report --db "$DB" --quiet --config "$T/config.json"
check_grep "a council's heading" '^### Key points$' "$T/config.md"
check_grep "a council's wording" 'Shoplifting in Norton Central .*; no real change (p = ' "$T/config.md"
if /usr/bin/python3 -c 'import openpyxl' 2>/dev/null; then
	check "XLSX: the Highlights sheet and marked % cells" /usr/bin/python3 -c "
import openpyxl, sys
wb = openpyxl.load_workbook('$T/config.xlsx')
assert wb.sheetnames[1] == 'Key points', wb.sheetnames
texts = [c.value for c in wb['Key points']['A'] if c.value]
assert any('Shoplifting in Norton Central' in t for t in texts), texts
ws = wb['Norton Central']
marks = [c for row in ws.iter_rows() for c in row if '\u25b2' in (c.number_format or '') or '\u25bc' in (c.number_format or '')]
assert marks and all(c.fill.fgColor.rgb.endswith('FFF2CC') for c in marks)
assert any('unlikely to be chance' in str(c.value) for c in ws['A'])
"
	check "XLSX passes check-xlsx.py" /usr/bin/python3 tests/tools/check-xlsx.py --highlights "Key points" "$T/config.xlsx"
fi

# bad input: a clear message and the right status
$R --significance maybe --md "$T/x.md" 2>"$T/e1"
check_eq "unknown --significance exits 2" 2 $?
check_grep "unknown --significance named" 'significance: "maybe" is not none, z or e-test' "$T/e1"
$R --alpha 2 --md "$T/x.md" 2>"$T/e2"
check_eq "bad --alpha exits 2" 2 $?
sed 's/{pct}/{percent}/' templates/highlights/plain-english.json >"$T/typo.json"
$R --highlights-template "$T/typo.json" --md "$T/x.md" 2>"$T/e3"
check_eq "a template with an unknown placeholder exits 3" 3 $?
check_grep "the placeholder and sentence named" 'typo.json: "sentences"."significant_rise": unknown placeholder "{percent}"' "$T/e3"
check "nothing written for a bad template" test ! -e "$T/x.md"
finish
