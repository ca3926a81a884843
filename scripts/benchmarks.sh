#!/usr/bin/env bash
# Runs a command on the Benchmarks package after dropping SwiftPM's cached build plan, which
# misses files added to a path dependency (the root package). Used by make bench-* and make test.
#
#   scripts/benchmarks.sh build [swift build options…]   e.g. build -c release --product pg-compare
#   scripts/benchmarks.sh suite                           the ordo-one/benchmark suites
#   scripts/benchmarks.sh suite-smoke                     the same at smoke size, debug build (make test)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rm -f "$root"/Benchmarks/.build/*/description.json
case ${1:-} in
build) shift; swift build --package-path "$root/Benchmarks" "$@" ;;
suite) cd "$root/Benchmarks" && swift package --allow-writing-to-package-directory benchmark --no-progress ;;
# Every benchmark of every suite at smoke size (small inputs, 3 iterations) on a debug build:
# it shows that each still runs, not how fast. The suites' own executables run directly: the
# plugin's debug runs crash on Linux with Swift 6.3 without ordo-one's runtime interposer (see
# Benchmarks/README.md), which is not available here; release runs (`suite`) are unaffected.
suite-smoke)
    suites=(ParquetLiteBenchmarks LakehouseCoreBenchmarks PGLiteBenchmarks AWSLiteBenchmarks)
    for suite in "${suites[@]}"; do swift build --package-path "$root/Benchmarks" --product "$suite"; done
    bin=$(swift build --package-path "$root/Benchmarks" --show-bin-path)
    for suite in "${suites[@]}"; do
        out=$(LAKEHOUSE_BENCH_SMOKE=1 "$bin/$suite" 2>&1) || { echo "$out" >&2; echo "benchmarks: $suite failed" >&2; exit 1; }
        declared=$(grep -c '^ *Benchmark("' "$root/Benchmarks/Benchmarks/$suite/$suite.swift")
        ran=$(grep -c '^Debug results for ' <<<"$out")
        [[ $ran -eq $declared ]] || { echo "$out" >&2; echo "benchmarks: $suite ran $ran of its $declared benchmarks" >&2; exit 1; }
        echo "benchmarks: $suite, all $ran benchmarks ran at smoke size"
    done ;;
*) echo "usage: scripts/benchmarks.sh build [options…] | suite | suite-smoke" >&2; exit 2 ;;
esac
