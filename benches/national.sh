#!/usr/bin/env bash
# National scale: tilsyn's stages on a generated country of national shape
# (1,000,000 sites, >12 million payroll rows, a few hundred recruiters that
# each placed >3,000 workers), each timed with /usr/bin/time -v against
# polars' bare read of the same CSV files in the same run (the last step is
# the analyst's community list, `network --groups`). Prints a Markdown
# table for docs/benchmarks.md.
#
#   cargo build --release
#   pip install polars            # the reference reader
#   benches/national.sh [WORK_DIR] [SITES]
#
# The data set is generated once (`tilsyn generate --shape national`) and
# kept in WORK_DIR/<SITES>; delete it to regenerate.
set -euo pipefail
bin=${TILSYN_BIN:-target/release/tilsyn}
work=${1:-/tmp/tilsyn-national}
n=${2:-1000000}
here=$(cd "$(dirname "$0")" && pwd)
[ -x "$bin" ] || { echo "build the release binary first: cargo build --release" >&2; exit 2; }
python3 -c 'import polars' 2>/dev/null || { echo "the reference needs polars for Python: pip install polars" >&2; exit 2; }
dir="$work/$n"
imported="$work/$n-imported"
mkdir -p "$work"
if [ ! -f "$dir/sites.csv" ]; then
  "$bin" generate --out "$dir" --sites "$n" --seed 1 --shape national >&2
fi

ref_s=""
measure() {
  local label=$1; shift
  local log
  log=$(mktemp)
  /usr/bin/time -v "$@" >/dev/null 2>"$log" || { tail -20 "$log" >&2; echo "| $label | failed | | |"; rm -f "$log"; return 0; }
  local wall rss secs
  wall=$(grep 'Elapsed (wall clock)' "$log" | awk '{print $NF}')
  rss=$(grep 'Maximum resident set size' "$log" | awk '{print $NF}')
  secs=$(echo "$wall" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  [ -n "$ref_s" ] || ref_s=$secs
  printf '| %s | %.1f s | %.2f× | %.0f MB |\n' "$label" "$secs" "$(echo "$secs / $ref_s" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
  rm -f "$log"
}

echo "| step | wall time | ratio to polars' read | peak memory |"
echo "|---|---|---|---|"
measure "polars: read every CSV (reference)" python3 "$here/polars_read.py" "$dir"
measure "tilsyn validate (CSV)" "$bin" validate --data "$dir" --quiet
measure "tilsyn rank --scorer rules (CSV)" "$bin" rank --data "$dir" --scorer rules --format csv --quiet
rm -rf "$imported"
measure "tilsyn import (CSV to Parquet)" "$bin" import --data "$dir" --out "$imported" --quiet
measure "tilsyn rank --scorer rules (imported)" "$bin" rank --data "$imported" --scorer rules --format csv --quiet
measure "tilsyn train (imported)" "$bin" train --data "$imported" --out "$work/model-$n.json" --quiet
measure "tilsyn rank --scorer model (imported)" "$bin" rank --data "$imported" --model "$work/model-$n.json" --format csv --quiet
measure "tilsyn network --groups --scorer rules (imported)" "$bin" network --data "$imported" --scorer rules --groups --quiet
