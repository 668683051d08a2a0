#!/usr/bin/env bash
# How well each scorer ranks in each world preset of the generator
# (docs/synthetic-data.md, "World presets"): precision at the top 5 % of
# ALL sites against truth.csv, and the share of sites per ILO tier.
#
#   cargo build --release
#   benches/worlds.sh                        # 5 presets x seeds 1 2 3 x 20,000 sites
#   SITES=5000 SEEDS="1" WORLDS="baseline drift" LEARNERS="logistic auto" benches/worlds.sh
#
# For each preset in WORLDS (default: baseline faint-signals biased-history
# noisy-findings drift) and each seed in SEEDS (default: 1 2 3) it
#   1. generates SITES sites (default 20000) into DIR:
#        tilsyn generate --out DIR --sites N --seed S --world W
#   2. trains a model with each learner L in LEARNERS (default: logistic tree
#      forest auto; `auto` is the default scorer's choice, which compares the
#      candidates and keeps the winner; `rules` and `blend` are accepted too):
#        tilsyn train --data DIR --out DIR/model-L.json --learner L
#   3. ranks every site with the rules scorer and with each model:
#        tilsyn rank --data DIR --scorer rules --format csv
#        tilsyn rank --data DIR --model DIR/model-L.json --format csv
#   4. scores each ranking by its precision in the first SHARE (default 0.05)
#      of all sites, a site being positive when its truth.csv state is not
#      `none`, and counts the sites per tier of the default (auto) ranking.
# It prints Markdown on stdout (progress on stderr): a table of preset, seed,
# rules P@5%, each learner's P@5% and the default (auto) P@5%, with a mean
# row per preset and overall; then the tier shares per preset.
#
# The binary is ${CARGO_TARGET_DIR:-target}/release/tilsyn (TILSYN_BIN
# overrides it). BOOTSTRAP (default 100) is passed to `tilsyn train
# --bootstrap`: resamples of the held-out intervals only, not of the model.
# WORK names a folder to keep the worlds, models, rankings and logs in
# (default: a temporary folder, removed at the end). A learner that `tilsyn
# train` does not accept, or that fails, is reported as n/a (its log is
# named on stderr) and the run goes on. The report is computed by
# benches/worlds_report.py (python3, csv module only).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bin=${TILSYN_BIN:-${CARGO_TARGET_DIR:-target}/release/tilsyn}
report=$root/benches/worlds_report.py
sites=${SITES:-20000}
share=${SHARE:-0.05}
bootstrap=${BOOTSTRAP:-100}
read -r -a seeds <<<"${SEEDS:-1 2 3}"
read -r -a worlds <<<"${WORLDS:-baseline faint-signals biased-history noisy-findings drift}"
read -r -a learners <<<"${LEARNERS:-logistic tree forest auto}"

[ -x "$bin" ] || {
  echo "no release binary at $bin: run cargo build --release first" >&2
  exit 2
}
command -v python3 >/dev/null || {
  echo "python3 is needed for the report" >&2
  exit 2
}
[ ${#worlds[@]} -gt 0 ] && [ ${#seeds[@]} -gt 0 ] || {
  echo "WORLDS and SEEDS must name at least one preset and one seed" >&2
  exit 2
}

if [ -n "${WORK:-}" ]; then
  work=$WORK
  mkdir -p "$work"
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/tilsyn-worlds.XXXXXX")
  trap 'rm -rf "$work"' EXIT
fi
results=$work/results.tsv
tiers=$work/tiers.tsv
chosen=$work/chosen.tsv
: >"$results"
: >"$tiers"
: >"$chosen"

# Runs a command with its output and errors in a log; on failure shows the log's tail.
run_logged() {
  local log=$1
  shift
  if ! "$@" >>"$log" 2>&1; then
    echo "failed: $*" >&2
    tail -n 20 "$log" >&2
    return 1
  fi
}

# Precision at the top share of all sites of one ranking CSV.
p_at() {
  python3 "$report" p5 "$1/truth.csv" "$2" "$share"
}

for world in "${worlds[@]}"; do
  for seed in "${seeds[@]}"; do
    dir=$work/$world-$seed
    log=$work/$world-$seed.log
    rm -rf "$dir"
    : >"$log"
    echo "== $world, seed $seed: generating $sites sites" >&2
    run_logged "$log" "$bin" generate --out "$dir" --sites "$sites" --seed "$seed" --world "$world"

    echo "   ranking with the rules scorer" >&2
    "$bin" rank --data "$dir" --scorer rules --format csv >"$dir/rank-rules.csv" 2>>"$log" || {
      echo "failed: tilsyn rank --scorer rules (log: $log)" >&2
      tail -n 20 "$log" >&2
      exit 1
    }
    printf '%s\t%s\t%s\t%s\n' "$world" "$seed" rules "$(p_at "$dir" "$dir/rank-rules.csv")" >>"$results"
    tier_source=$dir/rank-rules.csv

    for learner in "${learners[@]}"; do
      model=$dir/model-$learner.json
      ranked=$dir/rank-$learner.csv
      value=n/a
      echo "   training and ranking: $learner" >&2
      if run_logged "$log" "$bin" train --data "$dir" --out "$model" --learner "$learner" --bootstrap "$bootstrap" &&
        "$bin" rank --data "$dir" --model "$model" --format csv >"$ranked" 2>>"$log"; then
        value=$(p_at "$dir" "$ranked")
        [ "$learner" != auto ] || tier_source=$ranked
      else
        echo "warning: learner $learner gave no ranking for $world seed $seed; reported as n/a (log: $log)" >&2
      fi
      printf '%s\t%s\t%s\t%s\n' "$world" "$seed" "$learner" "$value" >>"$results"
    done

    if [ -f "$dir/model-auto.json" ]; then
      python3 - "$dir/model-auto.json" "$world" "$seed" >>"$chosen" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
ece = (m.get("metrics") or {}).get("calibration_error")
print("\t".join([sys.argv[2], sys.argv[3], m["kind"], "n/a" if ece is None else f"{ece:.3f}"]))
PY
    fi

    python3 "$report" tiers "$tier_source" | while IFS=$'\t' read -r tier value; do
      printf '%s\t%s\t%s\t%s\n' "$world" "$seed" "$tier" "$value"
    done >>"$tiers"
    [ "$tier_source" != "$dir/rank-rules.csv" ] ||
      echo "note: tiers of $world seed $seed are from the rules ranking (no auto model)" >&2
  done
done

python3 "$report" render "$results" "$tiers" "$share" rules "${learners[@]}"

# Which candidate the default (auto) training kept, and its calibration
# error on the held-out inspections of the test period.
if [ -s "$chosen" ]; then
  printf '\n| preset | seed | default kept | expected calibration error (test period) |\n|---|---|---|---|\n'
  while IFS=$'\t' read -r w s k e; do
    printf '| %s | %s | %s | %s |\n' "$w" "$s" "$k" "$e"
  done <"$chosen"
fi
