#!/usr/bin/env python3
"""Build record-level test data reproducing the town-centre crime tables of
the October 2024 Stockton scrutiny paper (Cleveland Police section).

Usage: tests/tools/make-paper-data.py [REFERENCE.txt]

Default reference: docs/reference/town-centre-crime-tables-oct-2024.txt
in the repository.  Outputs go to tests/paper/:

  expected-<slug>.tsv      the paper's detailed table, cell for cell
  paper-force-export.csv   one row per crime for all three areas
  mapping.json             column mapping for the export
  areas.json               area definitions

The script first verifies the paper's internal consistency and prints every
inconsistency it finds.  It is deterministic and uses only the stdlib.
Exit status: 0 if outputs were written (inconsistencies are reported, not
fatal unless they make record generation impossible), 1 otherwise.
"""

import csv
import json
import os
import re
import sys
from decimal import Decimal, ROUND_HALF_UP

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_REF = os.path.join(REPO, "docs", "reference",
                           "town-centre-crime-tables-oct-2024.txt")
OUTDIR = os.path.join(REPO, "tests", "paper")

AREAS = [
    ("Stockton Town Centre", "stockton-town-centre"),
    ("Billingham Central", "billingham-central"),
    ("Norton Central", "norton-central"),
]

# Home Office template: label -> (depth, parent)
HIERARCHY = [
    ("Victim Based Crime", 0, None),
    ("Violence", 1, "Victim Based Crime"),
    ("Violence With Injury", 2, "Violence"),
    ("Violence Without Injury", 2, "Violence"),
    ("Stalking and Harassment", 2, "Violence"),
    ("Homicide", 2, "Violence"),
    ("Death or serious injury caused by illegal driving", 2, "Violence"),
    ("Theft Offences", 1, "Victim Based Crime"),
    ("Shoplifting", 2, "Theft Offences"),
    ("All Other Theft Offences", 2, "Theft Offences"),
    ("Vehicle Offences", 2, "Theft Offences"),
    ("Burglary Residential", 2, "Theft Offences"),
    ("Burglary Business and Community", 2, "Theft Offences"),
    ("Theft From The Person", 2, "Theft Offences"),
    ("Bicycle Theft", 2, "Theft Offences"),
    ("Criminal Damage & Arson", 1, "Victim Based Crime"),
    ("Criminal Damage", 2, "Criminal Damage & Arson"),
    ("Arson", 2, "Criminal Damage & Arson"),
    ("Sexual Offences", 1, "Victim Based Crime"),
    ("Robbery", 1, "Victim Based Crime"),
    ("Non victim based", 0, None),
    ("Public Order Offences", 1, "Non victim based"),
    ("Drug Offences", 1, "Non victim based"),
    ("Misc Crimes Against Society", 1, "Non victim based"),
    ("Weapons Possession Offences", 1, "Non victim based"),
    ("Unknown", 0, None),
]
DEPTH = {l: d for l, d, _ in HIERARCHY}
PARENT = {l: p for l, _, p in HIERARCHY}
CHILDREN = {}
for _l, _d, _p in HIERARCHY:
    CHILDREN.setdefault(_p, []).append(_l)
LEAVES = [l for l, _, _ in HIERARCHY if l not in CHILDREN]

# Offence Subgroup written for the Unknown row (no mapping rule matches it)
UNKNOWN_CATEGORY = "Unclassified legacy offence"

# Month ranges (inclusive) for the six disjoint segments of each leaf.
def months(y0, m0, y1, m1):
    out = []
    y, m = y0, m0
    while (y, m) <= (y1, m1):
        out.append((y, m))
        m += 1
        if m == 13:
            y, m = y + 1, 1
    return out

SEGMENTS = {
    "c1": months(2024, 9, 2024, 9),
    "c6-c1": months(2024, 4, 2024, 8),
    "c12-c6": months(2023, 10, 2024, 3),
    "p1": months(2023, 9, 2023, 9),
    "p6-p1": months(2023, 4, 2023, 8),
    "p12-p6": months(2022, 10, 2023, 3),
}

WINDOWS = ("month", "6 months", "12 months")

problems = []


def report(area, msg):
    line = "%s: %s" % (area, msg)
    problems.append(line)
    print("INCONSISTENCY " + line)


def clean(s):
    s = s.replace("<b>", "").replace("</b>", "").replace("\u2610 ", "")
    return s.replace("&amp;", "&").strip()


RE_CUR = re.compile(r"^(|\d+)$")
RE_DIFF = re.compile(r"^(|-?\d+)$")
RE_PCT = re.compile(r"^(|Infinity|-?\d+\.\d%)$")


def cells_valid(cells):
    if len(cells) != 9:
        return False
    for w in range(3):
        cur, diff, pct = cells[3 * w:3 * w + 3]
        if not (RE_CUR.match(cur) and RE_DIFF.match(diff) and RE_PCT.match(pct)):
            return False
        if (diff == "") != (pct == ""):
            return False
    return True


def realign(area, label, cells):
    """Rows whose cells are syntactically impossible (a '%' in a count
    column, a negative current count) are treated as a dropped-blank-cell
    extraction error: try inserting one blank cell and dropping a trailing
    blank; accept only if exactly one distinct valid row results."""
    if cells_valid(cells):
        return cells
    cands = set()
    if cells and cells[-1] == "":
        for k in range(9):
            c = cells[:k] + [""] + cells[k:-1]
            if cells_valid(c):
                cands.add(tuple(c))
    if len(cands) == 1:
        fixed = list(cands.pop())
        report(area, "row %r is misaligned in the text (cells %s); realigned "
               "by inserting the missing blank cell: %s"
               % (label, "|".join(cells), "|".join(fixed)))
        return fixed
    raise SystemExit("%s: cannot interpret row %r: %r" % (area, label, cells))


def parse(path):
    """Return {area: {"summary": rows, "detail": rows}}; a row is
    dict(label, bold, cells[9])."""
    with open(path, encoding="utf-8") as f:
        lines = [l.rstrip("\n") for l in f]
    names = {a for a, _ in AREAS}
    out = {}
    cur_area = None
    blocks = []
    block = None
    for line in lines:
        if "\t" not in line:
            block = None
            stripped = clean(line.lstrip("#").strip().strip("*").strip())
            if stripped in names:
                cur_area = stripped
                blocks = out.setdefault(cur_area, [])
            elif line.startswith("#") and cur_area is not None:
                cur_area = None          # a different heading ends the area
            continue
        if cur_area is None:
            continue
        if block is None:
            block = []
            blocks.append(block)
        fields = line.split("\t")
        raw_label = fields[0]
        block.append({"raw": raw_label, "label": clean(raw_label),
                      "bold": "<b>" in raw_label, "cells": fields[1:]})
    result = {}
    for area, _ in AREAS:
        bl = out.get(area)
        if not bl or len(bl) < 2:
            raise SystemExit("area %r: expected summary and detail tables" % area)
        tables = []
        for b in bl[:2]:
            rows = []
            for r in b:
                if r["label"] in ("", "Crime", "-"):     # header/placeholder
                    continue
                if r["label"] not in DEPTH and r["label"] != "Total":
                    raise SystemExit("%s: unknown row label %r" % (area, r["label"]))
                c = [clean(x) for x in r["cells"]]
                r["cells"] = realign(area, r["label"], c)
                rows.append(r)
            tables.append(rows)
        result[area] = {"summary": tables[0], "detail": tables[1]}
    return result


def num(s):
    return int(s) if s != "" else 0


def pct_text(cur, prev):
    if cur == 0 and prev == 0:
        return ""
    if prev == 0:
        return "Infinity"
    if cur == 0:
        return "-100.0%"
    v = (Decimal(cur - prev) * 100 / Decimal(prev)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP)
    return "%s%%" % v


def row_numbers(area, row):
    """(c1,c6,c12,p1,p6,p12) from a row's cells, with per-cell checks."""
    cs = row["cells"]
    cur = [num(cs[0]), num(cs[3]), num(cs[6])]
    diff = [num(cs[1]), num(cs[4]), num(cs[7])]
    prev = [c - d for c, d in zip(cur, diff)]
    for w in range(3):
        c, d, p = cs[3 * w:3 * w + 3]
        if c == "0":
            report(area, "%s %s: current printed as 0 instead of blank"
                   % (row["label"], WINDOWS[w]))
        if cur[w] == 0 and prev[w] == 0 and (d != "" or p != ""):
            report(area, "%s %s: zero current and comparison but diff/pct "
                   "printed (%r, %r)" % (row["label"], WINDOWS[w], d, p))
        if (cur[w] or prev[w]) and d == "":
            report(area, "%s %s: diff blank though current=%d comparison=%d"
                   % (row["label"], WINDOWS[w], cur[w], prev[w]))
        want = pct_text(cur[w], prev[w])
        if p != want:
            report(area, "%s %s: printed %% %r but formula gives %r "
                   "(current %d, comparison %d)"
                   % (row["label"], WINDOWS[w], p, want, cur[w], prev[w]))
    return tuple(cur + prev)


def verify(area, tables):
    detail = tables["detail"]
    nums = {}
    for r in detail:
        if r["label"] in nums:
            report(area, "duplicate row %r" % r["label"])
        nums[r["label"]] = row_numbers(area, r)
    names = ("c1", "c6", "c12", "p1", "p6", "p12")
    # monotonicity of windows
    for label, v in nums.items():
        c1, c6, c12, p1, p6, p12 = v
        if not (0 <= c1 <= c6 <= c12):
            report(area, "%s: current counts not nested: c1=%d c6=%d c12=%d"
                   % (label, c1, c6, c12))
        if not (0 <= p1 <= p6 <= p12):
            report(area, "%s: comparison counts not nested: p1=%d p6=%d p12=%d"
                   % (label, p1, p6, p12))
    # group sums (absent child rows count as zero)
    zero = (0,) * 6
    for label, v in nums.items():
        if label == "Total" or label not in CHILDREN:
            continue
        s = [sum(nums.get(ch, zero)[i] for ch in CHILDREN[label]) for i in range(6)]
        for i in range(6):
            if s[i] != v[i]:
                report(area, "%s: %s=%d but children sum to %d"
                       % (label, names[i], v[i], s[i]))
    tops = [l for l, d, p in HIERARCHY if d == 0]
    s = [sum(nums.get(t, zero)[i] for t in tops) for i in range(6)]
    for i in range(6):
        if s[i] != nums["Total"][i]:
            report(area, "Total: %s=%d but top-level rows sum to %d"
                   % (names[i], nums["Total"][i], s[i]))
    # summary table must repeat the detailed table's top-level rows
    for r in tables["summary"]:
        d = next((x for x in detail if x["label"] == r["label"]), None)
        if d is None:
            if any(r["cells"]):
                report(area, "summary row %r missing from detailed table" % r["label"])
        elif d["cells"] != r["cells"]:
            report(area, "summary row %r differs from detailed table" % r["label"])
    # structure: every row's parent must be the nearest preceding shallower row
    stack = []
    for r in detail:
        l = r["label"]
        if l == "Total":
            continue
        d = DEPTH[l]
        stack = stack[:d]
        if d > 0 and (len(stack) < d or stack[d - 1] != PARENT[l]):
            report(area, "row %r is not under its parent %r" % (l, PARENT[l]))
        stack.append(l)
    if detail[-1]["label"] != "Total":
        report(area, "detailed table does not end with Total")
    return nums


def check_order(area, detail, nums):
    """Check 'children sorted by last-6-months current desc, ties by label'
    and a few alternatives.  Returns list of (rule, violations)."""
    order = [r["label"] for r in detail if r["label"] != "Total"]
    sibs = {}
    for l in order:
        sibs.setdefault(PARENT[l], []).append(l)
    rules = {
        "6m current desc, ties label asc":
            lambda l: (-nums[l][1], l),
        "6m current desc, ties 12m current desc":
            lambda l: (-nums[l][1], -nums[l][2]),
        "6m current desc, ties month current desc":
            lambda l: (-nums[l][1], -nums[l][0]),
        "6m current desc, ties template order":
            lambda l: (-nums[l][1], [h[0] for h in HIERARCHY].index(l)),
        "12m current desc, ties label asc":
            lambda l: (-nums[l][2], l),
    }
    results = []
    for name, key in rules.items():
        bad = []
        for parent, kids in sibs.items():
            want = sorted(kids, key=key)
            if want != kids:
                bad.append("under %s: paper %s, rule %s"
                           % (parent or "(top)", kids, want))
        results.append((name, bad))
    return results


def write_expected(area, slug, detail):
    path = os.path.join(OUTDIR, "expected-%s.tsv" % slug)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for r in detail:
            depth = 0 if r["label"] == "Total" else DEPTH[r["label"]]
            f.write("\t".join([str(depth), r["label"]] + r["cells"]) + "\n")
    return path


def spread(n, mlist, salt):
    """n deterministic dates over the months in mlist."""
    out = []
    k = len(mlist)
    for i in range(n):
        y, m = mlist[i % k]
        day = 1 + (i * 11 + salt * 5 + (i // k) * 3) % 28
        out.append((y, m, day))
    return out


def main(argv):
    ref = argv[1] if len(argv) > 1 else DEFAULT_REF
    tables = parse(ref)
    os.makedirs(OUTDIR, exist_ok=True)
    records = []
    fatal = False
    summary = []
    for ai, (area, slug) in enumerate(AREAS):
        t = tables[area]
        nums = verify(area, t)
        write_expected(area, slug, t["detail"])
        bold = [r["label"] for r in t["detail"] if r["bold"]]
        summary.append("%s: %d detailed rows; bold rows: %s"
                       % (area, len(t["detail"]), ", ".join(bold) or "(none)"))
        for rule, bad in check_order(area, t["detail"], nums):
            summary.append("  order rule [%s]: %s" % (
                rule, "matches" if not bad else "%d violation(s): %s"
                % (len(bad), "; ".join(bad))))
        for li, (label, v) in enumerate(sorted(
                ((l, v) for l, v in nums.items() if l not in CHILDREN and l != "Total"),
                key=lambda x: [h[0] for h in HIERARCHY].index(x[0]))):
            c1, c6, c12, p1, p6, p12 = v
            segs = {"c1": c1, "c6-c1": c6 - c1, "c12-c6": c12 - c6,
                    "p1": p1, "p6-p1": p6 - p1, "p12-p6": p12 - p6}
            cat = UNKNOWN_CATEGORY if label == "Unknown" else label
            for si, (seg, n) in enumerate(segs.items()):
                if n < 0:
                    report(area, "%s: segment %s would need %d records; "
                           "cannot generate" % (label, seg, n))
                    fatal = True
                    continue
                for (y, m, d) in spread(n, SEGMENTS[seg], ai * 31 + li * 7 + si):
                    records.append(((y, m, d), ai, li, cat, area))
    if fatal:
        print("record generation impossible; no CSV written", file=sys.stderr)
        return 1
    records.sort(key=lambda r: (r[0], r[1], r[2]))
    path = os.path.join(OUTDIR, "paper-force-export.csv")
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["Crime Reference", "Committed Date", "Offence Subgroup",
                    "Town Centre"])
        for i, ((y, m, d), _ai, _li, cat, area) in enumerate(records, 1):
            w.writerow(["CP/%02d/%06d" % (y % 100, i),
                        "%02d/%02d/%04d" % (d, m, y), cat, area])
    with open(os.path.join(OUTDIR, "mapping.json"), "w", encoding="utf-8") as f:
        f.write('{"mapping_version": 1, "name": "paper reproduction export", '
                '"force": "Cleveland Police", "date_format": "dd/mm/yyyy",\n'
                ' "columns": {"crime_id": "Crime Reference", "date": '
                '"Committed Date", "category": "Offence Subgroup", '
                '"area": "Town Centre"}}\n')
    with open(os.path.join(OUTDIR, "areas.json"), "w", encoding="utf-8") as f:
        json.dump({"areas": [{"name": a, "area_values": [a]} for a, _ in AREAS]},
                  f, indent=2)
        f.write("\n")
    print()
    for s in summary:
        print(s)
    print()
    print("%d inconsistencies reported" % len(problems))
    print("%d records written to %s" % (len(records), path))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
