#!/bin/sh
# docs/town-centres.md quotes crimetab's police.uk report for 2024-09 on the
# real sample beside the committee paper.  This runs that report and checks
# every crimetab figure of the page's tables, read from the page itself
# (tests/tools/doc-figures.py), so the page and the code cannot drift apart.
. tests/e2e/lib.sh
DOC=docs/town-centres.md
REAL=sample-data/real/policeuk-stockton-town-centres.zip
DB=$T/wards.db
check "import the real sample zip" "$BIN" import --db "$DB" --quiet "$REAL"
check "load the built-in town centres" "$BIN" areas --db "$DB" --quiet load stockton-town-centres
REPORT="--taxonomy police-uk --dataset street --month 2024-09"
# shellcheck disable=SC2086 # REPORT is a list of options
check "police.uk report for 2024-09 (CSV)" "$BIN" report --db "$DB" --quiet $REPORT --allow-missing --csv "$T/wards.csv"

# the page's own words about that report: exit status 4, 2022-10 to 2022-12 missing
# shellcheck disable=SC2086
"$BIN" report --db "$DB" --quiet $REPORT --md "$T/wards.md" 2>"$T/err"
check_eq "without --allow-missing the report exits 4, as the page says" 4 $?
check_grep "the page's warning: 2022-10 to 2022-12 are missing" \
	'no police.uk street data for 2022-10 to 2022-12;' "$T/err"
check_grep "the page says so" 'warns that 2022-10 to 2022-12 are missing' "$DOC"

# the hand-drawn shapes the template replaced, for the table that compares them
cp "$DB" "$T/hand.db"
check "load the hand-drawn town centres" "$BIN" areas --db "$T/hand.db" --quiet load \
	sample-data/areas/hand-drawn-town-centres.geojson
# shellcheck disable=SC2086
check "police.uk report on the hand-drawn shapes (CSV)" "$BIN" report --db "$T/hand.db" --quiet $REPORT \
	--allow-missing --csv "$T/hand.csv"

for table in "Shoplifting" "All crime (Total)" "Change over the last 6 months" "The boundaries matter"; do
	check "$DOC: every crimetab figure of \"$table\"" \
		python3 tests/tools/doc-figures.py "$DOC" "$table" "$T/wards.csv" "$T/hand.csv"
done

# the check can fail: one figure changed in a copy of the page is named
sed 's/^| Stockton Town Centre | 28 | 26 | 223 |/| Stockton Town Centre | 28 | 26 | 224 |/' "$DOC" >"$T/broken.md"
python3 tests/tools/doc-figures.py "$T/broken.md" Shoplifting "$T/wards.csv" >"$T/out" 2>&1
check_eq "a changed figure fails the check" 1 $?
check_grep "and the cell is named" \
	'broken.md:[0-9]*: Shoplifting, Stockton Town Centre, "6 months: police.uk": the page says 224, crimetab gives 223' \
	"$T/out"
finish
