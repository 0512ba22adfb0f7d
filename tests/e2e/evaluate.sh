#!/bin/sh
# crimetab evaluate end to end on the sample data: a named town centre
# against a control, counts checked against the database directly, buffers,
# offenders, missing months (exit 4) and refusals (exit 2).
. tests/e2e/lib.sh
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
DB=$T/ev.db
"$BIN" import --db "$DB" --quiet sample-data/policeuk
"$BIN" import --db "$DB" --quiet --mapping cleveland-force-export sample-data/force
"$BIN" areas --db "$DB" --quiet load templates/areas/stockton-town-centres.geojson
EV="$BIN evaluate --db $DB"

# Shoplifting, Stockton Town Centre against Billingham Central, from April 2024
check "evaluate on the sample data" $EV --treated "Stockton Town Centre" --control "Billingham Central" \
	--start 2024-04 --pre 6 --post 6 --category Shoplifting --md "$T/ev.md" --json "$T/ev.json"
check_grep "Markdown title" '^# Did it work? Shoplifting: Stockton Town Centre against Billingham Central$' "$T/ev.md"
check_grep "Markdown verdict" '^\*\*Verdict\.\*\* Shoplifting in the treated area' "$T/ev.md"
# the counts, straight from the crime rows and their area assignment
count() { # AREA FROM TO: force-export shoplifting in AREA, months FROM..TO (YYYY-MM)
	sql "select count(*) from crimes c join crime_areas ca on ca.crime = c.id join areas a on a.id = ca.area
	     where a.name = '$1' and c.kind = 'force' and c.category = 'Shoplifting'
	     and c.month between cast(substr('$2',1,4) as int)*12 + cast(substr('$2',6,2) as int) - 1
	     and cast(substr('$3',1,4) as int)*12 + cast(substr('$3',6,2) as int) - 1"
}
want="$(count 'Stockton Town Centre' 2023-10 2024-03) $(count 'Stockton Town Centre' 2024-04 2024-09) $(count 'Billingham Central' 2023-10 2024-03) $(count 'Billingham Central' 2024-04 2024-09)"
got=$(python3 -c "
import json; g = json.load(open('$T/ev.json'))['crimes']['groups']
print(' '.join('%d %d' % (x['before'], x['after']) for x in g))")
check_eq "counts agree with the database" "$want" "$got"
got=$(python3 -c "
import json, math; c = json.load(open('$T/ev.json'))['crimes']; g = c['groups']
t0, t1, c0, c1 = g[0]['before'], g[0]['after'], g[1]['before'], g[1]['after']
ok = c['wdd'] == (t1 - t0) - (c1 - c0) and abs(c['se'] - math.sqrt(t0 + t1 + c0 + c1)) < 1e-9
print('ok' if ok and c['tested'] else 'bad')")
check_eq "WDD and SE from the counts" "ok" "$got"

# police.uk street data with 200 m buffers; anti-social behaviour stays out of the Total
check "evaluate with buffers in metres" $EV --treated "Stockton Town Centre" --control "Thornaby Town Centre (Stainsby Hill)" \
	--start 2024-04 --taxonomy police-uk --buffer 200 --json "$T/buf.json"
got=$(python3 -c "
import json; d = json.load(open('$T/buf.json')); g = d['crimes']['groups']
print(len(g), g[2]['areas'], d['dataset'], d['after']['to'])")
check_eq "four groups, police.uk data, after runs to the latest month" "4 200 m around Stockton Town Centre street 2024-10" "$got"
want=$(sql "select count(*) from crimes c join crime_areas ca on ca.crime = c.id join areas a on a.id = ca.area
	where a.name = 'Stockton Town Centre' and c.kind = 'street' and c.category <> 'Anti-social behaviour'
	and c.month between 2024*12+3 and 2024*12+9")
got=$(python3 -c "import json; print(json.load(open('$T/buf.json'))['crimes']['groups'][0]['after'])")
check_eq "Total leaves out anti-social behaviour" "$want" "$got"

# unequal periods: 12 months before, 6 after
check "unequal periods" $EV --treated "Stockton Town Centre" --control "Billingham Central" --start 2024-04 \
	--pre 12 --post 6 --md "$T/w.md"
check_grep "scaling explained" 'counts before (12 months) are scaled by 6/12' "$T/w.md"

# the offender test on the synthetic sightings
"$BIN" facematch run --db "$DB" --quiet --plugin "$BUILD/plugins/facematch-embeddings.so" \
	--config "sightings=sample-data/facematch/sightings.jsonl;watchlist=sample-data/facematch/watchlist.jsonl"
check "evaluate distinct offenders" $EV --treated "Stockton Town Centre" --control "Billingham Central" \
	--start 2024-04 --pre 6 --post 6 --offenders --md "$T/off.md" --json "$T/off.json"
check_grep "offender section" '^## Distinct offenders (face match)$' "$T/off.md"
want=$(sql "select count(distinct individual) from fm_sightings s join fm_sighting_areas sa on sa.sighting = s.id
	join areas a on a.id = sa.area where a.name = 'Stockton Town Centre' and s.month between 2024*12+3 and 2024*12+8")
got=$(python3 -c "import json; print(json.load(open('$T/off.json'))['offenders']['groups'][0]['after'])")
check_eq "distinct offenders after, treated" "$want" "$got"
check "no individual key in the outputs" sh -c "! grep -q 'ind-' '$T/off.md' '$T/off.json'"

# disclosure control: a distinct-offender count from 1 to 2 is withheld as
# <3, the change made from it as [c], and no offender test is made on it
$EV --treated "Yarm Town Centre" --control "Billingham Central" --start 2024-06 --pre 1 --post 1 --offenders \
	--suppress-below 0 --json "$T/raw.json"
raw=$(python3 -c "
import json; g = json.load(open('$T/raw.json'))['offenders']['groups'][0]; print(g['before'], g['after'])")
check_eq "--suppress-below 0: Yarm's distinct offenders, 3 in 2024-05 and 1 or 2 in 2024-06" "3 1" "$(echo "$raw" | awk '{print $1, ($2 >= 1 && $2 <= 2)}')"
check_eq "  and the offender test is made" "True" "$(python3 -c "import json; print(json.load(open('$T/raw.json'))['offenders']['tested'])")"
check "by default" $EV --treated "Yarm Town Centre" --control "Billingham Central" --start 2024-06 --pre 1 --post 1 \
	--offenders --md "$T/small.md" --json "$T/small.json"
check_grep "  Markdown: the count as <3, its change as [c]" "^| Treated | Yarm Town Centre | ${raw% *} | <3 | \[c\] |\$" "$T/small.md"
check_grep "  Markdown: no test, and why" '^\*\*Verdict\.\*\* Not tested: a count from 1 to 2 is withheld (disclosure control' "$T/small.md"
check_grep "  Markdown: the marks explained" '^Counts from 1 to 2 show as <3, and \[c\] hides a figure made from one' "$T/small.md"
check_grep "  the crime test is still made" '^| \*\*WDD\*\* | ' "$T/small.md"
check_eq "  JSON: null, the mark beside it, no test" "None <3 None [c] False None" "$(python3 -c "
import json; d = json.load(open('$T/small.json'))['offenders']; g = d['groups'][0]
print(g['after'], g['after_text'], g['change'], g['change_text'], d['tested'], d['wdd'])")"
# over every month of the sample: no count from 1 to 2 is published, and
# no test is made beside a withheld one
for m in 2023-01 2023-03 2023-05 2023-07 2023-09 2023-11 2024-01 2024-03 2024-05 2024-07 2024-09; do
	$EV --treated "Stockton Town Centre" --control "Norton Central" --start $m --pre 1 --post 1 --offenders \
		--allow-missing --json "$T/m-$m.json" 2>/dev/null
done
check "no published offender count from 1 to 2, in any month" python3 -c "
import glob, json
withheld = 0
for f in glob.glob('$T/m-*.json'):
    d = json.load(open(f))['offenders']
    hidden = False
    for g in d['groups']:
        for k in ('before', 'after'):
            v = g[k]
            assert v is None or v == 0 or v >= 3, (f, g)
            if v is None:
                assert g[k + '_text'] == '<3' and g['change'] is None, (f, g)
                hidden = True
    assert not (hidden and d['tested']) and (d['wdd'] is None or not hidden), (f, d)
    withheld += hidden
assert withheld > 0, 'no month withholds anything: the check proves nothing'"

# months missing: counts, a warning, no test, exit 4 (0 with --allow-missing)
$EV --treated "Stockton Town Centre" --control "Billingham Central" --start 2024-06 --post 6 \
	--json "$T/miss.json" 2>"$T/miss.err"
check_eq "missing months exit 4" 4 $?
check_grep "missing months named" 'no force export imported for 2 months the evaluation needs: 2024-10, 2024-11' "$T/miss.err"
check_eq "no test on missing months" "False" "$(python3 -c "import json; print(json.load(open('$T/miss.json'))['crimes']['tested'])")"
$EV --treated "Stockton Town Centre" --control "Billingham Central" --start 2024-06 --post 6 --allow-missing \
	--json "$T/miss.json" 2>/dev/null
check_eq "--allow-missing exits 0" 0 $?

# the README's run on the real police.uk sample: Stockton Town Centre against
# Billingham Central, shoplifting, cameras from January 2025
REAL=$T/real.db
"$BIN" import --db "$REAL" --quiet sample-data/real/policeuk-stockton-town-centres.zip
"$BIN" areas --db "$REAL" --quiet load stockton-town-centres
check "evaluate on the real police.uk sample" "$BIN" evaluate --db "$REAL" --dataset street \
	--treated "Stockton Town Centre" --control "Billingham Central" --start 2025-01 --category Shoplifting \
	--md "$T/real.md"
check_grep "  the periods: February 2024 to December 2024 before" '^- Before: February 2024 to December 2024 (11 months)$' "$T/real.md"
check_grep "  the treated counts" '^| Treated | Stockton Town Centre | 376 | 358 | -18 |$' "$T/real.md"
check_grep "  the control counts" '^| Control | Billingham Central | 71 | 49 | -22 |$' "$T/real.md"
check_grep "  the verdict" 'was 4 higher than the control area.s trend predicts over the 11 months after (WDD 4; 95% interval -53.3 to 61.3; p = 0.89)' "$T/real.md"
# every line of the run is in the README as it is
got=$(sed -n '/^- Intervention from: January 2025$/,/^| p (two-sided)/p' "$T/real.md")
want=$(sed -n '/^- Intervention from: January 2025$/,/^| p (two-sided)/p' README.md)
check_eq "  the README shows this run" "$want" "$got"

# refusals
$EV --treated "Nowhere" --control "Billingham Central" --start 2024-04 2>"$T/e1"
check_eq "unknown area exit 2" 2 $?
check_grep "unknown area named" 'evaluate: unknown area "Nowhere"' "$T/e1"
$EV --treated "Stockton Town Centre" --control "Billingham Central" --start 2024-04 --category Shoplift 2>"$T/e2"
check_eq "unknown category exit 2" 2 $?
check_grep "unknown category named" 'no row "Shoplift" in taxonomy' "$T/e2"
$EV --treated "Stockton Town Centre" --control "Stockton Town Centre" --start 2024-04 2>"$T/e3"
check_eq "same area twice exit 2" 2 $?
$EV --treated "Stockton Town Centre" --control "Billingham Central" --start 2024-04 --buffer -5 2>"$T/e4"
check_eq "negative buffer exit 2" 2 $?
$EV --treated "Stockton Town Centre" --control "Billingham Central" --start 2024-04 --buffer 100001 2>"$T/e4b"
check_eq "a buffer over 100000 m exit 2" 2 $?
check_grep "  and says the range" 'is not a distance in metres (0 to 100000)' "$T/e4b"
for b in 0 100000; do
	$EV --treated "Stockton Town Centre" --control "Billingham Central" --start 2024-04 --buffer $b --json "$T/b$b.json" 2>/dev/null
	check_eq "--buffer $b is taken (the range the message gives)" 0 $?
done
$EV --treated "Stockton Town Centre" --control "Billingham Central" 2>"$T/e5"
check_eq "no start exit 2" 2 $?
# --alpha: one rule for evaluate and report, more than 0 and at most 0.5
$EV --treated "Stockton Town Centre" --control "Billingham Central" --start 2024-04 --alpha 0.6 2>"$T/e6"
check_eq "--alpha 0.6 exit 2" 2 $?
check_grep "  and says the rule" '^crimetab: error: evaluate: --alpha: "0.6" is not a level between 0 and 0.5' "$T/e6"
"$BIN" report --db "$DB" --month 2024-10 --taxonomy police-uk --alpha 0.6 --md "$T/a.md" 2>"$T/e7"
check_eq "report --alpha 0.6 exit 2" 2 $?
check_grep "  with the same words" '^crimetab: error: report: --alpha: "0.6" is not a level between 0 and 0.5' "$T/e7"
$EV --treated "Stockton Town Centre" --control "Billingham Central" --start 2024-04 --alpha 0.5 --json "$T/a5.json" 2>"$T/e8"
check_eq "evaluate --alpha 0.5 is taken, as report takes it" 0 $?
check "read-only: evaluate never creates a database" sh -c "! $BIN evaluate --db '$T/none.db' --treated A --control B --start 2024-01 2>/dev/null; test ! -e '$T/none.db'"
finish
