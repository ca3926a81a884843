#!/usr/bin/env bash
# `make bench-pg`, `make bench-ingest`: builds a comparison (release), starts the local services
# if they are not running (and stops them afterwards in that case), reads their addresses from
# .services/env (DATABASE_URL, AWS_ENDPOINT_URL, which the comparisons default to) and runs it
# with the project's Python as the peer's. Options after the product pass through:
#
#   scripts/bench-with-services.sh ingest-compare --backlog 50000 --lag-seconds 20
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
product=${1:?usage: scripts/bench-with-services.sh PRODUCT [options…]}
shift

scripts/benchmarks.sh build -c release --product "$product"

started=0
if ! scripts/services.sh status >/dev/null 2>&1; then
    scripts/services.sh start
    started=1
fi
stop() { if ((started)); then scripts/services.sh stop || true; fi; }
trap stop EXIT
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM

set -a
# shellcheck disable=SC1091
. .services/env
set +a
"Benchmarks/.build/release/$product" --python "$root/.venv/bin/python" "$@"
