#!/usr/bin/env python3
"""The numbers and tables of benches/worlds.sh (standard library only).

  worlds_report.py p5 TRUTH_CSV RANK_CSV [SHARE]
      precision in the first SHARE (default 0.05) of ALL sites of a ranking:
      k = ceil(SHARE x the sites in truth.csv), the k best ranks of RANK_CSV
      (the `rank` column of `tilsyn rank --format csv`), and the share of them
      whose truth.csv `state` is not `none`; prints it with 4 decimals
  worlds_report.py tiers RANK_CSV
      the share of the ranked sites in each tier (the `tier` column), one
      `tier<TAB>share` a line, the four ILO tiers first
  worlds_report.py render RESULTS_TSV TIERS_TSV SHARE SCORER...
      the Markdown report: RESULTS_TSV has `world seed scorer value` rows
      (value a number or n/a), TIERS_TSV `world seed tier share` rows; the
      columns follow the SCORER order, `auto` shown as "default (auto)"
"""

import csv
import math
import sys
from collections import OrderedDict

TIERS = [
    "no_indication",
    "exploitation_signals",
    "deception_and_exploitation",
    "forced_labour_indication",
]


def positives(truth_csv):
    """Site id -> whether the site is truly exploited (state is not none)."""
    with open(truth_csv, newline="", encoding="utf-8") as f:
        return {row["site_id"]: row["state"] != "none" for row in csv.DictReader(f)}


def ranked_ids(rank_csv):
    """Site ids in rank order (by the numeric `rank` column, file order on ties)."""
    with open(rank_csv, newline="", encoding="utf-8") as f:
        rows = [(int(row["rank"]), i, row["site_id"]) for i, row in enumerate(csv.DictReader(f))]
    rows.sort()
    return [site for _, _, site in rows]


def precision_at(truth_csv, rank_csv, share):
    truth = positives(truth_csv)
    k = max(1, math.ceil(share * len(truth)))
    top = ranked_ids(rank_csv)[:k]
    return sum(1 for site in top if truth.get(site, False)) / k


def tier_shares(rank_csv):
    counts = OrderedDict((t, 0) for t in TIERS)
    n = 0
    with open(rank_csv, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            counts[row["tier"]] = counts.get(row["tier"], 0) + 1
            n += 1
    return [(t, c / n if n else 0.0) for t, c in counts.items()]


def number(text):
    try:
        return float(text)
    except ValueError:
        return None


def mean(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def cell(value, percent=False):
    if value is None:
        return "n/a"
    return f"{100 * value:.1f} %" if percent else f"{value:.3f}"


def read_tsv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return [row for row in csv.reader(f, delimiter="\t") if row]


def render(results_tsv, tiers_tsv, share, scorers):
    label = {"rules": "rules", "auto": "default (auto)"}
    # Columns: rules, then the learners as given with `auto` last.
    columns = [s for s in scorers if s != "auto"] + [s for s in scorers if s == "auto"]
    columns = list(OrderedDict.fromkeys(columns))
    values = OrderedDict()  # (world, seed) -> {scorer: value}
    for world, seed, scorer, value in read_tsv(results_tsv):
        values.setdefault((world, seed), {})[scorer] = number(value)
    worlds = list(OrderedDict.fromkeys(world for world, _ in values))

    pct = f"{100 * share:g}%"
    print(f"Precision at the top {pct} of all sites (against truth.csv):")
    print()
    header = ["preset", "seed"] + [f"{label.get(s, s)} P@{pct}" for s in columns]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for world in worlds:
        seeds = [seed for w, seed in values if w == world]
        for seed in seeds:
            row = values[(world, seed)]
            print("| " + " | ".join([world, seed] + [cell(row.get(s)) for s in columns]) + " |")
        means = [mean(values[(world, seed)].get(s) for seed in seeds) for s in columns]
        print("| " + " | ".join([f"**{world}**", "mean"] + [cell(m) for m in means]) + " |")
    overall = [mean(row.get(s) for row in values.values()) for s in columns]
    print("| " + " | ".join(["**all**", "mean"] + [cell(m) for m in overall]) + " |")

    shares = OrderedDict()  # world -> tier -> [share per seed]
    for world, _seed, tier, value in read_tsv(tiers_tsv):
        shares.setdefault(world, OrderedDict()).setdefault(tier, []).append(number(value))
    if not shares:
        return
    tiers = list(TIERS)
    for per_tier in shares.values():
        tiers += [t for t in per_tier if t not in tiers]
    print()
    print("Share of sites per ILO tier, default scorer (mean over seeds):")
    print()
    print("| preset | " + " | ".join(tiers) + " |")
    print("|---|" + "---|" * len(tiers))
    for world, per_tier in shares.items():
        cells = [cell(mean(per_tier.get(t, [])), percent=True) for t in tiers]
        print("| " + " | ".join([world] + cells) + " |")


def main(argv):
    if len(argv) >= 3 and argv[0] == "p5":
        share = float(argv[3]) if len(argv) > 3 else 0.05
        print(f"{precision_at(argv[1], argv[2], share):.4f}")
    elif len(argv) == 2 and argv[0] == "tiers":
        for tier, value in tier_shares(argv[1]):
            print(f"{tier}\t{value:.6f}")
    elif len(argv) >= 4 and argv[0] == "render":
        render(argv[1], argv[2], float(argv[3]), argv[4:])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
