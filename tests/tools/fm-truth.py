#!/usr/bin/env python3
"""The true offender counts of a synthetic face-match sample, per report window.

Reads the sightings (JSON Lines) and the generator's truth.json, and prints
one line per window ending with MONTH (the selected month, the last 6 and
the last 12 months, as crimetab's report has them), all sightings and then
confirmed ones only:

  WINDOW CONFIRMED SIGHTINGS DISTINCT REPEAT

A sighting counts in the month it happened in Britain (Europe/London), as
crimetab counts it; a repeat offender has two or more separate incidents in
the window (different crimes, or sightings that name no crime).  Standard
library only.

  fm-truth.py sample-data/facematch/sightings.jsonl sample-data/facematch/truth.json 2024-10
"""

import json
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def month_index(text):
    year, month = text.split("-")
    return int(year) * 12 + int(month) - 1


def main(argv):
    if len(argv) != 4:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    truth = json.load(open(argv[2], encoding="utf-8"))["sightings"]
    month = month_index(argv[3])
    rows = []
    with open(argv[1], encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            s = json.loads(line)
            when = datetime.fromisoformat(s["time"].replace("Z", "+00:00")).astimezone(LONDON)
            rows.append({
                "month": when.year * 12 + when.month - 1,
                "incident": s.get("crime_id") or "sighting " + s["id"],
                "who": truth[s["id"]]["individual"],
                "confirmed": bool(s.get("confirmed")),
            })
    for months in (1, 6, 12):
        for confirmed in (0, 1):
            seen = {}
            n = 0
            for r in rows:
                if month - months < r["month"] <= month and (r["confirmed"] or not confirmed):
                    n += 1
                    seen.setdefault(r["who"], set()).add(r["incident"])
            repeat = sum(1 for v in seen.values() if len(v) >= 2)
            print(months, confirmed, n, len(seen), repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
