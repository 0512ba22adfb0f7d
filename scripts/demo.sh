#!/bin/sh
# `make demo`: imports the bundled sample data into the default database
# (./crimetab.db, or $CRIMETAB_DB): real police.uk files for Stockton's town
# centres straight from their download zip, and a synthetic force export;
# loads the six town centres and writes the reports into reports/.
set -eu
BIN=${1:-build/crimetab}
mkdir -p reports
echo "== importing real police.uk files for Stockton, read from the zip (sample-data/real)"
if ! "$BIN" import sample-data/real/policeuk-stockton-town-centres.zip 2>reports/import-policeuk.log; then
	cat reports/import-policeuk.log >&2
	exit 1
fi
tail -n 1 reports/import-policeuk.log
echo "(one line per zip member in reports/import-policeuk.log)"
echo "== importing the force export (sample-data/force) with its column mapping"
"$BIN" import --mapping cleveland-force-export sample-data/force
echo "== loading town centres"
"$BIN" areas load stockton-town-centres
"$BIN" areas list
echo "== what was imported"
"$BIN" sources >reports/sources.tsv
echo "$(($(wc -l <reports/sources.tsv) - 1)) files, listed in reports/sources.tsv (crimetab sources)"
if [ -f build/plugins/facematch-embeddings.so ] && [ -f sample-data/facematch/sightings.jsonl ]; then
	echo "== face-match offender counts (reference plugin, synthetic sightings)"
	"$BIN" facematch run --plugin facematch-embeddings \
		--config "sightings=sample-data/facematch/sightings.jsonl;watchlist=sample-data/facematch/watchlist.jsonl;model=synthetic-gaussian;model_version=1" ||
		echo "(face-match step failed; reports are written without offender counts)"
fi
echo "== scrutiny report (Home Office categories, force export): the built-in config stockton-scrutiny"
"$BIN" report --config stockton-scrutiny
echo "== the same town centres from the real police.uk street data, latest complete month"
"$BIN" report --taxonomy police-uk --dataset street --md 'reports/policeuk-{month}.md'
echo
echo "Reports are in reports/.  Try: less reports/stockton-scrutiny-*.md, or build/crimetab tui"
