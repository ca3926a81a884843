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
        PGMigration(
            name: "0003_gold",
            sql: """
                -- The silver batch that loaded each row: gold applies rows batch by batch after its
                -- watermark. Rows loaded before this migration get theirs from the manifest.
                ALTER TABLE sales_silver ADD COLUMN silver_batch bigint;
                UPDATE sales_silver s SET silver_batch = substring(m.batch_id FROM 7)::bigint
                FROM silver_manifest m WHERE m.bronze_key = s.bronze_key AND m.batch_id ~ '^batch-[0-9]+$';
                CREATE INDEX sales_silver_batch ON sales_silver (silver_batch);

                -- How far gold has applied silver (the last silver batch whose rows are in gold).
                CREATE TABLE gold_state (
                    name text PRIMARY KEY,
                    value bigint NOT NULL,
                    updated_at timestamptz NOT NULL DEFAULT now()
                );

                -- The star schema's dimensions.
                CREATE TABLE dim_date (
                    date_key integer PRIMARY KEY,          -- YYYYMMDD
                    date date NOT NULL UNIQUE,
                    year integer NOT NULL,
                    quarter integer NOT NULL,
                    month integer NOT NULL,
                    day integer NOT NULL,
                    iso_week integer NOT NULL,
                    iso_day_of_week integer NOT NULL,      -- 1 = Monday
                    day_name text NOT NULL,
                    is_weekend boolean NOT NULL
                );
                CREATE TABLE dim_store (
                    store_key serial PRIMARY KEY,
                    store_id text NOT NULL UNIQUE,
                    first_event_time timestamptz NOT NULL
                );
                CREATE TABLE dim_product (
                    product_key serial PRIMARY KEY,
                    product_id text NOT NULL UNIQUE,
                    product_name text NOT NULL,
                    category text NOT NULL,
                    unit_price numeric(12, 2) NOT NULL,
                    -- The event the name, category and price come from (the latest seen).
                    described_at timestamptz NOT NULL
                );
                CREATE TABLE dim_payment_method (
                    payment_method_key serial PRIMARY KEY,
                    payment_method text NOT NULL UNIQUE
                );
                CREATE TABLE dim_client_type (
                    client_type_key serial PRIMARY KEY,
                    client_type text NOT NULL UNIQUE
                );

                -- One row per sale line, unique on the natural key.
                CREATE TABLE fact_sales (
                    transaction_id text NOT NULL,
                    product_id text NOT NULL,
                    date_key integer NOT NULL REFERENCES dim_date,
                    store_key integer NOT NULL REFERENCES dim_store,
                    product_key integer NOT NULL REFERENCES dim_product,
                    payment_method_key integer REFERENCES dim_payment_method,
                    client_type_key integer REFERENCES dim_client_type,
                    quantity bigint NOT NULL,
                    unit_price numeric(12, 2) NOT NULL,
                    total_price numeric(12, 2) NOT NULL,
                    event_time timestamptz NOT NULL,
                    silver_batch bigint,
                    PRIMARY KEY (transaction_id, product_id)
                );
                CREATE INDEX fact_sales_store_date ON fact_sales (store_key, date_key);

                -- Every event that changes or states stock: sales (negative), restocks (positive)
                -- and stock counts (the counted quantity).
                CREATE TABLE fact_stock_movement (
                    transaction_id text NOT NULL,
                    product_id text NOT NULL,
                    event_type text NOT NULL CHECK (event_type IN ('sale', 'restock', 'stock_count')),
                    date_key integer NOT NULL REFERENCES dim_date,
                    store_key integer NOT NULL REFERENCES dim_store,
                    product_key integer NOT NULL REFERENCES dim_product,
                    event_time timestamptz NOT NULL,
                    quantity_change bigint,                -- sale: -quantity; restock: +quantity
                    counted_quantity bigint,               -- stock_count: the units counted
                    silver_batch bigint,
                    PRIMARY KEY (transaction_id, product_id, event_type),
                    CHECK ((event_type = 'stock_count') = (counted_quantity IS NOT NULL)),
                    CHECK ((event_type = 'stock_count') = (quantity_change IS NULL))
                );
                CREATE INDEX fact_stock_movement_item_time ON fact_stock_movement (store_key, product_key, event_time);

                -- On hand per store × product, kept up to date from the new movements only: the last
                -- stock count (in event time) plus the changes stamped after it.
                CREATE TABLE stock_position (
                    store_key integer NOT NULL REFERENCES dim_store,
                    product_key integer NOT NULL REFERENCES dim_product,
                    last_count_time timestamptz,
                    last_count_quantity bigint,
                    change_since_count bigint NOT NULL DEFAULT 0,
                    on_hand bigint GENERATED ALWAYS AS (coalesce(last_count_quantity, 0) + change_since_count) STORED,
                    last_event_time timestamptz NOT NULL,
                    updated_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (store_key, product_key)
                );
                """),
        PGMigration(
            name: "0004_inventory_snapshot",
            sql: """
                -- Closing stock per UTC day × store × product: the latest count before the day's end
                -- plus the changes stamped after it and before the day's end. Every day from an
                -- item's first event to the newest event date, kept up to date by each refresh.
                CREATE TABLE fact_inventory_snapshot (
                    date_key integer NOT NULL REFERENCES dim_date,
                    store_key integer NOT NULL REFERENCES dim_store,
                    product_key integer NOT NULL REFERENCES dim_product,
                    closing_on_hand bigint NOT NULL,
                    PRIMARY KEY (date_key, store_key, product_key)
                );
                CREATE INDEX fact_inventory_snapshot_item ON fact_inventory_snapshot (store_key, product_key, date_key);
                """),
    ]
}
