#!/bin/sh
# The installed crimetab: `make install` into a DESTDIR, the installed binary
# run from an empty folder with built-in names only, the README's crontab and
# systemd lines run exactly as written under cron's bare environment, the man
# page, the bash completion, and `make uninstall`.
. tests/e2e/lib.sh
BUILD=${BUILD:-build}
STAGE=$T/stage
PREFIX=/usr/local
make --no-print-directory -s install DESTDIR="$STAGE" PREFIX="$PREFIX" BUILD="$BUILD" >"$T/make.out" 2>&1
check_eq "make install DESTDIR=... exits 0" 0 $?
E=$STAGE$PREFIX/bin/crimetab
for f in bin/crimetab lib/crimetab/plugins/facematch-embeddings.so include/crimetab/facematch.h \
	share/man/man1/crimetab.1 share/bash-completion/completions/crimetab; do
	check "installed: $f" test -f "$STAGE$PREFIX/$f"
done
check "nothing installed outside PREFIX" test "$(ls "$STAGE")" = usr

# from an empty folder, every built-in by name
mkdir "$T/empty" && cd "$T/empty" || exit 1
DB=$T/installed.db
"$E" --db "$DB" areas load stockton-town-centres >"$T/out" 2>&1
check_eq "areas load stockton-town-centres from anywhere" "0|6" "$?|$(sql 'select count(*) from areas')"
"$E" --db "$DB" import -q --mapping cleveland-force-export "$ROOT/sample-data/force"
check_eq "import --mapping cleveland-force-export from anywhere" 0 $?
"$E" --db "$DB" import -q "$ROOT/sample-data/policeuk"
"$E" --db "$DB" report -q --taxonomy police-uk --month 2024-09 --md "$T/pu.md"
check_eq "report --taxonomy police-uk from anywhere" 0 $?
check_grep "police-uk rows" 'Anti-social behaviour' "$T/pu.md"
"$E" --db "$DB" report -q --config stockton-scrutiny
check_eq "report --config stockton-scrutiny from anywhere" 0 $?
check "the config's outputs, relative to the folder" test -s "$T/empty/reports/stockton-scrutiny-2024-09.xlsx"
"$E" --db "$DB" facematch run --plugin facematch-embeddings \
	--config "sightings=$ROOT/sample-data/facematch/sightings.jsonl" 2>"$T/err"
check_eq "facematch run --plugin NAME finds the installed plugin" "0|400" "$?|$(sql 'select count(*) from fm_sightings')"
check_grep "the plugin loaded is the installed one" "^crimetab: $STAGE$PREFIX/lib/crimetab/plugins/facematch-embeddings.so: 400 sightings" "$T/err"
"$E" --db "$DB" facematch run --plugin no-such-plugin 2>"$T/err"
check_eq "an unknown plugin name: status 8" 8 $?
check_grep "the error lists the installed plugins" "no-such-plugin: no such plugin in $STAGE$PREFIX/lib/crimetab/plugins (installed: facematch-embeddings)" "$T/err"
"$E" templates >"$T/templates"
check_grep "templates lists the installed plugin" "^plugin	facematch-embeddings	" "$T/templates"
check_grep "templates lists the built-in config" "^report config	stockton-scrutiny	.*	built-in$" "$T/templates"
printf '{"taxonomy_version": 1, "rows": [' >"$T/empty/home-office"
"$E" templates >"$T/templates"
check_grep "templates says a file of that name is used instead" "^taxonomy	home-office	.*	file $T/empty/home-office" "$T/templates"
"$E" --db "$DB" report --taxonomy home-office 2>"$T/err" >/dev/null
check_eq "the file of that name wins (and is invalid: status 3)" 3 $?
rm "$T/empty/home-office"
ls "$T/empty" >"$T/ls"
check_eq "nothing written in the folder but the reports" "reports" "$(cat "$T/ls")"

# the README's monthly job, exactly as written, with cron's environment
cron=$(sed -n '/^```cron$/,/^```$/p' "$ROOT/README.md" | sed -n 2p)
unit=$(sed -n 's/^ExecStart=//p' "$ROOT/README.md")
check "README has one crontab line" test -n "$cron"
check "README has one ExecStart line" test "$(printf '%s\n' "$unit" | wc -l)" -eq 1
SRV=$T/srv/crimetab
# shellcheck disable=SC2001 # a plain substitution of two fixed strings
subst() { printf '%s\n' "$1" | sed "s|/usr/local/bin/crimetab|$E|g; s|/srv/crimetab|$SRV|g"; }
job=$(subst "$(printf '%s\n' "$cron" | cut -d' ' -f6-)")
mkdir -p "$SRV/downloads"
cp -R "$ROOT/sample-data/policeuk" "$ROOT/sample-data/force" "$SRV/downloads/"
printf 'Ref,When,What\nX1,01/10/2024,Arson\n' >"$SRV/downloads/policeuk/2024-10/stray.csv"
env -i PATH=/usr/bin:/bin "$E" -C "$SRV" areas load stockton-town-centres 2>/dev/null
env -i PATH=/usr/bin:/bin sh -c "$job"
check_eq "cron line with one junk file: status 9 (done with problems)" 9 $?
LOG=$SRV/crimetab.log
check_grep "the junk file is named in the log" "^crimetab: error: downloads/policeuk/2024-10/stray.csv:1: not a police.uk" "$LOG"
check "the log holds only warnings and errors" sh -c "! grep -v '^crimetab: \(error\|warning\): ' '$LOG'"
check_eq "the rest was imported" "28|1" \
	"$(sqlite3 "$SRV/crimetab.db" "select sum(kind != 'force'), sum(kind = 'force') from sources")"
for ext in md xlsx csv json; do
	check "report written: stockton-scrutiny-2024-09.$ext" test -s "$SRV/reports/stockton-scrutiny-2024-09.$ext"
done
check_grep "the report has the committee's areas" '^## Stockton Town Centre' "$SRV/reports/stockton-scrutiny-2024-09.md"
check "no database or report outside the folder" test ! -e "$T/empty/crimetab.db"

# the systemd unit's command, as systemd runs it (no shell, bare environment)
rm -f "$SRV/downloads/policeuk/2024-10/stray.csv"
# shellcheck disable=SC2046 # the unit's words, as systemd splits them
env -i PATH=/usr/bin:/bin $(subst "$unit") 2>"$T/unit.err"
check_eq "ExecStart line, nothing new and nothing bad: status 0, silent" "0|" "$?|$(cat "$T/unit.err")"

# every input failing: no report touched, non-zero status
mkdir -p "$T/bad/downloads/policeuk" "$T/bad/reports"
for f in "$SRV"/reports/*; do
	{ cat "$f"; echo "last month's"; } >"$T/bad/reports/${f##*/}"
done
sum_before=$(cat "$T/bad"/reports/* | md5sum)
printf 'not,a,crime,file\n' >"$T/bad/downloads/policeuk/junk.csv"
sed 's|"downloads/force"|"downloads/none"|' "$ROOT/templates/reports/stockton-scrutiny.json" >"$T/bad/job.json"
env -i PATH=/usr/bin:/bin "$E" -C "$T/bad" --db "$SRV/crimetab.db" run --quiet --config job.json 2>"$T/err"
rc=$?
check_eq "every input failed: status 3 (the first failure's)" 3 "$rc"
check_grep "every input failed: says no report was written" 'job.json: no input could be imported; no report written' "$T/err"
check_eq "every input failed: the previous reports untouched" "$sum_before" "$(cat "$T/bad"/reports/* | md5sum)"

# the man page: renders without warnings, names every option, the same exit statuses
MAN=$STAGE$PREFIX/share/man/man1/crimetab.1
if command -v man >/dev/null; then
	MANWIDTH=80 man --warnings -l "$MAN" >"$T/man.txt" 2>"$T/man.err"
	check_eq "man -l renders crimetab.1 without warnings" "0|" "$?|$(cat "$T/man.err")"
	for c in "" import sources rejects areas report run tui facematch evaluate export templates help version; do
		# shellcheck disable=SC2086 # no command: crimetab's own --help
		for o in $("$E" $c --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
			grep -q -- "$o" "$T/man.txt" || not_ok "man page names ${c:-crimetab} $o"
		done
		grep -q "^  *crimetab ${c:-version}" "$T/man.txt" || not_ok "man page describes crimetab ${c:-version}"
	done
	ok "man page names every command and option in --help"
	sed -n '/^EXIT STATUS/,/^ENVIRONMENT/p' "$T/man.txt" | tr -s ' \n' ' ' |
		sed 's/.*every command: //; s/ ENVIRONMENT.*//' >"$T/man-status"
	"$E" --help | sed -n '/^exit status:/,$p' | tail -n +2 | tr -s ' \n' ' ' | sed 's/^ //; s/ $//' >"$T/code-status"
	check "man page EXIT STATUS = crimetab --help's table" diff "$T/code-status" "$T/man-status"
else
	not_ok "man (man-db) is not installed: scripts/install-deps.sh installs it"
fi

# bash completion from the installed script, against the installed binary
cat >"$T/comp.bash" <<EOF
. "$STAGE$PREFIX/share/bash-completion/completions/crimetab"
comp() { COMP_WORDS=("\$@"); COMP_CWORD=\$((\$# - 1)); _crimetab; echo "\${COMPREPLY[*]}"; }
comp "$E" ru
comp "$E" report --tax
comp "$E" report --taxonomy p
comp "$E" --db x.db run --config stock
comp "$E" facematch run --plugin face
comp "$E" areas load stockton
comp "$E" import --mapping clev
comp "$E" help fa
EOF
bash "$T/comp.bash" >"$T/comp.out" 2>&1
check_eq "completion: commands, options, template and plugin names" "run
--taxonomy
police-uk
stockton-scrutiny
facematch-embeddings
stockton-town-centres
cleveland-force-export
facematch" "$(cat "$T/comp.out")"

cd "$ROOT" || exit 1
make --no-print-directory -s uninstall DESTDIR="$STAGE" PREFIX="$PREFIX" BUILD="$BUILD" >"$T/make.out" 2>&1
check_eq "make uninstall removes every file it installed" "" "$(find "$STAGE" -type f)"
check "make uninstall removes crimetab's own folders" test ! -e "$STAGE$PREFIX/lib/crimetab"
finish
