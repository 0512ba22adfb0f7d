#!/bin/sh
# `make demo`: imports the bundled sample data into the default database
# (./crimetab.db, or $CRIMETAB_DB), loads the six Stockton town centres and
# writes this month's scrutiny tables into reports/.
set -eu
BIN=${1:-build/crimetab}
echo "== importing police.uk sample files (sample-data/policeuk)"
"$BIN" import sample-data/policeuk
echo "== importing the force export (sample-data/force) with its column mapping"
"$BIN" import --mapping cleveland-force-export sample-data/force
echo "== loading town centres"
"$BIN" areas load stockton-town-centres
"$BIN" areas list
echo "== what was imported"
"$BIN" sources
if [ -f build/plugins/facematch-embeddings.so ] && [ -f sample-data/facematch/sightings.jsonl ]; then
	echo "== face-match offender counts (reference plugin, synthetic sightings)"
	"$BIN" facematch run --plugin facematch-embeddings \
		--config "sightings=sample-data/facematch/sightings.jsonl;watchlist=sample-data/facematch/watchlist.jsonl" ||
		echo "(face-match step failed; reports are written without offender counts)"
fi
echo "== scrutiny report (Home Office categories, force export): the built-in config stockton-scrutiny"
"$BIN" report --config stockton-scrutiny
echo "== the same town centres from police.uk street data"
"$BIN" report --taxonomy police-uk --md 'reports/policeuk-{month}.md'
echo
echo "Reports are in reports/.  Try: less reports/stockton-scrutiny-*.md, or build/crimetab tui"
