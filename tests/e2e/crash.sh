#!/bin/bash
# What survives kill -9 and a full disk (README, Reliability): an import
# killed at any moment, or stopped by a full disk, leaves a database that
# passes integrity_check, holds whole files only, and gives exact totals when
# the import is run again; a report that cannot be written leaves the old one
# as it was and no temporary.  A full disk is a file size limit (ulimit -f,
# with SIGXFSZ ignored): writes past it fail with EFBIG, as on a full disk.
. tests/e2e/lib.sh
# a real police.uk month: June 2023's street file from the bundled real data
REAL=$T/real/2023-06-cleveland-street.csv
mkdir -p "$T/real"
python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))' \
	sample-data/real/policeuk-stockton-town-centres.zip 2023-06/2023-06-cleveland-street.csv >"$REAL"

# twelve months of five copies of the real month's rows each
D=$T/dl
for m in 01 02 03 04 05 06 07 08 09 10 11 12; do
	mkdir -p "$D/2022-$m"
	f=$D/2022-$m/2022-$m-cleveland-street.csv
	head -n 1 "$REAL" >"$f"
	for _ in 1 2 3 4 5; do tail -n +2 "$REAL" | sed "s/,2023-06,/,2022-$m,/"; done >>"$f"
done
TOTAL=$((12 * 5 * 1066))

# Whole files only: each source's rows are all there, and so is its cube.  A
# kill before the first migration committed leaves no tables at all, which is
# whole too (nothing was stored).
consistent() {
	if [ "$(sqlite3 "$1" "select count(*) from sqlite_master where name = 'sources'")" = 0 ]; then
		sqlite3 "$1" "select count(*) from sqlite_master where type = 'table'" |
			awk '{ print ($1 == 0) ? "ok" : "bad: tables but no sources" }'
		return
	fi
	sqlite3 "$1" "select (select count(*) from sources where rows_imported <> (select count(*) from crimes c
		where c.source_id = sources.id)) || '|' || (select coalesce(sum(n), 0) from cube where area = 0) || '|' ||
		(select count(*) from crimes)" | awk -F'|' '{ print ($1 == 0 && $2 == $3) ? "ok" : "bad " $0 }'
}

for at in 0.05 0.15 0.3 0.5 0.8; do
	DB=$T/kill-$at.db
	"$BIN" import -q --db "$DB" "$D" &
	pid=$!
	sleep "$at"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	check_eq "kill -9 after ${at}s: integrity_check" "ok" "$(sqlite3 "$DB" 'PRAGMA integrity_check' 2>&1)"
	check_eq "kill -9 after ${at}s: whole files only, cube agrees" "ok" "$(consistent "$DB")"
	"$BIN" import -q --db "$DB" "$D"
	check_eq "kill -9 after ${at}s: import again, exit 0" 0 $?
	check_eq "kill -9 after ${at}s: exact totals" "$TOTAL|12" "$(sqlite3 "$DB" 'select count(*), count(distinct source_id) from crimes')"
done

# a full disk during an import
DB=$T/full.db
(trap '' XFSZ; ulimit -f 4096; "$BIN" import -q --db "$DB" "$D") 2>"$T/err"
check_eq "disk full during an import: database error" 6 $?
check_grep "disk full: the message says why" "disk I/O error (\(File too large\|a write failed: is the disk full?\))" "$T/err"
check_eq "disk full: integrity_check" "ok" "$(sqlite3 "$DB" 'PRAGMA integrity_check' 2>&1)"
check_eq "disk full: whole files only, cube agrees" "ok" "$(consistent "$DB")"
"$BIN" import -q --db "$DB" "$D"
check_eq "disk full: import again when there is room, exact totals" "$TOTAL" "$(sqlite3 "$DB" 'select count(*) from crimes')"

# a full disk while writing a report: the old one stays, nothing else is left
mkdir "$T/reports"
echo "last month's report" >"$T/reports/r.md"
cp "$T/reports/r.md" "$T/reports/r.xlsx"
for out in md xlsx; do
	(trap '' XFSZ; ulimit -f 1; "$BIN" report -q --allow-missing --db "$DB" "--$out" "$T/reports/r.$out") 2>"$T/err"
	check_eq "disk full writing --$out: exit 5" 5 $?
	check_eq "disk full writing --$out: the old report is untouched" "last month's report" "$(cat "$T/reports/r.$out")"
done
check_eq "disk full: no temporary left beside the reports" "r.md r.xlsx" "$(ls -A "$T/reports" | tr '\n' ' ' | sed 's/ $//')"
finish
