#!/usr/bin/env bash
# `make test`: build, lint, start the local services, run every test target, and stop the
# services whatever happens (failure, Ctrl-C, kill). Exits non-zero on any failure.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

unit='^(AWSLiteTests|ParquetLiteTests|PGLiteTests|DeltaLiteTests|LakehouseCoreTests)\.'

echo "test: building (warnings are errors in our targets)"
swift build --build-tests

# `make test-unit`: the hermetic unit targets only (no service, no Python, no openssl).
if [[ ${1:-} == --unit ]]; then
    echo "test: swift test, the unit targets"
    swift test --skip-build --filter "$unit"
    exit 0
fi

echo "test: swift format lint"
swift format lint --strict --recursive Sources Tests Package.swift Benchmarks/Package.swift Benchmarks/Sources Benchmarks/Benchmarks

echo "test: no function over 60 lines in LakehouseCore, DeltaLite and LakehouseServer (scripts/function-lengths.py)"
python3 scripts/function-lengths.py --max 60 Sources/LakehouseCore Sources/DeltaLite Sources/LakehouseServer

echo "test: no breaking API change without a version bump (scripts/api-check.sh)"
scripts/api-check.sh

stop_services() {
    # Cleanup must finish even when the terminal's Ctrl-C also killed a pager or `tee` we write
    # to (SIGPIPE), or Ctrl-C is pressed again.
    trap '' PIPE INT TERM
    trap - EXIT
    "$root/scripts/services.sh" stop || true
}
trap stop_services EXIT
trap 'stop_services; exit 130' INT
trap 'stop_services; exit 143' TERM

"$root/scripts/services.sh" start
set -a
# shellcheck disable=SC1091
. "$root/.services/env"
set +a

# The unit targets, the interop target, then the integration target, in three runs: CPU-bound
# work (codecs, simulations, fuzzing, Python) holds the test process's few cooperative threads
# (or the cores) for a minute or more, which would otherwise stall the integration tests' waits
# on real services.
# Arguments go to one `swift test` as given.
if [[ $# -gt 0 ]]; then
    echo "test: swift test $*"
    swift test "$@"
else
    runs='^(AWSLiteTests|ParquetLiteTests|PGLiteTests|DeltaLiteTests|LakehouseCoreTests|InteropTests|AWSLiteIntegrationTests|PGLiteIntegrationTests|DeltaLiteIntegrationTests|IntegrationTests)\.'
    listed=$(swift test list --skip-build)
    if unlisted=$(grep -vE "$runs" <<<"$listed"); then
        echo "test: these tests belong to neither run; add their target to scripts/test.sh:" >&2
        echo "$unlisted" >&2
        exit 1
    fi
    echo "test: swift test, the unit targets"
    swift test --skip-build --filter "$unit"
    echo "test: swift test, the interop target (pyarrow, DuckDB, jsonschema, openssl)"
    swift test --skip-build --filter '^InteropTests\.'
    echo "test: swift test, the integration targets (each library's, then the pipeline's)"
    swift test --skip-build --filter '^(AWSLiteIntegrationTests|PGLiteIntegrationTests|DeltaLiteIntegrationTests|IntegrationTests)\.'
fi

echo "test: the benchmark comparisons build"
scripts/benchmarks.sh build --product aws-compare
scripts/benchmarks.sh build --product pg-compare
scripts/benchmarks.sh build --product ingest-compare
echo "test: the silver transform vs DuckDB, short mode (20,000 records; the counts of both sides must agree)"
scripts/benchmarks.sh build --product silver-compare
Benchmarks/.build/debug/silver-compare --python "$root/.venv/bin/python" --records 20000 --per-object 2000 \
    --end-to-end-records 4000
echo "test: gold on a long history vs a short one, short mode (2,000 new events on 20,000 and 60,000; speed not asserted)"
scripts/benchmarks.sh build --product gold-compare
Benchmarks/.build/debug/gold-compare --small 20000 --large 60000 --new 2000 --batch 20000

# Debug builds share the build above (a release build would compile swift-crypto once more);
# speed is not asserted here. The full-size memory run uses a release build.
echo "test: ParquetLite vs pyarrow, polars and DuckDB, short mode (50,000 rows, one round, no assertion on speed)"
scripts/benchmarks.sh build --product parquet-compare
Benchmarks/.build/debug/parquet-compare --python "$root/.venv/bin/python" --rows 50000 --rounds 1
echo "test: ParquetLite's reader vs polars and pyarrow, short mode (50,000 rows, one round, no assertion on speed)"
scripts/benchmarks.sh build --product parquet-read-compare
Benchmarks/.build/debug/parquet-read-compare --python "$root/.venv/bin/python" --rows 50000 --rounds 1

echo "test: the ordo-one suites at smoke size (every benchmark of every suite runs; no figure is asserted)"
scripts/benchmarks.sh suite-smoke

memory_rows=1000000
memory_build=debug
if [[ ${LAKEHOUSE_TEST_SCALE:-} == full ]]; then memory_rows=10000000 memory_build=release; fi
echo "test: ParquetLite's memory, writing and reading, stays bounded by the row group ($memory_rows rows)"
scripts/benchmarks.sh build -c "$memory_build" --product parquet-memory
Benchmarks/.build/$memory_build/parquet-memory --rows "$memory_rows"
