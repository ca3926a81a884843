#!/usr/bin/env bash
# `make bench-pg`: builds the comparison, starts the local services if they are not running
# (and stops them afterwards in that case), and runs pg-compare against the test PostgreSQL.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scripts/benchmarks.sh build -c release --product pg-compare

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
Benchmarks/.build/release/pg-compare --database-url "$LAKEHOUSE_TEST_DATABASE_URL" --python "$root/.venv/bin/python" "$@"
