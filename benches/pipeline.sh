#!/usr/bin/env bash
# Wall time and peak memory of the whole pipeline at 10k / 100k / 1M sites,
# measured with /usr/bin/time -v on the release binary. Prints Markdown rows
# for docs/benchmarks.md.
#
#   cargo build --release
#   benches/pipeline.sh [WORK_DIR] [SIZES...]
#
# Each size generates a data set (all nine tables), then validates it,
# ranks every site with the rules scorer, trains the model on its
# inspections, and ranks with the model.
set -euo pipefail
bin=${TILSYN_BIN:-target/release/tilsyn}
work=${1:-/tmp/tilsyn-bench}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000 1000000)
[ -x "$bin" ] || { echo "build the release binary first: cargo build --release" >&2; exit 2; }
mkdir -p "$work"

measure() {
  local label=$1; shift
  local log
  log=$(mktemp)
  /usr/bin/time -v "$@" >/dev/null 2>"$log" || { cat "$log" >&2; exit 1; }
  local wall rss
  wall=$(grep 'Elapsed (wall clock)' "$log" | awk '{print $NF}')
  rss=$(grep 'Maximum resident set size' "$log" | awk '{print $NF}')
  printf '| %s | %s | %s | %.0f MB |\n' "$label" "$n" "$wall" "$(echo "$rss / 1024" | bc -l)"
  rm -f "$log"
}

echo "| step | sites | wall time (m:ss) | peak memory |"
echo "|---|---|---|---|"
for n in "${sizes[@]}"; do
  dir="$work/$n"
  rm -rf "$dir"
  measure "generate" "$bin" generate --out "$dir" --sites "$n" --seed 1
  measure "validate (load + checks)" "$bin" validate --data "$dir"
  measure "rank, rules scorer" "$bin" rank --data "$dir" --scorer rules --format csv
  measure "train (logistic)" "$bin" train --data "$dir" --out "$dir/model.json" --bootstrap 100
  measure "rank, model scorer" "$bin" rank --data "$dir" --model "$dir/model.json" --format csv
done
