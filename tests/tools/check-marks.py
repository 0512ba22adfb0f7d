#!/usr/bin/env python3
"""Checks that every figure of a crimetab report that rests on missing months
is marked, in every output, and that no other figure is.

usage: check-marks.py --month YYYY-MM --present M1,M2,... --force NAME
                      [--dataset-label TEXT] [--compare yoy|previous]
                      [--md FILE] [--csv FILE] [--json FILE] [--xlsx FILE]

The truth comes from the arguments, not from crimetab: PRESENT lists the
months the one force of the data has files for, so every window's current
and comparison spans are complete or not, and their missing months known,
before any output is read.  Then, cell by cell:

- a complete window shows plain figures: no mark, no n/a;
- an incomplete one shows its count with the mark when the current span
  lacks months (the mark alone for 0), Diff "n/a" (with the mark when the
  comparison lacks months) and % Diff "n/a": never Infinity or -100.0%;
- the footnote under each table of an incomplete area names the force and
  the missing months; CSV and JSON carry the same facts in their columns.

Prints one line per problem and exits 1 if there is any, 2 on bad usage.
"""
import argparse
import csv
import json
import re
import sys

MARK = "\u2021"
WINDOWS = [("Selected Month", "month", 1), ("Last 6 Months", "6 months", 6), ("Last 12 Months", "12 months", 12)]
problems = []


def problem(where, msg):
    problems.append(msg)
    print(f"check-marks: {where}: {msg}")


def mindex(s):
    y, m = s.split("-")
    return int(y) * 12 + int(m) - 1


def mtext(i):
    return f"{i // 12:04d}-{i % 12 + 1:02d}"


class Truth:
    def __init__(self, month, compare, present, force, label):
        self.month = month
        self.present = present
        self.windows = []
        for _, _, n in WINDOWS:
            shift = n if compare == "previous" else 12
            cur = list(range(month - n + 1, month + 1))
            cmp = [m - shift for m in cur]
            self.windows.append(([m for m in cur if m not in present], [m for m in cmp if m not in present]))
        first = month - 23
        missing = [m for m in range(first, month + 1) if m not in present]
        runs, k = [], 0
        while k < len(missing):
            j = k
            while j + 1 < len(missing) and missing[j + 1] == missing[j] + 1:
                j += 1
            a, z = mtext(missing[k]), mtext(missing[j])
            runs.append(a if a == z else f"{a} to {z}")
            k = j + 1
        self.gap_line = f"{MARK} {force}: no {label} for {', '.join(runs)}" if runs else None
        self.any_incomplete = any(c or p for c, p in self.windows)

    def expect_cells(self, w, cur, diff, pct):
        """None if the three printed cells are right for window W, else why not."""
        mc, mp = self.windows[w]
        if not mc and not mp:
            if any(MARK in c or "n/a" in c for c in (cur, diff, pct)):
                return f"complete window marked: {cur!r} {diff!r} {pct!r}"
            return None
        want_cur = r"[0-9]*" + MARK if mc else r"[0-9]*"
        if not re.fullmatch(want_cur, cur):
            return f"count {cur!r}: want digits{' and ' + MARK if mc else ', unmarked'}"
        want_diff = "n/a" + (MARK if mp else "")
        if diff != want_diff or pct != "n/a":
            return f"diff/pct {diff!r} {pct!r}: want {want_diff!r} 'n/a'"
        return None


def strip_md(cell):
    cell = cell.strip().replace("&emsp;", "")
    return cell[2:-2] if cell.startswith("**") and cell.endswith("**") and len(cell) >= 4 else cell


def check_md(path, t):
    lines = open(path, encoding="utf-8").read().split("\n")
    tables = 0
    i = 0
    while i < len(lines):
        if not lines[i].startswith("| Crime |"):
            i += 1
            continue
        tables += 1
        i += 2
        while i < len(lines) and lines[i].startswith("| "):
            cells = [strip_md(c) for c in lines[i].strip().strip("|").split(" | ")]
            if len(cells) != 10:
                problem(f"{path}:{i + 1}", f"{len(cells)} cells")
            else:
                for w in range(3):
                    why = t.expect_cells(w, *cells[1 + 3 * w:4 + 3 * w])
                    if why:
                        problem(f"{path}:{i + 1}", f"{cells[0]} {WINDOWS[w][0]}: {why}")
            i += 1
        # the footnote: the lines after the table, up to the next table or heading
        after = []
        while i < len(lines) and not lines[i].startswith("| ") and not lines[i].startswith("#"):
            after.append(lines[i])
            i += 1
        if t.any_incomplete and t.gap_line not in after:
            problem(path, f"table {tables}: no footnote {t.gap_line!r} under it")
        if not t.any_incomplete and any(MARK in a for a in after):
            problem(path, f"table {tables}: a footnote under a complete table")
    if tables == 0:
        problem(path, "no tables")


def months_field(ms):
    return ";".join(mtext(m) for m in ms)


def check_csv(path, t):
    rows = list(csv.DictReader(open(path, encoding="utf-8", newline="")))
    if not rows:
        problem(path, "no lines")
    for n, r in enumerate(rows, 2):
        if r["row_kind"] == "offenders":
            continue
        w = [x[1] for x in WINDOWS].index(r["window"])
        mc, mp = t.windows[w]
        where = f"{path}:{n}"
        if r["month"] != mtext(t.month):
            problem(where, f"month {r['month']!r}")
        if r["complete_current"] != ("false" if mc else "true") or r["complete_comparison"] != (
                "false" if mp else "true"):
            problem(where, f"complete {r['complete_current']},{r['complete_comparison']} for {r['window']}")
        if r["missing_current"] != months_field(mc) or r["missing_comparison"] != months_field(mp):
            problem(where, f"missing {r['missing_current']!r} / {r['missing_comparison']!r}")
        if (mc or mp) and (r["diff"] != "" or r["pct"] != "" or r["pct_kind"] != "none"):
            problem(where, f"incomplete window with diff {r['diff']!r}, pct {r['pct']!r} {r['pct_kind']}")
        if r["pct_kind"] not in ("value", "infinity", "none") or (r["pct"] != "") != (r["pct_kind"] == "value"):
            problem(where, f"pct {r['pct']!r} with pct_kind {r['pct_kind']!r}")


def check_json(path, t):
    doc = json.load(open(path, encoding="utf-8"))
    if doc.get("month") != mtext(t.month):
        problem(path, f"month {doc.get('month')!r}")
    for area in doc["areas"]:
        for w, aw in enumerate(area["windows"]):
            mc, mp = t.windows[w]
            if aw["missing_current"] != [mtext(m) for m in mc] or aw["missing_comparison"] != [mtext(m) for m in mp]:
                problem(path, f"{area['name']} {aw['name']}: missing {aw['missing_current']} {aw['missing_comparison']}")
        if t.any_incomplete and t.gap_line not in area["notes"]:
            problem(path, f"{area['name']}: no note {t.gap_line!r}")
        for row in area["rows"]:
            for w, fw in enumerate(row["windows"]):
                mc, mp = t.windows[w]
                where = f"{area['name']} / {row['path']} / {WINDOWS[w][0]}"
                if fw["complete_current"] != (not mc) or fw["complete_comparison"] != (not mp):
                    problem(path, f"{where}: complete flags {fw['complete_current']} {fw['complete_comparison']}")
                if fw["missing_months"] != [mtext(m) for m in sorted(mc + mp)]:
                    problem(path, f"{where}: missing_months {fw['missing_months']}")
                if (mc or mp) and (fw["diff"] is not None or fw["pct"] is not None or fw["pct_kind"] != "none"):
                    problem(path, f"{where}: incomplete but diff {fw['diff']} pct {fw['pct']} {fw['pct_kind']}")
                why = t.expect_cells(w, fw["current_text"], fw["diff_text"], fw["pct_text"])
                if why:
                    problem(path, f"{where}: {why}")


def table_heads(ws):
    """(heading row, first figure column) of each table of the sheet: a row
    whose column A reads Crime or Area, with the first window's name over
    the figures (column B, or C after the long layout's Crime column)."""
    heads = []
    for r in range(1, ws.max_row + 1):
        if ws.cell(r, 1).value in ("Crime", "Area"):
            c0 = next((c for c in (2, 3) if ws.cell(r, c).value == WINDOWS[0][0]), None)
            if c0:
                heads.append((r, c0))
    return heads


def check_xlsx(path, t):
    try:
        import openpyxl
    except ImportError:
        print("check-marks: no openpyxl: workbook not checked")
        return
    wb = openpyxl.load_workbook(path)

    def text(v):
        if v is None:
            return ""
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        return str(v)

    for ws in wb.worksheets:
        if ws.title in ("Trend", "Sources", "Highlights"):
            continue
        heads = table_heads(ws)
        if not heads:
            problem(ws.title, "no table headed 'Crime' or 'Area'")
            continue
        if ws.title not in ("Summary", "Table") and len(heads) != 2:
            problem(ws.title, f"{len(heads)} tables, want the area's summary and its full table")
        # every table: on an area sheet the summary and the full table under it
        for head, c0 in heads:
            row = head + 2
            while row <= ws.max_row and ws.cell(row, 1).value not in (None, ""):
                for w in range(3):
                    c = c0 + 3 * w
                    cur = text(ws.cell(row, c).value)
                    diff = text(ws.cell(row, c + 1).value)
                    pct = ws.cell(row, c + 2).value
                    pct = f"{pct * 100:.1f}%" if isinstance(pct, (int, float)) else text(pct)
                    why = t.expect_cells(w, cur, diff, pct)
                    if why:
                        label = ws.cell(row, c0 - 1).value
                        problem(f"{ws.title}!row {row}", f"{label} {WINDOWS[w][0]}: {why}")
                row += 1
        col_a = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
        if t.any_incomplete:
            want = t.gap_line if ws.title != "Summary" else None
            if want and want not in col_a:
                problem(ws.title, f"no footnote {want!r}")
            if ws.title == "Summary" and not any(isinstance(v, str) and v.startswith(MARK) for v in col_a):
                problem(ws.title, "no note on what the mark means")
    trend = wb["Trend"] if "Trend" in wb.sheetnames else None
    if trend is not None:
        # a month without data is blank in the trend, never a 0
        for r in range(1, trend.max_row + 1):
            v = trend.cell(r, 1).value
            if isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}", v):
                m = mindex(v)
                vals = [trend.cell(r, c).value for c in range(2, trend.max_column + 1)]
                if m not in t.present and any(x is not None for x in vals):
                    problem(f"Trend!A{r}", f"{v} has no data but shows {vals}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--month", required=True)
    ap.add_argument("--present", required=True)
    ap.add_argument("--force", required=True)
    ap.add_argument("--dataset-label", default="police.uk street data")
    ap.add_argument("--compare", default="yoy", choices=["yoy", "previous"])
    for k in ("md", "csv", "json", "xlsx"):
        ap.add_argument(f"--{k}")
    a = ap.parse_args()
    t = Truth(mindex(a.month), a.compare, {mindex(m) for m in a.present.split(",")}, a.force, a.dataset_label)
    if a.md:
        check_md(a.md, t)
    if a.csv:
        check_csv(a.csv, t)
    if a.json:
        check_json(a.json, t)
    if a.xlsx:
        check_xlsx(a.xlsx, t)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
