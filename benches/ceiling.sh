#!/usr/bin/env bash
# How far could a learner trained on inspection outcomes go, against the
# rules score and against learners fitted on the truth itself? See
# benches/ceiling.py for the scorers; docs/model.md for a run.
#
#   cargo build --release
#   pip install numpy scipy scikit-learn polars
#   benches/ceiling.sh            # SITES=20000 SEEDS="1 2 3", all five presets
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${TILSYN_BIN:-${CARGO_TARGET_DIR:-$root/target}/release/tilsyn}
sites=${SITES:-20000}
read -r -a seeds <<<"${SEEDS:-1 2 3}"
read -r -a worlds <<<"${WORLDS:-baseline faint-signals biased-history noisy-findings drift}"
[ -x "$bin" ] || { echo "no release binary at $bin: run cargo build --release first" >&2; exit 2; }
work=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/tilsyn-ceiling.XXXXXX")}
[ -n "${WORK:-}" ] || trap 'rm -rf "$work"' EXIT
dirs=()
for w in "${worlds[@]}"; do
  for s in "${seeds[@]}"; do
    d=$work/$w-$s
    echo "world $w seed $s" >&2
    "$bin" generate --out "$d" --sites "$sites" --seed "$s" --world "$w" >/dev/null
    mkdir -p "$d/frames"
    TILSYN_FRAMES=$d/frames "$bin" rank --data "$d" --scorer rules --format csv --quiet >"$d/rules.csv"
    TILSYN_FRAMES=$d/frames "$bin" train --data "$d" --out "$d/model.json" --bootstrap 10 --quiet >/dev/null
    dirs+=("$d")
  done
done
python3 "$root/benches/ceiling.py" "${dirs[@]}"
