#!/usr/bin/env bash
# `make demo`: on a fresh machine, one command. Installs what is missing (make deps did), builds
# the executables, starts the local services (left running afterwards, so that you can query the
# views), provisions a fresh stream, buckets and database for this run, simulates 14 days of 10
# stores × 200 products with 2 % dirty records into Kinesis, ingests until caught up, runs silver
# and gold, then prints a summary: events by type, quarantined by reason, duplicates, the 15
# most urgent open alerts, the alert scores against the simulation's truth, and how to query the
# views with psql.
#
#   scripts/demo.sh [--days 14] [--stores 10] [--products 200] [--seed 1]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

days=14 stores=10 products=200 seed=1
while (($#)); do
    case $1 in
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

# A debug build: on a fresh machine it takes a third of a release build's time, and the demo's
# 133,000 events do not need more speed. LAKEHOUSE_DEMO_BUILD=release builds optimized.
configuration=${LAKEHOUSE_DEMO_BUILD:-debug}
step "installing what is missing: Debian packages now, the Python tools (moto) while building"
scripts/deps.sh --system
scripts/deps.sh --python >.demo/deps.log 2>&1 &
python_tools=$!
step "building the executables ($configuration)"
for product in provision producer ingest silver gold; do
    swift build -c "$configuration" --product "$product"
done
bin=$(swift build -c "$configuration" --show-bin-path)
wait "$python_tools" || { cat .demo/deps.log >&2; echo "demo: installing the Python tools failed" >&2; exit 1; }

step "starting the local services (they stay up: make services-stop when done)"
scripts/services.sh start
set -a
# shellcheck disable=SC1091
. .services/env
set +a

# A fresh database, stream and buckets for this run, so that a second demo starts clean.
run=$(date +%s)
export KINESIS_STREAM=demo-$run S3_BUCKET_BRONZE=demo-$run-bronze S3_BUCKET_SILVER=demo-$run-silver \
    S3_BUCKET_GOLD=demo-$run-gold
psql -q "$DATABASE_URL" -c "DROP DATABASE IF EXISTS lakehouse_demo WITH (FORCE)" -c "CREATE DATABASE lakehouse_demo"
export DATABASE_URL=${DATABASE_URL%/*}/lakehouse_demo
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

step "producer: $days days of $stores stores × $products products, 2 % dirty, into Kinesis; ingest reads as it goes"
# Ingest follows the stream while the producer sends (SIGTERM flushes and checkpoints every
# shard), then drains what is left.
"$bin/ingest" --flush-seconds 5 --env-file '' >.demo/ingest.log 2>&1 &
ingest=$!
trap 'kill "$ingest" 2>/dev/null || true' EXIT
"$bin/producer" --stores "$stores" --products "$products" --days "$days" --seed "$seed" --dirty-rate 0.02 \
    --truth .demo/truth.json --env-file ''
kill -TERM "$ingest"
wait "$ingest" || { tail -20 .demo/ingest.log >&2; echo "demo: ingest failed" >&2; exit 1; }
trap - EXIT

step "ingest: the rest of the stream, until caught up"
"$bin/ingest" --until-caught-up --env-file ''

step "silver: bronze → Delta Lake on S3 and PostgreSQL"
"$bin/silver" --once --env-file ''

step "gold: star schema, stock, forecasts, alerts"
"$bin/gold" refresh --env-file ''

step "summary"
"$bin/gold" summary --env-file ''
echo
echo "the 15 most urgent open alerts:"
"$bin/gold" alerts --limit 15 --env-file ''
echo
"$bin/gold" evaluate --truth .demo/truth.json --env-file ''

step "done. Query the views (the services stay up; make services-stop when done):"
cat <<HINT
  set -a; . .demo/env; set +a
  psql "\$DATABASE_URL" -c 'select * from v_sales_store_day order by date, store_id limit 10'
  psql "\$DATABASE_URL" -c 'select * from v_current_stock order by days_of_cover nulls last limit 10'
  psql "\$DATABASE_URL" -c 'select * from v_sales_velocity order by units_per_day_7d desc limit 10'
  psql "\$DATABASE_URL" -c 'select kind, store_id, product_id, on_hand, reason from v_open_alerts order by urgency_rank, predicted_stockout_at limit 15'
  psql "\$DATABASE_URL" -c 'select * from v_reorder_suggestions order by predicted_stockout_at limit 10'
HINT
