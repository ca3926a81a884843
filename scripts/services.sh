#!/usr/bin/env bash
# Starts and stops the local services that tests, benchmarks and the demo use:
#   - a throwaway PostgreSQL 15 cluster (initdb under .services/, run as an unprivileged user,
#     listening on 127.0.0.1 only, at a free port);
#   - moto's server on 127.0.0.1 at a free port, standing in for S3 and Kinesis.
# Their addresses go to .services/env (KEY=VALUE lines: a .env file, and sourceable by bash).
#
#   scripts/services.sh start    start what is not running (idempotent), wait until both answer
#   scripts/services.sh stop     stop both, wait until their processes are gone
#   scripts/services.sh status   print what runs, exit 1 if either is down
#   scripts/services.sh clean    stop, then delete the cluster and logs
#   scripts/services.sh start-postgres    start only PostgreSQL (for a test's private cluster:
#                                          set LAKEHOUSE_SERVICES_DIR to a directory of its own)
#   scripts/services.sh restart-postgres  restart PostgreSQL (fast shutdown), same port
#   scripts/services.sh stop-postgres     stop PostgreSQL at once (immediate: as if it crashed);
#                                          start-postgres starts it again on the same port
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
state=${LAKEHOUSE_SERVICES_DIR:-$root/.services}
venv=${LAKEHOUSE_VENV:-$root/.venv}
env_file=$state/env
pg_user_db=lakehouse

# Messages must never stop the script: it may be cleaning up after the reader has gone.
say() { echo "services: $*" >&2 2>/dev/null || true; }
die() { say "$*"; exit 1; }

pg_bin() {
    local dir
    for dir in ${PG_BIN:-} /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
        [[ -x $dir/initdb ]] && { echo "$dir"; return; }
    done
    die "no PostgreSQL server binaries (initdb) found; run 'make deps'"
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

port_answers() {  # port -> 0 when something accepts TCP connections on 127.0.0.1:port
    python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$1" 2>/dev/null
}

# PostgreSQL refuses to run as root, so as root we run it as an unprivileged user: `postgres`
# (created by Debian's package), else a `lakehouse` system user we create.
run_user() {
    if [[ $(id -u) -ne 0 ]]; then id -un; return; fi
    if id postgres >/dev/null 2>&1; then echo postgres; return; fi
    id lakehouse >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin lakehouse
    echo lakehouse
}

as_run_user() {
    if [[ $(id -u) -eq 0 ]]; then runuser -u "$(run_user)" -- "$@"; else "$@"; fi
}

# The cluster lives under $state unless the run user cannot reach it there (a checkout under
# /root, say); then under /tmp, with the choice remembered in $state/pg-location.
pg_home() {
    # Where the cluster was put before, unless that directory is gone (then a new one).
    if [[ -f $state/pg-location && -d $(cat "$state/pg-location") ]]; then cat "$state/pg-location"; return; fi
    local home=$state/postgres
    mkdir -p "$home"
    [[ $(id -u) -eq 0 ]] && chown "$(run_user)" "$home"
    if ! as_run_user test -w "$home" 2>/dev/null; then
        home=/tmp/lakehouse-services-$(echo "$root" | sha256sum | cut -c1-12)/postgres
        mkdir -p "$home"
        [[ $(id -u) -eq 0 ]] && chown "$(run_user)" "$home" "$(dirname "$home")"
    fi
    echo "$home" >"$state/pg-location"
    echo "$home"
}

pg_running() {  # -> 0 when the cluster's postmaster runs
    local home=$1
    [[ -f $home/data/postmaster.pid ]] && as_run_user "$(pg_bin)/pg_ctl" status -D "$home/data" >/dev/null 2>&1
}

pg_tuning() {  # data dir -> memory settings for a chain-sized gold (read at each start)
    local data=$1 total_kb buffers_mb
    # A quarter of the machine's memory for shared buffers (PostgreSQL's usual advice), at least
    # the default 128 MB and at most 2 GB: at 500,000 items the refresh's positions, forecasts and
    # lines then stay in PostgreSQL's cache instead of going through the kernel's for every page.
    total_kb=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo 2>/dev/null || echo 0)
    buffers_mb=$((total_kb / 4 / 1024))
    ((buffers_mb < 128)) && buffers_mb=128
    ((buffers_mb > 2048)) && buffers_mb=2048
    echo "shared_buffers = ${buffers_mb}MB" | as_run_user tee "$data/lakehouse_tuning.conf" >/dev/null
    if ! grep -q "lakehouse_tuning.conf" "$data/postgresql.conf"; then
        echo "include_if_exists = 'lakehouse_tuning.conf'" | as_run_user tee -a "$data/postgresql.conf" >/dev/null
    fi
}

start_postgres() {
    local bin home port password
    bin=$(pg_bin)
    home=$(pg_home)
    if [[ ! -f $home/data/PG_VERSION ]]; then
        password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
        echo "$password" >"$home/password"
        chmod 600 "$home/password"
        [[ $(id -u) -eq 0 ]] && chown "$(run_user)" "$home/password"
        say "initialising a PostgreSQL cluster in $home/data"
        as_run_user "$bin/initdb" -D "$home/data" -U "$pg_user_db" --pwfile="$home/password" \
            --auth-host=scram-sha-256 --auth-local=reject --encoding=UTF8 --locale=C --no-sync >"$home/initdb.log" 2>&1 \
            || { cat "$home/initdb.log" >&2; die "initdb failed"; }
        # A throwaway cluster: durability settings off for speed; TCP on loopback only.
        cat >>"$home/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
include_if_exists = 'lakehouse_port.conf'
CONF
    fi
    pg_tuning "$home/data"
    password=$(cat "$home/password")
    if pg_running "$home"; then
        port=$(sed -n 's/^port = //p' "$home/data/lakehouse_port.conf")
        say "PostgreSQL already running on 127.0.0.1:$port"
    else
        local attempt
        for attempt in 1 2 3; do
            # The port it had, while free (clients keep their address across a stop); else a new one.
            port=$(sed -n 's/^port = //p' "$home/data/lakehouse_port.conf" 2>/dev/null || true)
            if [[ $attempt -gt 1 || -z $port ]] || port_answers "$port"; then port=$(free_port); fi
            echo "port = $port" | as_run_user tee "$home/data/lakehouse_port.conf" >/dev/null
            if as_run_user setsid "$bin/pg_ctl" start -D "$home/data" -l "$home/postgres.log" -w -t 60 >/dev/null 9>&-; then
                break
            fi
            [[ $attempt -eq 3 ]] && { tail -20 "$home/postgres.log" >&2; die "PostgreSQL did not start"; }
            say "PostgreSQL did not start on port $port; trying another port"
        done
        say "PostgreSQL started on 127.0.0.1:$port (data in $home/data, user $(run_user))"
    fi
    local ready=0
    for _ in $(seq 1 60); do
        if PGPASSWORD=$password "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U "$pg_user_db" -d postgres; then
            ready=1
            break
        fi
        sleep 0.5
    done
    ((ready)) || die "PostgreSQL on 127.0.0.1:$port does not answer"
    if ! PGPASSWORD=$password psql -qAt -h 127.0.0.1 -p "$port" -U "$pg_user_db" -d postgres \
        -c "SELECT 1 FROM pg_database WHERE datname = '$pg_user_db'" | grep -q 1; then
        PGPASSWORD=$password psql -q -h 127.0.0.1 -p "$port" -U "$pg_user_db" -d postgres -c "CREATE DATABASE $pg_user_db"
    fi
    pg_url="postgresql://$pg_user_db:$password@127.0.0.1:$port/$pg_user_db"
    pg_port=$port
    pg_data=$home/data
}

http_answers() {  # url -> 0 when an HTTP response (any status) comes back within a second
    python3 - "$1" 2>/dev/null <<'PY'
import sys, urllib.error, urllib.request
try:
    urllib.request.urlopen(sys.argv[1], timeout=1)
except urllib.error.HTTPError:
    pass
PY
}

moto_pid() { [[ -f $state/moto.pid ]] && cat "$state/moto.pid"; }

moto_running() {
    local pid
    pid=$(moto_pid) || return 1
    kill -0 "$pid" 2>/dev/null && [[ -f $state/moto.port ]] && port_answers "$(cat "$state/moto.port")"
}

start_moto() {
    [[ -x $venv/bin/moto_server ]] || die "moto_server is not installed in $venv; run 'make deps'"
    if moto_running; then
        moto_port=$(cat "$state/moto.port")
        say "moto already running on 127.0.0.1:$moto_port"
        return
    fi
    moto_port=$(free_port)
    # fd 9 is the start lock: the server must not inherit it, or it would hold the lock forever.
    # scripts/moto_server.py is moto's server with its quadratic Kinesis put made linear.
    setsid "$venv/bin/python" "$root/scripts/moto_server.py" -H 127.0.0.1 -p "$moto_port" >"$state/moto.log" 2>&1 \
        </dev/null 9>&- &
    echo $! >"$state/moto.pid"
    echo "$moto_port" >"$state/moto.port"
    for _ in $(seq 1 120); do
        if http_answers "http://127.0.0.1:$moto_port/"; then
            say "moto started on 127.0.0.1:$moto_port"
            return
        fi
        kill -0 "$(moto_pid)" 2>/dev/null || { tail -20 "$state/moto.log" >&2; die "moto exited at start"; }
        sleep 0.25
    done
    tail -20 "$state/moto.log" >&2
    die "moto on 127.0.0.1:$moto_port does not answer"
}

write_env() {
    local endpoint="http://127.0.0.1:${moto_port:-0}"
    umask 077
    cat >"$env_file.tmp" <<ENV
# Written by scripts/services.sh; read by tests, benchmarks and the demo. Do not commit.
LAKEHOUSE_TEST_DATABASE_URL=$pg_url
LAKEHOUSE_TEST_AWS_ENDPOINT=$endpoint
LAKEHOUSE_TEST_PG_DATA=$pg_data
LAKEHOUSE_TEST_PG_USER=$(run_user)
LAKEHOUSE_TEST_PG_BIN=$(pg_bin)
LAKEHOUSE_TEST_MOTO_SERVER=$venv/bin/moto_server
DATABASE_URL=$pg_url
AWS_ENDPOINT_URL=$endpoint
AWS_REGION=us-east-1
AWS_ACCESS_KEY_ID=testing
AWS_SECRET_ACCESS_KEY=testing
ENV
    mv "$env_file.tmp" "$env_file"
}

wait_gone() {  # pid seconds -> 0 when the process is gone
    local pid=$1 tries=$(($2 * 10))
    while kill -0 "$pid" 2>/dev/null && ((tries-- > 0)); do sleep 0.1; done
    ! kill -0 "$pid" 2>/dev/null
}

stop_services() {
    local pid home
    # The demo's dashboard (scripts/demo.sh) reads these services: it stops with them.
    if [[ -f $root/.demo/serve.pid ]]; then
        pid=$(cat "$root/.demo/serve.pid")
        if kill -0 "$pid" 2>/dev/null && grep -q lakehouse "/proc/$pid/cmdline" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null || true
            wait_gone "$pid" 10 || kill -KILL "$pid" 2>/dev/null || true
            say "the demo's dashboard stopped"
        fi
        rm -f "$root/.demo/serve.pid"
    fi
    if pid=$(moto_pid); then
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
            wait_gone "$pid" 10 || kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
            wait_gone "$pid" 5 || die "moto (pid $pid) did not stop"
            say "moto stopped"
        fi
        rm -f "$state/moto.pid" "$state/moto.port"
    fi
    if [[ -f $state/pg-location ]]; then
        home=$(cat "$state/pg-location")
        if [[ -f $home/data/postmaster.pid ]]; then
            pid=$(head -1 "$home/data/postmaster.pid")
            if kill -0 "$pid" 2>/dev/null; then
                as_run_user "$(pg_bin)/pg_ctl" stop -D "$home/data" -m fast -w -t 30 >/dev/null 2>&1 \
                    || kill -KILL "$pid" 2>/dev/null || true
                wait_gone "$pid" 10 || die "PostgreSQL (pid $pid) did not stop"
                say "PostgreSQL stopped"
            fi
        fi
    fi
    rm -f "$env_file"
}

status() {
    local ok=0 home
    if moto_running; then echo "moto: running on 127.0.0.1:$(cat "$state/moto.port") (pid $(moto_pid))"; else echo "moto: stopped"; ok=1; fi
    if [[ -f $state/pg-location ]] && home=$(cat "$state/pg-location") && pg_running "$home"; then
        echo "postgres: running on 127.0.0.1:$(sed -n 's/^port = //p' "$home/data/lakehouse_port.conf") (data $home/data)"
    else
        echo "postgres: stopped"
        ok=1
    fi
    return $ok
}

mkdir -p "$state"
case ${1:-} in
start)
    # One start at a time, so two concurrent `make services` cannot start two of each.
    exec 9>"$state/.lock"
    flock -w 120 9 || die "another 'services.sh start' has held $state/.lock for 2 minutes"
    start_postgres
    start_moto
    write_env
    say "addresses written to $env_file"
    ;;
start-postgres)
    exec 9>"$state/.lock"
    flock -w 120 9 || die "another 'services.sh start' has held $state/.lock for 2 minutes"
    start_postgres
    write_env
    ;;
restart-postgres)
    home=$(pg_home)
    pg_running "$home" || die "PostgreSQL is not running in $home"
    as_run_user setsid "$(pg_bin)/pg_ctl" restart -D "$home/data" -m fast -w -t 60 -l "$home/postgres.log" >/dev/null 9>&- \
        || die "PostgreSQL did not restart"
    say "PostgreSQL restarted"
    ;;
stop-postgres)
    home=$(pg_home)
    pg_running "$home" || die "PostgreSQL is not running in $home"
    as_run_user "$(pg_bin)/pg_ctl" stop -D "$home/data" -m immediate -w -t 60 >/dev/null 9>&- \
        || die "PostgreSQL did not stop"
    say "PostgreSQL stopped (immediate)"
    ;;
stop)
    exec 9>"$state/.lock"
    flock -w 120 9 || die "another 'services.sh' command has held $state/.lock for 2 minutes"
    stop_services
    ;;
status) status ;;
clean)
    "$0" stop
    if [[ -f $state/pg-location ]]; then rm -rf "$(cat "$state/pg-location")"; fi
    rm -rf "$state"
    say "removed $state"
    ;;
*)
    echo "usage: $0 start|stop|status|clean|start-postgres|stop-postgres|restart-postgres" >&2
    exit 2
    ;;
esac
