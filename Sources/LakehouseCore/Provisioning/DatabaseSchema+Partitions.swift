extension DatabaseSchema {
    /// Migration `0015_monthly_partitions`: the tables that grow with every event —
    /// `sales_silver`, `fact_sales`, `fact_stock_movement`, `fact_inventory_snapshot` — become
    /// partitioned by month, so that retention drops a month at a time and a month can be
    /// exported whole (``TableRetention``). Partitions are made on demand by
    /// `lakehouse_month_partitions(parent, first, last)` before rows land in them.
    ///
    /// Rows are copied into the new tables; the views, which name the old tables, are saved,
    /// dropped and made again. Each key now includes the partition column (PostgreSQL checks
    /// uniqueness per partition): the natural key plus its day, which is the same for any copy of
    /// an event.
    static let monthlyPartitionsSQL = """
        -- Dropping and making the views again is expected: no notice for each.
        SET LOCAL client_min_messages = warning;
        CREATE FUNCTION lakehouse_month_partitions(parent regclass, first_day date, last_day date)
        RETURNS integer LANGUAGE plpgsql AS $fn$
        DECLARE
            month date;
            made integer := 0;
            schema_name text;
            table_name text;
            by_date boolean;
            child text;
        BEGIN
            IF first_day IS NULL OR last_day IS NULL THEN RETURN 0; END IF;
            SELECT n.nspname, c.relname INTO schema_name, table_name
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = parent;
            SELECT a.atttypid = 'date'::regtype INTO by_date
            FROM pg_partitioned_table p JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
            WHERE p.partrelid = parent;
            month := date_trunc('month', first_day)::date;
            WHILE month <= last_day LOOP
                child := format('%s_%s', table_name, to_char(month, 'YYYY_MM'));
                IF to_regclass(format('%I.%I', schema_name, child)) IS NULL THEN
                    BEGIN
                        EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s FOR VALUES FROM (%s) TO (%s)',
                            schema_name, child, parent,
                            CASE WHEN by_date THEN quote_literal(month) ELSE to_char(month, 'YYYYMMDD') END,
                            CASE WHEN by_date THEN quote_literal((month + interval '1 month')::date)
                                 ELSE to_char(month + interval '1 month', 'YYYYMMDD') END);
                        made := made + 1;
                    EXCEPTION WHEN duplicate_table THEN
                        NULL;  -- another session made it first
                    END;
                END IF;
                month := (month + interval '1 month')::date;
            END LOOP;
            RETURN made;
        END
        $fn$;

        -- The views name the tables being replaced: keep their definitions, make them again after.
        CREATE TEMP TABLE lakehouse_saved_views ON COMMIT DROP AS
        SELECT c.oid, c.relname, pg_get_viewdef(c.oid) AS definition
        FROM pg_class c WHERE c.relkind = 'v' AND c.relnamespace = current_schema()::regnamespace;
        DO $views$
        DECLARE v record;
        BEGIN
            FOR v IN SELECT relname FROM lakehouse_saved_views LOOP
                EXECUTE format('DROP VIEW IF EXISTS %I CASCADE', v.relname);
            END LOOP;
        END
        $views$;

        ALTER TABLE sales_silver RENAME TO sales_silver_unpartitioned;
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
            bronze_key text NOT NULL,
            bronze_line bigint NOT NULL,
            loaded_at timestamptz NOT NULL DEFAULT now(),
            silver_batch bigint
        ) PARTITION BY RANGE (event_date);
        SELECT lakehouse_month_partitions('sales_silver', min(event_date), max(event_date))
        FROM sales_silver_unpartitioned;
        INSERT INTO sales_silver (transaction_id, product_id, event_type, product_name, category, quantity, unit_price,
            total_price, event_time, event_date, store_id, payment_method, client_type, bronze_key, bronze_line,
            loaded_at, silver_batch)
        SELECT transaction_id, product_id, event_type, product_name, category, quantity, unit_price, total_price,
            event_time, event_date, store_id, payment_method, client_type, bronze_key, bronze_line, loaded_at,
            silver_batch
        FROM sales_silver_unpartitioned;
        DROP TABLE sales_silver_unpartitioned;
        ALTER TABLE sales_silver ADD PRIMARY KEY (transaction_id, product_id, event_type, event_date);
        CREATE INDEX sales_silver_store_date ON sales_silver (store_id, event_date);
        CREATE INDEX sales_silver_batch ON sales_silver (silver_batch);

        ALTER TABLE fact_sales RENAME TO fact_sales_unpartitioned;
        CREATE TABLE fact_sales (
            transaction_id text NOT NULL,
            product_id text NOT NULL,
            date_key integer NOT NULL,
            store_key integer NOT NULL,
            product_key integer NOT NULL,
            payment_method_key integer,
            client_type_key integer,
            quantity bigint NOT NULL,
            unit_price numeric(12, 2) NOT NULL,
            total_price numeric(12, 2) NOT NULL,
            event_time timestamptz NOT NULL,
            silver_batch bigint
        ) PARTITION BY RANGE (date_key);
        SELECT lakehouse_month_partitions('fact_sales', to_date(min(date_key)::text, 'YYYYMMDD'),
            to_date(max(date_key)::text, 'YYYYMMDD'))
        FROM fact_sales_unpartitioned;
        INSERT INTO fact_sales (transaction_id, product_id, date_key, store_key, product_key, payment_method_key,
            client_type_key, quantity, unit_price, total_price, event_time, silver_batch)
        SELECT transaction_id, product_id, date_key, store_key, product_key, payment_method_key, client_type_key,
            quantity, unit_price, total_price, event_time, silver_batch
        FROM fact_sales_unpartitioned;
        DROP TABLE fact_sales_unpartitioned;
        ALTER TABLE fact_sales ADD PRIMARY KEY (transaction_id, product_id, date_key);
        CREATE INDEX fact_sales_store_date ON fact_sales (store_key, date_key);

        ALTER TABLE fact_stock_movement RENAME TO fact_stock_movement_unpartitioned;
        CREATE TABLE fact_stock_movement (
            transaction_id text NOT NULL,
            product_id text NOT NULL,
            event_type text NOT NULL CHECK (event_type IN ('sale', 'restock', 'stock_count')),
            date_key integer NOT NULL,
            store_key integer NOT NULL,
            product_key integer NOT NULL,
            event_time timestamptz NOT NULL,
            quantity_change bigint,
            counted_quantity bigint,
            silver_batch bigint,
            CHECK ((event_type = 'stock_count') = (counted_quantity IS NOT NULL)),
            CHECK ((event_type = 'stock_count') = (quantity_change IS NULL))
        ) PARTITION BY RANGE (date_key);
        SELECT lakehouse_month_partitions('fact_stock_movement', to_date(min(date_key)::text, 'YYYYMMDD'),
            to_date(max(date_key)::text, 'YYYYMMDD'))
        FROM fact_stock_movement_unpartitioned;
        INSERT INTO fact_stock_movement (transaction_id, product_id, event_type, date_key, store_key, product_key,
            event_time, quantity_change, counted_quantity, silver_batch)
        SELECT transaction_id, product_id, event_type, date_key, store_key, product_key, event_time, quantity_change,
            counted_quantity, silver_batch
        FROM fact_stock_movement_unpartitioned;
        DROP TABLE fact_stock_movement_unpartitioned;
        ALTER TABLE fact_stock_movement ADD PRIMARY KEY (transaction_id, product_id, event_type, date_key);
        CREATE INDEX fact_stock_movement_item_time ON fact_stock_movement (store_key, product_key, event_time);

        ALTER TABLE fact_inventory_snapshot RENAME TO fact_inventory_snapshot_unpartitioned;
        CREATE TABLE fact_inventory_snapshot (
            date_key integer NOT NULL,
            store_key integer NOT NULL,
            product_key integer NOT NULL,
            closing_on_hand bigint NOT NULL
        ) PARTITION BY RANGE (date_key);
        SELECT lakehouse_month_partitions('fact_inventory_snapshot', to_date(min(date_key)::text, 'YYYYMMDD'),
            to_date(max(date_key)::text, 'YYYYMMDD'))
        FROM fact_inventory_snapshot_unpartitioned;
        INSERT INTO fact_inventory_snapshot (date_key, store_key, product_key, closing_on_hand)
        SELECT date_key, store_key, product_key, closing_on_hand FROM fact_inventory_snapshot_unpartitioned;
        DROP TABLE fact_inventory_snapshot_unpartitioned;
        ALTER TABLE fact_inventory_snapshot ADD PRIMARY KEY (date_key, store_key, product_key);
        CREATE INDEX fact_inventory_snapshot_item ON fact_inventory_snapshot (store_key, product_key, date_key);

        -- The views again, each once what it reads exists (a view may read another).
        DO $views$
        DECLARE
            v record;
            left_over integer;
            before integer := -1;
        BEGIN
            LOOP
                SELECT count(*) INTO left_over FROM lakehouse_saved_views s
                WHERE to_regclass(quote_ident(s.relname)) IS NULL;
                EXIT WHEN left_over = 0;
                IF left_over = before THEN
                    RAISE EXCEPTION 'views that cannot be made again: %', (
                        SELECT string_agg(relname, ', ') FROM lakehouse_saved_views s
                        WHERE to_regclass(quote_ident(s.relname)) IS NULL);
                END IF;
                before := left_over;
                FOR v IN SELECT * FROM lakehouse_saved_views s WHERE to_regclass(quote_ident(s.relname)) IS NULL
                    ORDER BY oid
                LOOP
                    BEGIN
                        EXECUTE format('CREATE VIEW %I AS %s', v.relname, v.definition);
                    EXCEPTION WHEN undefined_table THEN
                        NULL;  -- it reads a view not made yet: the next round
                    END;
                END LOOP;
            END LOOP;
        END
        $views$;
        """
}
