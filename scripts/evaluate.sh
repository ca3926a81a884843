#!/usr/bin/env bash
# `make evaluate`: the closed-loop replenishment evaluation (see README, "Replenishment that
# measurably works"). Builds `evaluate` (release), exports one chain's daily sales and the
# model's forecasts, fits statsforecast's models on the same sales (scripts/forecast_compare.py),
# then runs every ordering policy on EVALUATE_SEEDS chains, prints the tables, and writes the
# Markdown report and the plots under .evaluate/. Ends with the `bench` lines.
#
#   EVALUATE_SEEDS=5 EVALUATE_DAYS=56 scripts/evaluate.sh [more evaluate options]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seeds=${EVALUATE_SEEDS:-5}
days=${EVALUATE_DAYS:-56}
out=.evaluate
started=$(date +%s)
step() { printf 'evaluate [%3ds]: %s\n' $(($(date +%s) - started)) "$*" >&2; }

step "building evaluate (release, in .build/evaluate)"
build=(swift build -c release --scratch-path .build/evaluate --disable-index-store --product evaluate)
"${build[@]}" >&2
bin=$("${build[@]}" --show-bin-path)/evaluate
rm -rf "$out"
mkdir -p "$out/forecast"

step "exporting the model's forecasts and the daily sales of one chain (seed 1)"
"$bin" --days "$days" --export-forecasts "$out/forecast"
step "fitting statsforecast's models on the same sales, rolling origin"
.venv/bin/python scripts/forecast_compare.py "$out/forecast" --markdown "$out/forecast.md" \
    --json "$out/forecast.json" | tee "$out/forecast.txt"

step "running the four policies on $seeds chains, then model and oracle over service levels"
"$bin" --days "$days" --seeds "$seeds" --output "$out" --forecast-section "$out/forecast.md" "$@" \
    | tee "$out/tables.txt"
grep '^bench forecast-mase' "$out/forecast.txt"
step "done: $out/report.md"
