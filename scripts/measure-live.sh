#!/usr/bin/env bash
# `make measure-live`: freshness of the real-time pipeline. The producer sends in real time (each
# event stamped with the time it is sent) at --rate events/s for --minutes, while --processes
# `lakehouse run` processes share the stream; then the pipeline drains and stops. Before the
# producer starts, the processes run --idle-seconds with no traffic, to measure their idle CPU.
#
# Reported:
#   - freshness per event: when the gold refresh that applied it committed (pipeline_run.ended_at
#     of the gold run whose silver batches hold it) minus its event time; p50, p99, max, over
#     every event;
#   - the age of the newest event in gold, sampled every 2 s while the producer runs (what
#     `lakehouse status` shows);
#   - CPU of each `lakehouse run` while the producer sends until gold holds every event (user +
#     system seconds ÷ wall seconds, as % of one core; the busiest process), its idle CPU over
#     the quiet start, and peak resident memory (VmHWM, the largest).
#
#   scripts/measure-live.sh [--minutes 10] [--rate 2000] [--shards 4] [--stores 10] [--products 200]
#                           [--processes 1] [--idle-seconds 60]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

minutes=10 rate=2000 shards=4 stores=10 products=200 processes=1 idle=60
while (($#)); do
    case $1 in
    --minutes) minutes=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --shards) shards=$2; shift 2 ;;
    --stores) stores=$2; shift 2 ;;
    --products) products=$2; shift 2 ;;
    --processes) processes=$2; shift 2 ;;
    --idle-seconds) idle=$2; shift 2 ;;
    *) echo "measure-live: unknown option $1 (see the header of scripts/measure-live.sh)" >&2; exit 2 ;;
    esac
done

out=.measure-live
mkdir -p "$out"
say() { printf 'measure-live [%s]: %s\n' "$(date -u +%H:%M:%S)" "$*"; }

say "building lakehouse, provision and producer (release); a fresh stream, buckets and database"
# shellcheck source=scripts/fresh-run.sh
. scripts/fresh-run.sh
release_run live lakehouse_live "$shards" "$out"

pids=()
sampler=
cleanup() {
    [[ -n $sampler ]] && kill "$sampler" 2>/dev/null || true
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    if ((started_services)); then scripts/services.sh stop || true; fi
}
trap cleanup EXIT

for i in $(seq 1 "$processes"); do
    "$bin/lakehouse" run --env-file '' >"$out/lakehouse-$i.log" 2>&1 &
    pids+=($!)
done
ticks=$(getconf CLK_TCK)
# CPU seconds (user + system) of a process so far.
cpu_seconds() { awk -v t="$ticks" '{printf "%.3f", ($14 + $15) / t}' "/proc/$1/stat"; }
# The largest of `cpu% = 100 × (now - before) ÷ seconds` over the processes; before is an array name.
busiest() {
    local -n before=$1
    local seconds=$2 worst=0 i now
    for i in "${!pids[@]}"; do
        now=$(cpu_seconds "${pids[$i]}")
        worst=$(awk -v a="$now" -v b="${before[$i]}" -v s="$seconds" -v w="$worst" \
            'BEGIN { c = 100 * (a - b) / s; printf "%.1f", (c > w ? c : w) }')
    done
    echo "$worst"
}
sleep 5  # started, shards leased, first passes done
idle_before=()
for pid in "${pids[@]}"; do idle_before+=("$(cpu_seconds "$pid")"); done
say "$processes lakehouse run process(es) idle for $idle s"
sleep "$idle"
idle_cpu=$(busiest idle_before "$idle")
say "idle CPU (busiest process): $idle_cpu%"
load_before=()
for pid in "${pids[@]}"; do load_before+=("$(cpu_seconds "$pid")"); done
load_started=$(date +%s.%N)

# The age of the newest event in gold, every 2 s, while the producer sends.
: >"$out/ages.txt"
(
    while :; do
        psql -qAt "$DATABASE_URL" \
            -c "SELECT extract(epoch FROM now() - max(last_event_time)) FROM stock_position" >>"$out/ages.txt" \
            2>/dev/null || true
        sleep 2
    done
) &
sampler=$!

seconds=$((minutes * 60))
say "producer: $rate events/s in real time for $seconds s ($stores stores × $products products, $shards shards)"
"$bin/producer" --real-time --rate "$rate" --seconds "$seconds" --days 3650 --stores "$stores" \
    --products "$products" --truth "$out/truth.json" --env-file '' >"$out/producer.log" 2>&1
kill "$sampler" 2>/dev/null || true
sent=$(grep -o '^sent [0-9]*' "$out/producer.log" | grep -o '[0-9]*')
tail -1 "$out/producer.log"

say "waiting for gold to hold every event sent ($sent)"
for _ in $(seq 1 300); do
    in_gold=$(psql -qAt "$DATABASE_URL" -c "SELECT count(*) FROM fact_stock_movement")
    ((in_gold >= sent)) && break
    sleep 1
done
load_seconds=$(awk -v a="$(date +%s.%N)" -v b="$load_started" 'BEGIN { printf "%.3f", a - b }')
cpu=$(busiest load_before "$load_seconds")
peak_kib=0
for pid in "${pids[@]}"; do
    kib=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
    ((kib > peak_kib)) && peak_kib=$kib
done
for pid in "${pids[@]}"; do kill -TERM "$pid"; done
for pid in "${pids[@]}"; do wait "$pid" || true; done
pids=()
for i in $(seq 1 "$processes"); do tail -1 "$out/lakehouse-$i.log"; done

read -r p50 p99 max events < <(psql -qAt -F ' ' "$DATABASE_URL" -c "
    SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY lag)::numeric, 2),
           round(percentile_cont(0.99) WITHIN GROUP (ORDER BY lag)::numeric, 2),
           round(max(lag)::numeric, 2), count(*)
    FROM (SELECT extract(epoch FROM r.ended_at - s.event_time) AS lag
          FROM sales_silver s JOIN pipeline_run r
            ON r.stage = 'gold' AND r.status = 'succeeded' AND s.silver_batch BETWEEN r.batch_from AND r.batch_to) l")
read -r age50 age99 < <(sort -n "$out/ages.txt" | awk '$1 != "" { a[n++] = $1 } END {
    if (n == 0) { print "- -"; exit }
    printf "%.2f %.2f\n", a[int(0.5 * (n - 1))], a[int(0.99 * (n - 1))] }')
say "events in gold: $events of $sent sent; loaded for $load_seconds s"
echo "measure live-freshness p50=${p50}s p99=${p99}s max=${max}s newest_age_p50=${age50}s newest_age_p99=${age99}s events=$events rate=$rate minutes=$minutes shards=$shards processes=$processes cpu=${cpu}% idle_cpu=${idle_cpu}% peak_rss=$((peak_kib / 1024))MiB"
