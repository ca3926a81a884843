import PGLite

/// The pipeline's PostgreSQL schema, as migrations applied in order, once each (recorded in
/// `schema_migrations`). A migration is never edited once released: a change is a new one.
public enum DatabaseSchema {
    /// Every migration, `0001_ingest_checkpoints` first: ingest checkpoints, silver's tables,
    /// gold's star schema, stock model, order proposals, alerts and BI views, shard leases and run history.
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
        PGMigration(
            name: "0005_stock_model",
            sql: """
                -- Replenishment settings: one row for the chain (every key NULL), rows per category,
                -- per product, and per product in one store; the most specific row wins.
                CREATE TABLE replenishment_policy (
                    policy_id serial PRIMARY KEY,
                    category text,
                    product_id text,
                    store_id text,
                    lead_time_days numeric(6, 2) NOT NULL CHECK (lead_time_days > 0),
                    service_level numeric(5, 4) NOT NULL CHECK (service_level >= 0.5 AND service_level < 1),
                    review_period_days numeric(6, 2) NOT NULL CHECK (review_period_days > 0),
                    max_days_of_cover numeric(8, 2) NOT NULL CHECK (max_days_of_cover > 0),
                    CHECK (category IS NULL OR product_id IS NULL),
                    CHECK (store_id IS NULL OR product_id IS NOT NULL),
                    UNIQUE NULLS NOT DISTINCT (category, product_id, store_id)
                );
                INSERT INTO replenishment_policy (category, lead_time_days, service_level, review_period_days,
                    max_days_of_cover)
                VALUES (NULL, 2, 0.95, 1, 21),
                    ('DAIRY', 2, 0.97, 1, 10), ('BAKERY', 1, 0.95, 1, 7), ('FRUIT', 2, 0.95, 1, 10),
                    ('VEGETABLES', 2, 0.95, 1, 10), ('MEAT', 2, 0.97, 1, 10), ('FISH', 2, 0.95, 1, 8),
                    ('FROZEN', 4, 0.95, 1, 30), ('PANTRY', 5, 0.95, 1, 30), ('BEVERAGES', 4, 0.95, 1, 30),
                    ('HOUSEHOLD', 5, 0.95, 1, 30), ('HYGIENE', 5, 0.95, 1, 30), ('SNACKS', 3, 0.95, 1, 30);

                -- The stock model of each store × product, brought forward by each refresh from the
                -- new movements only: its clock, its own on hand, the demand estimate's state, and
                -- the figures derived from them with the policy in force.
                CREATE TABLE demand_forecast (
                    store_key integer NOT NULL REFERENCES dim_store,
                    product_key integer NOT NULL REFERENCES dim_product,
                    model_time timestamptz NOT NULL,
                    model_on_hand bigint NOT NULL,
                    model_count_time timestamptz,
                    demand_day date,
                    day_units bigint NOT NULL,
                    day_stocked_out boolean NOT NULL,
                    stocked_out_at_close boolean NOT NULL,
                    level double precision,
                    variance double precision NOT NULL,
                    demand_size double precision,
                    demand_interval double precision,
                    days_since_demand bigint NOT NULL,
                    days_learned bigint NOT NULL,
                    zero_days bigint NOT NULL,
                    evidence_days double precision NOT NULL,
                    method text NOT NULL CHECK (method IN ('ewma', 'croston')),
                    daily_demand double precision,
                    daily_deviation double precision NOT NULL,
                    safety_stock double precision NOT NULL,
                    reorder_point double precision NOT NULL,
                    days_of_cover double precision,
                    predicted_stockout_at timestamptz,
                    suggested_order_quantity bigint NOT NULL,
                    lead_time_days numeric(6, 2) NOT NULL,
                    service_level numeric(5, 4) NOT NULL,
                    review_period_days numeric(6, 2) NOT NULL,
                    updated_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (store_key, product_key)
                );

                -- Alerts, opened and resolved in event time, with the figures that justified them
                -- (as of their last update). At most one open alert per store × product × kind.
                CREATE TABLE stock_alert (
                    alert_id bigserial PRIMARY KEY,
                    store_key integer NOT NULL REFERENCES dim_store,
                    product_key integer NOT NULL REFERENCES dim_product,
                    kind text NOT NULL CHECK (kind IN ('OUT_OF_STOCK', 'BELOW_SAFETY_STOCK', 'REORDER_NOW',
                        'STOCKOUT_PREDICTED', 'OVERSTOCK')),
                    status text NOT NULL CHECK (status IN ('open', 'resolved')),
                    opened_at timestamptz NOT NULL,
                    updated_at timestamptz NOT NULL,
                    resolved_at timestamptz,
                    on_hand bigint NOT NULL,
                    daily_demand double precision,
                    daily_deviation double precision NOT NULL,
                    safety_stock double precision NOT NULL,
                    reorder_point double precision NOT NULL,
                    days_of_cover double precision,
                    predicted_stockout_at timestamptz,
                    suggested_order_quantity bigint NOT NULL,
                    reason text NOT NULL,
                    CHECK ((status = 'resolved') = (resolved_at IS NOT NULL))
                );
                CREATE UNIQUE INDEX stock_alert_one_open ON stock_alert (store_key, product_key, kind)
                    WHERE status = 'open';
                CREATE INDEX stock_alert_item ON stock_alert (store_key, product_key, opened_at);

                -- The last day of each item's daily snapshots, so a refresh carries days forward
                -- without reading the snapshot history.
                ALTER TABLE stock_position ADD COLUMN snapshot_through date;
                UPDATE stock_position sp SET snapshot_through = (
                    SELECT max(d.date) FROM fact_inventory_snapshot f JOIN dim_date d USING (date_key)
                    WHERE f.store_key = sp.store_key AND f.product_key = sp.product_key);

                -- Views for BI tools and APIs.
                CREATE VIEW v_sales_store_day AS
                SELECT d.date, s.store_id, count(DISTINCT f.transaction_id) AS transactions, count(*) AS lines,
                    sum(f.quantity) AS units, sum(f.total_price) AS revenue
                FROM fact_sales f JOIN dim_date d USING (date_key) JOIN dim_store s USING (store_key)
                GROUP BY d.date, s.store_id;

                CREATE VIEW v_current_stock AS
                SELECT s.store_id, p.product_id, p.product_name, p.category, sp.on_hand, sp.last_count_time,
                    sp.last_event_time, round(f.daily_demand::numeric, 2) AS daily_demand, f.method,
                    round(f.days_of_cover::numeric, 1) AS days_of_cover, f.predicted_stockout_at,
                    round(f.reorder_point::numeric, 1) AS reorder_point
                FROM stock_position sp JOIN dim_store s USING (store_key) JOIN dim_product p USING (product_key)
                LEFT JOIN demand_forecast f USING (store_key, product_key);

                CREATE VIEW v_sales_velocity AS
                WITH now AS (SELECT (max(last_event_time) AT TIME ZONE 'UTC')::date AS today FROM stock_position)
                SELECT s.store_id, p.product_id, p.product_name, p.category,
                    coalesce(sum(f.quantity) FILTER (WHERE d.date > now.today - 7), 0) / 7.0 AS units_per_day_7d,
                    coalesce(sum(f.quantity) FILTER (WHERE d.date > now.today - 28), 0) / 28.0 AS units_per_day_28d,
                    round(fc.daily_demand::numeric, 2) AS forecast_units_per_day, fc.method
                FROM stock_position sp CROSS JOIN now
                JOIN dim_store s USING (store_key) JOIN dim_product p USING (product_key)
                LEFT JOIN fact_sales f ON f.store_key = sp.store_key AND f.product_key = sp.product_key
                    AND f.date_key >= to_char(now.today - 27, 'YYYYMMDD')::integer
                LEFT JOIN dim_date d ON d.date_key = f.date_key
                LEFT JOIN demand_forecast fc ON fc.store_key = sp.store_key AND fc.product_key = sp.product_key
                GROUP BY s.store_id, p.product_id, p.product_name, p.category, fc.daily_demand, fc.method;

                CREATE VIEW v_open_alerts AS
                SELECT a.alert_id, a.kind, s.store_id, p.product_id, p.product_name, p.category, a.opened_at,
                    a.updated_at, a.on_hand, round(a.daily_demand::numeric, 2) AS daily_demand,
                    round(a.days_of_cover::numeric, 1) AS days_of_cover, a.predicted_stockout_at,
                    a.suggested_order_quantity, a.reason,
                    CASE a.kind WHEN 'OUT_OF_STOCK' THEN 0 WHEN 'STOCKOUT_PREDICTED' THEN 1
                        WHEN 'BELOW_SAFETY_STOCK' THEN 2 WHEN 'REORDER_NOW' THEN 3 ELSE 4 END AS urgency_rank
                FROM stock_alert a JOIN dim_store s USING (store_key) JOIN dim_product p USING (product_key)
                WHERE a.status = 'open';

                CREATE VIEW v_reorder_suggestions AS
                SELECT s.store_id, p.product_id, p.product_name, p.category, sp.on_hand,
                    round(f.reorder_point::numeric, 1) AS reorder_point,
                    round(f.safety_stock::numeric, 1) AS safety_stock, f.suggested_order_quantity,
                    f.lead_time_days, round(f.days_of_cover::numeric, 1) AS days_of_cover, f.predicted_stockout_at
                FROM demand_forecast f JOIN stock_position sp USING (store_key, product_key)
                JOIN dim_store s USING (store_key) JOIN dim_product p USING (product_key)
                WHERE f.daily_demand > 0 AND sp.on_hand <= f.reorder_point AND f.suggested_order_quantity > 0;
                """),
        PGMigration(
            name: "0006_fact_keys_unchecked",
            sql: """
                -- The fact tables' keys come from joins with their dimensions in the refresh that
                -- writes them, in one transaction; checking each row's foreign keys again cost two
                -- thirds of loading them. The constraints go; the keys stay indexed.
                ALTER TABLE fact_sales DROP CONSTRAINT fact_sales_date_key_fkey,
                    DROP CONSTRAINT fact_sales_store_key_fkey, DROP CONSTRAINT fact_sales_product_key_fkey,
                    DROP CONSTRAINT fact_sales_payment_method_key_fkey, DROP CONSTRAINT fact_sales_client_type_key_fkey;
                ALTER TABLE fact_stock_movement DROP CONSTRAINT fact_stock_movement_date_key_fkey,
                    DROP CONSTRAINT fact_stock_movement_store_key_fkey,
                    DROP CONSTRAINT fact_stock_movement_product_key_fkey;
                ALTER TABLE fact_inventory_snapshot DROP CONSTRAINT fact_inventory_snapshot_date_key_fkey,
                    DROP CONSTRAINT fact_inventory_snapshot_store_key_fkey,
                    DROP CONSTRAINT fact_inventory_snapshot_product_key_fkey;
                """),
        PGMigration(
            name: "0007_pipeline",
            sql: """
                -- Which `lakehouse run` process reads which shard. A lease is held while it is
                -- renewed before `expires_at` (the server's clock decides); `counter` grows at
                -- every take and renewal, so a taker can tell a live lease from a stale one.
                CREATE TABLE shard_lease (
                    stream text NOT NULL,
                    shard_id text NOT NULL,
                    owner text,
                    counter bigint NOT NULL DEFAULT 0,
                    expires_at timestamptz,
                    parent_shard_ids text[] NOT NULL DEFAULT '{}',
                    -- How far the owner's last read was behind the shard's tip, and when it read.
                    lag_ms bigint,
                    read_at timestamptz,
                    PRIMARY KEY (stream, shard_id)
                );
                -- The `lakehouse run` processes, with their last sign of life.
                CREATE TABLE pipeline_worker (
                    worker_id text PRIMARY KEY,
                    stream text NOT NULL,
                    host text NOT NULL,
                    pid integer NOT NULL,
                    started_at timestamptz NOT NULL DEFAULT now(),
                    heartbeat_at timestamptz NOT NULL DEFAULT now(),
                    stopped_at timestamptz
                );
                -- Every run of a stage: an ingest run is one shard read under one lease; a silver
                -- run one or more batches; a gold run one refresh (batch_from..batch_to are the
                -- silver batches it applied).
                CREATE TABLE pipeline_run (
                    run_id bigserial PRIMARY KEY,
                    stage text NOT NULL CHECK (stage IN ('ingest', 'silver', 'gold', 'backfill')),
                    worker_id text NOT NULL,
                    subject text,
                    started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
                    ended_at timestamptz,
                    status text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'abandoned')),
                    rows_in bigint NOT NULL DEFAULT 0,
                    rows_out bigint NOT NULL DEFAULT 0,
                    batch_from bigint,
                    batch_to bigint,
                    error text
                );
                CREATE INDEX pipeline_run_stage ON pipeline_run (stage, started_at DESC);
                CREATE INDEX pipeline_run_batches ON pipeline_run (batch_to) WHERE stage = 'gold';
                -- Silver's tries of a batch (`batch:<n>`) and, after a failed try, of each of its
                -- bronze objects: an object whose tries reach the limit without success is
                -- quarantined whole instead of being read again.
                CREATE TABLE silver_attempt (
                    item text PRIMARY KEY,
                    attempts integer NOT NULL,
                    last_error text,
                    updated_at timestamptz NOT NULL DEFAULT now()
                );
                """),
        PGMigration(
            name: "0008_unknown_stock",
            sql: """
                -- An item never counted has unknown stock: `stock_position.on_hand` is then only
                -- relative (deliveries minus sales since tracking began), so the view shows no
                -- on-hand figure for it, says why, and gives the units sold since tracking began.
                DROP VIEW v_current_stock;
                CREATE VIEW v_current_stock AS
                SELECT s.store_id, p.product_id, p.product_name, p.category,
                    CASE WHEN sp.last_count_time IS NULL THEN NULL ELSE sp.on_hand END AS on_hand,
                    sp.last_count_time, sp.last_event_time, round(f.daily_demand::numeric, 2) AS daily_demand,
                    f.method, round(f.days_of_cover::numeric, 1) AS days_of_cover, f.predicted_stockout_at,
                    round(f.reorder_point::numeric, 1) AS reorder_point,
                    sp.last_count_time IS NOT NULL AS stock_known,
                    CASE WHEN sp.last_count_time IS NULL THEN 'unknown: never counted' ELSE 'counted' END
                        AS stock_status,
                    sold.units AS units_sold_since_tracking
                FROM stock_position sp JOIN dim_store s USING (store_key) JOIN dim_product p USING (product_key)
                LEFT JOIN demand_forecast f USING (store_key, product_key)
                LEFT JOIN LATERAL (
                    SELECT coalesce(sum(fs.quantity), 0)::bigint AS units FROM fact_sales fs
                    WHERE fs.store_key = sp.store_key AND fs.product_key = sp.product_key
                ) sold ON sp.last_count_time IS NULL;
                """),
        PGMigration(
            name: "0009_demand_tsb",
            sql: """
                -- Intermittent demand is estimated by TSB (method 'tsb'); rows written before
                -- keep 'croston'. The promotion evidence an item's estimate has gathered.
                ALTER TABLE demand_forecast DROP CONSTRAINT demand_forecast_method_check;
                ALTER TABLE demand_forecast ADD CONSTRAINT demand_forecast_method_check
                    CHECK (method IN ('ewma', 'croston', 'tsb'));
                ALTER TABLE demand_forecast ADD COLUMN lift_gain double precision NOT NULL DEFAULT 0,
                    ADD COLUMN lift_discount double precision NOT NULL DEFAULT 0;
                """),
        PGMigration(
            name: "0010_order_proposal",
            sql: """
                -- What orders are made of: units per case, and how many days a delivered unit can be
                -- sold (perishables), per category or product like the rest of the policy.
                ALTER TABLE replenishment_policy ADD COLUMN case_size integer CHECK (case_size > 0),
                    ADD COLUMN shelf_life_days integer CHECK (shelf_life_days > 0);
                UPDATE replenishment_policy SET shelf_life_days = CASE category WHEN 'DAIRY' THEN 10
                    WHEN 'BAKERY' THEN 2 WHEN 'FRUIT' THEN 6 WHEN 'VEGETABLES' THEN 6 WHEN 'MEAT' THEN 4
                    WHEN 'FISH' THEN 3 END
                WHERE product_id IS NULL AND category IS NOT NULL;

                -- The chain's calendar, which the demand model reads: days a store is closed
                -- (store_id NULL: every store), and promotions (a share off the price, chain-wide).
                CREATE TABLE store_closed_day (
                    store_id text,
                    day date NOT NULL,
                    UNIQUE NULLS NOT DISTINCT (store_id, day)
                );
                CREATE TABLE promotion (
                    product_id text NOT NULL,
                    first_day date NOT NULL,
                    last_day date NOT NULL,
                    discount numeric(4, 3) NOT NULL CHECK (discount > 0 AND discount < 1),
                    CHECK (last_day >= first_day),
                    PRIMARY KEY (product_id, first_day)
                );

                -- What each category shares on a day (weekday factors Monday first, variance ÷ mean
                -- of a day's units, promotion elasticity), learned when the day's first event is
                -- applied from the sales before it, and kept.
                CREATE TABLE category_demand (
                    category text NOT NULL,
                    day date NOT NULL,
                    weekday_factors double precision[] NOT NULL,
                    dispersion double precision NOT NULL,
                    elasticity double precision NOT NULL,
                    PRIMARY KEY (category, day)
                );

                -- One order proposal per store and day: drafted at each refresh from the store's
                -- newest events ('proposed'), until the store orders it ('ordered', at its evening
                -- review) or its events move on to a later day without it ('lapsed').
                CREATE TABLE order_review (
                    store_key integer NOT NULL REFERENCES dim_store,
                    review_date date NOT NULL,
                    as_of timestamptz NOT NULL,      -- the store's newest event the proposal rests on
                    status text NOT NULL CHECK (status IN ('proposed', 'ordered', 'lapsed')),
                    alerts_raised boolean NOT NULL DEFAULT false,  -- the final draft's alerts are raised
                    -- who decided what was ordered: the proposal, or the store its own way (then the
                    -- draft's risk was not acted on, and raises nothing)
                    ordered_by text CHECK (ordered_by IN ('proposal', 'store')),
                    items integer NOT NULL,          -- items planned (stock known, demand learned)
                    lines integer NOT NULL,          -- items to order
                    units bigint NOT NULL,
                    computed_at timestamptz NOT NULL DEFAULT now(),
                    ordered_at timestamptz,
                    PRIMARY KEY (store_key, review_date)
                );
                -- Its lines: what to order of one product and why. An ordered line is on the way
                -- until a delivery (restock) of the item closes the oldest ('received'), or it is
                -- given up 3 days after it was due ('expired').
                CREATE TABLE order_line (
                    store_key integer NOT NULL,
                    review_date date NOT NULL,
                    product_key integer NOT NULL REFERENCES dim_product,
                    quantity bigint NOT NULL CHECK (quantity > 0),
                    cases bigint,
                    on_hand bigint NOT NULL,
                    on_order bigint NOT NULL,
                    cover_demand double precision NOT NULL,
                    safety_stock double precision NOT NULL,
                    projected_stock double precision NOT NULL,
                    projected_waste double precision NOT NULL,
                    stockout_risk double precision NOT NULL,
                    reason text NOT NULL,
                    status text NOT NULL CHECK (status IN ('proposed', 'ordered', 'received', 'expired', 'lapsed')),
                    ordered_units bigint,
                    received_at timestamptz,
                    PRIMARY KEY (store_key, review_date, product_key),
                    FOREIGN KEY (store_key, review_date) REFERENCES order_review ON DELETE CASCADE
                );
                CREATE INDEX order_line_on_the_way ON order_line (store_key, product_key, review_date)
                    WHERE status = 'ordered';

                -- The risk the last final review stated for each item, and the last day it covers (an
                -- empty shelf by then, below 0.2, is unexpected), and what the alerts read of the item's latest draft: the review
                -- alerts are raised once, from the draft the store ordered (or the last one).
                ALTER TABLE demand_forecast ADD COLUMN stated_risk double precision NOT NULL DEFAULT 0,
                    ADD COLUMN stated_until date,
                    ADD COLUMN draft_day date, ADD COLUMN draft_on_hand bigint, ADD COLUMN draft_quantity bigint,
                    ADD COLUMN draft_risk double precision, ADD COLUMN draft_short_days double precision,
                    ADD COLUMN draft_waste double precision, ADD COLUMN draft_risk_until integer,
                    ADD COLUMN draft_coming boolean;

                -- Alerts are kept for what needs a person; the proposal handles the rest. The
                -- earlier kinds are closed, and kept as history.
                UPDATE stock_alert SET status = 'resolved', resolved_at = updated_at WHERE status = 'open';
                ALTER TABLE stock_alert DROP CONSTRAINT stock_alert_kind_check;
                ALTER TABLE stock_alert ADD CONSTRAINT stock_alert_kind_check CHECK (kind IN ('OUT_OF_STOCK',
                    'BELOW_SAFETY_STOCK', 'REORDER_NOW', 'STOCKOUT_PREDICTED', 'OVERSTOCK', 'UNEXPECTED_STOCKOUT',
                    'STOCKOUT_RISK', 'PERISHABLE_OVERSTOCK'));
                CREATE OR REPLACE VIEW v_open_alerts AS
                SELECT a.alert_id, a.kind, s.store_id, p.product_id, p.product_name, p.category, a.opened_at,
                    a.updated_at, a.on_hand, round(a.daily_demand::numeric, 2) AS daily_demand,
                    round(a.days_of_cover::numeric, 1) AS days_of_cover, a.predicted_stockout_at,
                    a.suggested_order_quantity, a.reason,
                    CASE a.kind WHEN 'UNEXPECTED_STOCKOUT' THEN 0 WHEN 'STOCKOUT_RISK' THEN 1 ELSE 2 END
                        AS urgency_rank
                FROM stock_alert a JOIN dim_store s USING (store_key) JOIN dim_product p USING (product_key)
                WHERE a.status = 'open';

                -- Each store's newest proposal, line by line, for the people who order.
                CREATE VIEW v_order_proposal AS
                SELECT s.store_id, r.review_date, r.status AS review_status, r.as_of, p.product_id, p.product_name,
                    p.category, l.quantity, l.cases, l.on_hand, l.on_order,
                    round(l.cover_demand::numeric, 1) AS cover_demand, round(l.safety_stock::numeric, 1) AS safety_stock,
                    round(l.stockout_risk::numeric, 3) AS stockout_risk, l.reason, l.status, l.ordered_units
                FROM order_review r
                JOIN (SELECT store_key, max(review_date) AS review_date FROM order_review GROUP BY store_key) n
                    USING (store_key, review_date)
                JOIN order_line l USING (store_key, review_date)
                JOIN dim_store s USING (store_key) JOIN dim_product p USING (product_key);
                """),
        PGMigration(
            name: "0011_markdown_list",
            sql: """
                -- A store marks its perishables down in one walk of the fresh aisles, so it sees its
                -- open PERISHABLE_OVERSTOCK alerts as one list: each item with its stock and what the
                -- item's latest draft (gold's newest refresh) expects to spoil, at its list price.
                CREATE VIEW v_markdown_list AS
                SELECT s.store_id, p.product_id, p.product_name, p.category, a.opened_at,
                    coalesce(f.draft_on_hand, a.on_hand) AS on_hand,
                    round(coalesce(f.draft_waste, 0)::numeric, 1) AS units_to_spoil,
                    round(coalesce(f.draft_waste, 0)::numeric * p.unit_price, 2) AS value_to_spoil, a.reason
                FROM stock_alert a JOIN dim_store s USING (store_key) JOIN dim_product p USING (product_key)
                LEFT JOIN demand_forecast f USING (store_key, product_key)
                WHERE a.status = 'open' AND a.kind = 'PERISHABLE_OVERSTOCK';

                -- What a store sees: each unexpected stockout and stockout risk (a call to make per
                -- item), and one mark-down list per store with open mark-downs (product_id NULL, on_hand
                -- NULL, opened_at when its oldest item joined).
                CREATE VIEW v_store_alerts AS
                SELECT kind, store_id, product_id, product_name, 1 AS items, opened_at, on_hand, reason,
                    urgency_rank
                FROM v_open_alerts WHERE kind <> 'PERISHABLE_OVERSTOCK'
                UNION ALL
                SELECT 'PERISHABLE_OVERSTOCK', store_id, NULL, NULL, count(*)::integer, min(opened_at), NULL::bigint,
                    format('mark down %s perishable item%s: about %s units worth %s will spoil before they sell (v_markdown_list, gold markdowns --store %s)',
                        count(*), CASE WHEN count(*) = 1 THEN '' ELSE 's' END, round(sum(units_to_spoil)),
                        sum(value_to_spoil), store_id),
                    2
                FROM v_markdown_list GROUP BY store_id;
                """),
        PGMigration(
            name: "0012_category_day_sales",
            sql: """
                -- Units sold per category and day, added to by each gold refresh as it adds sale
                -- lines to fact_sales: the demand model reads its window of days from here instead of
                -- adding up fact_sales again at every refresh (whose cost grew with the history).
                CREATE TABLE category_day_sales (
                    category text NOT NULL,
                    date_key integer NOT NULL,
                    units bigint NOT NULL,
                    PRIMARY KEY (category, date_key)
                );
                INSERT INTO category_day_sales (category, date_key, units)
                SELECT p.category, f.date_key, sum(f.quantity)
                FROM fact_sales f JOIN dim_product p USING (product_key)
                GROUP BY 1, 2;
                """),
        PGMigration(
            name: "0013_pipeline_run_maintenance",
            sql: """
                -- Silver's table maintenance (compaction, vacuum, log expiry) is a stage of its own.
                ALTER TABLE pipeline_run DROP CONSTRAINT pipeline_run_stage_check;
                ALTER TABLE pipeline_run ADD CONSTRAINT pipeline_run_stage_check
                    CHECK (stage IN ('ingest', 'silver', 'gold', 'backfill', 'maintenance'));
                """),
        PGMigration(
            name: "0014_bronze_object",
            sql: """
                -- The registry of bronze objects: ingest records each object it writes, in the same
                -- statement that moves the shard's checkpoint past it; silver plans its batches from
                -- the objects not yet in a batch (batch_id NULL, a partial index: the lookup costs
                -- what is pending, not the bucket's history) instead of listing S3. Objects written
                -- before this migration, or by other tools, are found by `lakehouse backfill`.
                CREATE TABLE bronze_object (
                    bronze_key text PRIMARY KEY,
                    etag text NOT NULL,
                    size bigint NOT NULL CHECK (size >= 0),
                    stream text NOT NULL,
                    shard_id text NOT NULL,
                    records integer NOT NULL CHECK (records >= 0),
                    written_at timestamptz NOT NULL DEFAULT now(),
                    batch_id text
                );
                CREATE INDEX bronze_object_pending ON bronze_object (bronze_key) WHERE batch_id IS NULL;
                CREATE INDEX bronze_object_written ON bronze_object (written_at);
                """),
        PGMigration(name: "0015_monthly_partitions", sql: monthlyPartitionsSQL),
        PGMigration(
            name: "0016_position_indexes",
            sql: """
                -- A refresh finds the newest event and the items whose daily snapshots lag behind it
                -- through these, instead of reading every position: at 500,000 items a refresh
                -- within a day then reads what it touches.
                CREATE INDEX stock_position_last_event ON stock_position (last_event_time);
                CREATE INDEX stock_position_snapshot_through ON stock_position (snapshot_through);
                -- What a refresh looks up among the reviews and lines of every past day: the drafts
                -- still proposed (lapsed at the next day) and the final reviews whose alerts are not
                -- raised. Without these, those lookups read a store's whole ordering history.
                CREATE INDEX order_review_proposed ON order_review (store_key, review_date) WHERE status = 'proposed';
                CREATE INDEX order_review_unraised ON order_review (store_key, review_date)
                    WHERE status <> 'proposed' AND NOT alerts_raised;
                CREATE INDEX order_line_proposed ON order_line (store_key, review_date) WHERE status = 'proposed';
                -- Whether the item's latest draft had what a plan needs (a count and a demand
                -- estimate): a refresh re-drafts only the items it touched and keeps the review's
                -- count of planned items by difference.
                ALTER TABLE demand_forecast ADD COLUMN draft_planned boolean NOT NULL DEFAULT false;
                """),
        PGMigration(
            name: "0017_store_newest_event",
            sql: """
                -- Each touched store's newest event (the day its review is for) in one index entry
                -- per store, instead of reading every position of the store.
                CREATE INDEX stock_position_store_newest ON stock_position (store_key, last_event_time);
                """),
        PGMigration(
            name: "0018_room_for_updates",
            sql: """
                -- Every refresh rewrites the position, the forecast and the proposed lines of each
                -- item it touches, keys unchanged: with room left on each page the new row version
                -- stays on the page and no index entry is added (a heap-only update). New pages keep
                -- the room; existing ones gain it as they are rewritten.
                ALTER TABLE stock_position SET (fillfactor = 80);
                ALTER TABLE demand_forecast SET (fillfactor = 80);
                ALTER TABLE order_line SET (fillfactor = 80);
                -- For that, no index may cover a column every event changes: each store's newest
                -- event is kept here by the refresh (with the positions, in one transaction)
                -- instead of through indexes on stock_position.last_event_time.
                CREATE TABLE store_activity (
                    store_key integer PRIMARY KEY REFERENCES dim_store,
                    last_event_time timestamptz NOT NULL
                );
                INSERT INTO store_activity (store_key, last_event_time)
                SELECT store_key, max(last_event_time) FROM stock_position GROUP BY store_key;
                DROP INDEX stock_position_last_event;
                DROP INDEX stock_position_store_newest;
                -- A review reads the recent deliveries of each perishable item it drafts: the
                -- restocks alone, a small part of the movements, in an index of their own.
                CREATE INDEX fact_stock_movement_restock ON fact_stock_movement (store_key, product_key, event_time)
                    WHERE event_type = 'restock';
                """),
        PGMigration(
            name: "0019_open_alert_ids",
            sql: """
                -- A refresh reads the ids of its touched items' open alerts: with the id in the index
                -- of open alerts, each item is one index lookup that reads no row, instead of a scan
                -- of every open alert (at 500,000 items, 135,000 of them, 40 ms a refresh).
                CREATE UNIQUE INDEX stock_alert_open_ids ON stock_alert (store_key, product_key, kind) INCLUDE (alert_id)
                    WHERE status = 'open';
                DROP INDEX stock_alert_one_open;
                ALTER INDEX stock_alert_open_ids RENAME TO stock_alert_one_open;
                """),
        PGMigration(
            name: "0020_reader_role",
            sql: """
                -- lakehouse_reader may read every table and view of this schema, now and to come
                -- (monthly partitions included), and write nothing: the dashboard logs in as one of
                -- its members (CREATE ROLE dashboard LOGIN PASSWORD '…' IN ROLE lakehouse_reader).
                -- Roles belong to the whole server: it is made once, and left out with a notice
                -- where the migrating user may not make roles. Tables made later are covered when
                -- the role that migrates is the one the pipeline runs as (it makes the partitions).
                DO $$
                BEGIN
                    BEGIN
                        CREATE ROLE lakehouse_reader NOLOGIN;
                    EXCEPTION
                        WHEN duplicate_object OR unique_violation THEN NULL;
                        WHEN insufficient_privilege THEN
                            RAISE NOTICE 'lakehouse_reader not created: this user may not create roles';
                    END;
                    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'lakehouse_reader') THEN
                        EXECUTE format('GRANT USAGE ON SCHEMA %I TO lakehouse_reader', current_schema());
                        EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO lakehouse_reader', current_schema());
                        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT ON TABLES TO lakehouse_reader',
                            current_schema());
                    END IF;
                END
                $$;
                """),
        PGMigration(
            name: "0021_webhooks",
            sql: """
                -- Where alerts are delivered: a URL, which kinds and stores (NULL: all), the secret
                -- that signs each delivery, and the message shape. The secret is the pipeline's
                -- alone: lakehouse_reader may read every column but it and the URL (a Slack URL is
                -- itself a secret).
                CREATE TABLE webhook_endpoint (
                    endpoint_id serial PRIMARY KEY,
                    name text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9_.-]{1,64}$'),
                    url text NOT NULL CHECK (url ~ '^https?://[^[:space:]]+$'),
                    secret text NOT NULL CHECK (length(secret) >= 16),
                    kinds text[],
                    store_ids text[],
                    format text NOT NULL DEFAULT 'json' CHECK (format IN ('json', 'slack')),
                    enabled boolean NOT NULL DEFAULT true,
                    created_at timestamptz NOT NULL DEFAULT now()
                );
                -- The outbox: one row per alert event and endpoint, written by the gold refresh in
                -- its own transaction, with the exact body to send (retries send the same bytes).
                -- No key to stock_alert: retention deletes resolved alerts, not their deliveries.
                CREATE TABLE webhook_delivery (
                    delivery_id bigserial PRIMARY KEY,
                    endpoint_id integer NOT NULL REFERENCES webhook_endpoint ON DELETE CASCADE,
                    alert_id bigint NOT NULL,
                    event text NOT NULL CHECK (event IN ('alert.opened', 'alert.resolved')),
                    idempotency_key text NOT NULL,
                    body text NOT NULL,
                    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
                    attempts integer NOT NULL DEFAULT 0,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    next_attempt_at timestamptz NOT NULL DEFAULT now(),
                    delivered_at timestamptz,
                    last_status integer,
                    last_error text,
                    UNIQUE (endpoint_id, idempotency_key),
                    CHECK ((status = 'delivered') = (delivered_at IS NOT NULL))
                );
                CREATE INDEX webhook_delivery_due ON webhook_delivery (next_attempt_at, delivery_id)
                    WHERE status = 'pending';
                CREATE INDEX webhook_delivery_dead ON webhook_delivery (delivery_id) WHERE status = 'dead';
                CREATE INDEX webhook_delivery_done ON webhook_delivery (delivered_at) WHERE status = 'delivered';
                DO $$
                BEGIN
                    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'lakehouse_reader') THEN
                        REVOKE SELECT ON webhook_endpoint FROM lakehouse_reader;
                        GRANT SELECT (endpoint_id, name, kinds, store_ids, format, enabled, created_at)
                            ON webhook_endpoint TO lakehouse_reader;
                    END IF;
                END
                $$;
                """),
    ]
}
