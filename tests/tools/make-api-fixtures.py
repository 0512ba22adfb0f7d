#!/usr/bin/env python3
"""Writes tests/fixtures/api/*.json: police.uk API street-level crimes responses
rebuilt from the real police.uk CSV rows in sample-data/real/ (no network here).

Each file is what /api/crimes-street/all-crime?poly=...&date=YYYY-MM (or
?lat=&lng=&date=) would return for the crimes of the zip inside the query's
area, in the documented format (data.police.uk/docs/method/crime-street):
a compact JSON array with slashes escaped ("\\/"), one object per crime with
category (the slug), location_type "Force", location.latitude/longitude as
strings, location.street {id, name}, context "", outcome_status (null for
anti-social behaviour, else {category: Last outcome category, date: the
month of the crime's latest row in the outcomes files, or its own month}),
persistent_id (the CSV Crime ID, "" for anti-social behaviour), id,
location_subtype "" and month.

Real: every crime, its month, category, point, street name, Crime ID and last
outcome.  Made up: `id` and `street.id` (police.uk's internal numbers, not in
the CSV; here stable numbers derived from the row and the street name), and
the choice of query areas below.  Run from the repository root; the output
is the same byte for byte every time.
"""
import csv
import hashlib
import io
import json
import math
import sys
import zipfile

ZIP = "sample-data/real/policeuk-stockton-town-centres.zip"
OUT = "tests/fixtures/api/"

SLUG = {
    "Anti-social behaviour": "anti-social-behaviour", "Bicycle theft": "bicycle-theft",
    "Burglary": "burglary", "Criminal damage and arson": "criminal-damage-arson", "Drugs": "drugs",
    "Other theft": "other-theft", "Possession of weapons": "possession-of-weapons",
    "Public order": "public-order", "Robbery": "robbery", "Shoplifting": "shoplifting",
    "Theft from the person": "theft-from-the-person", "Vehicle crime": "vehicle-crime",
    "Violence and sexual offences": "violent-crime", "Other crime": "other-crime",
}

# name, month, kind, query: a polygon as (lat, lng) corners, or a point with
# the API's one-mile radius
QUERIES = [
    ("crimes-street-all-crime-poly-2024-09.json", "2024-09", "poly",
     [(54.5600, -1.3250), (54.5760, -1.3250), (54.5760, -1.3000), (54.5600, -1.3000)]),
    ("crimes-street-all-crime-point-2024-10.json", "2024-10", "point", (54.5430, -1.2960)),
]


def inside(poly, lat, lng):
    """Even-odd rule on (lat, lng) corners."""
    n, c = len(poly), False
    for i in range(n):
        (y1, x1), (y2, x2) = poly[i], poly[(i + 1) % n]
        if (y1 > lat) != (y2 > lat) and lng < (x2 - x1) * (lat - y1) / (y2 - y1) + x1:
            c = not c
    return c


def miles_from(p, lat, lng):
    r = 6371008.8
    f1, f2 = math.radians(p[0]), math.radians(lat)
    df, dl = f2 - f1, math.radians(lng - p[1])
    a = math.sin(df / 2) ** 2 + math.cos(f1) * math.cos(f2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a)) / 1609.344


def stable_int(text, base, span):
    return base + int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) % span


def main():
    z = zipfile.ZipFile(ZIP)
    outcome_month = {}
    for name in sorted(z.namelist()):
        if name.endswith("-outcomes.csv"):
            for row in csv.DictReader(io.TextIOWrapper(z.open(name), encoding="utf-8", newline="")):
                cid = row["Crime ID"]
                outcome_month[cid] = max(outcome_month.get(cid, ""), row["Month"])
    for fname, month, kind, query in QUERIES:
        member = f"{month}/{month}-cleveland-street.csv"
        crimes = []
        rows = csv.DictReader(io.TextIOWrapper(z.open(member), encoding="utf-8", newline=""))
        for line, row in enumerate(rows, start=2):
            if not row["Latitude"]:
                continue
            lat, lng = float(row["Latitude"]), float(row["Longitude"])
            if kind == "poly" and not inside(query, lat, lng):
                continue
            if kind == "point" and miles_from(query, lat, lng) > 1.0:
                continue
            asb = row["Crime type"] == "Anti-social behaviour"
            cid = row["Crime ID"]
            crimes.append({
                "category": SLUG[row["Crime type"]],
                "location_type": "Force",
                "location": {
                    "latitude": row["Latitude"],
                    "street": {"id": stable_int(row["Location"], 1480000, 90000), "name": row["Location"]},
                    "longitude": row["Longitude"],
                },
                "context": "",
                "outcome_status": None if asb or not row["Last outcome category"] else {
                    "category": row["Last outcome category"],
                    "date": outcome_month.get(cid, month),
                },
                "persistent_id": cid,
                "id": stable_int(f"{member}:{line}", 120000000, 9000000),
                "location_subtype": "",
                "month": row["Month"],
            })
        text = json.dumps(crimes, ensure_ascii=False, separators=(",", ":")).replace("/", "\\/")
        with open(OUT + fname, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        n_asb = sum(c["category"] == "anti-social-behaviour" for c in crimes)
        print(f"{OUT}{fname}: {len(crimes)} crimes ({n_asb} anti-social behaviour) from {member}", file=sys.stderr)


if __name__ == "__main__":
    main()
