#!/usr/bin/env python3
"""Checks a crimetab workbook the way a committee reader would see it.

usage: check-xlsx.py FILE [--expect-sheet NAME ...] [--expect-tsv AREA=TSV ...]

Always: Summary is the first sheet and Trend and Sources exist; every table
(Summary and each area sheet) has the merged window headers over Current /
Diff / % Diff, frozen panes, blank cells for zero counts, % cells that are
numbers formatted as % (or the text "Infinity", or blank), a window resting
on missing months as a marked count ("1234\u2021", or the mark alone) or a
plain one with Diff and % Diff reading n/a, and bold exactly on group rows
and Total; the Trend sheet has a chart.

--expect-sheet NAME (repeatable): the sheets, in order, are exactly these.
--expect-tsv AREA=TSV: the area sheet whose title (A1) is AREA holds, cell
for cell, the table in TSV (lines: depth, label, then Current, Diff, % Diff
for each window, as the paper prints them; see tests/paper/expected-*.tsv).
--expect-note SHEET=TEXT: a cell of column A of SHEET (a sheet name, or the
title in A1) reads exactly TEXT, e.g. a footnote.

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
FIXED = ["Summary", "Trend", "Sources"]

problems = []


def problem(where, msg):
    problems.append(f"{where}: {msg}")
    print(f"check-xlsx: {where}: {msg}")


def ref(ws, row, col):
    return f"{ws.title}!{openpyxl.utils.get_column_letter(col)}{row}"


def find_header(ws, first):
    """The row holding FIRST in column A with the window headers beside it."""
    for row in range(1, min(ws.max_row, 40) + 1):
        if ws.cell(row, 1).value == first:
            return row
    return None


def table_rows(ws, head):
    """Data rows: from below the two header rows to the first blank label."""
    rows = []
    row = head + 2
    while row <= ws.max_row and ws.cell(row, 1).value not in (None, ""):
        rows.append(row)
        row += 1
    return rows


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def check_header(ws, head):
    merged = {str(r) for r in ws.merged_cells.ranges}
    letters = openpyxl.utils.get_column_letter
    for w, label in enumerate(WINDOWS):
        c = 2 + 3 * w
        rng = f"{letters(c)}{head}:{letters(c + 2)}{head}"
        if rng not in merged:
            problem(ref(ws, head, c), f"window header not merged over {rng}")
        if ws.cell(head, c).value != label:
            problem(ref(ws, head, c), f"expected {label!r}, got {ws.cell(head, c).value!r}")
        for k, sub in enumerate(SUB):
            v = ws.cell(head + 1, c + k).value
            if v != sub:
                problem(ref(ws, head + 1, c + k), f"expected {sub!r}, got {v!r}")
    if ws.freeze_panes is None:
        problem(ws.title, "no frozen panes")
    elif ws.freeze_panes[1:] != str(head + 2):
        problem(ws.title, f"panes frozen at {ws.freeze_panes}, not below the header (row {head + 2})")


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


def check_cells(ws, row):
    """The nine figure cells of one row, against the paper's conventions."""
    for w in range(len(WINDOWS)):
        c = 2 + 3 * w
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
        elif pct.value == "Infinity":
            if pct.alignment.horizontal != "right":
                problem(ref(ws, row, c + 2), "Infinity is not right-aligned")
            if cur.value is None:
                problem(ref(ws, row, c + 2), "Infinity with a zero count")
        elif is_number(pct.value):
            if "%" not in (pct.number_format or ""):
                problem(ref(ws, row, c + 2), f"% cell has number format {pct.number_format!r}")
        else:
            problem(ref(ws, row, c + 2), f"% cell holds {pct.value!r}: want a number, 'Infinity' or blank")


def depth_of(cell):
    return int(round(cell.alignment.indent or 0))


def check_table(ws, first):
    head = find_header(ws, first)
    if head is None:
        problem(ws.title, f"no table header {first!r} in column A")
        return None, []
    check_header(ws, head)
    rows = table_rows(ws, head)
    if not rows:
        problem(ws.title, "empty table")
    for row in rows:
        check_cells(ws, row)
    return head, rows


def check_area(ws):
    head, rows = check_table(ws, "Crime")
    if not rows:
        return
    depths = [depth_of(ws.cell(r, 1)) for r in rows]
    for i, row in enumerate(rows):
        label = ws.cell(row, 1).value
        group = i + 1 < len(rows) and depths[i + 1] > depths[i]
        total = i == len(rows) - 1
        want = group or total
        for c in (1, 2):
            cell = ws.cell(row, c)
            if c == 2 and cell.value is None:
                continue
            if bool(cell.font.b) != want:
                kind = "group" if group else "Total" if total else "leaf"
                problem(ref(ws, row, c), f"{label!r} is a {kind} row but {'not ' if want else ''}bold")
    if ws.cell(rows[-1], 1).value != "Total":
        problem(ref(ws, rows[-1], 1), f"table ends with {ws.cell(rows[-1], 1).value!r}, not 'Total'")


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
    if is_number(v) and float(v).is_integer():
        return str(int(v)) == exp, str(int(v))
    return isinstance(v, str) and v == exp, repr(v)


def compare_tsv(ws, path):
    head = find_header(ws, "Crime")
    if head is None:
        return
    rows = table_rows(ws, head)
    with open(path, encoding="utf-8") as f:
        want = [line.rstrip("\n").split("\t") for line in f if line.strip("\n")]
    if len(want) != len(rows):
        problem(ws.title, f"{len(rows)} table rows, {path} has {len(want)}")
    kinds = ["count", "diff", "pct"] * len(WINDOWS)
    for i, (row, exp) in enumerate(zip(rows, want)):
        if len(exp) != 2 + 3 * len(WINDOWS):
            problem(f"{path}:{i + 1}", f"{len(exp)} fields, want {2 + 3 * len(WINDOWS)}")
            continue
        label = ws.cell(row, 1).value
        if label != exp[1]:
            problem(ref(ws, row, 1), f"label {label!r}, expected {exp[1]!r}")
        if depth_of(ws.cell(row, 1)) != int(exp[0]):
            problem(ref(ws, row, 1), f"{exp[1]!r} indented {depth_of(ws.cell(row, 1))}, expected depth {exp[0]}")
        for k, kind in enumerate(kinds):
            ok, got = cell_matches(ws.cell(row, 2 + k), kind, exp[2 + k])
            if not ok:
                col = f"{WINDOWS[k // 3]} {SUB[k % 3]}"
                problem(ref(ws, row, 2 + k), f"{exp[1]!r} {col}: expected {exp[2 + k]!r}, got {got!r}")


def main():
    ap = argparse.ArgumentParser(description="Check a crimetab workbook.")
    ap.add_argument("file")
    ap.add_argument("--expect-sheet", action="append", default=[], metavar="NAME")
    ap.add_argument("--expect-tsv", action="append", default=[], metavar="AREA=TSV")
    ap.add_argument("--expect-note", action="append", default=[], metavar="SHEET=TEXT")
    args = ap.parse_args()

    wb = openpyxl.load_workbook(args.file)
    names = wb.sheetnames
    if not names or names[0] != "Summary":
        problem(args.file, f"first sheet is {names[:1]}, not Summary")
    for name in ("Trend", "Sources"):
        if name not in names:
            problem(args.file, f"no {name} sheet")
    if names[-2:] != ["Trend", "Sources"]:
        problem(args.file, f"sheets end {names[-2:]}, not Trend, Sources")
    if args.expect_sheet and names != args.expect_sheet:
        problem(args.file, f"sheets are {names}, expected {args.expect_sheet}")

    if "Summary" in names:
        check_table(wb["Summary"], "Area")
    areas = [n for n in names if n not in FIXED]
    for name in areas:
        check_area(wb[name])
    if "Trend" in names and not wb["Trend"]._charts:
        problem("Trend", "no chart")

    for spec in args.expect_tsv:
        area, sep, path = spec.rpartition("=")
        if not sep or not area:
            print(f"check-xlsx: --expect-tsv wants AREA=TSV, got {spec!r}", file=sys.stderr)
            return 2
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
