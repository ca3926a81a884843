# Sourced by demo.sh, demo-live.sh, measure-live.sh and bench-serve.sh (services already started):
#
#   fresh_run NAME DATABASE
#
# exports the services' settings (.services/env), then a fresh stream and buckets named
# NAME-<seconds> and a freshly created DATABASE, so that each run starts clean. Sets `run` to the
# seconds used.
fresh_run() {
    local name=$1 database=$2
    set -a
    # shellcheck disable=SC1091
    . .services/env
    set +a
    run=$(date +%s)
    export KINESIS_STREAM=$name-$run S3_BUCKET_BRONZE=$name-$run-bronze S3_BUCKET_SILVER=$name-$run-silver \
        S3_BUCKET_GOLD=$name-$run-gold
    psql -q "$DATABASE_URL" -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" -c "CREATE DATABASE $database"
    export DATABASE_URL=${DATABASE_URL%/*}/$database
}

# Sourced by bench-serve.sh and measure-live.sh:
#
#   release_run NAME DATABASE SHARDS LOG_DIR
#
# builds lakehouse, provision and producer (release) and sets `bin` to where they are; starts
# the local services unless they run (sets `started_services` to 1 when it did, for the caller's
# cleanup to stop them); then fresh_run NAME DATABASE and `provision apply --shards SHARDS`
# (its log in LOG_DIR/provision.log).
release_run() {
    local name=$1 database=$2 shards=$3 logs=$4 product
    for product in lakehouse provision producer; do swift build -c release --product "$product" >/dev/null; done
    bin=$(swift build -c release --show-bin-path)
    started_services=0
    if ! scripts/services.sh status >/dev/null 2>&1; then
        scripts/services.sh start
        started_services=1
    fi
    fresh_run "$name" "$database"
    "$bin/provision" apply --shards "$shards" --env-file '' >"$logs/provision.log" 2>&1
}
