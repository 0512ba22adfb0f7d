#!/bin/bash
# Reliability end to end (issue 12): outputs never replace a device, FIFO or
# link; modes follow the umask; no temporary survives a signal; read-only use
# works as another user and typos create nothing; a newer schema is refused;
# locks wait and then exit 7; special inputs are skipped; months are the
# file's; revised months are proved on a real police.uk file; rejects stay
# useful.  Everything happens in a temporary folder: devices are made there
# with mknod, /dev is never touched.
. tests/e2e/lib.sh
chmod 755 "$T" # another user reads in here
# a real police.uk month: June 2023's street file from the bundled real data
REAL=$T/real/2023-06-cleveland-street.csv
mkdir -p "$T/real"
python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))' \
	sample-data/real/policeuk-stockton-town-centres.zip 2023-06/2023-06-cleveland-street.csv >"$REAL"
CP='Cleveland Police,Cleveland Police'
H='Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context'
md5() { md5sum "$1" | cut -d' ' -f1; }
rows() { echo $(($(wc -l <"$1") - 1)); }
m2023_06=$((2023 * 12 + 5))
PLUG=$ROOT/${BUILD:-build}/plugins/facematch-embeddings.so

# ---- a database with the real month in it ----
DB=$T/db/crimetab.db
mkdir -p "$T/db" "$T/dl/2023-06"
cp "$REAL" "$T/dl/2023-06/"
"$BIN" import -q --db "$DB" "$T/dl" 2>"$T/err"
check_eq "real 2023-06 imported whole" "1066" "$(sql "select count(*) from crimes where month = $m2023_06")"
"$BIN" areas -q --db "$DB" load stockton-town-centres 2>/dev/null

# ---- outputs ----
O=$T/outputs
mkdir -p "$O/tmp"
if mknod "$O/null" c 1 3 2>/dev/null; then
	"$BIN" report -q --allow-missing --db "$DB" --md "$O/null" --csv "$O/null" --xlsx "$O/null" 2>/dev/null
	check_eq "report to a character device exits 0" 0 $?
	check_eq "the device is still the null device" "character special file 1,3" "$(stat -c '%F %t,%T' "$O/null")"
else
	ok "# skip: mknod needs root"
fi
mkfifo "$O/fifo"
(timeout 30 cat "$O/fifo" >"$O/fifo.out") &
"$BIN" report -q --allow-missing --db "$DB" --md "$O/fifo" 2>/dev/null
wait
check_eq "report through a FIFO" "fifo" "$(test -p "$O/fifo" && echo fifo)"
check_grep "the FIFO's reader got the table" "Total" "$O/fifo.out"
echo old >"$O/2023-06.md"
chmod 640 "$O/2023-06.md"
ln -s 2023-06.md "$O/latest.md"
"$BIN" report -q --allow-missing --db "$DB" --md "$O/latest.md" 2>/dev/null
check_eq "a symlinked report stays a link" "symbolic link" "$(stat -c %F "$O/latest.md")"
check_grep "its target is written" "Total" "$O/2023-06.md"
check_eq "the target keeps its mode" "640" "$(stat -c %a "$O/2023-06.md")"
(umask 077 && "$BIN" report -q --allow-missing --db "$DB" --md "$O/private.md" --csv "$O/private.csv" 2>/dev/null)
check_eq "new outputs follow the umask" "600 600" "$(stat -c %a "$O/private.md") $(stat -c %a "$O/private.csv")"
ln -s loop-b "$O/loop-a"
ln -s loop-a "$O/loop-b"
"$BIN" report -q --allow-missing --db "$DB" --md "$O/loop-a" 2>"$T/err"
check_eq "a link loop is an I/O error" 5 $?
check_grep "a link loop is named" "loop-a: too many levels of symbolic links" "$T/err"
"$BIN" report -q --allow-missing --db "$DB" --md "$O" 2>"$T/err"
check_grep "a folder is not replaced" "is a folder, not a file" "$T/err"
check_eq "no temporary left in the output folder" "" "$(ls -A "$O" | grep '\.tmp' || true)"

# A killed report leaves no temporary: the workbook's scratch file waits in
# $TMPDIR while the binary blocks opening a FIFO nobody reads.
set -m
for sig in TERM INT HUP; do
	TMPDIR=$O/tmp "$BIN" report -q --allow-missing --db "$DB" --xlsx "$O/fifo" 2>/dev/null &
	pid=$!
	# (libxlsxwriter's own temporaries, made and unlinked at once, are not ours)
	# the workbook is complete (the scratch file is not empty) and the report
	# waits for the FIFO's reader
	for _ in $(seq 200); do
		[ -n "$(find "$O/tmp" -name 'crimetab-*' -size +0)" ] && [ "$(ls -A "$O/tmp" | wc -l)" = 1 ] && break
		sleep 0.05
	done
	check_eq "SIG$sig: the scratch file exists while it waits" "1" "$(ls -A "$O/tmp" | grep -c '^crimetab-')"
	kill -"$sig" "$pid"
	{ wait "$pid"; } 2>/dev/null
	st=$?
	check_eq "SIG$sig ends the report by the signal" "$((128 + $(kill -l "$sig")))" "$st"
	check_eq "SIG$sig leaves no scratch file" "" "$(ls -A "$O/tmp" | grep '^crimetab-')"
done
set +m
check_eq "the FIFO is still a FIFO" "fifo" "$(test -p "$O/fifo" && echo fifo)"

# ---- opening the database ----
for cmd in "sources" "rejects" "report --md -" "areas list" "areas remove X" "facematch list" \
	"evaluate --treated A --control B --start 2023-01"; do
	# shellcheck disable=SC2086
	"$BIN" $cmd --db "$T/typo.db" >/dev/null 2>"$T/err"
	st=$?
	check_eq "$cmd on a typo exits 6" 6 "$st"
	check_grep "$cmd on a typo says so" "crimetab: error: no database at $T/typo.db (import something first, or give --db)" "$T/err"
done
check "no typo database was created" test ! -e "$T/typo.db"
"$BIN" facematch run --db "$T/typo.db" --plugin "$PLUG" 2>"$T/err"
check_eq "facematch run on a typo creates nothing" "6 no" "$? $(test -e "$T/typo.db" && echo yes || echo no)"

# newer schema: refused before anything is written
cp "$DB" "$T/newer.db"
sqlite3 "$T/newer.db" 'PRAGMA user_version = 99'
sum=$(md5 "$T/newer.db")
latest=$(ls sql/*.sql | sed 's|sql/0*\([0-9]*\)_.*|\1|' | sort -n | tail -1)
for cmd in "sources" "report --md -" "import $REAL" "areas load templates/areas/stockton-town-centres.geojson"; do
	# shellcheck disable=SC2086
	"$BIN" $cmd --db "$T/newer.db" >/dev/null 2>"$T/err"
	check_eq "newer schema: $cmd exits 6" 6 $?
	check_grep "newer schema: $cmd names both versions" "schema version 99; this crimetab knows versions up to $latest" "$T/err"
done
check_eq "newer schema: the database is untouched" "$sum" "$(md5 "$T/newer.db")"
check "newer schema: no WAL file made" test ! -e "$T/newer.db-wal"

# read-only use by another user, in a folder they cannot write
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
	# a copy of the binary that user may run, wherever the repository is
	mkdir -m 755 "$T/bin"
	cp "$BIN" "$T/bin/crimetab"
	chmod 755 "$T/bin/crimetab"
	chmod 755 "$T/db"
	chmod 644 "$DB"
	"$BIN" areas -q --db "$DB" load templates/areas/stockton-town-centres.geojson >/dev/null 2>&1
	sum=$(md5 "$DB")
	for cmd in "report --month 2023-06 --allow-missing --md -" "sources" "sources --months" "rejects" "areas list" "facematch list"; do
		# shellcheck disable=SC2086
		as_nobody "$T/bin/crimetab" $cmd --db "$DB" >"$T/ro.out" 2>"$T/err"
		st=$?
		check_eq "read-only as nobody: $cmd exits 0" "0" "$st"
		[ "$cmd" = "sources" ] || cat "$T/ro.out" >>"$T/ro.all"
	done
	check_grep "read-only as nobody: the report has its table" "Total" "$T/ro.all"
	check_eq "read-only as nobody: the database is unchanged" "$sum" "$(md5 "$DB")"
	check_eq "read-only as nobody: no -wal or -shm made" "" "$(ls -A "$T/db" | grep -v '^crimetab.db$' || true)"
	as_nobody "$T/bin/crimetab" import -q --db "$DB" "$REAL" 2>"$T/err"
	check_eq "a writer without write access fails cleanly" 6 $?
	# a database left in WAL mode (an import running, or an old crimetab)
	cp "$DB" "$T/db/wal.db"
	sqlite3 "$T/db/wal.db" 'PRAGMA journal_mode = WAL' >/dev/null
	as_nobody "$T/bin/crimetab" sources --db "$T/db/wal.db" >/dev/null 2>"$T/err"
	check_eq "WAL mode in a folder nobody may write: exit 6" 6 $?
	check_grep "WAL mode: says what is needed" "needs its folder to be writable by you" "$T/err"
	"$BIN" import -q --db "$T/db/wal.db" "$T/dl" 2>/dev/null
	check_eq "a writer leaves it in rollback mode again" "delete" "$(sqlite3 "$T/db/wal.db" 'PRAGMA journal_mode')"
	as_nobody "$T/bin/crimetab" sources --db "$T/db/wal.db" >/dev/null 2>"$T/err"
	check_eq "after an import, nobody reads it" 0 $?
else
	ok "# skip: reading as another user needs root and setpriv"
fi
check_eq "the database is left in rollback mode after a writer" "delete" "$(sqlite3 "$DB" 'PRAGMA journal_mode')"

# ---- locks ----
hold() { # DB SECONDS: holds the write lock in the background (HOLDER); returns when it is held
	rm -f "$T/held"
	python3 -c 'import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
open(sys.argv[2], "w").close()
time.sleep(float(sys.argv[3]))
c.execute("COMMIT")' "$1" "$T/held" "$2" &
	HOLDER=$!
	for _ in $(seq 100); do [ -e "$T/held" ] && break; sleep 0.05; done
}
LDB=$T/lock.db
cp "$DB" "$LDB"
hold "$LDB" 60
start=$(date +%s)
"$BIN" import -q --db "$LDB" --wait 1 "$REAL" 2>"$T/err"
check_eq "import behind another writer: exit 7" 7 $?
check_grep "import says what held it" "another crimetab held the database's write lock for more than 1 s" "$T/err"
"$BIN" areas --db "$LDB" --wait 1 load templates/areas/stockton-town-centres.geojson 2>"$T/err"
check_eq "areas load behind another writer: exit 7" 7 $?
"$BIN" areas --db "$LDB" --wait 1 remove "Norton Central" 2>"$T/err"
check_eq "areas remove behind another writer: exit 7" 7 $?
CRIMETAB_LOCK_TIMEOUT=1 "$BIN" import -q --db "$LDB" "$REAL" 2>"$T/err"
check_eq "CRIMETAB_LOCK_TIMEOUT sets the wait" 7 $?
"$BIN" sources --db "$LDB" >/dev/null 2>"$T/err"
check_eq "a reader is not held up by a writer" 0 $?
check_eq "the waits took about a second each" "ok" "$( [ $(($(date +%s) - start)) -le 10 ] && echo ok)"
kill "$HOLDER"
wait "$HOLDER" 2>/dev/null
hold "$LDB" 2
"$BIN" import -q --db "$LDB" --wait 30 "$T/dl" 2>"$T/err"
check_eq "a writer that waits long enough gets through" 0 $?
wait
if command -v script >/dev/null; then
	# on a terminal (script gives it one) the wait is shown as it happens
	hold "$LDB" 3
	script -qec "$BIN import --db $LDB --wait 30 $REAL" "$T/typescript" >/dev/null 2>&1
	check_eq "on a terminal: the writer gets through" 0 $?
	check_grep "on a terminal: the wait is shown" "waiting for another crimetab to finish writing $LDB" "$T/typescript"
	wait
fi
"$BIN" import -q --db "$LDB" --wait soon "$REAL" 2>"$T/err"
check_eq "--wait needs a number" 2 $?

# ---- special inputs ----
S=$T/special
mkdir -p "$S/dl/2023-06"
cp "$REAL" "$S/dl/2023-06/"
mkfifo "$S/dl/2023-06/fifo.csv"
mknod "$S/dl/2023-06/null.csv" c 1 3 2>/dev/null
ln -s .. "$S/dl/2023-06/up"
ln -s self.csv "$S/dl/2023-06/self.csv"
timeout 60 "$BIN" import --db "$S/s.db" "$S/dl" >"$T/out" 2>&1
check_eq "a folder with a FIFO, a device and link loops imports (no hang)" 0 $?
check_grep "the FIFO is skipped with a message" "fifo.csv: a FIFO, not a regular file: skipped" "$T/out"
if [ -c "$S/dl/2023-06/null.csv" ]; then
	check_grep "the device is skipped with a message" "null.csv: a character device, not a regular file: skipped" "$T/out"
fi
check_eq "the loop back up is reported once" "1" "$(grep -c 'a folder already searched (a link loop?): skipped' "$T/out")"
check_grep "the link to itself is reported" "self.csv: Too many levels of symbolic links: skipped" "$T/out"
check_eq "the real file imported once" "1|1066" "$(sqlite3 "$S/s.db" 'select count(*), sum(rows_read) from sources')"
timeout 20 "$BIN" import --db "$S/s.db" "$S/dl/2023-06/fifo.csv" 2>"$T/err"
check_eq "a FIFO named on the command line: exit 5" 5 $?
check_grep "a FIFO named on the command line is refused" "fifo.csv: a FIFO, not a regular file: skipped" "$T/err"
mkdir -m 755 "$S/plug"
head -c 20000 "$PLUG" >"$S/plug/cut.so"
"$BIN" facematch run --db "$S/s.db" --plugin "$S/plug/cut.so" 2>"$T/err"
check_eq "a truncated plugin: exit 8, not a crash" 8 $?
check_grep "a truncated plugin is refused with a message" "cut.so: refusing plugin: .*truncated" "$T/err"

# ---- months are the file's ----
M=$T/monthfiles
mkdir -p "$M/2024-01"
# the real month's rows, renamed to 2024-01, but ten keep saying 2023-06
awk -F, 'BEGIN { OFS = "," } NR > 1 && NR <= 1057 { $2 = "2024-01" } { print }' "$REAL" >"$M/2024-01/2024-01-cleveland-street.csv"
"$BIN" import --db "$DB" "$M/2024-01/2024-01-cleveland-street.csv" >"$T/out" 2>&1
check_grep "stray rows are rejects, nothing superseded" "imported 1056, rejected 10 (see crimetab rejects --source 2)$" "$T/out"
check_eq "2023-06 keeps every crime" "1066" "$(sql "select count(*) from crimes where month = $m2023_06")"
check_eq "the cube agrees" "1066" "$(sql "select sum(n) from cube where area = 0 and kind = 'street' and month = $m2023_06")"
"$BIN" rejects --db "$DB" --source 2 >"$T/rej"
check_grep "the reason names the file's month" "2024-01-cleveland-street.csv:1058: column 'Month': \"2023-06\" is not the file's month (2024-01)" "$T/rej"
"$BIN" import --db "$DB" "$T/dl" >"$T/out" 2>&1
check_grep "the real 2023-06 again: already imported, and whole" "already imported (source 1, same content)" "$T/out"
"$BIN" sources --db "$DB" --months >"$T/months"
check_grep "sources --months: 2023-06 is the real file's" "^street	Cleveland Police	2023-06	1	$T/dl/2023-06/2023-06-cleveland-street.csv$" "$T/months"
check_grep "sources --months: 2024-01 is the renamed file's" "^street	Cleveland Police	2024-01	2	" "$T/months"

# dates out of range
printf '{"mapping_version":1,"force":"Test Police","date_format":"dd/mm/yyyy","columns":{"date":"When","category":"What"}}' >"$M/map.json"
printf 'When,What\n15/06/2023,Arson\n01/01/9999,Arson\n31/12/1999,Arson\n' >"$M/export.csv"
"$BIN" import --db "$DB" --mapping "$M/map.json" "$M/export.csv" >"$T/out" 2>&1
check_grep "year 9999 and 1999 are rejects" "force, Test Police, 2023-06: imported 1, rejected 2" "$T/out"
"$BIN" rejects --db "$DB" --source 3 >"$T/rej"
check_grep "year 9999: after the current month" "export.csv:3: column 'When': \"01/01/9999\" is after the current month" "$T/rej"
check_grep "1999: before the earliest month" "export.csv:4: column 'When': \"31/12/1999\" is before 2000-01" "$T/rej"
"$BIN" import --db "$DB" --earliest 1999-01 --mapping "$M/map.json" "$M/export.csv" >"$T/out" 2>&1
check_grep "--earliest lowers the floor (already imported by content)" "already imported" "$T/out"
mkdir -p "$M/2099-12"
printf '%s\nx,2099-12,%s,-1.3,54.5,On or near A,E01000001,A 001A,Drugs,,\n' "$H" "$CP" >"$M/2099-12/2099-12-cleveland-street.csv"
"$BIN" import -q --db "$DB" "$M/2099-12/2099-12-cleveland-street.csv"
"$BIN" report --db "$DB" --dataset street --md "$M/latest.md" 2>"$T/err"
check_grep "--month latest is not 2099-12" "report for 2024-01" "$T/err"

# ---- revised months, on real shapes ----
R=$T/revised
RDB=$T/revised.db
rsql() { sqlite3 "$RDB" "$1"; }
mk() { mkdir -p "$R/$1/2023-06"; echo "$R/$1/2023-06/2023-06-cleveland-street.csv"; }
V1=$(mk v1); head -n 967 "$REAL" >"$V1"                         # first publication: 966 rows
V2=$(mk v2); cp "$REAL" "$V2"                                   # more rows: 1066
V3=$(mk v3); awk 'NR == 1 || NR % 4 != 0' "$REAL" >"$V3"        # fewer rows
V4=$(mk v4)                                                     # another set of Crime IDs
awk -F, 'BEGIN { OFS = "," }
	NR == 1 { print; next }
	$1 != "" && NR % 10 == 0 { next }                              # crimes dropped
	$1 != "" && NR % 10 == 1 { $1 = substr($1, 1, 56) "0revised" } # crimes with new IDs
	{ print }' "$REAL" >"$V4"
"$BIN" import -q --db "$RDB" "$V1"
check_eq "v1 holds the month" "966" "$(rsql "select count(*) from crimes where month = $m2023_06")"
"$BIN" import --db "$RDB" "$V2" >"$T/out" 2>&1
check_grep "more rows: v2 supersedes all of v1" "imported 1066, rejected 0; superseded 966 rows" "$T/out"
check_eq "more rows: the month is v2's" "1066" "$(rsql "select count(*) from crimes where month = $m2023_06")"
"$BIN" import --db "$RDB" "$V3" >"$T/out" 2>&1
check_eq "fewer rows: the month is v3's" "$(rows "$V3")" "$(rsql "select count(*) from crimes where month = $m2023_06")"
"$BIN" import -q --db "$RDB" "$V4"
check_eq "other Crime IDs: the month holds exactly v4's" \
	"$(tail -n +2 "$V4" | cut -d, -f1 | grep . | sort | md5sum)" \
	"$(rsql "select crime_id from crimes where month = $m2023_06 and crime_id is not null" | sort | md5sum)"
check_eq "other Crime IDs: the cube follows" "$(rows "$V4")" \
	"$(rsql "select sum(n) from cube where area = 0 and kind = 'street' and month = $m2023_06")"
"$BIN" import --db "$RDB" "$V1" "$V2" >"$T/out" 2>&1
check_eq "older files again: both already imported, none wins back" "2" "$(grep -c 'already imported (source' "$T/out")"
mkdir -p "$R/renamed"
cp "$V4" "$R/renamed/june-2023.csv"
"$BIN" import --db "$RDB" "$R/renamed/june-2023.csv" >"$T/out" 2>&1
check_grep "the same content under a new name: already imported" "already imported (source 4, same content)" "$T/out"
check_eq "after all that, the month is v4's" "$(rows "$V4")" "$(rsql "select count(*) from crimes where month = $m2023_06")"
"$BIN" sources --db "$RDB" --months >"$T/months"
check_grep "sources --months names v4 as the owner" "^street	Cleveland Police	2023-06	4	$V4$" "$T/months"
check_eq "each earlier file is marked superseded by the next" "2|3|4|0" \
	"$(rsql 'select group_concat(coalesce(superseded_by, 0), "|") from (select superseded_by from sources order by id)')"

# ---- rejects stay useful ----
J=$T/rejects
mkdir -p "$J/2023-06"
F=$J/2023-06/2023-06-cleveland-street.csv
{
	head -n 4 "$REAL"
	printf 'x1,2023-06,%s,-1.3,54.5,"On or near an unterminated quote,E01000001,A 001A,Drugs,,\n' "$CP"
	seq 1 50000 | sed 's/^/a line of free text, number /'
	sed -n '5,18p' "$REAL"
	printf 'n1,2023-06,%s,-1.3,54.5,On or near \000here,E01000001,A 001A,Drugs,,\n' "$CP"
	printf 'm1,2023-13,%s,-1.3,54.5,"On or near\nTwo Lines",E01000001,A 001A,Drugs,,\n' "$CP"
} >"$F"
"$BIN" import --db "$J/j.db" "$F" >"$T/out" 2>&1
check_grep "an unterminated quote costs one reject, the rows after it import" "imported 17, rejected 3" "$T/out"
"$BIN" rejects --db "$J/j.db" >"$T/rej"
check_grep "the reject names the skipped span" \
	":5: row is longer than 65536 bytes (an unterminated quote?): lines 5 to 50005 skipped, up to the next line that reads as a row" "$T/rej"
# the swallowed lines (2 MB) are not stored: the rejects hold the first 64 KiB
# (an empty database is already about 2 MB of 64 KiB pages, one per table)
check_eq "the database stays small" "ok" \
	"$( [ "$(sqlite3 "$J/j.db" 'select coalesce(sum(length(raw)), 0) + coalesce(sum(length(span)), 0) from rejects')" -lt 200000 ] && echo ok)"
check_grep "a NUL byte is kept, escaped" '^    n1,2023-06,.*On or near \\0here,' "$T/rej"
check_grep "a multi-line row: first line indented" '^    m1,2023-13,.*"On or near$' "$T/rej"
check_grep "a multi-line row: continuation indented" '^    Two Lines",E01000001' "$T/rej"
finish
