#!/usr/bin/env bash
# `make bench-serve`: the dashboard under load while the pipeline ingests in real time.
#
# One `lakehouse run --http` process (the pipeline and the server together) over the demo's data
# (--seed-days simulated days of --stores × --products, sent and caught up first), while the
# producer sends --rate events/s in real time. The run alternates --windows pairs of windows of
# --window-seconds each: one with no HTTP load, one with wrk (Debian's) requesting the Overview,
# a Store page, an Item page and two API calls (/api/v1/overview, /api/v1/stores/{store}) at
# --page-rate requests/s in all, a fifth of it each, two paced connections per URL.
#
# Reported, each a median over the windows of its kind:
#   - per URL and in all: latency p50 and p99 (wrk's --latency) and requests/s;
#   - pipeline freshness per event (gold's commit of the refresh that applied it minus its event
#     time), p99 over the events stamped in the window, with and without the load.
# The last lines are the comparisons, in the benchmarks' one shape:
#   bench serve-pages ratio=<100 ms ÷ p99> ours=<p99>ms peer=100ms peer_name=target_p99 …
#   bench serve-freshness ratio=<loaded p99 ÷ unloaded p99> ours=<loaded>s peer=<unloaded>s
#        peer_name=unloaded target=1.2 …   (here R ≤ 1.2 is the target)
#
#   scripts/bench-serve.sh [--windows 5] [--window-seconds 30] [--rate 2000] [--page-rate 200]
#                          [--seed-days 7] [--stores 10] [--products 200] [--shards 4]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

windows=5 window=30 rate=2000 page_rate=200 seed_days=7 stores=10 products=200 shards=4
while (($#)); do
    case $1 in
    --windows) windows=$2; shift 2 ;;
    --window-seconds) window=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --page-rate) page_rate=$2; shift 2 ;;
    --seed-days) seed_days=$2; shift 2 ;;
    --stores) stores=$2; shift 2 ;;
    --products) products=$2; shift 2 ;;
    --shards) shards=$2; shift 2 ;;
    *) echo "bench-serve: unknown option $1 (see the header of scripts/bench-serve.sh)" >&2; exit 2 ;;
    esac
done
((windows >= 5)) || { echo "bench-serve: --windows must be at least 5 (medians of 5)" >&2; exit 2; }
command -v wrk >/dev/null || { echo "bench-serve: wrk is missing: run make deps" >&2; exit 2; }

out=.build/bench-serve
mkdir -p "$out"
say() { printf 'bench-serve [%s]: %s\n' "$(date -u +%H:%M:%S)" "$*"; }

say "building lakehouse, provision and producer (release); a fresh stream, buckets and database"
# shellcheck source=scripts/fresh-run.sh
. scripts/fresh-run.sh
release_run serve lakehouse_bench_serve "$shards" "$out"

pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    if ((started_services)); then scripts/services.sh stop || true; fi
}
trap cleanup EXIT

say "the demo's data: $seed_days simulated days of $stores stores × $products products, caught up"
"$bin/producer" --days "$seed_days" --stores "$stores" --products "$products" --truth "$out/seed-truth.json" \
    --env-file '' >"$out/seed.log" 2>&1
"$bin/lakehouse" run --until-caught-up --env-file '' >"$out/seed-run.log" 2>&1
tail -1 "$out/seed-run.log"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
"$bin/lakehouse" run --http "127.0.0.1:$port" --env-file '' >"$out/lakehouse.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do curl -sf "$base/readyz" >/dev/null && break; sleep 0.2; done
read -r store product < <(psql -qAt -F ' ' "$DATABASE_URL" -c "
    SELECT s.store_id, p.product_id FROM stock_position sp JOIN dim_store s USING (store_key)
    JOIN dim_product p USING (product_key) ORDER BY s.store_id, p.product_id LIMIT 1")
paths=("/" "/stores/$store" "/stores/$store/items/$product" "/api/v1/overview" "/api/v1/stores/$store")
names=(overview store item api-overview api-store)
for path in "${paths[@]}"; do
    status=$(curl -s -o /dev/null -w '%{http_code}' "$base$path")
    [[ $status == 200 ]] || { echo "bench-serve: $path answered $status" >&2; exit 1; }
done

# Two connections per URL, each waiting a Lua delay between requests, so that each URL gets
# page_rate / 5 requests/s: the delay is what is left of each connection's interval after the
# latency measured under the pipeline's load (calibrated below, once the producer runs), less
# 10 % so that the load errs above the target rather than below.
connections=2
per_url=$(awk -v r="$page_rate" -v n="${#paths[@]}" 'BEGIN { printf "%.3f", r / n }')
pace() {  # pace DELAY_MS → a wrk script that waits that long between requests
    printf 'function delay() return %s end\n' "$1" >"$out/pace.lua"
}
to_ms() { awk -v v="$1" 'BEGIN { u = v; gsub(/[0-9.]/, "", u); n = v + 0;
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000; printf "%.3f", n }'; }
say "server at $base; store $store, product $product"

say "producer: $rate events/s in real time; $windows × (quiet $window s, loaded $window s)"
total=$(( (2 * windows * window) + 30 ))
"$bin/producer" --real-time --rate "$rate" --seconds "$total" --days 3650 --stores "$stores" \
    --products "$products" --seed 2 --truth "$out/truth.json" --env-file '' >"$out/producer.log" 2>&1 &
producer=$!
pids+=("$producer")
sleep 10  # the producer and the pipeline reach their pace
pace 25
calibration=$(wrk -t1 -c1 -d5s --latency -s "$out/pace.lua" "$base${paths[1]}" | awk '/ 50%/ { print $2 }')
delay=$(awk -v c="$connections" -v p="$per_url" -v l="$(to_ms "$calibration")" \
    'BEGIN { d = 0.9 * c * 1000 / p - l; printf "%d", (d > 0 ? d : 0) }')
pace "$delay"
# A trial with every URL at once: the latency then, from the rate reached, sets the delay.
trials=()
for i in "${!paths[@]}"; do
    wrk -t1 -c"$connections" -d5s -s "$out/pace.lua" "$base${paths[$i]}" >"$out/trial-$i.txt" 2>&1 &
    trials+=($!)
done
wait "${trials[@]}" || true
reached=$(cat "$out"/trial-*.txt | awk '/Requests\/sec/ { s += $2 } END { printf "%.1f", s }')
delay=$(awk -v c="$connections" -v p="$per_url" -v n="${#paths[@]}" -v r="$reached" -v d="$delay" \
    'BEGIN { latency = c * 1000 / (r / n) - d; d = 0.9 * c * 1000 / p - latency; printf "%d", (d > 0 ? d : 0) }')
pace "$delay"
say "p50 under the pipeline's load: $calibration; trial at full load: $reached requests/s; $connections connections per URL, delay now $delay ms, for $per_url requests/s each"
: >"$out/windows.txt"
for w in $(seq 1 "$windows"); do
    start=$(date +%s.%N)
    sleep "$window"
    echo "quiet $w $start $(date +%s.%N)" >>"$out/windows.txt"
    start=$(date +%s.%N)
    loads=()
    for i in "${!paths[@]}"; do
        wrk -t1 -c"$connections" -d"${window}s" --timeout 5s --latency -s "$out/pace.lua" "$base${paths[$i]}" \
            >"$out/wrk-$w-${names[$i]}.txt" 2>&1 &
        loads+=($!)
    done
    wait "${loads[@]}" || true
    echo "loaded $w $start $(date +%s.%N)" >>"$out/windows.txt"
done
wait "$producer" || true
sent=$(grep -o '^sent [0-9]*' "$out/producer.log" | grep -o '[0-9]*' || echo 0)
say "producer done ($sent sent); waiting for gold to apply what silver holds"
for _ in $(seq 1 120); do
    pending=$(psql -qAt "$DATABASE_URL" -c "SELECT count(*) FROM bronze_object WHERE batch_id IS NULL")
    ((pending == 0)) && break
    sleep 1
done
sleep 5
kill -TERM "${pids[0]}"; wait "${pids[0]}" || true
pids=()

# Freshness p99 of each window's events.
while read -r kind w from to; do
    p99=$(psql -qAt "$DATABASE_URL" -c "
        SELECT round(percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM r.ended_at - s.event_time))::numeric, 3)
        FROM sales_silver s JOIN pipeline_run r ON r.stage = 'gold' AND r.status = 'succeeded'
            AND s.silver_batch BETWEEN r.batch_from AND r.batch_to
        WHERE s.event_time >= to_timestamp($from) AND s.event_time < to_timestamp($to)")
    echo "$kind $w $p99"
done <"$out/windows.txt" >"$out/freshness.txt"
median() { sort -n | awk '{ a[n++] = $1 } END { if (n == 0) print "nan"; else if (n % 2) print a[int(n / 2)];
    else printf "%.3f\n", (a[n / 2 - 1] + a[n / 2]) / 2 }'; }
quiet=$(awk '$1 == "quiet" { print $3 }' "$out/freshness.txt" | median)
loaded=$(awk '$1 == "loaded" { print $3 }' "$out/freshness.txt" | median)

say "latency by URL (median of $windows loaded windows)"
printf '%-14s %10s %10s %10s %8s\n' url p50_ms p99_ms req_per_s errors
worst_p99=0 total_rps=0 all_p50=()
for i in "${!paths[@]}"; do
    name=${names[$i]}
    p50=$(for f in "$out"/wrk-*-"$name".txt; do to_ms "$(awk '/ 50%/ { print $2 }' "$f")"; echo; done | median)
    p99=$(for f in "$out"/wrk-*-"$name".txt; do to_ms "$(awk '/ 99%/ { print $2 }' "$f")"; echo; done | median)
    rps=$(for f in "$out"/wrk-*-"$name".txt; do awk '/Requests\/sec/ { print $2 }' "$f"; done | median)
    errors=$(cat "$out"/wrk-*-"$name".txt | awk '/Non-2xx|Socket errors/ { e++ } END { print e + 0 }')
    printf '%-14s %10s %10s %10s %8s\n' "$name" "$p50" "$p99" "$rps" "$errors"
    worst_p99=$(awk -v a="$p99" -v b="$worst_p99" 'BEGIN { print (a > b ? a : b) }')
    total_rps=$(awk -v a="$rps" -v b="$total_rps" 'BEGIN { printf "%.1f", a + b }')
    all_p50+=("$p50")
done
p50_all=$(printf '%s\n' "${all_p50[@]}" | median)
say "freshness p99 by window: $(tr '\n' ';' <"$out/freshness.txt")"
ratio_pages=$(awk -v p="$worst_p99" 'BEGIN { printf "%.2f", 100 / p }')
ratio_fresh=$(awk -v l="$loaded" -v q="$quiet" 'BEGIN { printf "%.2f", l / q }')
echo "bench serve-pages ratio=$ratio_pages ours=${worst_p99}ms peer=100ms peer_name=target_p99 p50=${p50_all}ms rps=$total_rps target_rps=$page_rate urls=${#paths[@]} windows=$windows"
echo "bench serve-freshness ratio=$ratio_fresh ours=${loaded}s peer=${quiet}s peer_name=unloaded target=1.2 events_per_s=$rate sent=$sent windows=$windows window_s=$window"
