#!/usr/bin/env bash
# Builds ParquetLite's reader with libFuzzer and AddressSanitizer and fuzzes it
# (`make fuzz-parquet`). The corpus starts from the conformance files (Tests/Conformance/parquet-testing,
# or PARQUET_TESTING_DIR) and grows in .build/fuzz/corpus; crashes are written to
# .build/fuzz/crashes and make the run fail.
#
#   FUZZ_SECONDS   how long to fuzz (default 1800)
#   FUZZ_JOBS      parallel fuzzing processes (default 1)
#   PARQUET_TESTING_DIR  where the seed files are (default Tests/Conformance/parquet-testing)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${FUZZ_SECONDS:-1800}
jobs=${FUZZ_JOBS:-1}
out="$root/.build/fuzz"
mkdir -p "$out/corpus" "$out/crashes" "$out/seeds"
conformance=${PARQUET_TESTING_DIR:-$root/Tests/Conformance/parquet-testing}
if ! ls "$conformance"/*.parquet > /dev/null 2>&1; then
    echo "fuzz-parquet: no .parquet seed files in $conformance" >&2
    exit 1
fi
cp "$conformance"/*.parquet "$out/seeds/"
cp "$conformance"/bad_data/*.parquet "$out/seeds/" 2>/dev/null || true

echo "fuzz-parquet: building (libFuzzer + AddressSanitizer)"
rm -f "$out/parquet-fuzz"  # a failed build must not leave an older binary to fuzz
swiftc -sanitize=fuzzer,address -parse-as-library -O -g -module-name ParquetFuzz \
    -I "$root/Sources/CZstd" -I "$root/Sources/CSnappy" -I "$root/Sources/CZlib" -I "$root/Sources/CLZ4" \
    "$root"/Sources/ParquetLite/*.swift "$root"/Fuzz/ParquetFuzz/*.swift \
    -lzstd -lsnappy -lz -llz4 -o "$out/parquet-fuzz" 2>&1 | grep -v "Cannot export local symbol" || true
test -x "$out/parquet-fuzz"

echo "fuzz-parquet: fuzzing for ${seconds}s with ${jobs} job(s); corpus $out/corpus"
start=$(date +%s)
status=0
parallel=()
if [ "$jobs" -gt 1 ]; then parallel=(-jobs="$jobs" -workers="$jobs"); fi
# libFuzzer writes its per-job logs (fuzz-N.log) into the working directory.
(cd "$out" && ./parquet-fuzz -max_total_time="$seconds" -rss_limit_mb=4096 -malloc_limit_mb=4096 -timeout=20 \
    -max_len=262144 "${parallel[@]}" -artifact_prefix="$out/crashes/" -print_final_stats=1 \
    corpus seeds > fuzz.log 2>&1) || status=$?
tail -n 25 "$out/fuzz.log"
if [ "$jobs" -gt 1 ]; then tail -n 5 "$out"/fuzz-*.log; fi
elapsed=$(( $(date +%s) - start ))
echo "$(date -u +%FT%TZ) seconds=$elapsed status=$status" >> "$out/history"
if [ "$status" -ne 0 ] || ls "$out"/crashes/* > /dev/null 2>&1; then
    echo "fuzz-parquet: FAILED after ${elapsed}s; inputs in $out/crashes" >&2
    exit 1
fi
echo "fuzz-parquet: no crash in ${elapsed}s ($(ls "$out/corpus" | wc -l) corpus inputs)"
