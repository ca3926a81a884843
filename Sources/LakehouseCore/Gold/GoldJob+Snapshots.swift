import PGLite

/// The daily closing stock's part of a refresh (`fact_inventory_snapshot`).
extension GoldJob {
    /// Writes the daily closing stock the new rows change: for each item they touch, every day
    /// from the earliest of them; for every other item, the days after its last snapshot; all up
    /// to the newest event date. Returns how many rows were written.
    ///
    /// Each day follows from the day before (its closing stock plus the day's changes) or, on a
    /// day with a count, from the day's last count plus the changes after it; so the cost follows
    /// the days and movements in the range, not the movements since the last count. The newest
    /// day's closing stock is the item's position, so a range of that day alone reads nothing.
    static func snapshots(_ connection: PGConnection) async throws -> Int {
        // The newest event day as a constant, so that the planner sees how few positions lag
        // behind it (within a day, none) and reads them through the index on snapshot_through.
        let newest = try await connection.query(
            "SELECT ((SELECT max(last_event_time) FROM store_activity) AT TIME ZONE 'UTC')::date::text"
        ).rows.first?.decode(String?.self, at: 0)
        try await connection.execute(snapshotScopeSQL(toDate: newest.map { "DATE '\($0)'" } ?? "NULL::date"))
        // Temporary tables have no statistics until analyzed; without them the planner may scan
        // the whole movement history instead of each item's range.
        try await connection.execute("ANALYZE gold_snapshot_scope")
        // Every day of the range needs its dim_date row, events or not.
        try await addDates(
            connection,
            days:
                "SELECT generate_series(min(from_date), max(to_date), interval '1 day')::date FROM gold_snapshot_scope")
        try await connection.execute(
            "SELECT lakehouse_month_partitions('fact_inventory_snapshot', min(from_date), max(to_date)) FROM gold_snapshot_scope"
        )
        // The newest day's closing stock is what is on hand now (no event is stamped later), so an
        // item whose range is that day alone takes it from its position: a refresh during the
        // day never reads the day's movements again, however many there are.
        var written = try await count(connection, newestDaySnapshotSQL)
        written += try await count(connection, rangeSnapshotSQL)
        try await connection.execute(
            """
            UPDATE stock_position p SET snapshot_through = s.to_date FROM gold_snapshot_scope s
            WHERE p.store_key = s.store_key AND p.product_key = s.product_key AND s.from_date <= s.to_date
                AND p.snapshot_through IS DISTINCT FROM s.to_date
            """)
        return written
    }

    /// `gold_snapshot_scope`: each item's range of days to write, `from_date` to `to_date` (the
    /// newest event day, a date literal).
    private static func snapshotScopeSQL(toDate: String) -> String {
        """
        CREATE TEMP TABLE gold_snapshot_scope ON COMMIT DROP AS
        WITH touched AS (
            SELECT store_key, product_key, min((event_time AT TIME ZONE 'UTC')::date) AS from_date
            FROM gold_moves GROUP BY store_key, product_key
        ), rest AS (
            -- Only the items whose snapshots lag behind the newest day (all of them once a day,
            -- when the newest day moves; within the day, none): through the index on
            -- snapshot_through. Those already at the newest day have nothing to write.
            SELECT store_key, product_key,
                coalesce(snapshot_through + 1, (last_event_time AT TIME ZONE 'UTC')::date) AS from_date
            FROM stock_position
            WHERE snapshot_through IS NULL OR snapshot_through < \(toDate)
        )
        SELECT store_key, product_key, min(from_date) AS from_date, \(toDate) AS to_date
        FROM (SELECT * FROM touched UNION ALL SELECT * FROM rest) scopes
        GROUP BY store_key, product_key
        -- In key order, so that each lookup from here lands next to the one before.
        ORDER BY store_key, product_key
        """
    }

    /// The closing stock of the items whose range is the newest day alone: their position.
    private static let newestDaySnapshotSQL = """
        INSERT INTO fact_inventory_snapshot AS f (date_key, store_key, product_key, closing_on_hand)
        SELECT to_char(s.to_date, 'YYYYMMDD')::integer, s.store_key, s.product_key, p.on_hand
        FROM gold_snapshot_scope s JOIN stock_position p USING (store_key, product_key)
        WHERE s.from_date = s.to_date
            -- A day's snapshot that already holds the position is left alone: the conflict
            -- clause would lock (write) it even to change nothing.
            AND NOT EXISTS (
                SELECT 1 FROM fact_inventory_snapshot o
                WHERE o.date_key = to_char(s.to_date, 'YYYYMMDD')::integer AND o.store_key = s.store_key
                    AND o.product_key = s.product_key AND o.closing_on_hand = p.on_hand)
        ORDER BY s.store_key, s.product_key
        ON CONFLICT (date_key, store_key, product_key) DO UPDATE SET closing_on_hand = EXCLUDED.closing_on_hand
        WHERE f.closing_on_hand <> EXCLUDED.closing_on_hand
        """

    /// The closing stock of every day of the longer ranges, from the day before the range and
    /// each day's movements.
    private static let rangeSnapshotSQL = """
        INSERT INTO fact_inventory_snapshot AS f (date_key, store_key, product_key, closing_on_hand)
        WITH scope AS (
            -- Lateral lookups, so that each item reads its own index range whatever the
            -- planner thinks of the history's size.
            SELECT s.*, coalesce(b.closing_on_hand, 0) AS base
            FROM gold_snapshot_scope s
            LEFT JOIN LATERAL (
                SELECT closing_on_hand FROM fact_inventory_snapshot b
                WHERE b.date_key = to_char(s.from_date - 1, 'YYYYMMDD')::integer
                  AND b.store_key = s.store_key AND b.product_key = s.product_key
            ) b ON true
            WHERE s.from_date < s.to_date
        ), moves AS (
            SELECT s.store_key, s.product_key, (m.event_time AT TIME ZONE 'UTC')::date AS day, m.event_time,
                m.quantity_change, m.counted_quantity
            FROM scope s
            CROSS JOIN LATERAL (
                SELECT event_time, quantity_change, counted_quantity FROM fact_stock_movement f
                WHERE f.store_key = s.store_key AND f.product_key = s.product_key
                  -- The day keys too, so that only the range's monthly partitions are read.
                  AND f.date_key >= to_char(s.from_date, 'YYYYMMDD')::integer
                  AND f.date_key <= to_char(s.to_date, 'YYYYMMDD')::integer
                  AND f.event_time >= (s.from_date::timestamp AT TIME ZONE 'UTC')
                  AND f.event_time < ((s.to_date + 1)::timestamp AT TIME ZONE 'UTC')
            ) m
        ), day_counts AS (
            SELECT DISTINCT ON (store_key, product_key, day) store_key, product_key, day, event_time,
                counted_quantity
            FROM moves WHERE counted_quantity IS NOT NULL
            ORDER BY store_key, product_key, day, event_time DESC, counted_quantity
        ), day_levels AS (
            -- A day with a count: its last count plus the changes after it, a new level.
            SELECT c.store_key, c.product_key, c.day, c.counted_quantity + coalesce(sum(m.quantity_change), 0) AS level
            FROM day_counts c
            LEFT JOIN moves m ON m.store_key = c.store_key AND m.product_key = c.product_key AND m.day = c.day
                AND m.event_time > c.event_time AND m.quantity_change IS NOT NULL
            GROUP BY c.store_key, c.product_key, c.day, c.counted_quantity
        ), day_changes AS (
            -- Any other day adds its changes to the day before.
            SELECT store_key, product_key, day, sum(quantity_change) AS change
            FROM moves WHERE quantity_change IS NOT NULL GROUP BY store_key, product_key, day
        ), days AS (
            SELECT s.store_key, s.product_key, s.base, d.day, l.level IS NOT NULL AS counted, l.level,
                coalesce(c.change, 0) AS change
            FROM scope s
            CROSS JOIN LATERAL (SELECT moment::date AS day
                FROM generate_series(s.from_date, s.to_date, interval '1 day') AS days(moment)) d
            LEFT JOIN day_levels l ON l.store_key = s.store_key AND l.product_key = s.product_key AND l.day = d.day
            LEFT JOIN day_changes c ON c.store_key = s.store_key AND c.product_key = s.product_key AND c.day = d.day
        ), runs AS (
            SELECT *, count(*) FILTER (WHERE counted) OVER (PARTITION BY store_key, product_key ORDER BY day) AS run
            FROM days
        )
        SELECT to_char(day, 'YYYYMMDD')::integer, store_key, product_key,
            CASE WHEN run = 0 THEN base
                ELSE first_value(level) OVER (PARTITION BY store_key, product_key, run ORDER BY day) END
            + sum(CASE WHEN counted THEN 0 ELSE change END)
                OVER (PARTITION BY store_key, product_key, run ORDER BY day ROWS UNBOUNDED PRECEDING)
        FROM runs
        ON CONFLICT (date_key, store_key, product_key) DO UPDATE SET closing_on_hand = EXCLUDED.closing_on_hand
        WHERE f.closing_on_hand <> EXCLUDED.closing_on_hand
        """
}
