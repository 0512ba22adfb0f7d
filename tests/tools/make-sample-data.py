#!/usr/bin/env python3
"""Generate crimetab's synthetic sample data (deterministic, python3 stdlib only).

Run from the repository root:

    python3 tests/tools/make-sample-data.py

It (re)writes:

  sample-data/areas/hand-drawn-town-centres.geojson    six hand-drawn town-centre areas
  templates/mappings/cleveland-force-export.json        column mapping for the force export
  sample-data/policeuk/YYYY-MM/YYYY-MM-cleveland-street.csv        2022-09 .. 2024-10
  sample-data/policeuk/2024-10/2024-10-cleveland-outcomes.csv
  sample-data/policeuk/2024-10/2024-10-cleveland-stop-and-search.csv
  sample-data/force/cleveland-force-export-2024.csv     2022-10 .. 2024-09

Everything is synthetic, but it follows the real police.uk file formats, quirks
included (see sample-data/README.md and docs/reference/policeuk-format.md).

Determinism: all randomness comes from a small splitmix64 generator seeded from
SEED plus a per-component label, and only uniform draws are used, so the output
is byte-identical across Python 3 versions and platforms.  After writing, the
script re-reads every file and checks it (headers, field counts, quoting, line
endings, point-in-polygon of every town-centre crime); it exits non-zero if a
check fails and prints a summary of row counts and quirk locations.

Options:
  --check   only re-read and check the existing files (do not regenerate)
  --quiet   print nothing unless a check fails
"""

import hashlib
import json
import math
import os
import sys

SEED = 20241031          # change it and every file changes
SNAPSHOT = "2024-10"     # street files are "generated" after this month: outcome status ages from here

STREET_FIRST, STREET_LAST = "2022-09", "2024-10"
FORCE_FIRST, FORCE_LAST = "2022-10", "2024-09"
FORCE_NAME = "Cleveland Police"

ROOT = os.getcwd()
P_GEOJSON = "sample-data/areas/hand-drawn-town-centres.geojson"
P_MAPPING = "templates/mappings/cleveland-force-export.json"
P_POLICEUK = "sample-data/policeuk"
P_OUTCOMES = "sample-data/policeuk/2024-10/2024-10-cleveland-outcomes.csv"
P_STOPSEARCH = "sample-data/policeuk/2024-10/2024-10-cleveland-stop-and-search.csv"
P_FORCE = "sample-data/force/cleveland-force-export-2024.csv"

STREET_HEADER = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude",
                 "Location", "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context"]
OUTCOMES_HEADER = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude",
                   "Location", "LSOA code", "LSOA name", "Outcome type"]
SS_HEADER = ["Type", "Date", "Part of a policing operation", "Policing operation", "Latitude",
             "Longitude", "Gender", "Age range", "Self-defined ethnicity", "Officer-defined ethnicity",
             "Legislation", "Object of search", "Outcome", "Outcome linked to object of search",
             "Removal of more than just outer clothing"]
FORCE_HEADER = ["Crime Reference", "Committed Date", "HO Offence Code", "Offence Subgroup",
                "Town Centre", "Beat", "Street", "Longitude", "Latitude", "LSOA Code", "Outcome"]

# Stockton-on-Tees borough box used for crimes outside the town centres.
BOX_LON = (-1.40, -1.20)
BOX_LAT = (54.49, 54.63)


# --------------------------------------------------------------------------------------------
# Deterministic random numbers
# --------------------------------------------------------------------------------------------

class Rng:
    """splitmix64; uniform draws only, so results do not depend on Python's random module."""

    MASK = (1 << 64) - 1

    def __init__(self, label):
        h = hashlib.sha256(("%d|%s" % (SEED, label)).encode()).hexdigest()
        self.s = int(h[:16], 16)

    def u64(self):
        self.s = (self.s + 0x9E3779B97F4A7C15) & self.MASK
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & self.MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & self.MASK
        return z ^ (z >> 31)

    def random(self):
        return (self.u64() >> 11) * (1.0 / 9007199254740992.0)

    def uniform(self, a, b):
        return a + (b - a) * self.random()

    def randint(self, a, b):
        return a + self.u64() % (b - a + 1)

    def choice(self, seq):
        return seq[self.u64() % len(seq)]

    def chance(self, p):
        return self.random() < p

    def wchoice(self, items, weights):
        total = sum(weights)
        x = self.random() * total
        acc = 0.0
        for it, w in zip(items, weights):
            acc += w
            if x < acc:
                return it
        return items[-1]

    def wpick(self, table):
        """table: list of (item, weight)."""
        return self.wchoice([t[0] for t in table], [t[1] for t in table])

    def normal(self):
        return sum(self.random() for _ in range(12)) - 6.0

    def poisson(self, lam):
        if lam <= 0:
            return 0
        if lam > 40:
            return max(0, int(round(lam + math.sqrt(lam) * self.normal())))
        limit = math.exp(-lam)
        k, p = 0, self.random()
        while p > limit:
            k += 1
            p *= self.random()
        return k

    def shuffle(self, lst):
        for i in range(len(lst) - 1, 0, -1):
            j = self.u64() % (i + 1)
            lst[i], lst[j] = lst[j], lst[i]


# --------------------------------------------------------------------------------------------
# Months
# --------------------------------------------------------------------------------------------

def month_range(first, last):
    y, m = int(first[:4]), int(first[5:])
    out = []
    while True:
        s = "%04d-%02d" % (y, m)
        out.append(s)
        if s == last:
            return out
        m += 1
        if m == 13:
            y, m = y + 1, 1


def month_index(s):
    return int(s[:4]) * 12 + int(s[5:]) - 1


def days_in_month(s):
    y, m = int(s[:4]), int(s[5:])
    if m == 2:
        return 29 if (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)) else 28
    return 30 if m in (4, 6, 9, 11) else 31


# --------------------------------------------------------------------------------------------
# Geometry
# --------------------------------------------------------------------------------------------

M_PER_DEG_LAT = 111250.0
M_PER_DEG_LON = 111320.0 * math.cos(math.radians(54.55))   # ~64,600 m at Stockton


def to_lonlat(clon, clat, dx, dy):
    return (round(clon + dx / M_PER_DEG_LON, 6), round(clat + dy / M_PER_DEG_LAT, 6))


def ring_from_offsets(clon, clat, offsets):
    ring = [to_lonlat(clon, clat, dx, dy) for dx, dy in offsets]
    ring.append(ring[0])
    return ring


def signed_area(ring):
    a = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        a += x1 * y2 - x2 * y1
    return a / 2.0


def point_in_ring(lon, lat, ring):
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        if (y1 > lat) != (y2 > lat):
            xi = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            if lon < xi:
                inside = not inside
    return inside


def point_in_polygon(lon, lat, poly):
    """poly = [outer, hole, hole, ...]"""
    if not point_in_ring(lon, lat, poly[0]):
        return False
    for hole in poly[1:]:
        if point_in_ring(lon, lat, hole):
            return False
    return True


def seg_dist_m(lon, lat, a, b):
    """Distance in metres from a point to segment a-b (local planar projection)."""
    px, py = lon * M_PER_DEG_LON, lat * M_PER_DEG_LAT
    ax, ay = a[0] * M_PER_DEG_LON, a[1] * M_PER_DEG_LAT
    bx, by = b[0] * M_PER_DEG_LON, b[1] * M_PER_DEG_LAT
    dx, dy = bx - ax, by - ay
    t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    qx, qy = ax + t * dx, ay + t * dy
    return math.hypot(px - qx, py - qy)


def dist_to_boundary_m(lon, lat, polys):
    d = float("inf")
    for poly in polys:
        for ring in poly:
            for a, b in zip(ring, ring[1:]):
                d = min(d, seg_dist_m(lon, lat, a, b))
    return d


def segments_cross(p1, p2, p3, p4):
    def orient(a, b, c):
        v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
        return (v > 0) - (v < 0)
    o1, o2, o3, o4 = orient(p1, p2, p3), orient(p1, p2, p4), orient(p3, p4, p1), orient(p3, p4, p2)
    return o1 != o2 and o3 != o4


# --------------------------------------------------------------------------------------------
# Town centres (hand-drawn approximations; offsets in metres east/north of the given centre)
# --------------------------------------------------------------------------------------------

TOWN_CENTRES = [
    {
        "name": "Billingham Central", "lon": -1.2903, "lat": 54.6058,
        "parts": [{
            "outer": [(-280, -200), (-100, -262), (120, -240), (268, -150), (300, 40), (232, 208),
                      (60, 262), (-130, 240), (-262, 150), (-310, -30)],
            "holes": [],
        }],
    },
    {
        "name": "Stockton Town Centre", "lon": -1.3125, "lat": 54.5655,
        "parts": [{
            "outer": [(-250, -420), (-60, -452), (150, -400), (262, -250), (290, -30), (270, 200),
                      (180, 382), (30, 432), (-150, 400), (-272, 250), (-300, 20), (-290, -220)],
            # a riverside park ~100 m across, not part of the town centre (clockwise inner ring)
            "holes": [[(95, 105), (160, 110), (182, 60), (160, 10), (100, 5), (78, 55)]],
        }],
    },
    {
        "name": "Norton Central", "lon": -1.3155, "lat": 54.5885,
        "parts": [{
            "outer": [(-150, -320), (40, -332), (170, -200), (192, 0), (160, 210), (60, 330),
                      (-90, 322), (-180, 160), (-202, -80)],
            "holes": [],
        }],
    },
    {
        "name": "Thornaby Town Centre (Stainsby Hill)", "lon": -1.2960, "lat": 54.5430,
        "parts": [{
            "outer": [(-260, -240), (-40, -292), (200, -220), (290, -40), (250, 170), (90, 272),
                      (-120, 260), (-272, 120), (-300, -60)],
            "holes": [],
        }],
    },
    {
        "name": "Ingleby Barwick Town Centre (Ingleby Barwick West)", "lon": -1.3210, "lat": 54.5175,
        "parts": [{
            "outer": [(-300, -180), (-120, -262), (130, -250), (300, -120), (322, 80), (210, 230),
                      (-20, 282), (-220, 220), (-320, 40)],
            "holes": [],
        }],
    },
    {
        "name": "Yarm Town Centre", "lon": -1.3555, "lat": 54.5065,
        "parts": [
            {   # High Street: long and narrow, north-south
                "outer": [(-110, -360), (20, -382), (120, -280), (140, -80), (130, 150), (90, 330),
                          (-30, 382), (-130, 300), (-152, 60), (-140, -180)],
                "holes": [],
            },
            {   # small retail park about 1 km east-north-east of the High Street
                "offset": (950, 260),
                "outer": [(-120, -70), (0, -95), (95, -80), (135, 10), (100, 90), (0, 112),
                          (-95, 95), (-140, 15)],
                "holes": [],
            },
        ],
    },
]
TC_NAMES = [tc["name"] for tc in TOWN_CENTRES]


def build_polygons():
    """name -> list of polygons ([outer, holes...]) in rounded lon/lat."""
    out = {}
    for tc in TOWN_CENTRES:
        polys = []
        for part in tc["parts"]:
            ox, oy = part.get("offset", (0, 0))
            outer = ring_from_offsets(tc["lon"], tc["lat"], [(x + ox, y + oy) for x, y in part["outer"]])
            holes = [ring_from_offsets(tc["lon"], tc["lat"], [(x + ox, y + oy) for x, y in h])
                     for h in part["holes"]]
            polys.append([outer] + holes)
        out[tc["name"]] = polys
    return out


def which_centre(lon, lat, polys_by_name):
    hits = [n for n, polys in polys_by_name.items() if any(point_in_polygon(lon, lat, p) for p in polys)]
    return hits


def fmt_coord(v):
    return "%.6f" % v


def write_geojson(polys_by_name):
    lines = ['{',
             '  "type": "FeatureCollection",',
             '  "name": "hand-drawn-town-centres",',
             '  "description": "APPROXIMATE town-centre boundaries for the six Stockton-on-Tees town centres, '
             'hand-drawn for crimetab\'s synthetic sample data. They are NOT official boundaries and must not be '
             'used for real analysis. Stockton Town Centre has a hole (a riverside park) and Yarm Town Centre is a '
             'MultiPolygon of two parts (High Street and a small retail park), to exercise hole and multi-part '
             'handling. Coordinates are WGS84 longitude, latitude; outer rings are counter-clockwise, holes clockwise.",',
             '  "features": [']
    feats = []
    for tc in TOWN_CENTRES:
        polys = polys_by_name[tc["name"]]

        def ring_txt(ring, ind):
            pts = ", ".join("[%s, %s]" % (fmt_coord(x), fmt_coord(y)) for x, y in ring)
            return ind + "[" + pts + "]"

        def poly_txt(poly, ind):
            inner = ",\n".join(ring_txt(r, ind + "  ") for r in poly)
            return ind + "[\n" + inner + "\n" + ind + "]"

        if len(polys) == 1:
            gtype = "Polygon"
            coords = poly_txt(polys[0], "        ")
        else:
            gtype = "MultiPolygon"
            coords = "        [\n" + ",\n".join(poly_txt(p, "          ") for p in polys) + "\n        ]"
        f = ['    {',
             '      "type": "Feature",',
             '      "properties": {"name": %s, "source": "hand-drawn approximation"},' % json.dumps(tc["name"]),
             '      "geometry": {',
             '        "type": "%s",' % gtype,
             '        "coordinates":',
             coords,
             '      }',
             '    }']
        feats.append("\n".join(f))
    lines.append(",\n".join(feats))
    lines.append('  ]')
    lines.append('}')
    write_text(P_GEOJSON, "\n".join(lines) + "\n")


MAPPING_JSON = """{
  "mapping_version": 1,
  "name": "Cleveland Police force crime export",
  "force": "Cleveland Police",
  "date_format": "dd/mm/yyyy",
  "columns": {
    "crime_id": "Crime Reference",
    "date": "Committed Date",
    "category": "Offence Subgroup",
    "offence_code": "HO Offence Code",
    "area": "Town Centre",
    "location": "Street",
    "longitude": "Longitude",
    "latitude": "Latitude",
    "lsoa_code": "LSOA Code",
    "outcome": "Outcome"
  }
}
"""


# --------------------------------------------------------------------------------------------
# Output helpers
# --------------------------------------------------------------------------------------------

def write_text(rel, text):
    path = os.path.join(ROOT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def csv_field(s):
    if "," in s or '"' in s or "\n" in s or "\r" in s:
        return '"' + s.replace('"', '""') + '"'
    return s


def write_csv(rel, header, rows):
    out = [",".join(csv_field(h) for h in header)]
    for r in rows:
        assert len(r) == len(header), (rel, r)
        out.append(",".join(csv_field(x) for x in r))
    write_text(rel, "\n".join(out) + "\n")


# --------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------

CRIME_TYPES = ["Violence and sexual offences", "Anti-social behaviour", "Criminal damage and arson",
               "Shoplifting", "Public order", "Other theft", "Burglary", "Vehicle crime", "Drugs",
               "Other crime", "Robbery", "Possession of weapons", "Bicycle theft", "Theft from the person"]
ASB = "Anti-social behaviour"

HO_SUBGROUPS = ["Violence With Injury", "Violence Without Injury", "Stalking and Harassment", "Homicide",
                "Death or serious injury caused by illegal driving", "Shoplifting", "All Other Theft Offences",
                "Vehicle Offences", "Burglary Residential", "Burglary Business and Community",
                "Theft From The Person", "Bicycle Theft", "Criminal Damage", "Arson", "Sexual Offences",
                "Robbery", "Public Order Offences", "Drug Offences", "Misc Crimes Against Society",
                "Weapons Possession Offences"]

HO_TO_POLICEUK = {
    "Violence With Injury": "Violence and sexual offences",
    "Violence Without Injury": "Violence and sexual offences",
    "Stalking and Harassment": "Violence and sexual offences",
    "Homicide": "Violence and sexual offences",
    "Death or serious injury caused by illegal driving": "Violence and sexual offences",
    "Sexual Offences": "Violence and sexual offences",
    "Shoplifting": "Shoplifting",
    "All Other Theft Offences": "Other theft",
    "Vehicle Offences": "Vehicle crime",
    "Burglary Residential": "Burglary",
    "Burglary Business and Community": "Burglary",
    "Theft From The Person": "Theft from the person",
    "Bicycle Theft": "Bicycle theft",
    "Criminal Damage": "Criminal damage and arson",
    "Arson": "Criminal damage and arson",
    "Robbery": "Robbery",
    "Public Order Offences": "Public order",
    "Drug Offences": "Drugs",
    "Misc Crimes Against Society": "Other crime",
    "Weapons Possession Offences": "Possession of weapons",
}

# Home Office offence codes, each code belongs to exactly one subgroup (code, relative weight).
HO_CODES = {
    "Violence With Injury": [("8N", 8), ("5D", 1), ("8P", 1)],
    "Violence Without Injury": [("105A", 8), ("105B", 1), ("9A", 1), ("11A", 1)],
    "Stalking and Harassment": [("8L", 4), ("8Q", 2), ("8R", 3), ("8M", 1)],
    "Homicide": [("1", 1)],
    "Death or serious injury caused by illegal driving": [("4.4", 1), ("4.8", 2)],
    "Shoplifting": [("46", 1)],
    "All Other Theft Offences": [("49", 8), ("54", 1), ("47", 1)],
    "Vehicle Offences": [("45", 5), ("48", 3), ("126", 2)],
    "Burglary Residential": [("28E", 6), ("28F", 2), ("28G", 2)],
    "Burglary Business and Community": [("30C", 3), ("30D", 1)],
    "Theft From The Person": [("39", 1)],
    "Bicycle Theft": [("44", 1)],
    "Criminal Damage": [("58A", 3), ("58B", 2), ("58C", 4), ("58D", 2)],
    "Arson": [("56A", 1), ("56B", 3)],
    "Sexual Offences": [("19C", 2), ("20", 4), ("17A", 1), ("88A", 1)],
    "Robbery": [("34A", 1), ("34B", 4)],
    "Public Order Offences": [("9B", 6), ("125", 2), ("62A", 1), ("66", 1)],
    "Drug Offences": [("92D", 6), ("92E", 2), ("92A", 2)],
    "Misc Crimes Against Society": [("99", 3), ("33", 1), ("86", 1), ("80A", 1)],
    "Weapons Possession Offences": [("10D", 4), ("10C", 2), ("81", 1)],
}
UNKNOWN_SUBGROUP = ("Historic Fraud (Action Fraud)", "53C")

# Outcomes file vocabulary (only these 12 occur in Cleveland 2023-25 outcomes files).
OUTCOME_TYPES = ["Unable to prosecute suspect", "Investigation complete; no suspect identified",
                 "Suspect charged", "Further action is not in the public interest",
                 "Action to be taken by another organisation",
                 "Further investigation is not in the public interest",
                 "Formal action is not in the public interest", "Local resolution",
                 "Offender given a caution", "Offender given a drugs possession warning",
                 "Offender given penalty notice", "Suspect charged as part of another case"]

# Street "Last outcome category": the 15 values of Cleveland 2023-25 (no court sentences).
LAST_OUTCOMES = ["Action to be taken by another organisation", "Awaiting court outcome",
                 "Court result unavailable", "Formal action is not in the public interest",
                 "Further action is not in the public interest",
                 "Further investigation is not in the public interest",
                 "Investigation complete; no suspect identified", "Local resolution",
                 "Offender given a caution", "Offender given a drugs possession warning",
                 "Offender given penalty notice", "Status update unavailable",
                 "Suspect charged as part of another case", "Unable to prosecute suspect",
                 "Under investigation"]

UTP, NSI = "Unable to prosecute suspect", "Investigation complete; no suspect identified"
FANPI, FINPI = "Further action is not in the public interest", "Further investigation is not in the public interest"
FORMAL, OTHORG = "Formal action is not in the public interest", "Action to be taken by another organisation"
LOCAL, CAUTION = "Local resolution", "Offender given a caution"
DPW, PND = "Offender given a drugs possession warning", "Offender given penalty notice"
STATUS_NA, ANOTHER = "Status update unavailable", "Suspect charged as part of another case"

THEFT_FINAL = [(NSI, 62), (UTP, 30), (LOCAL, 2), (FINPI, 3), (STATUS_NA, 1), (CAUTION, 1), (ANOTHER, 1)]
FINAL_BY_TYPE = {
    "Violence and sexual offences": [(UTP, 70), (NSI, 9), (FANPI, 3), (FINPI, 2), (FORMAL, 2), (LOCAL, 4),
                                     (CAUTION, 3), (OTHORG, 5), (STATUS_NA, 1), (ANOTHER, 1)],
    "Shoplifting": [(NSI, 42), (UTP, 33), (LOCAL, 9), (CAUTION, 5), (FORMAL, 3), (PND, 2), (FINPI, 4),
                    (STATUS_NA, 1), (ANOTHER, 1)],
    "Drugs": [(DPW, 30), (LOCAL, 24), (UTP, 15), (FORMAL, 10), (FANPI, 8), (CAUTION, 7), (PND, 4), (OTHORG, 2)],
    "Public order": [(UTP, 58), (NSI, 14), (LOCAL, 8), (CAUTION, 4), (FANPI, 5), (OTHORG, 6), (PND, 3), (FORMAL, 2)],
    "Possession of weapons": [(UTP, 35), (LOCAL, 15), (CAUTION, 20), (FANPI, 10), (FORMAL, 10), (OTHORG, 10)],
    "Other crime": [(UTP, 48), (NSI, 20), (OTHORG, 15), (FANPI, 5), (CAUTION, 5), (LOCAL, 5), (FINPI, 2)],
    "Robbery": [(NSI, 45), (UTP, 44), (FINPI, 5), (STATUS_NA, 3), (OTHORG, 3)],
}
CHARGE_RATE = {"Violence and sexual offences": 0.08, "Criminal damage and arson": 0.07, "Shoplifting": 0.28,
               "Public order": 0.12, "Other theft": 0.05, "Burglary": 0.07, "Vehicle crime": 0.04,
               "Drugs": 0.30, "Other crime": 0.14, "Robbery": 0.15, "Possession of weapons": 0.45,
               "Bicycle theft": 0.03, "Theft from the person": 0.05}


def last_outcome(rng, ctype, month):
    if ctype == ASB:
        return ""
    age = month_index(SNAPSHOT) - month_index(month)
    if rng.chance(0.60 * math.exp(-age / 2.2) + 0.015):
        return "Under investigation"
    if rng.chance(CHARGE_RATE[ctype]):
        p_awaiting = 0.85 if age < 4 else (0.55 if age < 12 else 0.25)
        return "Awaiting court outcome" if rng.chance(p_awaiting) else "Court result unavailable"
    return rng.wpick(FINAL_BY_TYPE.get(ctype, THEFT_FINAL))


# --------------------------------------------------------------------------------------------
# Town-centre crime levels, from the Cleveland Police town-centre tables (October 2024):
# 12-month counts (current) and the year-on-year difference, per Home Office subgroup.
# Ingleby Barwick's and Yarm's "Non victim based" totals are split here by hand.
# --------------------------------------------------------------------------------------------

TC_TABLES = {
    "Billingham Central": {
        "Violence Without Injury": (128, -27), "Stalking and Harassment": (129, -62),
        "Violence With Injury": (77, -32), "Death or serious injury caused by illegal driving": (0, -1),
        "Homicide": (0, -1), "Vehicle Offences": (63, -5), "Shoplifting": (82, -4),
        "All Other Theft Offences": (53, -13), "Burglary Residential": (56, -8),
        "Burglary Business and Community": (10, -8), "Bicycle Theft": (9, -11), "Theft From The Person": (2, -3),
        "Criminal Damage": (134, -59), "Arson": (7, -4), "Sexual Offences": (47, 7), "Robbery": (11, -10),
        "Public Order Offences": (84, -57), "Misc Crimes Against Society": (29, 0), "Drug Offences": (15, 1),
        "Weapons Possession Offences": (5, -7)},
    "Stockton Town Centre": {
        "Violence Without Injury": (676, 23), "Violence With Injury": (430, -35),
        "Stalking and Harassment": (312, -69), "Death or serious injury caused by illegal driving": (2, 2),
        "Homicide": (1, 0), "Shoplifting": (440, 25), "All Other Theft Offences": (310, 39),
        "Vehicle Offences": (214, 31), "Burglary Residential": (109, -13),
        "Burglary Business and Community": (83, 6), "Theft From The Person": (45, -13), "Bicycle Theft": (48, -2),
        "Criminal Damage": (368, 28), "Arson": (12, -7), "Sexual Offences": (134, -43), "Robbery": (68, 7),
        "Public Order Offences": (411, -145), "Drug Offences": (208, 16), "Misc Crimes Against Society": (113, 32),
        "Weapons Possession Offences": (59, -8)},
    "Norton Central": {
        "Vehicle Offences": (20, 0), "All Other Theft Offences": (7, -8), "Shoplifting": (6, -15),
        "Burglary Business and Community": (2, 0), "Burglary Residential": (6, -8), "Bicycle Theft": (1, -1),
        "Theft From The Person": (0, -2), "Stalking and Harassment": (33, -7), "Violence Without Injury": (14, -6),
        "Death or serious injury caused by illegal driving": (1, 0), "Violence With Injury": (4, -10),
        "Criminal Damage": (17, -2), "Arson": (1, 1), "Sexual Offences": (10, 2), "Robbery": (2, 1),
        "Public Order Offences": (12, -21), "Misc Crimes Against Society": (6, 1), "Drug Offences": (3, -2),
        "Weapons Possession Offences": (2, 0)},
    "Thornaby Town Centre (Stainsby Hill)": {
        "Death or serious injury caused by illegal driving": (1, 1), "Violence With Injury": (73, 5),
        "Violence Without Injury": (100, -21), "Stalking and Harassment": (107, -40),
        "Theft From The Person": (2, 1), "Shoplifting": (100, 2), "Vehicle Offences": (56, -7),
        "Burglary Business and Community": (9, -2), "Burglary Residential": (25, -8),
        "All Other Theft Offences": (39, -29), "Bicycle Theft": (3, -10), "Robbery": (10, -4),
        "Sexual Offences": (10, -16), "Arson": (9, -4), "Criminal Damage": (60, -107), "Drug Offences": (13, -3),
        "Public Order Offences": (87, -36), "Weapons Possession Offences": (6, -3),
        "Misc Crimes Against Society": (13, -9)},
    "Ingleby Barwick Town Centre (Ingleby Barwick West)": {
        "Sexual Offences": (23, 4), "All Other Theft Offences": (29, 3), "Burglary Residential": (15, 0),
        "Shoplifting": (106, -11), "Bicycle Theft": (7, -3), "Vehicle Offences": (17, -10),
        "Burglary Business and Community": (1, -2), "Theft From The Person": (0, -1), "Homicide": (1, 1),
        "Violence With Injury": (44, 4), "Violence Without Injury": (45, -13), "Stalking and Harassment": (84, -31),
        "Arson": (4, 2), "Criminal Damage": (29, -22), "Robbery": (2, -4),
        "Public Order Offences": (22, -26), "Drug Offences": (9, -12), "Misc Crimes Against Society": (8, -8),
        "Weapons Possession Offences": (4, -5)},
    "Yarm Town Centre": {
        "Theft From The Person": (3, 3), "Vehicle Offences": (45, 17), "All Other Theft Offences": (64, 19),
        "Shoplifting": (47, -13), "Bicycle Theft": (2, -1), "Burglary Residential": (24, -19),
        "Burglary Business and Community": (5, -4), "Violence With Injury": (97, 2),
        "Violence Without Injury": (81, -3), "Stalking and Harassment": (93, -4), "Criminal Damage": (41, -14),
        "Arson": (1, -2), "Sexual Offences": (18, -14), "Robbery": (0, -4),
        "Public Order Offences": (55, -15), "Drug Offences": (22, -4), "Misc Crimes Against Society": (12, -3),
        "Weapons Possession Offences": (8, -3)},
}

# Rest of the borough (outside the six centres): annual level relative to the police.uk types.
OUTSIDE_MIX = {"Violence and sexual offences": 0.33, ASB: 0.21, "Criminal damage and arson": 0.13,
               "Shoplifting": 0.08, "Public order": 0.05, "Other theft": 0.05, "Burglary": 0.07,
               "Vehicle crime": 0.06, "Drugs": 0.025, "Other crime": 0.025, "Robbery": 0.007,
               "Possession of weapons": 0.005, "Bicycle theft": 0.007, "Theft from the person": 0.003}
OUTSIDE_TREND = {"Violence and sexual offences": 0.94, ASB: 0.88, "Criminal damage and arson": 0.92,
                 "Shoplifting": 1.14, "Public order": 0.85, "Other theft": 1.03, "Burglary": 0.90,
                 "Vehicle crime": 1.06, "Drugs": 1.05, "Other crime": 1.08, "Robbery": 1.0,
                 "Possession of weapons": 0.95, "Bicycle theft": 0.9, "Theft from the person": 1.0}

SEASON = {  # Jan..Dec multipliers
    ASB: [0.80, 0.80, 0.90, 1.00, 1.10, 1.15, 1.25, 1.20, 1.00, 1.05, 0.95, 0.80],
    "Violence and sexual offences": [0.95, 0.90, 0.95, 1.00, 1.05, 1.05, 1.10, 1.05, 1.00, 1.00, 0.95, 1.05],
    "Bicycle theft": [0.50, 0.50, 0.70, 0.90, 1.20, 1.40, 1.50, 1.40, 1.20, 1.00, 0.80, 0.60],
    "Vehicle crime": [1.15, 1.05, 1.00, 0.95, 0.90, 0.90, 0.90, 0.90, 0.95, 1.05, 1.10, 1.15],
    "Shoplifting": [0.95, 0.90, 0.95, 0.95, 1.00, 1.00, 1.00, 1.00, 1.00, 1.05, 1.10, 1.20],
    "Burglary": [1.15, 1.05, 0.95, 0.90, 0.90, 0.85, 0.90, 0.95, 1.00, 1.10, 1.15, 1.20],
    "Criminal damage and arson": [0.95, 0.90, 1.00, 1.00, 1.00, 0.95, 1.00, 1.00, 0.95, 1.10, 1.20, 0.95],
    "Public order": [0.95, 0.90, 0.95, 1.00, 1.05, 1.05, 1.10, 1.05, 1.00, 1.00, 0.95, 1.00],
}
HO_SEASON_KEY = {sg: HO_TO_POLICEUK[sg] for sg in HO_SUBGROUPS}

STREET_SCALE = 0.27      # police.uk street rows per real town-centre crime
OUTSIDE_SHARE = 0.30     # share of located rows outside the six centres
TC_ASB_RATIO = (0.30, 0.24)   # ASB per recorded crime in the centres: previous year, current year
FORCE_SCALE = 0.23       # force-export rows per real town-centre crime
FORCE_OUTSIDE_PER_MONTH = 48.0
TREND_MID = month_index("2023-04")   # middle of the "previous 12 months" of the tables


def season(key, month):
    return SEASON.get(key, [1.0] * 12)[int(month[5:]) - 1]


def tc_police_uk_levels(tc):
    """(previous-year, current-year) annual counts per police.uk crime type for a town centre."""
    prev = {c: 0.0 for c in CRIME_TYPES}
    cur = {c: 0.0 for c in CRIME_TYPES}
    for sg, (c, d) in TC_TABLES[tc].items():
        t = HO_TO_POLICEUK[sg]
        cur[t] += c
        prev[t] += c - d
    tot_prev = sum(prev.values())
    tot_cur = sum(cur.values())
    prev[ASB] = tot_prev * TC_ASB_RATIO[0]
    cur[ASB] = tot_cur * TC_ASB_RATIO[1]
    return prev, cur


def trended(prev, cur, month):
    ratio = (cur + 2.0) / (prev + 2.0)
    ratio = max(0.55, min(1.7, ratio))
    e = (month_index(month) - TREND_MID) / 12.0
    e = max(-0.3, min(1.0, e))
    return prev * ratio ** e


# --------------------------------------------------------------------------------------------
# Snap points: police.uk anonymises every crime to one of a fixed set of points, each with a name
# --------------------------------------------------------------------------------------------

GENERIC = ["Parking Area", "Supermarket", "Shopping Area", "Petrol Station", "Nightclub", "Police Station",
           "Hospital", "Sports/Recreation Area"]

TC_STREETS = {
    "Stockton Town Centre": ["High Street", "High Street", "High Street", "Dovecot Street", "Bishop Street",
                             "Prince Regent Street", "Silver Street", "Finkle Street", "Yarm Lane", "Church Road",
                             "Bridge Road", "Wellington Street", "West Row", "Skinner Street", "Brunswick Street",
                             "Thistle Green", "Tower Street", "Norton Road", "Parliament Street", "Bath Lane",
                             "Ramsgate", "Castlegate Quay", "Shopping Area", "Shopping Area", "Supermarket",
                             "Parking Area", "Parking Area", "Nightclub", "Nightclub", "Police Station",
                             "Petrol Station", "Sports/Recreation Area"],
    "Billingham Central": ["Queensway", "Kingsway", "The Causeway", "West Precinct", "East Precinct",
                           "Station Road", "Chapel Road", "Central Avenue", "Bedale Avenue", "Mill Lane",
                           "Shopping Area", "Shopping Area", "Supermarket", "Parking Area", "Parking Area",
                           "Petrol Station"],
    "Norton Central": ["High Street", "The Green", "Station Road, Norton", "Junction Road", "Church Road",
                       "Leven Road", "Harland Place", "Supermarket", "Parking Area"],
    "Thornaby Town Centre (Stainsby Hill)": ["Trenchard Avenue", "Mitchell Avenue", "Lanehouse Road",
                                              "Thornaby Road", "Allison Avenue", "Bader Avenue", "Westbury Street",
                                              "Shopping Area", "Supermarket", "Parking Area", "Petrol Station",
                                              "Sports/Recreation Area"],
    "Ingleby Barwick Town Centre (Ingleby Barwick West)": ["Ingleby Way", "Myton Road", "Lowfields Avenue",
                                                           "Beckfields Avenue", "Barwick Way", "Roundhill Avenue",
                                                           "Shopping Area", "Supermarket", "Parking Area",
                                                           "Petrol Station", "Sports/Recreation Area"],
    # part 0 / part 1 of the MultiPolygon
    "Yarm Town Centre": [["High Street", "High Street", "High Street, Yarm", "West Street", "Bridge Street",
                          "Atlas Wynd", "Church Wynd", "Bentley Wynd", "Silver Street", "Station Road",
                          "Nightclub", "Parking Area", "Parking Area"],
                         ["Parking Area", "Supermarket", "Shopping Area", "Petrol Station", "Green Lane"]],
}
TC_SNAP_COUNT = {"Stockton Town Centre": 46, "Billingham Central": 22, "Norton Central": 11,
                 "Thornaby Town Centre (Stainsby Hill)": 16,
                 "Ingleby Barwick Town Centre (Ingleby Barwick West)": 14, "Yarm Town Centre": [14, 6]}

# Residential/retail hubs outside the centres: (label, lon, lat, radius m, n points, street names)
OUTSIDE_HUBS = [
    ("Hardwick", -1.3480, 54.5860, 700, 12, ["Hardwick Road", "Harrowgate Lane", "Durham Road", "Hospital",
                                              "Parking Area", "Sports/Recreation Area"]),
    ("Roseworth", -1.3300, 54.5800, 600, 10, ["Redhill Road", "Roseworth Avenue", "Durham Road", "Supermarket"]),
    ("Fairfield", -1.3530, 54.5650, 700, 10, ["Fairfield Road", "Bishopton Road West", "Oxbridge Lane",
                                               "Supermarket", "Petrol Station"]),
    ("Hartburn", -1.3450, 54.5560, 600, 9, ["Hartburn Lane", "Darlington Road", "Oxbridge Lane",
                                             "Sports/Recreation Area"]),
    ("Newtown", -1.3250, 54.5760, 400, 8, ["Durham Road", "Bishopton Road", "Ragpath Lane", "Tithebarn Road"]),
    ("Portrack", -1.2920, 54.5740, 500, 8, ["Portrack Lane", "Parking Area", "Supermarket", "Shopping Area"]),
    ("Norton North", -1.3100, 54.6000, 700, 9, ["Junction Road", "Blakeston Lane", "Darlington Lane",
                                                 "Norton Road"]),
    ("Billingham West", -1.3080, 54.6120, 700, 10, ["Marsh House Avenue", "Wolviston Road", "Low Grange Avenue",
                                                    "Pentland Avenue", "Sports/Recreation Area"]),
    ("Billingham East", -1.2700, 54.6040, 800, 9, ["Belasis Avenue", "Cowpen Lane", "Roseberry Road",
                                                   "Sandy Lane", "Petrol Station"]),
    ("Wolviston", -1.2960, 54.6270, 300, 3, ["Durham Road, Wolviston", "High Street"]),
    ("Thornaby Village", -1.2990, 54.5300, 700, 9, ["Thornaby Road", "Thorntree Road", "Cobden Street",
                                                     "Parking Area"]),
    ("Mandale", -1.2780, 54.5450, 500, 7, ["Mandale Road", "Teesdale Boulevard", "Parking Area"]),
    ("Teesside Park", -1.2700, 54.5560, 450, 9, ["Shopping Area", "Shopping Area", "Parking Area", "Parking Area",
                                                  "Supermarket", "Nightclub", "Petrol Station"]),
    ("Ingleby East", -1.3000, 54.5180, 800, 10, ["Barwick Lane", "Sober Hall Avenue", "Low Lane",
                                                  "Broomhill Avenue", "Sports/Recreation Area"]),
    ("Eaglescliffe", -1.3500, 54.5280, 700, 10, ["Yarm Road, Eaglescliffe", "Durham Lane", "Urlay Nook Road",
                                                 "Petrol Station", "Supermarket"]),
    ("Preston", -1.3270, 54.5420, 500, 6, ["Preston Lane", "Yarm Road", "Sports/Recreation Area"]),
    ("Yarm fringe", -1.3650, 54.5120, 700, 7, ["Thirsk Road", "Worsall Road", "Leven Road", "Green Lane"]),
    ("Thorpe Thewles", -1.3800, 54.6150, 500, 3, ["Durham Road"]),
]

# Special snap points (lon, lat) with fixed metadata.
SPECIAL_SNAPS = [
    # inside the hole of Stockton Town Centre: NOT in the town centre
    {"key": "hole", "name": "Sports/Recreation Area", "dx": 130, "dy": 58, "centre": "Stockton Town Centre",
     "weight": 2.5},
    # between the two parts of Yarm's MultiPolygon: NOT in the town centre
    {"key": "yarm-gap", "name": "Yarm Road", "dx": 520, "dy": 140, "centre": "Yarm Town Centre", "weight": 1.2},
    # across the boundary with North Yorkshire (Hambleton) and County Durham
    {"key": "hambleton-1", "name": "Green Lane", "lon": -1.3470, "lat": 54.4950,
     "lsoa": ("E01027626", "Hambleton 002D"), "weight": 0.5},
    {"key": "hambleton-2", "name": "Kirklevington Road", "lon": -1.3300, "lat": 54.4975,
     "lsoa": ("E01027625", "Hambleton 002C"), "weight": 0.35},
    {"key": "durham-1", "name": "Durham Road", "lon": -1.3930, "lat": 54.6240,
     "lsoa": ("E01020683", "County Durham 056C"), "weight": 0.35},
]

# Snap points whose street name police.uk lost for 2023 ("On or near " + empty name) and two that never had one.
BLANK_2023_PER_PLACE = {"outside": 4, "Stockton Town Centre": 1, "Thornaby Town Centre (Stainsby Hill)": 1}
BLANK_ALWAYS_PER_PLACE = {"outside": 1}


def snap_kind(name):
    return name if name in GENERIC else "street"


KIND_MULT = {
    "Supermarket": {"Shoplifting": 7, "Other theft": 1.5, "Burglary": 0.3},
    "Shopping Area": {"Shoplifting": 6, "Theft from the person": 3, "Other theft": 2, ASB: 1.5, "Burglary": 0.3},
    "Parking Area": {"Vehicle crime": 6, "Criminal damage and arson": 1.5, ASB: 1.5, "Shoplifting": 0.1,
                     "Burglary": 0.2},
    "Petrol Station": {"Other theft": 4, "Shoplifting": 2, "Robbery": 2, "Burglary": 0.3},
    "Nightclub": {"Violence and sexual offences": 4, "Public order": 4, "Drugs": 3, "Theft from the person": 2,
                  "Shoplifting": 0.05, "Burglary": 0.2},
    "Police Station": {"Public order": 2, "Drugs": 3, "Possession of weapons": 3, "Other crime": 2,
                       "Shoplifting": 0.05},
    "Hospital": {"Violence and sexual offences": 3, "Public order": 2, "Shoplifting": 0.05},
    "Sports/Recreation Area": {ASB: 4, "Criminal damage and arson": 2, "Bicycle theft": 3, "Shoplifting": 0.05},
    "street": {"Shoplifting": 0.5, "Burglary": 1.5},
}


def random_point_in(rng, polys, margin_m, part=None):
    cands = polys if part is None else [polys[part]]
    while True:
        poly = rng.choice(cands)
        xs = [p[0] for p in poly[0]]
        ys = [p[1] for p in poly[0]]
        lon = round(rng.uniform(min(xs), max(xs)), 6)
        lat = round(rng.uniform(min(ys), max(ys)), 6)
        if point_in_polygon(lon, lat, poly) and dist_to_boundary_m(lon, lat, [poly]) >= margin_m:
            return lon, lat


def random_point_outside(rng, clon, clat, radius_m, polys_by_name, margin_m):
    all_polys = [p for ps in polys_by_name.values() for p in ps]
    for _ in range(10000):
        r = radius_m * math.sqrt(rng.random())
        a = rng.uniform(0, 2 * math.pi)
        lon = round(clon + r * math.cos(a) / M_PER_DEG_LON, 6)
        lat = round(clat + r * math.sin(a) / M_PER_DEG_LAT, 6)
        if not (BOX_LON[0] < lon < BOX_LON[1] and BOX_LAT[0] < lat < BOX_LAT[1]):
            continue
        if which_centre(lon, lat, polys_by_name):
            continue
        if dist_to_boundary_m(lon, lat, all_polys) < margin_m:
            continue
        return lon, lat
    raise RuntimeError("no outside point near %s" % ((clon, clat),))


def build_snaps(polys_by_name):
    rng = Rng("snaps")
    snaps = {name: [] for name in TC_NAMES}
    snaps["outside"] = []

    def add(place, name, lon, lat, weight, **extra):
        s = {"place": place, "name": name, "lon": lon, "lat": lat, "weight": weight,
             "kind": snap_kind(name), "blank": None, "id": len(snaps[place])}
        s.update(extra)
        snaps[place].append(s)

    for tc in TC_NAMES:
        polys = polys_by_name[tc]
        counts = TC_SNAP_COUNT[tc]
        parts = [counts] if isinstance(counts, int) else counts
        for pi, n in enumerate(parts):
            streets = TC_STREETS[tc] if isinstance(counts, int) else TC_STREETS[tc][pi]
            for i in range(n):
                name = streets[i % len(streets)]
                lon, lat = random_point_in(rng, polys, 12.0, pi if len(polys) > 1 else None)
                w = (0.25 + rng.random()) ** 2.5
                if name.startswith("High Street") or name in ("Shopping Area", "Nightclub"):
                    w *= 2.0
                if "," in name:
                    w = max(w, 1.0)   # make sure the quoted-comma locations show up
                add(tc, name, lon, lat, w, part=pi)

    for label, clon, clat, rad, n, streets in OUTSIDE_HUBS:
        for i in range(n):
            name = streets[i % len(streets)]
            lon, lat = random_point_outside(rng, clon, clat, rad, polys_by_name, 20.0)
            w = (0.25 + rng.random()) ** 2.5
            if label == "Teesside Park":
                w *= 2.5
            if "," in name:
                w = max(w, 1.0)
            add("outside", name, lon, lat, w, hub=label)

    for sp in SPECIAL_SNAPS:
        if "centre" in sp:
            tc = next(t for t in TOWN_CENTRES if t["name"] == sp["centre"])
            lon, lat = to_lonlat(tc["lon"], tc["lat"], sp["dx"], sp["dy"])
        else:
            lon, lat = sp["lon"], sp["lat"]
        extra = {"special": sp["key"]}
        if "lsoa" in sp:
            extra["lsoa_fixed"] = sp["lsoa"]
        add("outside", sp["name"], lon, lat, sp["weight"], **extra)

    # street names lost (2023) or never known: pick plain-street snap points deterministically
    for place, n in BLANK_2023_PER_PLACE.items():
        cands = [s for s in snaps[place] if s["kind"] == "street" and "," not in s["name"]
                 and "special" not in s and s["blank"] is None]
        cands.sort(key=lambda s: -s["weight"])
        mid = len(cands) // 3
        for s in cands[mid:mid + n]:
            s["blank"] = "2023"
    for place, n in BLANK_ALWAYS_PER_PLACE.items():
        cands = [s for s in snaps[place] if s["kind"] == "street" and "," not in s["name"]
                 and "special" not in s and s["blank"] is None]
        cands.sort(key=lambda s: -s["weight"])
        mid = len(cands) // 4
        for s in cands[mid:mid + n]:
            s["blank"] = "always"
    return snaps


# --------------------------------------------------------------------------------------------
# LSOAs: fixed code per area; Stockton Town Centre changes code with the 2021 vintage (from 2023-06,
# mixed in 2023-01..05), and E01012227 keeps its code but is renamed 023A -> 027D.
# --------------------------------------------------------------------------------------------

TC_LSOAS = {   # centre -> list by sub-area: (2011 code, 2011 name, 2021 code, 2021 name)
    "Billingham Central": {"N": ("E01012188", "Stockton-on-Tees 006B"), "S": ("E01012190", "Stockton-on-Tees 006D")},
    "Norton Central": {"N": ("E01012236", "Stockton-on-Tees 013A"), "S": ("E01012239", "Stockton-on-Tees 013D")},
    "Thornaby Town Centre (Stainsby Hill)": {"N": ("E01012280", "Stockton-on-Tees 022B"),
                                             "S": ("E01012283", "Stockton-on-Tees 022E")},
    "Ingleby Barwick Town Centre (Ingleby Barwick West)": {"N": ("E01033480", "Stockton-on-Tees 029B"),
                                                           "S": ("E01033482", "Stockton-on-Tees 029D")},
    "Yarm Town Centre": {"N": ("E01012294", "Stockton-on-Tees 030A"), "S": ("E01012295", "Stockton-on-Tees 030B"),
                         "R": ("E01012296", "Stockton-on-Tees 030C")},
}
STOCKTON_TC_2011 = {"W": ("E01012264", "Stockton-on-Tees 014C"), "E": ("E01012266", "Stockton-on-Tees 014E"),
                    "S": ("E01033477", "Stockton-on-Tees 014G")}
STOCKTON_TC_2021 = {"W": ("E01035196", "Stockton-on-Tees 025A"), "E": ("E01035197", "Stockton-on-Tees 025B"),
                    "S": ("E01035198", "Stockton-on-Tees 025D")}
RENAMED = ("E01012227", "Stockton-on-Tees 023A", "Stockton-on-Tees 027D")   # given to the Hartburn hub's cell
RESERVED_MSOA = {6, 13, 14, 22, 23, 25, 27, 29, 30}
CELL_LON, CELL_LAT = 0.012, 0.008


def tc_lsoa(tc, lon, lat, part):
    """(2011-vintage, 2021-vintage) (code, name) of a point in a town centre."""
    info = next(t for t in TOWN_CENTRES if t["name"] == tc)
    if tc == "Stockton Town Centre":
        if lat < info["lat"] - 0.0015:
            k = "S"
        else:
            k = "W" if lon < info["lon"] else "E"
        return STOCKTON_TC_2011[k], STOCKTON_TC_2021[k]
    if tc == "Yarm Town Centre" and part == 1:
        k = "R"
    else:
        k = "N" if lat >= info["lat"] else "S"
    return TC_LSOAS[tc][k], TC_LSOAS[tc][k]


def assign_lsoas(snaps):
    """Sets s['lsoa11'] and s['lsoa21'] = (code, name) for every snap point."""
    for tc in TC_NAMES:
        for s in snaps[tc]:
            s["lsoa11"], s["lsoa21"] = tc_lsoa(tc, s["lon"], s["lat"], s["part"])
    # elsewhere: grid cells, codes allocated in a fixed order
    outside = [s for s in snaps["outside"] if "lsoa_fixed" not in s]

    def cell(s):
        return (int((s["lat"] - BOX_LAT[0]) // CELL_LAT), int((s["lon"] - BOX_LON[0]) // CELL_LON))

    hartburn = next(h for h in OUTSIDE_HUBS if h[0] == "Hartburn")
    renamed_cell = cell({"lon": hartburn[1], "lat": hartburn[2]})
    cells = sorted({cell(s) for s in outside}, key=lambda c: (-c[0], c[1]))   # north to south, west to east
    used_codes = {v[0] for d in TC_LSOAS.values() for v in d.values()}
    used_codes |= {v[0] for v in STOCKTON_TC_2011.values()} | {v[0] for v in STOCKTON_TC_2021.values()}
    used_codes.add(RENAMED[0])
    code_pool = ["E01%06d" % n for n in range(12170, 12300) if "E01%06d" % n not in used_codes]
    code_pool += ["E01%06d" % n for n in range(33440, 33500) if "E01%06d" % n not in used_codes]
    msoa_pool = [n for n in range(1, 60) if n not in RESERVED_MSOA]
    blocks = {}
    for c in cells:
        blocks.setdefault((c[0] // 3, c[1] // 3), []).append(c)
    block_order = sorted(blocks, key=lambda b: (-b[0], b[1]))
    names = {}
    ci = 0
    for bi, b in enumerate(block_order):
        msoa = msoa_pool[bi]
        for li, c in enumerate(blocks[b]):
            if c == renamed_cell:
                continue
            names[c] = (code_pool[ci], "Stockton-on-Tees %03d%s" % (msoa, "ABCDEFGHIJ"[li]))
            ci += 1
    for s in snaps["outside"]:
        if "lsoa_fixed" in s:
            s["lsoa11"] = s["lsoa21"] = s["lsoa_fixed"]
        elif cell(s) == renamed_cell:
            s["lsoa11"] = (RENAMED[0], RENAMED[1])
            s["lsoa21"] = (RENAMED[0], RENAMED[2])
        else:
            s["lsoa11"] = s["lsoa21"] = names[cell(s)]


MIXED_VINTAGE_P_NEW = {"2023-01": 0.07, "2023-02": 0.12, "2023-03": 0.17, "2023-04": 0.23, "2023-05": 0.28}


def lsoa_for_row(rng, snap, month):
    if month < "2023-01":
        return snap["lsoa11"]
    if month >= "2023-06":
        return snap["lsoa21"]
    if snap["lsoa11"] == snap["lsoa21"]:
        return snap["lsoa11"]
    return snap["lsoa21"] if rng.chance(MIXED_VINTAGE_P_NEW[month]) else snap["lsoa11"]


def location_text(snap, month):
    blank = snap["blank"] == "always" or (snap["blank"] == "2023" and month[:4] == "2023")
    return "On or near " + ("" if blank else snap["name"])


# --------------------------------------------------------------------------------------------
# Street files
# --------------------------------------------------------------------------------------------

def snap_tables(snaps):
    """(place, crime type) -> (snaps, weights)"""
    tables = {}
    for place, lst in snaps.items():
        for ct in CRIME_TYPES:
            ws = []
            for s in lst:
                w = s["weight"] * KIND_MULT[s["kind"]].get(ct, 1.0)
                if s["kind"] == "street" and ct == "Shoplifting" and s["name"].startswith("High Street"):
                    w *= 4
                ws.append(w)
            tables[(place, ct)] = (lst, ws)
    return tables


def street_rate_tables():
    tc_levels = {tc: tc_police_uk_levels(tc) for tc in TC_NAMES}
    tot_prev = sum(sum(p.values()) for p, c in tc_levels.values())
    tot_cur = sum(sum(c.values()) for p, c in tc_levels.values())
    out_scale = OUTSIDE_SHARE / (1 - OUTSIDE_SHARE)
    outside = ({ct: tot_prev * out_scale * OUTSIDE_MIX[ct] / sum(OUTSIDE_MIX.values()) for ct in CRIME_TYPES},
               {ct: tot_cur * out_scale * OUTSIDE_MIX[ct] / sum(OUTSIDE_MIX.values()) for ct in CRIME_TYPES})
    return tc_levels, outside


def street_lambda(place, ct, month, tc_levels, outside):
    if place == "outside":
        base = outside[1][ct] * OUTSIDE_TREND[ct] ** ((month_index(month) - month_index("2024-04")) / 12.0)
    else:
        prev, cur = tc_levels[place]
        base = trended(prev[ct], cur[ct], month)
    return base * STREET_SCALE / 12.0 * season(ct, month)


NO_LOCATION_FORCED = {"2024-10": 2, "2023-07": 1}
BLANK_FORCED = {"2024-10": 1}
DUPLICATE_MONTH = "2023-03"


def crime_id(*parts):
    return hashlib.sha256(("crimetab-sample|%d|" % SEED + "|".join(parts)).encode()).hexdigest()


def gen_street(snaps):
    tables = snap_tables(snaps)
    tc_levels, outside = street_rate_tables()
    places = TC_NAMES + ["outside"]
    all_rows = {}
    for month in month_range(STREET_FIRST, STREET_LAST):
        rng = Rng("street|" + month)
        picks = []   # (crime type, snap or None)
        for place in places:
            for ct in CRIME_TYPES:
                n = rng.poisson(street_lambda(place, ct, month, tc_levels, outside))
                lst, ws = tables[(place, ct)]
                for _ in range(n):
                    picks.append((ct, rng.wchoice(lst, ws)))
        present = {ct for ct, _ in picks}
        for ct in CRIME_TYPES:              # every crime type every month
            if ct not in present:
                place = rng.choice(places)
                lst, ws = tables[(place, ct)]
                picks.append((ct, rng.wchoice(lst, ws)))
        for _ in range(BLANK_FORCED.get(month, 0)):   # make sure the month has an "On or near " row
            blank = next(s for s in snaps["outside"] if s["blank"] == "always")
            picks.append(("Criminal damage and arson", blank))
        n_noloc = max(NO_LOCATION_FORCED.get(month, 0), rng.poisson(0.5))
        for _ in range(n_noloc):
            ct = rng.wchoice(CRIME_TYPES, [OUTSIDE_MIX[c] for c in CRIME_TYPES])
            picks.append((ct, None))

        rows = []
        for k, (ct, snap) in enumerate(picks):
            cid = "" if ct == ASB else crime_id("street", month, str(k))
            outcome = last_outcome(rng, ct, month)
            if snap is None:
                lon = lat = code = name = ""
                loc = "No Location"
                place = None
            else:
                lon, lat = fmt_coord(snap["lon"]), fmt_coord(snap["lat"])
                code, name = lsoa_for_row(rng, snap, month)
                loc = location_text(snap, month)
                place = snap["place"]
            rows.append({"row": [cid, month, FORCE_NAME, FORCE_NAME, lon, lat, loc, code, name, ct, outcome, ""],
                         "place": place, "snap": snap})
        rng.shuffle(rows)
        if month == DUPLICATE_MONTH:
            # one crime listed twice with different Last outcome category (as Durham 2019-01 does)
            src = next(r for r in rows if r["place"] == "Stockton Town Centre"
                       and r["row"][9] == "Violence and sexual offences")
            dup = {"row": list(src["row"]), "place": src["place"], "snap": src["snap"]}
            src["row"][10] = "Under investigation"
            dup["row"][10] = UTP
            rows.insert(len(rows) * 2 // 3, dup)
        all_rows[month] = rows
        write_csv("%s/%s/%s-cleveland-street.csv" % (P_POLICEUK, month, month), STREET_HEADER,
                  [r["row"] for r in rows])
    return all_rows


# --------------------------------------------------------------------------------------------
# Outcomes file (2024-10)
# --------------------------------------------------------------------------------------------

ORPHAN_OUTCOMES = 2   # outcome rows for crimes older than the sample (no matching street row), as in real files


def gen_outcomes(street_rows, snaps):
    rng = Rng("outcomes|2024-10")
    pick_p = {"2024-10": 1.0, "2024-09": 0.42, "2024-08": 0.22}
    out = []
    for month in ("2024-08", "2024-09", "2024-10"):
        seen = set()
        for r in street_rows[month]:
            row = r["row"]
            cid, last = row[0], row[10]
            if not cid or r["snap"] is None or cid in seen:
                continue
            seen.add(cid)
            if last in ("", "Under investigation", STATUS_NA):
                continue
            if not rng.chance(pick_p[month]):
                continue
            otype = "Suspect charged" if last in ("Awaiting court outcome", "Court result unavailable") else last
            base = [cid, "2024-10", FORCE_NAME, FORCE_NAME, row[4], row[5], row[6], row[7], row[8]]
            out.append(base + [otype])
            if rng.chance(0.09):   # a second suspect / second outcome for the same crime in the same month
                other = rng.wpick([(UTP, 5), (NSI, 1), ("Suspect charged", 3), (CAUTION, 1), (LOCAL, 1)])
                if other == otype:
                    other = FANPI
                out.append(base + [other])
    named = [s for s in snaps["Stockton Town Centre"] if s["kind"] == "street" and s["blank"] is None]
    for i in range(ORPHAN_OUTCOMES):
        s = named[i]
        cid = crime_id("orphan", str(i))
        out.append([cid, "2024-10", FORCE_NAME, FORCE_NAME, fmt_coord(s["lon"]), fmt_coord(s["lat"]),
                    "On or near " + s["name"], s["lsoa21"][0], s["lsoa21"][1],
                    UTP if i == 0 else "Suspect charged"])
    rng.shuffle(out)
    write_csv(P_OUTCOMES, OUTCOMES_HEADER, out)
    return out


# --------------------------------------------------------------------------------------------
# Stop and search (2024-10)
# --------------------------------------------------------------------------------------------

ETHNICITIES = [("White - English/Welsh/Scottish/Northern Irish/British", 70, "White"),
               ("White - Any other White background", 4, "White"),
               ("White - Irish", 1, "White"),
               ("White - Gypsy or Irish Traveller", 1, "White"),
               ("Asian/Asian British - Pakistani", 4, "Asian"),
               ("Asian/Asian British - Bangladeshi", 1, "Asian"),
               ("Asian/Asian British - Any other Asian background", 1, "Asian"),
               ("Black/African/Caribbean/Black British - African", 2, "Black"),
               ("Black/African/Caribbean/Black British - Any other Black/African/Caribbean background", 1, "Black"),
               ("Mixed/Multiple ethnic groups - White and Black Caribbean", 1, "White"),
               ("Mixed/Multiple ethnic groups - White and Asian", 1, "Other"),
               ("Other ethnic group - Arab", 1, "Other"),
               ("Other ethnic group - Not stated", 8, "")]

SEARCH_GROUNDS = [  # (legislation, object, weight)
    ("Misuse of Drugs Act 1971 (section 23)", "Controlled drugs", 58),
    ("Police and Criminal Evidence Act 1984 (section 1)", "Stolen goods", 10),
    ("Police and Criminal Evidence Act 1984 (section 1)", "Offensive weapons", 12),
    ("Police and Criminal Evidence Act 1984 (section 1)", "Article for use in theft", 8),
    ("Police and Criminal Evidence Act 1984 (section 1)", "Articles for use in criminal damage", 3),
    ("Police and Criminal Evidence Act 1984 (section 1)", "Anything to threaten or harm anyone", 2),
    ("Firearms Act 1968 (section 47)", "Firearms", 2),
]


def gen_stop_and_search(snaps):
    rng = Rng("stop-and-search|2024-10")
    place_w = [("Stockton Town Centre", 26), ("Billingham Central", 6), ("Thornaby Town Centre (Stainsby Hill)", 5),
               ("Norton Central", 2), ("Yarm Town Centre", 3),
               ("Ingleby Barwick Town Centre (Ingleby Barwick West)", 2), ("outside", 16)]
    recs = []
    n = 60
    for i in range(n):
        if i < 2:
            local_day, hh, mm = 1, 0, 0                         # local midnight on 1 October (BST)
        else:
            local_day = rng.randint(1, 31)
            hh = rng.wpick([(h, 3 if 14 <= h <= 23 else (2 if h in (0, 1, 2, 10, 11, 12, 13) else 1))
                            for h in range(24)])
            mm = rng.randint(0, 11) * 5
        # BST (UTC+1) until 01:00 UTC on 27 October 2024
        local_min = ((local_day - 1) * 24 + hh) * 60 + mm
        bst = local_min < ((27 - 1) * 24 + 2) * 60
        utc_min = local_min - (60 if bst else 0)
        if utc_min < 0:
            date = "2024-09-30T%02d:%02d:00+00:00" % ((utc_min + 1440) // 60, (utc_min + 1440) % 60)
        else:
            d, rem = divmod(utc_min, 24 * 60)
            date = "2024-10-%02dT%02d:%02d:00+00:00" % (d + 1, rem // 60, rem % 60)
        stype = rng.wpick([("Person search", 80), ("Person and Vehicle search", 15), ("Vehicle search", 5)])
        leg, obj = rng.wpick([((a, b), w) for a, b, w in SEARCH_GROUNDS])
        no_coords = rng.chance(0.03)
        if i in (9, 27, 44) or (i >= 2 and no_coords):
            lat = lon = ""
        else:
            place = rng.wpick(place_w)
            s = rng.wchoice(snaps[place], [x["weight"] for x in snaps[place]])
            lat, lon = fmt_coord(s["lat"]), fmt_coord(s["lon"])
        if stype == "Vehicle search":
            gender = age = selfeth = offeth = ""
        else:
            gender = rng.wpick([("Male", 86), ("Female", 12), ("", 2)])
            age = rng.wpick([("18-24", 34), ("25-34", 30), ("over 34", 22), ("10-17", 13), ("under 10", 0.5),
                             ("", 1)])
            selfeth, _, offeth = rng.wpick([(e, e[1]) for e in ETHNICITIES])
            if selfeth.endswith("Not stated") or rng.chance(0.05):
                offeth = rng.wpick([("White", 8), ("", 2)])
            if rng.chance(0.04):
                selfeth = ""
        if obj == "Controlled drugs":
            outcome = rng.wpick([("A no further action disposal", 55), ("Khat or Cannabis warning", 15),
                                 ("Arrest", 12), ("Community resolution", 10), ("Summons / charged by post", 4),
                                 ("Caution (simple or conditional)", 2), ("", 2)])
        else:
            outcome = rng.wpick([("A no further action disposal", 66), ("Arrest", 22), ("Community resolution", 5),
                                 ("Summons / charged by post", 4), ("Caution (simple or conditional)", 1), ("", 2)])
        if outcome == "":
            linked = ""
        elif outcome == "Khat or Cannabis warning":
            linked = "True"
        elif outcome == "A no further action disposal":
            linked = rng.wpick([("False", 85), ("", 15)])
        else:
            linked = rng.wpick([("True", 75), ("False", 25)])
        recs.append([stype, date, "", "", lat, lon, gender, age, selfeth, offeth, leg, obj, outcome, linked, ""])
    recs.sort(key=lambda r: r[1])
    write_csv(P_STOPSEARCH, SS_HEADER, recs)
    return recs


# --------------------------------------------------------------------------------------------
# Force export (2022-10 .. 2024-09)
# --------------------------------------------------------------------------------------------

FORCE_OUTSIDE_MIX = {"Violence With Injury": 9, "Violence Without Injury": 11, "Stalking and Harassment": 11,
                     "Homicide": 0.05, "Death or serious injury caused by illegal driving": 0.2,
                     "Shoplifting": 9, "All Other Theft Offences": 7, "Vehicle Offences": 8,
                     "Burglary Residential": 8, "Burglary Business and Community": 2.5,
                     "Theft From The Person": 0.4, "Bicycle Theft": 1.2, "Criminal Damage": 14, "Arson": 1.2,
                     "Sexual Offences": 4, "Robbery": 1, "Public Order Offences": 7, "Drug Offences": 3,
                     "Misc Crimes Against Society": 2.5, "Weapons Possession Offences": 1}

HO_OUTCOMES = {
    "charge": "Outcome 1: Charged/Summonsed",
    "caution": "Outcome 3: Adult caution",
    "pnd": "Outcome 6: Penalty Notice for Disorder",
    "cannabis": "Outcome 7: Cannabis/Khat warning",
    "cr": "Outcome 8: Community resolution",
    "formal": "Outcome 10: Formal action not in the public interest (police)",
    "o14": "Outcome 14: Evidential difficulties: suspect not identified; victim does not support further action",
    "o15": "Outcome 15: Evidential difficulties: suspect identified; victim supports action",
    "o16": "Outcome 16: Evidential difficulties: suspect identified; victim does not support further action",
    "o18": "Outcome 18: Investigation complete: no suspect identified",
    "o20": "Outcome 20: Action undertaken by another body/agency",
    "o21": "Outcome 21: Further investigation to support formal action not in the public interest",
    "o22": "Outcome 22: Diversionary, educational or intervention activity",
    "pending": "Pending: under investigation",
}


def force_outcome(rng, sg, month):
    age = month_index(FORCE_LAST) - month_index(month)
    if rng.chance(0.55 * math.exp(-age / 2.0) + 0.01):
        return HO_OUTCOMES["pending"]
    if sg in ("Violence With Injury", "Violence Without Injury", "Stalking and Harassment", "Sexual Offences",
              "Homicide", "Death or serious injury caused by illegal driving"):
        t = [("o16", 45), ("o15", 22), ("o14", 8), ("charge", 10), ("o18", 6), ("cr", 4), ("caution", 2), ("o20", 3)]
    elif sg == "Drug Offences":
        t = [("cannabis", 30), ("cr", 20), ("charge", 25), ("o15", 10), ("formal", 8), ("caution", 5), ("o22", 2)]
    elif sg == "Weapons Possession Offences":
        t = [("charge", 45), ("o15", 20), ("caution", 15), ("cr", 10), ("o21", 10)]
    elif sg == "Shoplifting":
        t = [("o18", 40), ("charge", 28), ("o15", 12), ("cr", 9), ("caution", 5), ("pnd", 2), ("o21", 4)]
    elif sg == "Public Order Offences":
        t = [("o16", 35), ("o15", 20), ("o18", 15), ("charge", 12), ("cr", 8), ("pnd", 4), ("o20", 6)]
    elif sg == "Misc Crimes Against Society":
        t = [("o15", 35), ("o18", 20), ("charge", 15), ("o20", 15), ("caution", 5), ("cr", 5), ("o21", 5)]
    else:
        t = [("o18", 62), ("o14", 8), ("o15", 12), ("o16", 6), ("charge", 6), ("cr", 2), ("o21", 4)]
    return HO_OUTCOMES[rng.wpick(t)]


FORCE_BEATS = {"Stockton Town Centre": ["ST01", "ST02"], "Billingham Central": ["BL01"],
               "Norton Central": ["NT01"], "Thornaby Town Centre (Stainsby Hill)": ["TH01"],
               "Ingleby Barwick Town Centre (Ingleby Barwick West)": ["IB01"], "Yarm Town Centre": ["YM01"]}
# rows added on top of the random draw: the two "Unknown" rows (subgroup not in the Home Office list, as in the
# tables' previous year for Stockton and Thornaby) and one homicide so that every subgroup occurs.
FORCE_EXTRA_ROWS = [("2023-02", UNKNOWN_SUBGROUP[0], "Stockton Town Centre"),
                    ("2023-06", UNKNOWN_SUBGROUP[0], "Thornaby Town Centre (Stainsby Hill)"),
                    ("2024-03", "Homicide", "Stockton Town Centre")]


def gen_force(snaps, polys_by_name):
    rng = Rng("force-export")
    recs = []
    seq = {}
    for month in month_range(FORCE_FIRST, FORCE_LAST):
        mrng = Rng("force|" + month)
        items = []   # (subgroup, place)
        for tc in TC_NAMES:
            for sg, (cur, diff) in TC_TABLES[tc].items():
                prev = cur - diff
                # the tables' previous 12 months, then their current 12 months
                base = cur if month >= "2023-10" else prev
                lam = base * FORCE_SCALE / 12.0 * season(HO_SEASON_KEY[sg], month)
                for _ in range(mrng.poisson(lam)):
                    items.append((sg, tc))
        tot = sum(FORCE_OUTSIDE_MIX.values())
        for sg in HO_SUBGROUPS:
            lam = FORCE_OUTSIDE_PER_MONTH * FORCE_OUTSIDE_MIX[sg] / tot * season(HO_SEASON_KEY[sg], month)
            for _ in range(mrng.poisson(lam)):
                items.append((sg, None))
        for em, esg, etc in FORCE_EXTRA_ROWS:
            if em == month:
                items.append((esg, etc))
        for sg, place in items:
            day = mrng.randint(1, days_in_month(month))
            if place is None:
                s = mrng.wchoice(snaps["outside"], [x["weight"] for x in snaps["outside"]])
                if "lsoa_fixed" in s or s.get("special") == "hole":
                    s = snaps["outside"][0]
                lon, lat = random_point_outside(mrng, s["lon"], s["lat"], 120, polys_by_name, 20.0)
                street = s["name"] if s["kind"] == "street" else s["name"].lower()
                beat = "SD%02d" % (1 + int((lat - BOX_LAT[0]) // 0.02) * 10 + int((lon - BOX_LON[0]) // 0.03))
                lsoa = s["lsoa21"][0]
            else:
                polys = polys_by_name[place]
                s = mrng.wchoice(snaps[place], [x["weight"] for x in snaps[place]])
                lon, lat = random_point_in(mrng, polys, 10.0, s["part"] if len(polys) > 1 else None)
                street = s["name"] if s["kind"] == "street" else s["name"].lower()
                beat = mrng.choice(FORCE_BEATS[place])
                lsoa = tc_lsoa(place, lon, lat, s["part"])[1][0]
            if street and street[0].islower():
                street = {"parking area": "Car park", "supermarket": "Supermarket car park",
                          "shopping area": "Shopping centre", "petrol station": "Petrol station forecourt",
                          "nightclub": "Licensed premises", "police station": "Police station custody",
                          "hospital": "Hospital grounds",
                          "sports/recreation area": "Park / recreation ground"}[street]
            if sg == UNKNOWN_SUBGROUP[0]:
                code = UNKNOWN_SUBGROUP[1]
                outcome = HO_OUTCOMES["o20"]
            else:
                code = mrng.wpick(HO_CODES[sg])
                outcome = force_outcome(mrng, sg, month)
            date = "%02d/%s/%s" % (day, month[5:], month[:4])
            recs.append({"sort": (month, day, mrng.random()), "sg": sg, "place": place,
                         "row": [None, date, code, sg, place or "", beat, street, fmt_coord(lon), fmt_coord(lat),
                                 lsoa, outcome]})
    recs.sort(key=lambda r: r["sort"])
    for r in recs:
        yy = r["sort"][0][2:4]
        seq[yy] = seq.get(yy, 0) + 1
        r["row"][0] = "CL%s/%06d" % (yy, 10000 + seq[yy] * 7 + rng.randint(0, 6))
    write_csv(P_FORCE, FORCE_HEADER, [r["row"] for r in recs])
    return recs


# --------------------------------------------------------------------------------------------
# Checks and summary
# --------------------------------------------------------------------------------------------

class CheckError(Exception):
    pass


def need(cond, msg):
    if not cond:
        raise CheckError(msg)


def read_csv_checked(rel, header):
    import csv
    import io
    path = os.path.join(ROOT, rel)
    with open(path, "rb") as f:
        raw = f.read()
    need(not raw.startswith(b"\xef\xbb\xbf"), rel + ": BOM")
    need(b"\r" not in raw, rel + ": CR found")
    need(raw.endswith(b"\n"), rel + ": no final newline")
    text = raw.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    need(rows[0] == header, rel + ": header mismatch %r" % rows[0])
    for i, r in enumerate(rows[1:], start=2):
        need(len(r) == len(header), "%s:%d: %d fields" % (rel, i, len(r)))
    # quoting only where a field contains a comma
    for i, line in enumerate(text.split("\n")[:-1], start=1):
        if '"' in line:
            need(any("," in f for f in rows[i - 1]), "%s:%d: needless quoting" % (rel, i))
    return rows[1:]


def load_geojson_polys():
    with open(os.path.join(ROOT, P_GEOJSON), encoding="utf-8") as f:
        gj = json.load(f)
    out = {}
    for feat in gj["features"]:
        g = feat["geometry"]
        polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
        out[feat["properties"]["name"]] = [[[tuple(p) for p in ring] for ring in poly] for poly in polys]
    return gj, out


def check_all(quiet=False):
    say = (lambda *a: None) if quiet else print
    gj, polys = load_geojson_polys()
    need(gj["type"] == "FeatureCollection" and "description" in gj, "geojson top level")
    need(sorted(polys) == sorted(TC_NAMES), "geojson names")
    for name, ps in polys.items():
        for poly in ps:
            need(signed_area(poly[0]) > 0, name + ": outer ring not counter-clockwise")
            need(8 <= len(poly[0]) - 1 <= 14, name + ": vertex count")
            for ring in poly:
                need(ring[0] == ring[-1], name + ": ring not closed")
            for hole in poly[1:]:
                need(signed_area(hole) < 0, name + ": hole not clockwise")
            xs = [p[0] for p in poly[0]]
            ys = [p[1] for p in poly[0]]
            w = (max(xs) - min(xs)) * M_PER_DEG_LON
            h = (max(ys) - min(ys)) * M_PER_DEG_LAT
            need(max(w, h) <= 900, name + ": too big %.0fx%.0f" % (w, h))
    names = list(polys)
    for i, a in enumerate(names):             # no overlaps between centres
        for b in names[i + 1:]:
            for pa in polys[a]:
                for pb in polys[b]:
                    for s1 in zip(pa[0], pa[0][1:]):
                        for s2 in zip(pb[0], pb[0][1:]):
                            need(not segments_cross(s1[0], s1[1], s2[0], s2[1]), "overlap %s/%s" % (a, b))
                    need(not point_in_ring(*pa[0][0], pb[0]) and not point_in_ring(*pb[0][0], pa[0]),
                         "containment %s/%s" % (a, b))
    with open(os.path.join(ROOT, P_MAPPING), encoding="utf-8") as f:
        need(json.load(f)["columns"]["crime_id"] == "Crime Reference", "mapping")

    yarm = next(t for t in TOWN_CENTRES if t["name"] == "Yarm Town Centre")
    gap = next(sp for sp in SPECIAL_SNAPS if sp["key"] == "yarm-gap")
    yarm_gap = to_lonlat(yarm["lon"], yarm["lat"], gap["dx"], gap["dy"])
    summary = {"files": [], "quirks": {}}
    q = summary["quirks"]
    months = month_range(STREET_FIRST, STREET_LAST)
    street_ids = {}
    total_located = total_tc = 0
    tc_2024_10 = {n: 0 for n in TC_NAMES}
    tc_2024_10_crimes = {n: 0 for n in TC_NAMES}
    for month in months:
        rel = "%s/%s/%s-cleveland-street.csv" % (P_POLICEUK, month, month)
        rows = read_csv_checked(rel, STREET_HEADER)
        need(250 <= len(rows) <= 400, "%s: %d rows" % (rel, len(rows)))
        summary["files"].append((rel, len(rows)))
        types = {r[9] for r in rows}
        need(types <= set(CRIME_TYPES), rel + ": crime type")
        need(len(types) == 14, "%s: only %d crime types" % (rel, len(types)))
        seen = {}
        for ln, r in enumerate(rows, start=2):
            cid, mon, rb, fw, lon, lat, loc, code, lname, ct, last, ctx = r
            need(mon == month and rb == fw == FORCE_NAME and ctx == "", "%s:%d: fields" % (rel, ln))
            if ct == ASB:
                need(cid == "" and last == "", "%s:%d: ASB with id/outcome" % (rel, ln))
            else:
                need(len(cid) == 64 and all(c in "0123456789abcdef" for c in cid), "%s:%d: id" % (rel, ln))
                need(last in LAST_OUTCOMES, "%s:%d: outcome %r" % (rel, ln, last))
                if cid in seen:
                    q.setdefault("duplicate Crime ID", []).append("%s lines %d and %d (%s / %s)" % (
                        rel, seen[cid][0], ln, seen[cid][1], last))
                seen[cid] = (ln, last)
                street_ids[cid] = r
            if loc == "No Location":
                need(lon == lat == code == lname == "", "%s:%d: No Location fields" % (rel, ln))
                q.setdefault("No Location", []).append("%s:%d" % (rel, ln))
                continue
            need(loc.startswith("On or near "), "%s:%d: location" % (rel, ln))
            need(len(lon.split(".")[1]) == 6 and len(lat.split(".")[1]) == 6, "%s:%d: decimals" % (rel, ln))
            need(code.startswith("E01") and len(code) == 9 and lname, "%s:%d: lsoa" % (rel, ln))
            if loc == "On or near ":
                q.setdefault("empty location name", []).append("%s:%d" % (rel, ln))
            if "," in loc:
                q.setdefault("quoted comma location", []).append("%s:%d %s" % (rel, ln, loc))
            if not lname.startswith("Stockton-on-Tees"):
                q.setdefault("non-Stockton LSOA", []).append("%s:%d %s %s" % (rel, ln, code, lname))
            x, y = float(lon), float(lat)
            hits = which_centre(x, y, polys)
            need(len(hits) <= 1, "%s:%d: in two centres" % (rel, ln))
            need(BOX_LON[0] < x < BOX_LON[1] and BOX_LAT[0] < y < BOX_LAT[1], "%s:%d: outside borough" % (rel, ln))
            total_located += 1
            if hits:
                total_tc += 1
                if month == "2024-10":
                    tc_2024_10[hits[0]] += 1
                    if ct != ASB:
                        tc_2024_10_crimes[hits[0]] += 1
            else:
                for p in polys["Stockton Town Centre"]:
                    for hole in p[1:]:
                        if point_in_ring(x, y, hole):
                            q.setdefault("point in Stockton hole (not in centre)", []).append("%s:%d" % (rel, ln))
                if (x, y) == yarm_gap:
                    q.setdefault("point between Yarm's two parts (not in centre)", []).append("%s:%d" % (rel, ln))
            if month == "2023-03" and code in {v[0] for v in STOCKTON_TC_2021.values()}:
                q.setdefault("2021 LSOA code in mixed-vintage month 2023-03", []).append("%s:%d %s" % (rel, ln, code))
            if code == RENAMED[0] and month in ("2023-01", "2023-02", "2023-03", "2023-04", "2023-05"):
                q.setdefault("E01012227 old/new name in mixed month", []).append("%s:%d %s" % (rel, ln, lname))
    summary["tc_share"] = total_tc / float(total_located)
    summary["tc_2024_10"] = tc_2024_10
    summary["tc_2024_10_crimes"] = tc_2024_10_crimes

    orows = read_csv_checked(P_OUTCOMES, OUTCOMES_HEADER)
    summary["files"].append((P_OUTCOMES, len(orows)))
    ids = {}
    for ln, r in enumerate(orows, start=2):
        need(r[1] == "2024-10" and r[9] in OUTCOME_TYPES and len(r[0]) == 64, "%s:%d" % (P_OUTCOMES, ln))
        ids.setdefault(r[0], []).append(ln)
        if r[0] in street_ids:
            s = street_ids[r[0]]
            need(s[1] in ("2024-08", "2024-09", "2024-10") and s[4:9] == r[4:9], "%s:%d: mismatch" % (P_OUTCOMES, ln))
        else:
            q.setdefault("outcome with no street row (orphan)", []).append("%s:%d" % (P_OUTCOMES, ln))
    multi = {k: v for k, v in ids.items() if len(v) > 1}
    q["outcomes: Crime IDs with several rows"] = ["%s lines %s" % (P_OUTCOMES, ",".join(map(str, v)))
                                                  for v in multi.values()]
    q["outcomes: Suspect charged rows"] = [str(sum(1 for r in orows if r[9] == "Suspect charged"))]

    srows = read_csv_checked(P_STOPSEARCH, SS_HEADER)
    summary["files"].append((P_STOPSEARCH, len(srows)))
    for ln, r in enumerate(srows, start=2):
        need(r[1].endswith("+00:00") and len(r[1]) == 25, "%s:%d date" % (P_STOPSEARCH, ln))
        need(r[2] == r[3] == r[14] == "", "%s:%d empty cols" % (P_STOPSEARCH, ln))
        if r[1].startswith("2024-09"):
            q.setdefault("stop-search Date in previous month (BST)", []).append("%s:%d %s" % (P_STOPSEARCH, ln, r[1]))
        if r[4] == "":
            need(r[5] == "", "half coordinate")
            q.setdefault("stop-search empty coordinates", []).append("%s:%d" % (P_STOPSEARCH, ln))
        else:
            need(50 < float(r[4]) < 60 and -2 < float(r[5]) < -1, "%s:%d lat/lon order" % (P_STOPSEARCH, ln))

    frows = read_csv_checked(P_FORCE, FORCE_HEADER)
    summary["files"].append((P_FORCE, len(frows)))
    per_month = {}
    code_sg = {}
    for ln, r in enumerate(frows, start=2):
        d, m, y = r[1].split("/")
        need(len(d) == 2 and len(m) == 2 and len(y) == 4, "%s:%d date" % (P_FORCE, ln))
        per_month[y + "-" + m] = per_month.get(y + "-" + m, 0) + 1
        need(code_sg.setdefault(r[2], r[3]) == r[3], "%s:%d HO code in two subgroups" % (P_FORCE, ln))
        if r[3] not in HO_SUBGROUPS:
            q.setdefault("force export: subgroup not in HO list (Unknown)", []).append(
                "%s:%d %s" % (P_FORCE, ln, r[3]))
        if "," in r[6]:
            q.setdefault("force export: quoted comma street", []).append("%s:%d" % (P_FORCE, ln))
        hits = which_centre(float(r[7]), float(r[8]), polys)
        need(hits == ([r[4]] if r[4] else []), "%s:%d: Town Centre %r but point in %r" % (P_FORCE, ln, r[4], hits))
    need(sorted(per_month) == month_range(FORCE_FIRST, FORCE_LAST), "force months")
    need(all(150 <= v <= 250 for v in per_month.values()), "force rows/month %r" % per_month)
    need({r[3] for r in frows} >= set(HO_SUBGROUPS), "force export misses a subgroup: %r" %
         (set(HO_SUBGROUPS) - {r[3] for r in frows}))
    summary["force_per_month"] = (min(per_month.values()), max(per_month.values()))

    size = 0
    for dp, dn, fn in os.walk(os.path.join(ROOT, "sample-data")):
        size += sum(os.path.getsize(os.path.join(dp, f)) for f in fn)
    need(size < 4 * 1024 * 1024, "sample-data too big: %d" % size)
    summary["size"] = size

    # report
    say("files:")
    for rel, n in summary["files"]:
        say("  %-70s %5d rows" % (rel, n))
    say("  street rows total: %d" % sum(n for rel, n in summary["files"] if rel.endswith("-street.csv")))
    say("  force export rows per month: %d..%d" % summary["force_per_month"])
    say("  sample-data size: %.2f MB" % (size / 1048576.0))
    say("  located street rows inside a town centre: %.1f%%" % (100 * summary["tc_share"]))
    say("2024-10 street rows per town-centre polygon (all rows / excluding ASB):")
    for n in TC_NAMES:
        say("  %-52s %4d  %4d" % (n, tc_2024_10[n], tc_2024_10_crimes[n]))
    say("quirks:")
    for k, v in q.items():
        if len(v) > 8:
            say("  %s: %d occurrences, e.g. %s" % (k, len(v), "; ".join(v[:3] + ["..."] + v[-3:])))
        else:
            say("  %s: %s" % (k, "; ".join(v)))
    return summary


def main(argv):
    quiet = "--quiet" in argv
    if "--check" not in argv:
        polys = build_polygons()
        write_geojson(polys)
        write_text(P_MAPPING, MAPPING_JSON)
        snaps = build_snaps(polys)
        assign_lsoas(snaps)
        street = gen_street(snaps)
        gen_outcomes(street, snaps)
        gen_stop_and_search(snaps)
        gen_force(snaps, polys)
    try:
        check_all(quiet)
    except CheckError as e:
        print("CHECK FAILED: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
