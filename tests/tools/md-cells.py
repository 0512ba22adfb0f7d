#!/usr/bin/env python3
"""Compares an area's full table in crimetab's Markdown with a TSV of the
committee paper's cells (tests/paper/expected-*.tsv), cell for cell and in
order.  Usage: md-cells.py REPORT.md "AREA NAME" EXPECTED.tsv"""
import html
import re
import sys


def cells_of(line):
    # split on unescaped pipes, then undo the Markdown escaping crimetab applies
    parts = re.split(r'(?<!\\)\|', line.strip())[1:-1]
    out = []
    for p in parts:
        p = p.strip().replace('&emsp;', '\t')
        depth = len(p) - len(p.lstrip('\t'))
        p = p.lstrip('\t').replace('**', '')
        p = re.sub(r'\\(.)', r'\1', p)
        # the paper has no significance marks: a flagged % Diff's mark goes
        p = re.sub(r' [\u25b2\u25bc]$', '', html.unescape(p))
        out.append((depth, p.rstrip(' †')))
    return out


def area_tables(md, area):
    lines = md.splitlines()
    try:
        start = lines.index('## ' + area)
    except ValueError:
        sys.exit(f'no section "## {area}" in the report')
    tables, cur = [], None
    for line in lines[start + 1:]:
        if line.startswith('## '):
            break
        if line.startswith('|'):
            if cur is None:
                cur = []
                tables.append(cur)
            cur.append(line)
        else:
            cur = None
    return tables


def main():
    md_path, area, tsv_path = sys.argv[1:4]
    tables = area_tables(open(md_path, encoding='utf-8').read(), area)
    if len(tables) < 2:
        sys.exit(f'{area}: expected a summary and a full table, found {len(tables)} tables')
    rows = []
    for line in tables[1][2:]:
        c = cells_of(line)
        rows.append([str(c[0][0]), c[0][1]] + [x[1] for x in c[1:]])
    want = [l.rstrip('\n').split('\t') for l in open(tsv_path, encoding='utf-8') if l.strip()]
    bad = 0
    for i in range(max(len(rows), len(want))):
        got = rows[i] if i < len(rows) else ['(missing)']
        exp = want[i] if i < len(want) else ['(missing)']
        if got != exp:
            bad += 1
            print(f'{area}: row {i + 1}: expected {exp}')
            print(f'{area}: row {i + 1}:      got {got}')
    if bad:
        sys.exit(1)
    print(f'{area}: {len(rows)} rows match the paper cell for cell')


main()
