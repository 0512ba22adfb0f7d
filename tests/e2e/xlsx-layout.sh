#!/bin/sh
# The workbook's layout: auto (the default) gives a sheet per area up to 100
# areas and the long table above that, with a note saying which; sheets and
# long force one, from the command line or the report config's xlsx_layout.
. tests/e2e/lib.sh
DB=$T/gaps.db
check "police.uk files imported" "$BIN" import --db "$DB" --quiet tests/data/policeuk-gaps
# areas: N LSOA-list areas named "Area 001", ...
areas() {
	python3 -c 'import json, sys
n = int(sys.argv[1])
print(json.dumps({"areas": [{"name": "Area %03d" % i, "lsoa_codes": ["E01012267"]} for i in range(1, n + 1)]}))' "$1"
}
# sheets FILE: the workbook's sheet names, one a line
sheets() {
	python3 -c 'import re, sys, zipfile
for n in re.findall(r"<sheet name=\"([^\"]*)\"", zipfile.ZipFile(sys.argv[1]).read("xl/workbook.xml").decode()):
    print(n)' "$1"
}
REPORT="report --month 2024-04 --allow-missing --taxonomy police-uk"
# auto N NOTE: N areas in a database of their own, reported with no layout
# option: the workbook written and the note, one line, as NOTE
auto() {
	areas "$1" >"$T/$1.json"
	cp "$DB" "$T/$1.db"
	check "$1 areas loaded" "$BIN" areas --db "$T/$1.db" --quiet load "$T/$1.json"
	# shellcheck disable=SC2086 # REPORT is a list of words
	"$BIN" --db "$T/$1.db" $REPORT --xlsx "$T/$1.xlsx" 2>"$T/err"
	check_eq "$1 areas: written" 0 $?
	check_eq "$1 areas: the note names the layout and the other" "$2" "$(grep 'xlsx layout' "$T/err")"
}

# 100 areas: a sheet per area, and a note saying so and how to have one table
auto 100 'crimetab: xlsx layout: sheets, one per area (100 areas; 100 at most by default); --xlsx-layout long for one table'
check_eq "100 areas: a sheet per area" 100 "$(sheets "$T/100.xlsx" | grep -c '^Area ')"

# 101 areas: the long table
auto 101 'crimetab: xlsx layout: long, one table (101 areas, more than 100); --xlsx-layout sheets for a sheet per area'
check_eq "101 areas: one Table sheet" "Summary Highlights Table Trend Sources" "$(sheets "$T/101.xlsx" | tr '\n' ' ' | sed 's/ $//')"
# shellcheck disable=SC2086
"$BIN" --db "$T/101.db" $REPORT --quiet --xlsx "$T/101.xlsx" 2>"$T/err"
check "--quiet: no note" sh -c "! grep -q 'xlsx layout' '$T/err'"

# forced from the command line: no note, the layout asked for
# shellcheck disable=SC2086
"$BIN" --db "$T/101.db" $REPORT --xlsx "$T/forced.xlsx" --xlsx-layout sheets 2>"$T/err"
check_eq "--xlsx-layout sheets at 101 areas: a sheet per area" 101 "$(sheets "$T/forced.xlsx" | grep -c '^Area ')"
check "--xlsx-layout sheets: no note about the choice" sh -c "! grep -q 'xlsx layout' '$T/err'"
# shellcheck disable=SC2086
"$BIN" --db "$T/100.db" $REPORT --quiet --xlsx "$T/forced.xlsx" --xlsx-layout long 2>/dev/null
check_eq "--xlsx-layout long at 100 areas: one Table sheet" 1 "$(sheets "$T/forced.xlsx" | grep -c '^Table$')"
# shellcheck disable=SC2086
"$BIN" --db "$T/100.db" $REPORT --quiet --xlsx "$T/forced.xlsx" --xlsx-layout auto 2>/dev/null
check_eq "--xlsx-layout auto at 100 areas: a sheet per area" 100 "$(sheets "$T/forced.xlsx" | grep -c '^Area ')"
# shellcheck disable=SC2086
"$BIN" --db "$T/100.db" $REPORT --xlsx "$T/forced.xlsx" --xlsx-layout wide 2>"$T/err"
check_eq "--xlsx-layout wide: usage error" 2 $?
check_grep "--xlsx-layout wide: the values named" '"wide" is not auto, sheets or long' "$T/err"

# forced from the report config; the command line wins over it
printf '{"report_version": 1, "taxonomy": "police-uk", "month": "2024-04", "xlsx_layout": "%s", "outputs": {"xlsx": "%s"}}\n' \
	sheets "$T/config.xlsx" >"$T/sheets.json"
"$BIN" --db "$T/101.db" report --config "$T/sheets.json" --allow-missing --quiet 2>/dev/null
check_eq "config xlsx_layout sheets at 101 areas: a sheet per area" 101 "$(sheets "$T/config.xlsx" | grep -c '^Area ')"
"$BIN" --db "$T/101.db" report --config "$T/sheets.json" --allow-missing --quiet --xlsx-layout auto 2>/dev/null
check_eq "the command line's auto wins over the config" 1 "$(sheets "$T/config.xlsx" | grep -c '^Table$')"
sed 's/"sheets"/"long"/' "$T/sheets.json" >"$T/long.json"
"$BIN" --db "$T/100.db" report --config "$T/long.json" --allow-missing --quiet 2>/dev/null
check_eq "config xlsx_layout long at 100 areas: one Table sheet" 1 "$(sheets "$T/config.xlsx" | grep -c '^Table$')"
finish
