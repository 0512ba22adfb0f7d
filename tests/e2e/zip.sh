#!/bin/sh
# police.uk download zips, read in place: the real sample zip (real rows),
# idempotence by member content, --force, damaged, truncated and bad members.
. tests/e2e/lib.sh
REAL=sample-data/real/policeuk-stockton-town-centres.zip
H='Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context'

# real rows: the whole 35-month Stockton zip, nothing unpacked
DB=$T/real.db
"$BIN" import --db "$DB" "$REAL" >"$T/out" 2>&1
check_eq "real zip imports" 0 $?
check_eq "real zip: every CSV member is a source (35 months x 3 kinds)" "35|35|35" \
	"$(sql "select sum(kind = 'street'), sum(kind = 'outcomes'), sum(kind = 'stop-and-search') from sources")"
check_eq "real zip: rows read = imported + rejected, 0 rejected" "61434|61434|0" \
	"$(sql 'select sum(rows_read), sum(rows_imported), sum(rows_rejected) from sources')"
check_eq "real zip: street rows as published (SOURCES.md)" "30730" "$(sql 'select count(*) from crimes')"
check_eq "real zip: sources named archive:member" "$REAL:2024-09/2024-09-cleveland-street.csv" \
	"$(sql "select path from sources where path like '%2024-09-cleveland-street.csv'")"
check_grep "real zip: per-member line" "$REAL:2024-09/2024-09-cleveland-street.csv: street, Cleveland Police, 2024-09: imported" "$T/out"
mkdir "$T/ro" && cp "$REAL" "$T/ro/dl.zip" && chmod 555 "$T/ro"
"$BIN" import --db "$T/ro.db" "$T/ro/dl.zip" >/dev/null 2>&1
check_eq "real zip read in place: nothing unpacked beside it" "dl.zip" "$(ls -A "$T/ro")"
chmod 755 "$T/ro"
"$BIN" import --db "$DB" "$REAL" >"$T/out" 2>&1
check_grep "real zip again: every member already imported" "0 files imported: .*; 105 already imported, 0 failed" "$T/out"
mkdir "$T/unpacked"
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$REAL" "$T/unpacked"
"$BIN" import --db "$DB" "$T/unpacked" >"$T/out" 2>&1
check_grep "the same files unpacked are duplicates (hash of the member's content)" "105 already imported, 0 failed" "$T/out"
check_eq "real zip: the hash is the member's content" \
	"$(sha256sum "$T/unpacked/2024-09/2024-09-cleveland-street.csv" | cut -c1-64)" \
	"$(sql "select sha256 from sources where path like '%2024-09-cleveland-street.csv'")"

# a national-archive layout with two forces: --force keeps one, repeatable
mkdir -p "$T/nat/2024-09" "$T/nat/2024-10"
for m in 2024-09 2024-10; do
	for f in cleveland durham; do
		{
			echo "$H"
			echo "id-$f-$m,$m,$f Police,$f Police,-1.3,54.6,On or near A,E01012227,Stockton-on-Tees 027D,Drugs,,"
		} >"$T/nat/$m/$m-$f-street.csv"
	done
done
echo "not data" >"$T/nat/README.txt"
(cd "$T/nat" && python3 -c 'import sys, zipfile
z = zipfile.ZipFile("../national.zip", "w", zipfile.ZIP_DEFLATED)
for n in sys.argv[1:]: z.write(n)' README.txt 2024-10/2024-10-durham-street.csv 2024-10/2024-10-cleveland-street.csv \
	2024-09/2024-09-durham-street.csv 2024-09/2024-09-cleveland-street.csv)
DB=$T/nat.db
"$BIN" import --db "$DB" --force durham "$T/national.zip" >"$T/out" 2>&1
check_eq "--force durham exits 0" 0 $?
check_eq "--force durham: only durham members, months in order" "2024-09-durham-street.csv 2024-10-durham-street.csv" \
	"$(sql "select substr(path, -25) from sources order by id" | tr '\n' ' ' | sed 's/ $//')"
check_grep "--force: other forces' members counted" "2 files of other forces skipped (--force)" "$T/out"
check_grep "a member that is not a CSV is named and skipped" "national.zip:README.txt: not a .csv member: skipped" "$T/out"
"$BIN" import --db "$DB" --force durham --force CLEVELAND "$T/national.zip" >"$T/out" 2>&1
check_eq "--force repeatable: both forces" "2|2" "$(sql "select sum(path like '%durham%'), sum(path like '%cleveland%') from sources")"
"$BIN" import --db "$DB" --force durhamm "$T/national.zip" >"$T/out" 2>&1
check_eq "--force matching nothing exits 2" 2 $?
check_grep "--force matching nothing says so" "error: --force durhamm: no police.uk file of that force was found" "$T/out"
"$BIN" import --db "$DB" --force 'Durham Constabulary' "$T/national.zip" >"$T/out" 2>&1
check_eq "--force with a force name, not a slug: usage error" 2 $?
cp "$T/national.zip" "$T/nat/national.zip"
rm -rf "$T/nat/2024-09" "$T/nat/2024-10"
DB=$T/walk.db
"$BIN" import --db "$DB" "$T/nat" >"$T/out" 2>&1
check_eq "a folder's zips are imported too" "4" "$(sql 'select count(*) from sources')"

# damaged member: a CRC error is a read error naming the member; the members
# before and after are imported, nothing of the broken one is
DB=$T/bad.db
python3 - "$REAL" "$T/damaged.zip" <<'PY'
import shutil, sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
shutil.copy(src, dst)
i = zipfile.ZipFile(src).getinfo("2024-09/2024-09-cleveland-street.csv")
with open(dst, "r+b") as f:
    f.seek(i.header_offset + 26)
    skip = int.from_bytes(f.read(2), "little") + int.from_bytes(f.read(2), "little")
    f.seek(i.header_offset + 30 + skip + i.compress_size // 2)
    b = f.read(64)
    f.seek(i.header_offset + 30 + skip + i.compress_size // 2)
    f.write(bytes(x ^ 0x55 for x in b))
PY
"$BIN" import --db "$DB" "$T/damaged.zip" >"$T/out" 2>&1
check_eq "damaged member exits 5" 5 $?
check_grep "damaged member: file and reason" "damaged.zip:2024-09/2024-09-cleveland-street.csv: read error: .*(the zip member is damaged or truncated)" "$T/out"
check_eq "damaged member: nothing of it stored" "0|0" \
	"$(sql "select (select count(*) from sources where path like '%2024-09-cleveland-street.csv'), (select count(*) from crimes where month = 2024*12+8)")"
check_eq "damaged member: the other 104 members imported" "104" "$(sql 'select count(*) from sources')"

# truncated archive: refused whole, the database untouched
DB=$T/trunc.db
"$BIN" import --db "$DB" "$T/unpacked/2024-09" >/dev/null 2>&1
before=$(sqlite3 "$DB" .dump | md5sum)
head -c 1500000 "$REAL" >"$T/truncated.zip"
"$BIN" import --db "$DB" "$T/truncated.zip" >"$T/out" 2>&1
check_eq "truncated zip exits 5" 5 $?
check_grep "truncated zip: clear message" "truncated.zip: cannot read the zip archive: .*(the file is truncated, or not a zip archive)" "$T/out"
check_eq "truncated zip: database unchanged" "$before" "$(sqlite3 "$DB" .dump | md5sum)"
printf 'PK\003\004 this is no zip' >"$T/fake.dat"
"$BIN" import --db "$DB" "$T/fake.dat" >"$T/out" 2>&1
check_eq "a zip by its first bytes, damaged: exits 5" 5 $?

# bad members: an unknown header is a file error naming the member; bad rows
# are rejects named archive.zip:member:line
mkdir -p "$T/bm/2024-09"
{
	echo "$H"
	echo "a1,2024-09,Cleveland Police,Cleveland Police,-1.3,54.6,On or near A,E01012227,Stockton-on-Tees 027D,Drugs,,"
	echo "a2,2024-13,Cleveland Police,Cleveland Police,-1.3,54.6,On or near A,E01012227,Stockton-on-Tees 027D,Drugs,,"
	echo "a3,2024-09,Cleveland Police,Cleveland Police,-1.3,54.6,On or near A,Drugs,,"
} >"$T/bm/2024-09/2024-09-cleveland-street.csv"
printf 'Nope,Not,A,Header\n1,2,3,4\n' >"$T/bm/2024-09/2024-09-cleveland-outcomes.csv"
(cd "$T/bm" && python3 -c 'import sys, zipfile
z = zipfile.ZipFile("../members.zip", "w", zipfile.ZIP_DEFLATED)
for n in sys.argv[1:]: z.write(n)' 2024-09/2024-09-cleveland-street.csv 2024-09/2024-09-cleveland-outcomes.csv)
DB=$T/members.db
"$BIN" import --db "$DB" "$T/members.zip" >"$T/out" 2>&1
check_eq "a member with an unknown header exits 3" 3 $?
check_grep "unknown header: archive:member:line" "members.zip:2024-09/2024-09-cleveland-outcomes.csv:1: not a police.uk street, outcomes or stop-and-search header" "$T/out"
check_grep "bad rows counted for the member" "members.zip:2024-09/2024-09-cleveland-street.csv: street, Cleveland Police, 2024-09: imported 1, rejected 2" "$T/out"
"$BIN" rejects --db "$DB" >"$T/rej"
check_grep "reject named archive.zip:member:line" "members.zip:2024-09/2024-09-cleveland-street.csv:3: column 'Month': \"2024-13\" is not a month" "$T/rej"
check_grep "field-count reject named archive.zip:member:line" "members.zip:2024-09/2024-09-cleveland-street.csv:4: expected 12 fields, found 10" "$T/rej"
finish
