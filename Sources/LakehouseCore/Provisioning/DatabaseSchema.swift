import PGLite

/// The pipeline's PostgreSQL schema, as migrations applied in order, once each (recorded in
/// `schema_migrations`). A migration is never edited once released: a change is a new one.
public enum DatabaseSchema {
    public static let migrations: [PGMigration] = [
        PGMigration(
            name: "0001_ingest_checkpoints",
            sql: """
                CREATE TABLE ingest_checkpoints (
                    stream text NOT NULL,
                    shard_id text NOT NULL,
                    -- The last sequence number whose record is in bronze; reading resumes after it.
                    sequence_number text NOT NULL,
                    -- The bronze object that holds it, and how many records that object holds.
                    bronze_key text NOT NULL,
                    records bigint NOT NULL,
                    -- Set when the shard was read to its end (a parent after a reshard).
                    shard_ended boolean NOT NULL DEFAULT false,
                    updated_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (stream, shard_id)
                );
                """),
        PGMigration(
            name: "0002_silver",
            sql: """
                -- Silver's cleaned events, one row per natural key (upserted from each batch).
                CREATE TABLE sales_silver (
                    transaction_id text NOT NULL,
                    product_id text NOT NULL,
                    event_type text NOT NULL,
                    product_name text NOT NULL,
                    category text NOT NULL,
                    quantity bigint NOT NULL,
                    unit_price numeric(12, 2) NOT NULL,
                    total_price numeric(12, 2) NOT NULL,
                    event_time timestamptz NOT NULL,
                    event_date date NOT NULL,
                    store_id text NOT NULL,
                    payment_method text,
                    client_type text,
                    -- Where the record was read: the bronze object and its line (from 1).
                    bronze_key text NOT NULL,
                    bronze_line bigint NOT NULL,
                    loaded_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (transaction_id, product_id, event_type)
                );
                CREATE INDEX sales_silver_store_date ON sales_silver (store_id, event_date);
                -- Records silver refused: the rule broken, the raw payload, where it was read.
                CREATE TABLE sales_quarantine (
                    bronze_key text NOT NULL,
                    bronze_line bigint NOT NULL,
                    reason text NOT NULL,
                    detail text NOT NULL,
                    payload bytea NOT NULL,
                    quarantined_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (bronze_key, bronze_line)
                );
                CREATE INDEX sales_quarantine_reason ON sales_quarantine (reason);
                -- Bronze objects silver has processed, with the ETag it read and its batch.
                CREATE TABLE silver_manifest (
                    bronze_key text PRIMARY KEY,
                    etag text NOT NULL,
                    batch_id text NOT NULL,
                    processed_at timestamptz NOT NULL DEFAULT now()
                );
                -- One row per batch: input = valid + quarantined + duplicates, always.
                CREATE TABLE silver_batches (
                    batch_id text PRIMARY KEY,
                    objects integer NOT NULL,
                    input bigint NOT NULL,
                    valid bigint NOT NULL,
                    quarantined bigint NOT NULL,
                    duplicates bigint NOT NULL,
                    delta_version bigint,
                    finished_at timestamptz NOT NULL DEFAULT now(),
                    CHECK (input = valid + quarantined + duplicates)
                );
                """),
    ]
}
