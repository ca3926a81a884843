#!/usr/bin/env bash
# `make measure-live`: freshness of the real-time pipeline. The producer sends in real time (each
# event stamped with the time it is sent) at --rate events/s for --minutes, while one
# `lakehouse run` follows the stream; then the pipeline drains and stops.
#
# Reported:
#   - freshness per event: when the gold refresh that applied it committed (pipeline_run.ended_at
#     of the gold run whose silver batches hold it) minus its event time; p50, p99, max, over
#     every event;
#   - the age of the newest event in gold, sampled every 2 s while the producer runs (what
#     `lakehouse status` shows);
#   - CPU of `lakehouse run` (user + system seconds ÷ wall seconds, as % of one core) and its
#     peak resident memory (VmHWM).
#
#   scripts/measure-live.sh [--minutes 10] [--rate 2000] [--shards 4] [--stores 10] [--products 200]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

minutes=10 rate=2000 shards=4 stores=10 products=200
while (($#)); do
    case $1 in
    --minutes) minutes=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --shards) shards=$2; shift 2 ;;
    --stores) stores=$2; shift 2 ;;
    --products) products=$2; shift 2 ;;
    *) echo "measure-live: unknown option $1 (see the header of scripts/measure-live.sh)" >&2; exit 2 ;;
    esac
done

out=.measure-live
mkdir -p "$out"
say() { printf 'measure-live [%s]: %s\n' "$(date -u +%H:%M:%S)" "$*"; }

say "building lakehouse, provision and producer (release)"
for product in lakehouse provision producer; do swift build -c release --product "$product" >/dev/null; done
bin=$(swift build -c release --show-bin-path)

started_services=0
if ! scripts/services.sh status >/dev/null 2>&1; then
    scripts/services.sh start
    started_services=1
fi
# shellcheck source=scripts/fresh-run.sh
. scripts/fresh-run.sh
fresh_run live lakehouse_live
"$bin/provision" apply --shards "$shards" --env-file '' >"$out/provision.log" 2>&1

lakehouse_pid=
cleanup() {
    [[ -n $lakehouse_pid ]] && kill "$lakehouse_pid" 2>/dev/null || true
    if ((started_services)); then scripts/services.sh stop || true; fi
}
trap cleanup EXIT

"$bin/lakehouse" run --env-file '' >"$out/lakehouse.log" 2>&1 &
lakehouse_pid=$!
sleep 2

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
"$bin/producer" --real-time --rate "$rate" --seconds "$seconds" --days 100000 --stores "$stores" \
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
read -r utime stime < <(awk '{print $14, $15}' "/proc/$lakehouse_pid/stat")
ticks=$(getconf CLK_TCK)
wall=$(($(date +%s) - run))
peak_kib=$(awk '/VmHWM/ {print $2}' "/proc/$lakehouse_pid/status")
kill -TERM "$lakehouse_pid"
wait "$lakehouse_pid" || true
lakehouse_pid=
tail -1 "$out/lakehouse.log"

cpu=$(awk -v u="$utime" -v s="$stime" -v t="$ticks" -v w="$wall" 'BEGIN { printf "%.1f", 100 * (u + s) / t / w }')
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
say "events in gold: $events of $sent sent; lakehouse run: $wall s wall"
echo "measure live-freshness p50=${p50}s p99=${p99}s max=${max}s newest_age_p50=${age50}s newest_age_p99=${age99}s events=$events rate=$rate minutes=$minutes shards=$shards cpu=${cpu}% peak_rss=$((peak_kib / 1024))MiB"
