#!/usr/bin/env bash
# Recovery of planted networks by `tilsyn network --groups` on generated
# worlds: for each size and seed, generate a world, list every community
# (node CSV), and compare with truth.csv's planted networks
# (benches/communities.py). Also times the community step against the
# scoring it needs (`rank`) in the same run.
#
#   benches/communities.sh [OUT_DIR] [SIZES] [SEEDS]
#   benches/communities.sh /tmp/communities "20000 100000" "1 2 3"
#
# Results: docs/network.md ("Measured recovery").
set -euo pipefail
out=${1:-/tmp/tilsyn-communities}
sizes=${2:-"20000 100000"}
seeds=${3:-"1 2 3"}
here=$(cd "$(dirname "$0")/.." && pwd)
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
bin=${CARGO_TARGET_DIR:-$here/target}/release/tilsyn
mkdir -p "$out"
for n in $sizes; do
  for seed in $seeds; do
    world="$out/world-$n-$seed"
    [ -f "$world/truth.csv" ] || "$bin" generate --out "$world" --sites "$n" --seed "$seed" >/dev/null
    start=$(date +%s.%N)
    "$bin" rank --data "$world" --scorer rules --format csv >/dev/null 2>&1
    mid=$(date +%s.%N)
    "$bin" network --data "$world" --scorer rules --groups --top 0 --format csv --out "$out/nodes-$n-$seed" >/dev/null 2>&1
    end=$(date +%s.%N)
    result=$(python3 "$here/benches/communities.py" "$world" "$out/nodes-$n-$seed/nodes.csv")
    ratio=$(python3 -c "print(round(($end-$mid)/($mid-$start), 2))")
    echo "{\"size\": $n, \"seed\": $seed, \"network_over_rank\": $ratio, \"result\": $result}"
  done
done | tee "$out/results.jsonl"
python3 - "$out/results.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print("\n| sites | seed | networks | recall | precision | largest community | network ÷ rank time |")
print("|---:|---:|---:|---:|---:|---:|---:|")
for r in rows:
    x = r["result"]
    print(f"| {r['size']:,} | {r['seed']} | {x['networks']} | {x['recall']:.3f} | {x['precision']:.3f} | {100*x['largest_share']:.2f}% | {r['network_over_rank']} |")
by = {}
for r in rows:
    by.setdefault(r["size"], []).append(r["result"])
for n, xs in by.items():
    print(f"\n{n:,} sites, mean over {len(xs)} seeds: recall {sum(x['recall'] for x in xs)/len(xs):.3f}, precision {sum(x['precision'] for x in xs)/len(xs):.3f}")
PY
