#!/usr/bin/env bash
# `make demo-live`: the demo in real time. Starts the local services (left running), makes a
# fresh stream, buckets and database, then runs `lakehouse demo --live`: a simulated chain
# sends its events as they happen while the pipeline (ingest, silver, gold) follows, printing
# gold's freshness and the alerts that open and resolve every 5 seconds. Ctrl-C stops the
# producer and drains the pipeline.
#
#   scripts/demo-live.sh [lakehouse demo options: --rate 200 --stores 10 --products 200 --shards 4]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
echo "demo-live: building lakehouse (debug)"
swift build --product lakehouse >/dev/null
bin=$(swift build --show-bin-path)
scripts/services.sh start
# shellcheck source=scripts/fresh-run.sh
. scripts/fresh-run.sh
fresh_run live lakehouse_live_demo
echo "demo-live: stream $KINESIS_STREAM, database lakehouse_live_demo; \`lakehouse status\` in another shell with these settings"
exec "$bin/lakehouse" demo --live --env-file '' "$@"
