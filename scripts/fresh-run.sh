# Sourced by demo.sh, demo-live.sh and measure-live.sh (services already started):
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
