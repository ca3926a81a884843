#!/usr/bin/env bash
# Runs a command on the Benchmarks package after dropping SwiftPM's cached build plan, which
# misses files added to a path dependency (the root package). Used by make bench-* and make test.
#
#   scripts/benchmarks.sh build [swift build options…]   e.g. build -c release --product pg-compare
#   scripts/benchmarks.sh suite                           the ordo-one/benchmark suites
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rm -f "$root"/Benchmarks/.build/*/description.json
case ${1:-} in
build) shift; swift build --package-path "$root/Benchmarks" "$@" ;;
suite) cd "$root/Benchmarks" && swift package --allow-writing-to-package-directory benchmark --no-progress ;;
*) echo "usage: scripts/benchmarks.sh build [options…] | suite" >&2; exit 2 ;;
esac
