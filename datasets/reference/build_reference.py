#!/usr/bin/env python3
"""Build tilsyn's bundled reference tables from the original public files.

Usage (from the repository root):

    python3 datasets/reference/build_reference.py SRC_DIR [OUT_DIR]

SRC_DIR is a folder holding the original files (see datasets/reference/README.md);
OUT_DIR defaults to the directory holding this script (datasets/reference).
The script only reads the source files, checks them, and writes UTF-8,
comma-delimited CSVs with a header row and "\\n" line ends. Re-running it on
the same sources gives byte-identical output.
"""

import csv
import os
import re
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))

# Risk sectors named by Danish authorities and CMM (docs/sources.md,
# "Sectors at risk"), mapped onto DB07.
# Whole divisions first; single classes override them.
DIVISION_RISK = {
    "01": "agriculture",  # crop and animal production, incl. horticulture
    "02": "agriculture",  # forestry and logging
    "03": "fishing",  # fishing and aquaculture (CMM 2020: a fishing vessel)
    "41": "construction",
    "42": "construction",
    "43": "construction",
    "49": "transport",  # land transport
    "52": "transport",  # warehousing and support for transport (distribution)
    "53": "transport",  # postal and courier activities (distribution)
    "55": "hotels_restaurants",
    "56": "hotels_restaurants",
    "97": "domestic_work",  # households as employers (CMM 2023)
}
CLASS_RISK = {
    "81.21": "cleaning",  # general cleaning of buildings
    "81.22": "cleaning",  # other building and industrial cleaning
    "81.29": "cleaning",  # other cleaning activities
    "81.30": "agriculture",  # landscape service activities (gardening)
    "88.10": "domestic_work",  # home care for the elderly and disabled (CMM 2023)
}
RISK_GROUPS = {
    "construction",
    "cleaning",
    "agriculture",
    "hotels_restaurants",
    "transport",
    "domestic_work",
    "fishing",
}

# SIRI permit schemes (docs/sources.md). Thresholds are annual pay in DKK.
SCHEMES = [
    ("pay_limit", "Pay Limit Scheme", "beløbsordningen", 514000, 552000,
     "Annual pay threshold; counts base pay, pension contributions and holiday allowance, not bonuses or taxable benefits"),
    ("supplementary_pay_limit", "Supplementary Pay Limit Scheme", "supplerende beløbsordning", 415000, 446000,
     "Added 1 April 2023 (DKK 393,000 in 2024); the job must have been publicly advertised and unemployment below a set level"),
    ("positive_list_higher_ed", "Positive List for People with a Higher Education",
     "positivlisten for personer med en videregående uddannelse", None, None,
     "No pay threshold; pay and terms must match Danish standards; list updated 1 January and 1 July"),
    ("positive_list_skilled", "Positive List for Skilled Work", "positivlisten for faglært arbejde", None, None,
     "No pay threshold; pay and terms must match Danish standards; list updated 1 January and 1 July"),
    ("fast_track", "Fast-track Scheme", "fast-track-ordningen", 514000, 552000,
     "SIRI-certified companies only; the thresholds are those of the pay-limit track, the researcher, educational and short-term tracks have none"),
    ("herdsman_farm_hand", "Herdsmen and farm handlers", "landbrugsmedhjælper/kvæg- og svinepasser", None, None,
     "Agriculture; pay and terms must match Danish standards"),
    ("trainee", "Trainees", "praktikant", None, None, "Pay and terms must match Danish standards"),
    ("au_pair", "Au pair", "au pair", None, None, "Udlændingeloven § 9 j; special treatment in the housing law"),
    ("other", "Other", "andet", None, None,
     "Any other route, e.g. researchers, sideline employment, Start-up Denmark, Establishment Card"),
]


def read(src, name):
    with open(os.path.join(src, name), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write(out, name, header, rows):
    path = os.path.join(out, name)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    print(f"{path}: {len(rows)} rows")


def strip_zeros(code):
    """'0101' -> '101': integer codes without leading zeros."""
    return str(int(code))


def municipalities(src, out):
    rows = read(src, "dk_kommuner_98.csv")
    assert len(rows) == 98, len(rows)
    result = []
    for r in rows:
        lat, lon = float(r["latitude"]), float(r["longitude"])
        assert 54.4 <= lat <= 57.9 and 7.9 <= lon <= 15.3, r
        result.append([
            strip_zeros(r["kommunekode"]),
            r["kommune_navn"].strip(),
            strip_zeros(r["regionskode"]),
            r["regionsnavn"].strip(),
            r["latitude"],
            r["longitude"],
            str(int(r["population_geonames"])),
        ])
    assert len({r[0] for r in result}) == 98
    assert len({r[1].lower() for r in result}) == 98
    assert len({(r[2], r[3]) for r in result}) == 5
    write(out, "municipalities.csv",
          ["code", "name", "region_code", "region", "lat", "lon", "population"], result)
    return {r[0]: r[2] for r in result}


def postcodes(src, out, municipality_region):
    rows = read(src, "dk_postnumre_unique_approx_coords.csv")
    result = []
    for r in rows:
        postcode = r["postnr"].strip()
        assert re.fullmatch(r"\d{4}", postcode), r
        code = strip_zeros(r["primary_kommunekode"])
        region = strip_zeros(r["regionskode"])
        assert code in municipality_region, f"postcode {postcode}: municipality {code} unknown"
        assert municipality_region[code] == region, r
        float(r["latitude_approx"]), float(r["longitude_approx"])
        result.append([postcode, r["bynavn"].strip(), code, region,
                       r["latitude_approx"], r["longitude_approx"]])
    assert len({r[0] for r in result}) == len(result)
    result.sort(key=lambda r: r[0])
    write(out, "postcodes.csv",
          ["postcode", "town", "municipality_code", "region_code", "lat", "lon"], result)


def sectors(src, out):
    rows = read(src, "db07_codes.csv")
    classes, divisions = [], []
    for r in rows:
        if r["level"] == "division":
            assert re.fullmatch(r"\d\d", r["code"]), r
            divisions.append([r["code"], r["title_da"].strip(), r["section"]])
        elif r["level"] == "class":
            code = r["code"]
            assert re.fullmatch(r"\d\d\.\d\d", code), r
            assert r["division"] == code[:2], r
            risk = CLASS_RISK.get(code, DIVISION_RISK.get(code[:2], ""))
            assert risk == "" or risk in RISK_GROUPS
            classes.append([code, r["title_da"].strip(), r["division"], r["section"], risk])
    assert len(classes) == 618, len(classes)
    assert len({c[0] for c in classes}) == len(classes)
    for code in CLASS_RISK:
        assert any(c[0] == code for c in classes), code
    for div in DIVISION_RISK:
        assert any(c[2] == div for c in classes), div
    subclasses = []
    for r in rows:
        # 99.99.99 "Uoplyst" (unknown) is no sector: it is left out.
        if r["level"] == "subclass" and r["code"] != "99.99.99":
            code = r["code"]
            assert re.fullmatch(r"\d\d\.\d\d\.\d\d", code), r
            assert r["parent_code"] == code[:5], r
            assert any(c[0] == code[:5] for c in classes), r
            subclasses.append([code, r["title_da"].strip(), code[:5]])
    assert len(subclasses) == 740, len(subclasses)
    assert len({c[0] for c in subclasses}) == len(subclasses)
    write(out, "sectors.csv", ["code", "name_da", "division", "section", "risk_group"], classes)
    write(out, "subclasses.csv", ["code", "name_da", "class"], subclasses)
    write(out, "divisions.csv", ["code", "name_da", "section"], divisions)
    print("risk groups:", dict(sorted(Counter(c[4] or "(none)" for c in classes).items())))


def schemes(out):
    fmt = lambda v: "" if v is None else str(v)
    rows = [[s, en, da, fmt(t25), fmt(t26), note] for s, en, da, t25, t26, note in SCHEMES]
    write(out, "schemes.csv",
          ["scheme", "name_en", "name_da", "pay_threshold_2025_dkk", "pay_threshold_2026_dkk", "note"], rows)


def main(argv):
    if len(argv) < 2:
        sys.exit("usage: build_reference.py SRC_DIR [OUT_DIR] (SRC_DIR holds the original public files)")
    src = argv[1]
    out = argv[2] if len(argv) > 2 else HERE
    os.makedirs(out, exist_ok=True)
    region_of = municipalities(src, out)
    postcodes(src, out, region_of)
    sectors(src, out)
    schemes(out)


if __name__ == "__main__":
    main(sys.argv)
