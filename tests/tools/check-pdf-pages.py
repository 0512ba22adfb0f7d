#!/usr/bin/env python3
"""Prints a crimetab workbook the way a committee secretary would, and checks
that every printed page carries table rows: no page of repeated headings, a
note or a footnote alone.

usage: check-pdf-pages.py FILE.xlsx [FILE.xlsx ...] [--keep DIR]

Each workbook is converted to PDF with LibreOffice (headless, with a private
profile in a temporary folder, so that it neither uses nor disturbs another
LibreOffice), then each page's text is read with pdftotext.  A page passes
when, without its page header ("... compared with the ...") and footer
("Page N of M"), it has a line with a figure on it that is not a note (a
line starting with a mark, "Warning:", "Blank cells", "From ...", or the
significance marks' legend, "▲ ▼ ...").  On the Highlights sheet the
sentences, each with its figures, are its rows.

Prints one line per page and exits 1 if a page fails, 77 (skipped) when
LibreOffice or pdftotext is not installed, 2 on bad usage.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

NOTE = re.compile(r"^\s*(\u2021|\u2020|\u25b2 \u25bc|Warning:|Blank cells|From |Each window|The top-level|Each area's)")
FURNITURE = re.compile(r"compared with the |Page \d+ of \d+")


def soffice():
    for name in ("libreoffice", "soffice"):
        path = shutil.which(name)
        if path:
            return path
    return None


def pages_of(pdf):
    out = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))


def page_text(pdf, i):
    return subprocess.run(["pdftotext", "-layout", "-f", str(i), "-l", str(i), pdf, "-"],
                          capture_output=True, text=True, check=True).stdout


def table_lines(text):
    lines = [l for l in text.splitlines() if l.strip() and not FURNITURE.search(l)]
    return [l for l in lines if re.search(r"\d", l) and not NOTE.match(l)]


def main():
    ap = argparse.ArgumentParser(description="Check a workbook's printed pages.")
    ap.add_argument("files", nargs="+")
    ap.add_argument("--keep", metavar="DIR", help="write the PDFs here")
    args = ap.parse_args()
    lo = soffice()
    if not lo or not shutil.which("pdftotext") or not shutil.which("pdfinfo"):
        print("1..0 # skip LibreOffice or poppler-utils (pdftotext) not installed")
        return 77
    bad = 0
    with tempfile.TemporaryDirectory(prefix="crimetab-pdf-") as tmp:
        out = args.keep or tmp
        profile = "file://" + os.path.join(tmp, "profile")
        cmd = [lo, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir", out]
        r = subprocess.run(cmd + args.files, capture_output=True, text=True, timeout=600)
        for f in args.files:
            pdf = os.path.join(out, os.path.splitext(os.path.basename(f))[0] + ".pdf")
            if not os.path.exists(pdf):
                print(f"not ok - {f}: LibreOffice wrote no PDF ({r.stderr.strip() or r.stdout.strip()})")
                bad += 1
                continue
            n = pages_of(pdf)
            for i in range(1, n + 1):
                text = page_text(pdf, i)
                rows = table_lines(text)
                head = next((l.strip() for l in text.splitlines() if l.strip()), "")
                if rows:
                    print(f"ok - {os.path.basename(f)} page {i}/{n}: {len(rows)} table lines ({head[:60]})")
                else:
                    bad += 1
                    print(f"not ok - {os.path.basename(f)} page {i}/{n} has no table rows ({head[:60]})")
                    for l in text.splitlines():
                        if l.strip():
                            print(f"#   {l}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
