#!/usr/bin/env bash
# `make demo`: on a fresh machine, one command. Installs what is missing (make deps did), builds
# the executables, starts the local services (left running afterwards, so that you can query the
# views), provisions a fresh stream, buckets and database for this run, simulates 14 days of 10
# stores × 200 products with 2 % dirty records into Kinesis while ingest, silver and gold follow
# it (after the warm-up days the stores order gold's proposals), then prints a summary: events by
# type, quarantined by reason, duplicates, alerts per store-day, the riskiest proposal lines, the
# open alerts as the stores see them, the mark-down lists, what the shelves saw, and how to query
# the views with psql; then it starts the dashboard (`lakehouse serve` on 127.0.0.1:8080, or
# LAKEHOUSE_DEMO_HTTP_PORT), left running with the services, and prints its address.
#
#   scripts/demo.sh [--days 14] [--stores 10] [--products 200] [--seed 1]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

days=14 stores=10 products=200 seed=1 warmup=7
while (($#)); do
    case $1 in
    --warm-up-days) warmup=$2; shift 2 ;;
    --days) days=$2; shift 2 ;;
    --stores) stores=$2; shift 2 ;;
    --products) products=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    *) echo "demo: unknown option $1 (see the header of scripts/demo.sh)" >&2; exit 2 ;;
    esac
done

started=$(date +%s)
mkdir -p .demo
step() { printf '\ndemo [%3ds]: %s\n' $(($(date +%s) - started)) "$*"; }

# A debug build: on a fresh machine it takes half a release build's time, and the demo's
# 133,000 events do not need more speed. LAKEHOUSE_DEMO_BUILD=release builds optimized.
configuration=${LAKEHOUSE_DEMO_BUILD:-debug}
step "installing what is missing: Debian packages now, moto's server while building"
scripts/deps.sh --system
scripts/deps.sh --services >.demo/deps.log 2>&1 &
python_tools=$!
# In its own build directory, without debug info or an index (a third faster to build from
# scratch), so that it never invalidates the test build in .build/debug.
step "building the executables ($configuration, in .build/demo)"
build=(swift build -c "$configuration" --scratch-path .build/demo --disable-index-store -Xswiftc -gnone -Xcc -g0)
for product in provision producer ingest silver gold lakehouse; do
    "${build[@]}" --product "$product"
done
bin=$("${build[@]}" --show-bin-path)
wait "$python_tools" || { cat .demo/deps.log >&2; echo "demo: installing the Python tools failed" >&2; exit 1; }

step "starting the local services (they stay up: make services-stop when done)"
scripts/services.sh start
# A fresh database, stream and buckets for this run, so that a second demo starts clean.
# shellcheck source=scripts/fresh-run.sh
. scripts/fresh-run.sh
fresh_run demo lakehouse_demo
mkdir -p .demo
{
    echo "# Written by scripts/demo.sh: the last demo's settings (source it to query or rerun stages)."
    echo "DATABASE_URL=$DATABASE_URL"
    echo "AWS_ENDPOINT_URL=$AWS_ENDPOINT_URL"
    echo "AWS_REGION=$AWS_REGION"
    echo "AWS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID"
    echo "AWS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY"
    echo "KINESIS_STREAM=$KINESIS_STREAM"
    echo "S3_BUCKET_BRONZE=$S3_BUCKET_BRONZE"
    echo "S3_BUCKET_SILVER=$S3_BUCKET_SILVER"
    echo "S3_BUCKET_GOLD=$S3_BUCKET_GOLD"
} >.demo/env

step "provisioning: stream ($KINESIS_STREAM, 4 shards), buckets, database migrations"
"$bin/provision" apply --shards 4 --env-file ''

step "producer: $days days of $stores stores × $products products, 2 % dirty, into Kinesis"
echo "demo: ingest, silver and gold follow the stream meanwhile (logs in .demo/); after $warmup days"
echo "demo: the stores order gold's proposals (each waits for gold at its evening review)"
# The pipeline runs while the producer sends, as it would live: ingest follows the stream, silver
# polls for new bronze objects, gold refreshes after them. SIGTERM stops each cleanly (ingest
# flushes and checkpoints, silver and gold stop between batches); each then finishes the rest.
background=()
stop_background() { for pid in "${background[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done; }
trap stop_background EXIT
"$bin/ingest" --flush-seconds 1 --env-file '' >.demo/ingest.log 2>&1 &
ingest=$!
"$bin/silver" --poll-seconds 1 --env-file '' >.demo/silver.log 2>&1 &
silver=$!
"$bin/gold" refresh --every 1 --env-file '' >.demo/gold.log 2>&1 &
gold=$!
background=("$ingest" "$silver" "$gold")
"$bin/producer" --stores "$stores" --products "$products" --days "$days" --seed "$seed" --dirty-rate 0.02 \
    --orders-from-database --warm-up-days "$warmup" --truth .demo/truth.json --env-file '' | tee .demo/producer.out
finish() {  # pid name: stop it, and fail with its log if it failed
    kill -TERM "$1" 2>/dev/null || true
    wait "$1" || { tail -20 ".demo/$2.log" >&2; echo "demo: $2 failed" >&2; exit 1; }
}

step "ingest: the rest of the stream, until caught up"
finish "$ingest" ingest
"$bin/ingest" --until-caught-up --env-file ''

step "silver: the rest of bronze → Delta Lake on S3 and PostgreSQL"
finish "$silver" silver
"$bin/silver" --once --env-file ''

step "gold: the rest → star schema, stock, forecasts, order proposals, alerts"
finish "$gold" gold
trap - EXIT
"$bin/gold" refresh --env-file ''
grep -h "^silver:\|^batch" .demo/silver.log | tail -3 || true

step "summary"
"$bin/gold" summary --env-file ''
echo
echo "each store's newest order proposal (the 15 riskiest lines; gold proposal --store STORE_001 for one store):"
"$bin/gold" proposal --limit 15 --env-file ''
echo
echo "the open alerts as the stores see them (what needs a person; a store's mark-downs are one list), most urgent first:"
"$bin/gold" alerts --limit 40 --env-file ''
echo
echo "the perishables to mark down (the 10 worth most; gold markdowns --store STORE_001 for one store):"
"$bin/gold" markdowns --limit 10 --env-file ''
echo
sed -n '/^what the shelves saw/,$p' .demo/producer.out

step "the dashboard: lakehouse serve, left running with the services"
# The previous demo's server, if it still runs, gives way to this one.
if [[ -f .demo/serve.pid ]] && grep -q lakehouse "/proc/$(cat .demo/serve.pid)/cmdline" 2>/dev/null; then
    kill "$(cat .demo/serve.pid)" 2>/dev/null || true
    sleep 0.5
fi
dashboard_port=${LAKEHOUSE_DEMO_HTTP_PORT:-8080}
setsid "$bin/lakehouse" serve --http "127.0.0.1:$dashboard_port" --env-file '' >.demo/serve.log 2>&1 </dev/null &
echo $! >.demo/serve.pid
for _ in $(seq 1 50); do
    grep -q "dashboard listening" .demo/serve.log 2>/dev/null && break
    kill -0 "$(cat .demo/serve.pid)" 2>/dev/null || break
    sleep 0.1
done
if grep -q "dashboard listening" .demo/serve.log 2>/dev/null; then
    echo "dashboard: http://127.0.0.1:$dashboard_port/ (stores: /stores, JSON: /api/v1/overview, metrics: /metrics;"
    echo "  pid $(cat .demo/serve.pid), log .demo/serve.log; make services-stop stops it with the services)"
else
    echo "the dashboard did not start (port $dashboard_port taken? LAKEHOUSE_DEMO_HTTP_PORT=8081 make demo):" >&2
    tail -5 .demo/serve.log >&2
fi

step "done. Query the views (the services stay up; make services-stop when done):"
cat <<HINT
  set -a; . .demo/env; set +a
  psql "\$DATABASE_URL" -c 'select * from v_sales_store_day order by date, store_id limit 10'
  psql "\$DATABASE_URL" -c 'select * from v_current_stock order by days_of_cover nulls last limit 10'
  psql "\$DATABASE_URL" -c 'select * from v_sales_velocity order by units_per_day_7d desc limit 10'
  psql "\$DATABASE_URL" -c 'select store_id, product_id, quantity, cases, on_hand, on_order, stockout_risk, reason from v_order_proposal order by store_id, stockout_risk desc limit 15'
  psql "\$DATABASE_URL" -c 'select kind, store_id, product_id, items, reason from v_store_alerts order by urgency_rank, opened_at limit 15'
  psql "\$DATABASE_URL" -c 'select store_id, product_id, on_hand, units_to_spoil, value_to_spoil from v_markdown_list order by value_to_spoil desc limit 10'
HINT
