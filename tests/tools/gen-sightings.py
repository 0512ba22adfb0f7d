#!/usr/bin/env python3
"""Synthetic face-match input for crimetab's facematch-embeddings plugin.

Makes N individuals as random unit vectors in DIM dimensions, sightings of
them as normalise(identity + NOISE * gaussian) (NOISE is the standard
deviation per dimension, so the same-person cosine is about
1 / (1 + NOISE^2 * DIM)), times inside a range of months during shop hours,
and coordinates jittered +-0.002 degrees around town-centre centres, each
seen by one of a few cameras (sites), and some of them confirmed by a
reviewer.  Some repeat individuals also get a watchlist gallery image.  Writes sightings
JSON Lines, watchlist JSON Lines and a ground-truth JSON.  The same --seed
and options always give byte-identical files.  Standard library only.

  gen-sightings.py --seed 1 --individuals 60 --sightings 300 --dim 128 \\
      --sightings-out s.jsonl --watchlist-out w.jsonl --truth-out t.json
"""

import argparse
import calendar
import json
import math
import random
import sys
from datetime import datetime, timezone

DEFAULT_CENTRES = [
    ("Billingham Central", -1.2903, 54.6058),
    ("Stockton Town Centre", -1.3125, 54.5655),
    ("Norton Central", -1.3155, 54.5885),
    ("Thornaby Town Centre", -1.2960, 54.5430),
    ("Ingleby Barwick", -1.3210, 54.5175),
    ("Yarm", -1.3555, 54.5065),
]

JITTER = 0.002  # degrees: a few shop fronts either way of the centre


def parse_month(text):
    try:
        year, month = text.split("-")
        year, month = int(year), int(month)
        if len(text) != 7 or not 1 <= month <= 12:
            raise ValueError
    except ValueError:
        raise argparse.ArgumentTypeError('month "%s" is not YYYY-MM' % text)
    return year, month


def parse_centre(text):
    try:
        name, coords = text.rsplit("=", 1)
        lon, lat = (float(x) for x in coords.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError('centre "%s" is not NAME=LON,LAT' % text)
    return name, lon, lat


def unit(vec):
    norm = math.sqrt(sum(x * x for x in vec))
    return [x / norm for x in vec]


def noisy(rng, base, noise):
    return unit([x + noise * rng.gauss(0.0, 1.0) for x in base])


def month_days(first, last):
    """(year, month, day) for every day from month FIRST through month LAST."""
    days = []
    year, month = first
    while (year, month) <= last:
        for day in range(1, calendar.monthrange(year, month)[1] + 1):
            days.append((year, month, day))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return days


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--individuals", type=int, default=60)
    ap.add_argument("--sightings", type=int, default=300)
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--noise", type=float, default=0.04,
                    help="per-dimension noise of a sighting (default 0.04)")
    ap.add_argument("--one-off-fraction", type=float, default=0.4,
                    help="share of individuals seen exactly once (default 0.4)")
    ap.add_argument("--watchlist-fraction", type=float, default=0.15,
                    help="share of individuals, taken from repeaters, with a gallery image")
    ap.add_argument("--watchlist-noise", type=float, default=0.02)
    ap.add_argument("--from", dest="first", type=parse_month, default=(2023, 10),
                    help="first month, YYYY-MM (default 2023-10)")
    ap.add_argument("--to", dest="last", type=parse_month, default=(2024, 10),
                    help="last month, inclusive, YYYY-MM (default 2024-10)")
    ap.add_argument("--centre", action="append", type=parse_centre,
                    help="NAME=LON,LAT; repeat; default the six Stockton-on-Tees centres")
    ap.add_argument("--crime-id-fraction", type=float, default=0.85)
    ap.add_argument("--coords-fraction", type=float, default=0.95)
    ap.add_argument("--confirmed-fraction", type=float, default=0.6,
                    help="share of sightings a person reviewed and confirmed (default 0.6)")
    ap.add_argument("--cameras", type=int, default=3,
                    help="cameras (sites) per centre, named CAM-<centre>-<n> (default 3)")
    ap.add_argument("--sightings-out", required=True)
    ap.add_argument("--watchlist-out", required=True)
    ap.add_argument("--truth-out", required=True)
    args = ap.parse_args(argv)

    if args.individuals < 1 or args.sightings < args.individuals or args.dim < 1:
        ap.error("need at least one individual, one sighting each, and dim >= 1")
    if args.last < args.first:
        ap.error("--to is before --from")
    centres = args.centre or DEFAULT_CENTRES
    rng = random.Random(args.seed)

    people = ["P-%04d" % (i + 1) for i in range(args.individuals)]
    identity = {p: unit([rng.gauss(0.0, 1.0) for _ in range(args.dim)]) for p in people}
    home = {p: rng.randrange(len(centres)) for p in people}

    # Everyone once; each repeater once more; the rest by a long-tailed
    # weight, so a few prolific offenders account for much of the total.
    n_repeat = args.individuals - int(round(args.one_off_fraction * args.individuals))
    repeaters = people[:] if n_repeat >= args.individuals else rng.sample(people, n_repeat)
    if args.sightings < args.individuals + len(repeaters):
        repeaters = repeaters[:args.sightings - args.individuals]
    whose = people + repeaters
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(repeaters))]
    while len(whose) < args.sightings:
        whose.append(rng.choices(repeaters, weights)[0])

    days = month_days(args.first, args.last)
    rows = []
    for person in whose:
        year, month, day = rng.choice(days)
        when = datetime(year, month, day, rng.randrange(8, 20), rng.randrange(60),
                        rng.randrange(60), tzinfo=timezone.utc)
        centre = home[person] if rng.random() < 0.8 else rng.randrange(len(centres))
        name, lon, lat = centres[centre]
        rows.append({
            "person": person,
            "when": when,
            "centre": name,
            "lon": round(lon + rng.uniform(-JITTER, JITTER), 6),
            "lat": round(lat + rng.uniform(-JITTER, JITTER), 6),
            "has_coords": rng.random() < args.coords_fraction,
            "has_crime": rng.random() < args.crime_id_fraction,
            "embedding": noisy(rng, identity[person], args.noise),
        })
    rows.sort(key=lambda r: (r["when"], r["person"]))

    # Review and camera come from a second generator, so adding them left
    # every embedding, time and place of earlier versions of a file as it was.
    review = random.Random(args.seed + 1)
    centre_no = {name: i + 1 for i, (name, _, _) in enumerate(centres)}
    truth_sightings = {}
    crime_seq = {}
    with open(args.sightings_out, "w", encoding="utf-8") as out:
        for i, r in enumerate(rows):
            sid = "s%04d" % (i + 1)
            line = {"id": sid, "time": r["when"].strftime("%Y-%m-%dT%H:%M:%SZ")}
            if r["has_coords"]:
                line["lon"] = r["lon"]
                line["lat"] = r["lat"]
            if r["has_crime"]:
                ym = r["when"].strftime("%Y%m")
                crime_seq[ym] = crime_seq.get(ym, 0) + 1
                line["crime_id"] = "CR-%s-%04d" % (ym, crime_seq[ym])
            line["site"] = "CAM-%d-%d" % (centre_no[r["centre"]], review.randrange(args.cameras) + 1)
            r["confirmed"] = review.random() < args.confirmed_fraction
            line["confirmed"] = r["confirmed"]
            line["embedding"] = [round(x, 6) for x in r["embedding"]]
            out.write(json.dumps(line, separators=(",", ":")) + "\n")
            truth_sightings[sid] = {"individual": r["person"], "centre": r["centre"],
                                    "confirmed": r["confirmed"]}

    n_watch = min(len(repeaters), int(round(args.watchlist_fraction * args.individuals)))
    listed = sorted(rng.sample(repeaters, n_watch))
    watchlist = {}
    with open(args.watchlist_out, "w", encoding="utf-8") as out:
        for i, person in enumerate(listed):
            wid = "W-%04d" % (i + 1)
            emb = noisy(rng, identity[person], args.watchlist_noise)
            out.write(json.dumps({"id": wid, "embedding": [round(x, 6) for x in emb]},
                                 separators=(",", ":")) + "\n")
            watchlist[wid] = person

    def counts(selected):
        seen = {}
        for r in selected:
            seen[r["person"]] = seen.get(r["person"], 0) + 1
        return {"sightings": len(selected), "distinct_individuals": len(seen),
                "repeat_individuals": sum(1 for c in seen.values() if c >= 2)}

    truth = {
        "generator": "tests/tools/gen-sightings.py",
        "synthetic": True,
        "options": {k: v for k, v in vars(args).items() if not k.endswith("_out")},
        **counts(rows),
        "confirmed": counts([r for r in rows if r["confirmed"]]),
        "by_centre": {name: counts([r for r in rows if r["centre"] == name])
                      for name, _, _ in centres},
        "watchlist": watchlist,
        "sightings": truth_sightings,
    }
    truth["options"]["centre"] = [list(c) for c in centres]
    truth["options"]["first"] = "%04d-%02d" % args.first
    truth["options"]["last"] = "%04d-%02d" % args.last
    with open(args.truth_out, "w", encoding="utf-8") as out:
        json.dump(truth, out, indent=1, sort_keys=False)
        out.write("\n")

    # How well separated the result is, for whoever chooses a threshold.
    if len(rows) <= 2000:
        same, other = 1.0, -1.0
        for i in range(len(rows)):
            a = rows[i]["embedding"]
            for j in range(i + 1, len(rows)):
                s = sum(x * y for x, y in zip(a, rows[j]["embedding"]))
                if rows[i]["person"] == rows[j]["person"]:
                    same = min(same, s)
                else:
                    other = max(other, s)
        print("gen-sightings: %d sightings of %d individuals (%d repeat); "
              "lowest same-person cosine %.3f, highest other-person cosine %.3f"
              % (len(rows), truth["distinct_individuals"], truth["repeat_individuals"],
                 same, other), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
