#!/usr/bin/env python3
"""Checks a crimetab workbook the way a committee reader would see it.

usage: check-xlsx.py FILE [--expect-sheet NAME ...] [--expect-tsv AREA=TSV ...]
                     [--expect-note SHEET=TEXT ...] [--long] [--highlights NAME]
                     [--expect-marks]

Always: Summary is the first sheet and Trend and Sources exist; every table
has the merged window headers over Current / Diff / % Diff, frozen panes,
blank cells for zero counts, % cells that are numbers formatted as % (or the
text "Infinity", or blank) with a significance mark, if any, that agrees with
the sign (in either layout), a window resting on missing months as a marked
count ("1234\u2021", or the mark alone) or a plain one with Diff and % Diff
reading n/a, and bold exactly on group rows and Total; the Trend sheet has a
chart; every sheet has a page header and footer; Sources has each file's
SHA-256, the crimetab version and the time of the run.  When the Highlights
sheet is there, it follows Summary, names every area of the Summary and
carries the marks' legend.

The sheets layout: sheet names of at most 31 characters, each area's full
name in its A1, its summary table (the top-level rows and Total, the same
figures) above the full table.  --long: the long layout, one Table sheet with
the area in column A, the figures from column C, and an autofilter.

--expect-sheet NAME (repeatable): the sheets, in order, are exactly these.
--expect-tsv AREA=TSV: the area sheet whose title (A1) is AREA holds, cell
for cell, the table in TSV (lines: depth, label, then Current, Diff, % Diff
for each window, as the paper prints them; see tests/paper/expected-*.tsv).
--expect-note SHEET=TEXT: a cell of column A of SHEET (a sheet name, or the
title in A1) reads exactly TEXT, e.g. a footnote.
--highlights NAME: the Highlights sheet's name (default Highlights).
--expect-marks: the tables (area sheets, or the long Table) have flagged
% Diff cells, each with the pale fill, and the marks' legend is on every
table sheet.

Prints one line per problem and exits 1 if there is any; 2 on bad usage.
"""
import argparse
import math
import re
import sys

try:
    import openpyxl
except ImportError:
    sys.stderr.write("check-xlsx: needs openpyxl (Debian: python3-openpyxl)\n")
    sys.exit(2)

WINDOWS = ["Selected Month", "Last 6 Months", "Last 12 Months"]
SUB = ["Current", "Diff", "% Diff"]
FIXED = ["Summary", "Highlights", "Trend", "Sources"]
RISE, FALL = "\u25b2", "\u25bc"  # significance marks beside a flagged % Diff

FLAG_FILL = "FFF2CC"  # the pale fill of a flagged % Diff
LEGEND = RISE + " " + FALL + " "  # the legend's start

problems = []
flagged = {}  # sheet title: flagged % Diff cells


def problem(where, msg):
    problems.append(f"{where}: {msg}")
    print(f"check-xlsx: {where}: {msg}")


def ref(ws, row, col):
    return f"{ws.title}!{openpyxl.utils.get_column_letter(col)}{row}"


def find_headers(ws, first, c0=2):
    """The rows holding FIRST in column A and the first window's label in
    column C0 (the first figure column)."""
    return [row for row in range(1, ws.max_row + 1)
            if ws.cell(row, 1).value == first and ws.cell(row, c0).value == WINDOWS[0]]


def find_header(ws, first, c0=2):
    heads = find_headers(ws, first, c0)
    return heads[0] if heads else None


def table_rows(ws, head):
    """Data rows: from below the two header rows to the first blank label."""
    rows = []
    row = head + 2
    while row <= ws.max_row and ws.cell(row, 1).value not in (None, ""):
        rows.append(row)
        row += 1
    return rows


APPROX = " \u2020"


def plain_label(v):
    """A row's label without the approximation mark the sheets add."""
    return v[: -len(APPROX)] if isinstance(v, str) and v.endswith(APPROX) else v


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def check_header(ws, head, c0=2, frozen=None):
    merged = {str(r) for r in ws.merged_cells.ranges}
    letters = openpyxl.utils.get_column_letter
    for c in range(1, c0):
        rng = f"{letters(c)}{head}:{letters(c)}{head + 1}"
        if rng not in merged:
            problem(ref(ws, head, c), f"heading not merged over {rng}")
    for w, label in enumerate(WINDOWS):
        c = c0 + 3 * w
        rng = f"{letters(c)}{head}:{letters(c + 2)}{head}"
        if rng not in merged:
            problem(ref(ws, head, c), f"window header not merged over {rng}")
        if ws.cell(head, c).value != label:
            problem(ref(ws, head, c), f"expected {label!r}, got {ws.cell(head, c).value!r}")
        for k, sub in enumerate(SUB):
            v = ws.cell(head + 1, c + k).value
            if v != sub:
                problem(ref(ws, head + 1, c + k), f"expected {sub!r}, got {v!r}")
    frozen = head + 2 if frozen is None else frozen
    if ws.freeze_panes is None:
        problem(ws.title, "no frozen panes")
    elif ws.freeze_panes.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != str(frozen):
        problem(ws.title, f"panes frozen at {ws.freeze_panes}, not below the header (row {frozen})")


MARK = "\u2021"


def check_incomplete(ws, row, c, cur, diff, pct):
    """A window resting on missing months: the count is text with the mark
    (the mark alone for 0) or a plain number, and Diff and % Diff read n/a."""
    if isinstance(cur.value, str) and not re.fullmatch(r"[0-9]*" + MARK, cur.value):
        problem(ref(ws, row, c), f"marked count must be digits and {MARK}, got {cur.value!r}")
    if isinstance(cur.value, str) and diff.value not in ("n/a", "n/a" + MARK):
        problem(ref(ws, row, c + 1), f"diff beside a marked count must be n/a, got {diff.value!r}")
    if diff.value not in ("n/a", "n/a" + MARK):
        problem(ref(ws, row, c + 1), f"diff of an incomplete window must be n/a, got {diff.value!r}")
    if pct.value != "n/a":
        problem(ref(ws, row, c + 2), f"% of an incomplete window must be n/a, got {pct.value!r}")
    if cur.value is not None and not isinstance(cur.value, str) and (not is_number(cur.value) or cur.value == 0):
        problem(ref(ws, row, c), f"count must be a non-zero number, marked text or blank, got {cur.value!r}")


def check_cells(ws, row, c0=2):
    """The nine figure cells of one row, against the paper's conventions."""
    for w in range(len(WINDOWS)):
        c = c0 + 3 * w
        cur, diff, pct = (ws.cell(row, c + k) for k in range(3))
        if isinstance(cur.value, str) or (isinstance(diff.value, str) and diff.value.startswith("n/a")):
            check_incomplete(ws, row, c, cur, diff, pct)
            continue
        if cur.value is not None and (not is_number(cur.value) or cur.value == 0):
            problem(ref(ws, row, c), f"count must be a non-zero number or blank, got {cur.value!r}")
        if diff.value is not None and not is_number(diff.value):
            problem(ref(ws, row, c + 1), f"diff must be a number or blank, got {diff.value!r}")
        if cur.value is None and diff.value == 0:
            problem(ref(ws, row, c + 1), "0 diff with a blank count: both zero, should be blank")
        if pct.value is None:
            if diff.value is not None:
                problem(ref(ws, row, c + 2), "blank % beside a diff")
        elif pct.value in ("Infinity", "Infinity " + RISE):
            if pct.value != "Infinity":
                check_flag_fill(ws, row, c + 2, pct)
            if pct.alignment.horizontal != "right":
                problem(ref(ws, row, c + 2), "Infinity is not right-aligned")
            if cur.value is None:
                problem(ref(ws, row, c + 2), "Infinity with a zero count")
        elif is_number(pct.value):
            fmt = pct.number_format or ""
            if "%" not in fmt:
                problem(ref(ws, row, c + 2), f"% cell has number format {pct.number_format!r}")
            # a flagged change: its mark in the number format, the right way round
            if (RISE in fmt and pct.value <= 0) or (FALL in fmt and pct.value >= 0):
                problem(ref(ws, row, c + 2), f"mark in {fmt!r} disagrees with {pct.value}")
            if RISE in fmt or FALL in fmt:
                check_flag_fill(ws, row, c + 2, pct)
        else:
            problem(ref(ws, row, c + 2), f"% cell holds {pct.value!r}: want a number, 'Infinity' or blank")


def check_flag_fill(ws, row, col, cell):
    """A flagged % Diff: counted, and filled pale on screen."""
    flagged[ws.title] = flagged.get(ws.title, 0) + 1
    rgb = cell.fill.fgColor.rgb if cell.fill is not None and cell.fill.fgColor is not None else None
    if not (isinstance(rgb, str) and rgb.upper().endswith(FLAG_FILL)):
        problem(ref(ws, row, col), f"flagged % Diff without the pale fill (fill {rgb!r})")


def has_legend(ws):
    return any(isinstance(ws.cell(r, 1).value, str) and ws.cell(r, 1).value.startswith(LEGEND)
               for r in range(1, ws.max_row + 1))


def check_highlights(ws, areas):
    """Every area of the Summary has its name in column A, with a sentence
    under it; the legend says what the marks mean."""
    col_a = [ws.cell(r, 1).value for r in range(1, ws.max_row + 2)]
    for name in areas:
        if name not in col_a:
            problem(ws.title, f"no Highlights for {name!r}")
            continue
        below = col_a[col_a.index(name) + 1]
        if not (isinstance(below, str) and re.search(r"\d", below)):
            problem(ws.title, f"{name!r}: no sentence under its name (got {below!r})")
    if not has_legend(ws):
        problem(ws.title, "no legend of the marks")


def depth_of(cell):
    return int(round(cell.alignment.indent or 0))


def check_table(ws, head, c0=2, frozen=None):
    check_header(ws, head, c0, frozen)
    rows = table_rows(ws, head)
    if not rows:
        problem(ws.title, "empty table")
    for row in rows:
        check_cells(ws, row, c0)
    return rows


def check_bold(ws, rows, summary=False):
    """Bold exactly on group rows and Total (in a summary table: Total)."""
    depths = [depth_of(ws.cell(r, 1)) for r in rows]
    for i, row in enumerate(rows):
        label = ws.cell(row, 1).value
        group = not summary and i + 1 < len(rows) and depths[i + 1] > depths[i]
        total = i == len(rows) - 1
        want = group or total
        for c in (1, 2):
            cell = ws.cell(row, c)
            if c == 2 and cell.value is None:
                continue
            if bool(cell.font.b) != want:
                kind = "group" if group else "Total" if total else "leaf"
                problem(ref(ws, row, c), f"{label!r} is a {kind} row but {'not ' if want else ''}bold")
    if rows and ws.cell(rows[-1], 1).value != "Total":
        problem(ref(ws, rows[-1], 1), f"table ends with {ws.cell(rows[-1], 1).value!r}, not 'Total'")


def check_area(ws):
    """The paper's two tables: the summary (top-level rows and Total), then
    every row; frozen below the second's heading."""
    heads = find_headers(ws, "Crime")
    if len(heads) != 2:
        problem(ws.title, f"{len(heads)} tables headed 'Crime', want the summary and the full table")
        if not heads:
            return
    full = heads[-1]
    rows = check_table(ws, full)
    if not rows:
        return
    check_bold(ws, rows)
    if len(heads) == 2:
        summary = check_table(ws, heads[0], frozen=full + 2)
        check_bold(ws, summary, summary=True)
        top = [r for r in rows if depth_of(ws.cell(r, 1)) == 0]
        if [ws.cell(r, 1).value for r in summary] != [ws.cell(r, 1).value for r in top]:
            problem(ws.title, "the summary table's rows are not the full table's top-level rows")
        else:
            for r1, r2 in zip(summary, top):
                for c in range(2, 2 + 3 * len(WINDOWS)):
                    if ws.cell(r1, c).value != ws.cell(r2, c).value:
                        problem(ref(ws, r1, c), f"summary {ws.cell(r1, c).value!r}, full table "
                                                f"{ws.cell(r2, c).value!r}")


def check_page(ws):
    """A page header (what, month, basis) and footer on every sheet."""
    h, f = ws.oddHeader, ws.oddFooter
    if not (h.left.text and h.center.text and h.right.text):
        problem(ws.title, f"page header incomplete: {h.left.text!r} {h.center.text!r} {h.right.text!r}")
    if not (f.left.text and f.right.text):
        problem(ws.title, "no page footer")


def check_sources(ws):
    col_a = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    if not str(col_a.get("Written by", "")).startswith("crimetab "):
        problem(ws.title, f"'Written by' is {col_a.get('Written by')!r}, want 'crimetab VERSION'")
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", str(col_a.get("Written at (UTC)", ""))):
        problem(ws.title, f"'Written at (UTC)' is {col_a.get('Written at (UTC)')!r}")
    head = next((r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Kind"), None)
    if head is None:
        problem(ws.title, "no Files table")
        return
    cols = [ws.cell(head, c).value for c in range(1, ws.max_column + 1)]
    if "SHA-256" not in cols:
        problem(ws.title, f"Files columns {cols}: no SHA-256")
        return
    c = cols.index("SHA-256") + 1
    for r in range(head + 1, ws.max_row + 1):
        v = ws.cell(r, c).value
        if ws.cell(r, 1).value and v is not None and not re.fullmatch(r"[0-9a-f]{64}", v):
            problem(ref(ws, r, c), f"not a SHA-256: {v!r}")


def check_long(ws):
    """The long layout: area, crime, the figures from column C, an autofilter."""
    head = find_header(ws, "Area", 3)
    if head is None:
        problem(ws.title, "no table headed 'Area', 'Crime'")
        return
    if ws.cell(head, 2).value != "Crime":
        problem(ref(ws, head, 2), f"expected 'Crime', got {ws.cell(head, 2).value!r}")
    rows = check_table(ws, head, 3)
    if not ws.auto_filter.ref:
        problem(ws.title, "no autofilter")
    areas = {}
    for r in rows:
        areas.setdefault(ws.cell(r, 1).value, []).append(r)
    for name, rs in areas.items():
        if ws.cell(rs[-1], 2).value != "Total":
            problem(ref(ws, rs[-1], 2), f"{name!r} ends with {ws.cell(rs[-1], 2).value!r}, not 'Total'")
    return rows


def cell_matches(cell, kind, exp):
    """Whether the cell shows what the paper prints as EXP; and what it shows."""
    v = cell.value
    if v is None:
        return exp == "", ""
    if kind == "pct" and is_number(v):
        shown = round(v * 100, 1)
        if not exp.endswith("%"):
            return False, f"{shown}%"
        try:
            return math.isclose(shown, float(exp[:-1]), abs_tol=1e-9), f"{shown}%"
        except ValueError:
            return False, f"{shown}%"
    if kind == "pct" and isinstance(v, str):
        v = v.removesuffix(" " + RISE).removesuffix(" " + FALL)  # the paper has no marks
    if is_number(v) and float(v).is_integer():
        return str(int(v)) == exp, str(int(v))
    return isinstance(v, str) and v == exp, repr(v)


def compare_tsv(ws, path, area=None):
    """The full table of an area sheet, or (AREA) the long table's rows of it."""
    if area is None:
        heads = find_headers(ws, "Crime")
        if not heads:
            return
        rows, lc, c0 = table_rows(ws, heads[-1]), 1, 2
    else:
        head = find_header(ws, "Area", 3)
        if head is None:
            return
        rows = [r for r in table_rows(ws, head) if ws.cell(r, 1).value == area]
        lc, c0 = 2, 3
    with open(path, encoding="utf-8") as f:
        want = [line.rstrip("\n").split("\t") for line in f if line.strip("\n")]
    if len(want) != len(rows):
        problem(ws.title, f"{len(rows)} table rows, {path} has {len(want)}")
    kinds = ["count", "diff", "pct"] * len(WINDOWS)
    for i, (row, exp) in enumerate(zip(rows, want)):
        if len(exp) != 2 + 3 * len(WINDOWS):
            problem(f"{path}:{i + 1}", f"{len(exp)} fields, want {2 + 3 * len(WINDOWS)}")
            continue
        label = plain_label(ws.cell(row, lc).value)
        if label != exp[1]:
            problem(ref(ws, row, lc), f"label {label!r}, expected {exp[1]!r}")
        if depth_of(ws.cell(row, lc)) != int(exp[0]):
            problem(ref(ws, row, lc), f"{exp[1]!r} indented {depth_of(ws.cell(row, lc))}, expected depth {exp[0]}")
        for k, kind in enumerate(kinds):
            ok, got = cell_matches(ws.cell(row, c0 + k), kind, exp[2 + k])
            if not ok:
                col = f"{WINDOWS[k // 3]} {SUB[k % 3]}"
                problem(ref(ws, row, c0 + k), f"{exp[1]!r} {col}: expected {exp[2 + k]!r}, got {got!r}")


def main():
    ap = argparse.ArgumentParser(description="Check a crimetab workbook.")
    ap.add_argument("file")
    ap.add_argument("--expect-sheet", action="append", default=[], metavar="NAME")
    ap.add_argument("--expect-tsv", action="append", default=[], metavar="AREA=TSV")
    ap.add_argument("--expect-note", action="append", default=[], metavar="SHEET=TEXT")
    ap.add_argument("--long", action="store_true", help="the long layout: one Table sheet")
    ap.add_argument("--highlights", default="Highlights", metavar="NAME",
                    help="the Highlights sheet's name (the wording template's heading)")
    ap.add_argument("--expect-marks", action="store_true",
                    help="some % Diff is flagged (with its fill) and the legend is under the tables")
    args = ap.parse_args()

    wb = openpyxl.load_workbook(args.file)
    names = wb.sheetnames
    if not names or names[0] != "Summary":
        problem(args.file, f"first sheet is {names[:1]}, not Summary")
    for name in ("Trend", "Sources"):
        if name not in names:
            problem(args.file, f"no {name} sheet")
    FIXED[1] = args.highlights
    if args.highlights in names and names.index(args.highlights) != 1:
        problem(args.file, "the Highlights sheet does not follow Summary")
    if names[-2:] != ["Trend", "Sources"]:
        problem(args.file, f"sheets end {names[-2:]}, not Trend, Sources")
    long_names = ["Summary"] + [args.highlights] * (args.highlights in names) + ["Table", "Trend", "Sources"]
    if args.long and names != long_names:
        problem(args.file, f"sheets are {names}, want {', '.join(long_names)}")
    if args.expect_sheet and names != args.expect_sheet:
        problem(args.file, f"sheets are {names}, expected {args.expect_sheet}")

    summary_areas = []
    if "Summary" in names:
        head = find_header(wb["Summary"], "Area")
        if head is None:
            problem("Summary", "no table headed 'Area'")
        else:
            summary_areas = [wb["Summary"].cell(r, 1).value for r in check_table(wb["Summary"], head)]
    if args.highlights in names:
        check_highlights(wb[args.highlights], summary_areas)
    areas = [n for n in names if n not in FIXED + ["Table"]]
    for name in areas:
        if len(name) > 31:
            problem(name, "sheet name longer than 31 characters")
        check_area(wb[name])
    if args.long and "Table" in names:
        check_long(wb["Table"])
    if args.expect_marks:
        tables = ["Table"] if args.long else areas
        if not any(flagged.get(n) for n in tables):
            problem(args.file, f"no flagged % Diff in {'the Table sheet' if args.long else 'any area sheet'}")
        for n in ["Summary"] + tables:
            if n in names and not has_legend(wb[n]):
                problem(n, "no legend of the marks")
        if args.highlights not in names:
            problem(args.file, f"no {args.highlights} sheet")
    if "Trend" in names and not wb["Trend"]._charts:
        problem("Trend", "no chart")
    if "Sources" in names:
        check_sources(wb["Sources"])
    for name in names:
        check_page(wb[name])

    for spec in args.expect_tsv:
        area, sep, path = spec.rpartition("=")
        if not sep or not area:
            print(f"check-xlsx: --expect-tsv wants AREA=TSV, got {spec!r}", file=sys.stderr)
            return 2
        if args.long:
            compare_tsv(wb["Table"], path, area)
            continue
        match = [n for n in areas if wb[n].cell(1, 1).value == area] or [n for n in areas if n == area]
        if not match:
            problem(args.file, f"no sheet for area {area!r}")
            continue
        compare_tsv(wb[match[0]], path)

    for spec in args.expect_note:
        sheet, sep, text = spec.partition("=")
        match = [n for n in names if n == sheet or wb[n].cell(1, 1).value == sheet]
        if not sep or not match:
            problem(args.file, f"--expect-note {spec!r}: no such sheet")
            continue
        ws = wb[match[0]]
        if not any(ws.cell(r, 1).value == text for r in range(1, ws.max_row + 1)):
            problem(ws.title, f"no note {text!r} in column A")

    if problems:
        print(f"check-xlsx: {args.file}: {len(problems)} problem(s)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
