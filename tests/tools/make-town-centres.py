#!/usr/bin/env python3
"""Write templates/areas/stockton-town-centres.geojson from the ONS 2013 wards.

Run from the repository root with the ONS file as published (python3 stdlib only):

    python3 tests/tools/make-town-centres.py stockton-on-tees-wards-2013.geojson

The input is the ONS 2013 electoral wards of Stockton-on-Tees (E06000004),
generalised and clipped to the coastline, WGS84 (CRS84), with the properties
WD13CD, WD13CDO, WD13NM and WD13NMW; ONS boundary data as republished in the
public GitHub repository martinjc/UK-GeoJSON
(json/electoral/eng/wards_by_lad/E06000004.json).  Open Government Licence v3.0.

Each town centre of the October 2024 committee paper is one ward, its geometry
copied unchanged, under the paper's name.  Norton Central is not a 2013 ward:
it is the ward Norton West (why is in docs/town-centres.md).  The script
checks that every ward is found exactly once and is a Polygon or MultiPolygon.
"""

import json
import sys

# paper name, 2013 ward name, how the paper's area relates to the ward
CENTRES = [
    ("Billingham Central", "Billingham Central", "the 2013 ward of the same name"),
    ("Stockton Town Centre", "Stockton Town Centre", "the 2013 ward of the same name"),
    ("Norton Central", "Norton West",
     "not a 2013 ward: the 2013 ward Norton West, whose police.uk counts match the paper's Norton Central "
     "(see docs/town-centres.md); Norton High Street and The Green lie in the neighbouring ward Norton North"),
    ("Thornaby Town Centre (Stainsby Hill)", "Stainsby Hill", "the 2013 ward the paper names"),
    ("Ingleby Barwick Town Centre (Ingleby Barwick West)", "Ingleby Barwick West", "the 2013 ward the paper names"),
    ("Yarm Town Centre", "Yarm", "the 2013 ward Yarm"),
]

OUT = "templates/areas/stockton-town-centres.geojson"
ATTRIBUTION = ("Contains National Statistics data \u00a9 Crown copyright and database right 2013; "
               "contains OS data \u00a9 Crown copyright and database right 2013.")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: %s ONS-WARDS-2013.geojson" % sys.argv[0])
    with open(sys.argv[1], encoding="utf-8") as f:
        src = json.load(f)
    by_name = {}
    for feat in src["features"]:
        name = feat["properties"]["WD13NM"]
        if name in by_name:
            sys.exit("ward %r occurs twice" % name)
        by_name[name] = feat
    out = {
        "type": "FeatureCollection",
        "name": "stockton-town-centres",
        "crs": src.get("crs", {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}),
        "description": ("The six Stockton-on-Tees town centres of the Cleveland Police committee paper of "
                        "October 2024, as official 2013 electoral ward boundaries (ONS, generalised, clipped to "
                        "the coastline), copied unchanged and named as in the paper.  Norton Central is not a "
                        "2013 ward; it is the ward Norton West.  Made by tests/tools/make-town-centres.py; "
                        "see docs/town-centres.md."),
        "source": ("Office for National Statistics, 2013 electoral wards, generalised and clipped "
                   "boundaries, WGS84; as republished in github.com/martinjc/UK-GeoJSON "
                   "(json/electoral/eng/wards_by_lad/E06000004.json)"),
        "licence": "Open Government Licence v3.0, "
                   "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        "attribution": ATTRIBUTION,
        "features": [],
    }
    for paper_name, ward, how in CENTRES:
        feat = by_name.get(ward)
        if feat is None:
            sys.exit("no ward %r in %s" % (ward, sys.argv[1]))
        if feat["geometry"]["type"] not in ("Polygon", "MultiPolygon"):
            sys.exit("ward %r is a %s" % (ward, feat["geometry"]["type"]))
        p = feat["properties"]
        out["features"].append({
            "type": "Feature",
            "properties": {"name": paper_name, "WD13CD": p["WD13CD"], "WD13NM": p["WD13NM"], "definition": how},
            "geometry": feat["geometry"],
        })
    # one feature per line keeps diffs readable and the file small
    lines = ["{"]
    for k, v in out.items():
        if k != "features":
            lines.append("  %s: %s," % (json.dumps(k), json.dumps(v, ensure_ascii=False)))
    lines.append('  "features": [')
    lines.append(",\n".join("    " + json.dumps(f, ensure_ascii=False, separators=(",", ":"))
                            for f in out["features"]))
    lines.append("  ]")
    lines.append("}")
    with open(OUT, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    json.load(open(OUT, encoding="utf-8"))
    print("wrote %s: %d town centres" % (OUT, len(out["features"])))


if __name__ == "__main__":
    main()
