#!/usr/bin/env python3
"""Checks the crimetab figures a Markdown table of docs/town-centres.md quotes
against crimetab's own CSV report, so that the page and the code cannot drift
apart silently.

Usage: doc-figures.py DOC.md TITLE WARDS.csv [HAND-DRAWN.csv]

TITLE picks the table: the one under the paragraph whose bold text starts
with TITLE ("Shoplifting", "All crime (Total)", "Change over the last 6
months", "The boundaries matter").  WARDS.csv is `crimetab report --csv` on
the bundled town centres; HAND-DRAWN.csv the same on the hand-drawn shapes
(for the table that sets the two beside each other).  Every column is either
the paper's, the town centre's name, or a crimetab figure this script knows
how to read from the CSV; an unknown column is an error, so a figure added to
the page cannot go unchecked.  Prints one line per cell that differs, naming
the page's line, the table, the town centre and the column, and exits 1; or
prints how many cells agree."""
import csv
import re
import sys

MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split()


def tables(doc):
    """(title, [(line number, cells)]) for every table, titled by the bold
    text that opens the paragraph before it."""
    lines = doc.splitlines()
    out, para, last, i = [], [], [], 0
    while i < len(lines):
        line = lines[i]
        if line.startswith('|'):
            rows = []
            while i < len(lines) and lines[i].startswith('|'):
                rows.append((i + 1, [c.strip() for c in lines[i].strip().strip('|').split('|')]))
                i += 1
            m = re.match(r'\*\*(.+?)\*\*', ' '.join(para or last))
            out.append((m.group(1) if m else '', rows))
            para = last = []
            continue
        if line.strip():
            para.append(line.strip())
        elif para:
            last, para = para, []
        i += 1
    return out


def read_csv(path):
    """{(area, row, window): (current, comparison, diff)} for Shoplifting and
    Total, and the report's month."""
    figs, month = {}, None
    with open(path, newline='', encoding='utf-8') as f:
        for r in csv.DictReader(f):
            month = r['month']
            if r['row_kind'] == 'total':
                row = 'Total'
            elif r['row'].split(' > ')[-1] == 'Shoplifting':
                row = 'Shoplifting'
            else:
                continue
            figs[(r['area'], row, r['window'])] = tuple(int(r[k]) if r[k] else None
                                                        for k in ('current', 'comparison', 'diff'))
    if month is None:
        sys.exit(f'{path}: no rows')
    return figs, month


def figure(figs, area, row, window, what):
    # a row that is zero in every window and comparison is left out of a report
    cur, cmp, diff = figs.get((area, row, window), (0, 0, 0))
    return {'current': cur, 'diff': diff}[what]


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    doc_path, title, wards_path = sys.argv[1:4]
    wards, month = read_csv(wards_path)
    hand = read_csv(sys.argv[4])[0] if len(sys.argv) == 5 else None
    y, m = month.split('-')
    month_label = f'{MONTHS[int(m) - 1]} {y}'

    found = [rows for t, rows in tables(open(doc_path, encoding='utf-8').read()) if t.startswith(title)]
    if len(found) != 1:
        sys.exit(f'{doc_path}: {len(found)} tables under a paragraph starting **{title}**, expected 1')
    rows = found[0]
    head_line, head = rows[0]
    body = rows[2:]

    # what each column is: None for the paper's figures and the name, else a
    # function (area, cell text) -> [(what the cell says, crimetab's figure)]
    def count(row, window, what):
        def get(area, text):
            return [(text, figure(wards, area, row, window, what))]
        return get

    def pair(figs):
        # "22 (113)": 6-month shoplifting, with all crime in brackets
        def get(area, text):
            m = re.fullmatch(r'([+-]?\d+) \(([+-]?\d+)\)', text)
            parts = m.groups() if m else (text, '')
            return [(parts[0], figure(figs, area, 'Shoplifting', '6 months', 'current')),
                    (parts[1], figure(figs, area, 'Total', '6 months', 'current'))]
        return get

    row_of = {'Shoplifting': 'Shoplifting', 'All crime (Total)': 'Total'}
    kinds = []
    for col, name in enumerate(head):
        kind = 'bad'
        if col == 0 and name == 'town centre' or name == 'paper':
            kind = None
        elif title in row_of and name == f'{month_label}: police.uk':
            kind = count(row_of[title], 'month', 'current')
        elif title in row_of and name in ('6 months: police.uk', '12 months: police.uk'):
            kind = count(row_of[title], name.split(':')[0], 'current')
        elif title.startswith('Change over the last 6 months') and name == 'shoplifting: police.uk':
            kind = count('Shoplifting', '6 months', 'diff')
        elif title.startswith('Change over the last 6 months') and name == 'all crime: police.uk':
            kind = count('Total', '6 months', 'diff')
        elif title.startswith('The boundaries matter') and name == '2013 wards':
            kind = pair(wards)
        elif title.startswith('The boundaries matter') and name == 'hand-drawn':
            if hand is None:
                sys.exit(f'{doc_path}:{head_line}: table "{title}" quotes the hand-drawn shapes: give their CSV')
            kind = pair(hand)
        if kind == 'bad':
            sys.exit(f'{doc_path}:{head_line}: table "{title}", column "{name}": not a figure this check '
                     f'knows how to read from the report (the report is for {month})')
        kinds.append(kind)

    areas = sorted({a for a, _, _ in wards})
    listed = [cells[0] for _, cells in body]
    missing = sorted(set(areas) - set(listed))
    extra = sorted({a for a in listed if a not in areas or listed.count(a) > 1})
    if missing or extra:
        sys.exit(f'{doc_path}:{head_line}: table "{title}": the report\'s town centres missing from it: '
                 f'{missing or "none"}; rows not in the report or listed twice: {extra or "none"}')
    bad, good = [], 0
    for line, cells in body:
        area = cells[0]
        for name, kind, text in zip(head, kinds, cells):
            if kind is None:
                continue
            for said, actual in kind(area, text):
                shown = 'n/a' if actual is None else (f'{actual:+d}' if said[:1] in '+-' else str(actual))
                try:
                    same = actual is not None and int(said) == actual
                except ValueError:
                    same = False
                if same:
                    good += 1
                else:
                    bad.append(f'{doc_path}:{line}: {title}, {area}, "{name}": the page says {said}, '
                               f'crimetab gives {shown}')
    for b in bad:
        print(b)
    if bad:
        return 1
    print(f'{good} figures of "{title}" agree with the report')
    return 0


if __name__ == '__main__':
    sys.exit(main())
