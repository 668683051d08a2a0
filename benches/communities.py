#!/usr/bin/env python3
"""Recovery of planted networks by tilsyn's communities.

Usage: communities.py DATA_DIR NODES_CSV

DATA_DIR holds a generated world (with truth.csv); NODES_CSV is the nodes
file of `tilsyn network --data DATA_DIR --groups --top 0 --format csv --out
DIR`. A planted network is the set of sites sharing one tag of truth.csv's
planted_network column (two or more sites). For each, its best-matching
community is the one holding most of its sites: recall is the share of the
network's sites in it, precision the share of that community made of the
network's sites. Prints one JSON line: means over networks, per kind, and
the largest community's share of all sites.
"""
import csv, json, sys
from collections import Counter, defaultdict

def main(data, nodes_csv):
    sites = 0
    networks = defaultdict(set)
    with open(f"{data}/truth.csv", newline="") as f:
        for r in csv.DictReader(f):
            sites += 1
            for tag in filter(None, r["planted_network"].split(";")):
                networks[tag].add(r["site_id"])
    community = {}
    with open(nodes_csv, newline="") as f:
        for r in csv.DictReader(f):
            if r["type"] == "site" and r["community"]:
                community[r["id"]] = int(r["community"])
    size = Counter(community.values())
    rec, prec, by_kind = [], [], defaultdict(lambda: [[], []])
    for tag, members in sorted(networks.items()):
        if len(members) < 2:
            continue
        counts = Counter(community[s] for s in members if s in community)
        if counts:
            best, n = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            r, p = n / len(members), n / size[best]
        else:
            r, p = 0.0, 0.0
        rec.append(r); prec.append(p)
        kind = tag.split(":")[0]
        by_kind[kind][0].append(r); by_kind[kind][1].append(p)
    mean = lambda xs: round(sum(xs) / len(xs), 3) if xs else None
    print(json.dumps({
        "sites": sites,
        "networks": len(rec),
        "recall": mean(rec),
        "precision": mean(prec),
        "by_kind": {k: {"networks": len(v[0]), "recall": mean(v[0]), "precision": mean(v[1])}
                    for k, v in sorted(by_kind.items())},
        "communities": len(size),
        "largest_share": round(max(size.values()) / sites, 4) if size else 0.0,
    }))

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
