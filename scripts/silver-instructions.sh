#!/usr/bin/env bash
# `make bench-silver`'s instruction count: silver's cleaning of 20,000 of the simulator's bronze
# records (2 % dirty) on one thread under callgrind, which counts the same instructions however
# busy the machine is. Prints the instructions per record and per byte of bronze.
#
# Valgrind 3.19 cannot read the DWARF 5 of Swift 6.3's debug information, so it runs a copy of
# the executable without it (symbols stay, which --toggle-collect needs).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
records=${1:-20000}
scripts/benchmarks.sh build -c release --product silver-instructions
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
objcopy --strip-debug Benchmarks/.build/release/silver-instructions "$work/silver-instructions"
valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" \
    --toggle-collect='$s13LakehouseCore11SilverBatchV7cleaned*' \
    "$work/silver-instructions" --records "$records" >"$work/stdout" 2>"$work/stderr" ||
    { cat "$work/stderr" >&2; exit 1; }
summary=$(grep '^silver-instructions:' "$work/stdout")
instructions=$(grep -o 'Collected : [0-9]*' "$work/stderr" | grep -o '[0-9]*$')
bytes=$(grep -o 'bytes=[0-9]*' <<<"$summary" | cut -d= -f2)
[[ -n $instructions && -n $bytes ]] || { cat "$work/stderr" >&2; echo "silver-instructions: no count" >&2; exit 1; }
echo "$summary"
awk -v i="$instructions" -v r="$records" -v b="$bytes" 'BEGIN {
    printf "silver-instructions: %d instructions per record, %.1f per byte of bronze (callgrind, %d records, one thread)\n", i / r, i / b, r }'
