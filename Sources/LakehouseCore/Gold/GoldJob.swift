import Foundation
import Logging
import PGLite

/// Applies silver to gold in PostgreSQL, incrementally: each refresh takes the `sales_silver`
/// rows of the silver batches after its watermark (never the history), adds them to the star
/// schema (`dim_*`, `fact_sales`, `fact_stock_movement`) and brings `stock_position` forward
/// from those rows alone, all in one transaction with the new watermark.
///
/// Stock follows event time, whatever order events arrive in: on hand is the last stock count
/// (the latest by event time) plus the sales and restocks stamped after it, so a late sale
/// stamped before that count changes nothing after it, and a late count resets the item to
/// what was counted plus what followed.
public struct GoldJob: Sendable {
    /// What one refresh applied.
    public struct Report: Sendable, Hashable, CustomStringConvertible {
        /// The silver batches applied (`nil` when there was nothing new).
        public var batches: ClosedRange<Int64>?
        /// Silver rows read.
        public var rows = 0
        /// Sale lines added to `fact_sales`.
        public var sales = 0
        /// Events added to `fact_stock_movement`.
        public var movements = 0
        /// Store × product positions changed.
        public var positions = 0
        /// Daily closing-stock rows written (new days, and days the new rows changed).
        public var snapshots = 0
        /// Stock models (`demand_forecast` rows) brought forward.
        public var forecasts = 0
        /// Order proposals drafted: one per store whose events the refresh brought, for its newest day.
        public var proposals = 0
        /// Lines (`order_line` rows, items to order) in those proposals.
        public var proposalLines = 0
        /// Item alerts (`stock_alert` rows) opened by the refresh.
        public var alertsOpened = 0
        /// Item alerts resolved by the refresh.
        public var alertsResolved = 0
        /// Where the refresh's time went: `stage`, `dimensions`, `facts`, `positions`, `calendar`,
        /// `stock model`, `snapshots`, `review`, `forecasts`, in seconds. Each step follows the
        /// one before, except `snapshots`: its statements run while this process walks the
        /// stock model, and its time is part of the `stock model` step's.
        public var steps: [Step] = []

        /// One step of a refresh and its duration.
        public struct Step: Sendable, Hashable {
            /// The step, one of those listed at ``GoldJob/Report/steps`` (`facts`, `stock model`…).
            public var name: String
            /// Wall-clock time it took, in seconds.
            public var seconds: Double
        }

        /// A report of nothing applied.
        public init() {}

        /// One line for a log or a terminal: the batches, rows and what they changed, or `gold: up to date`.
        public var description: String {
            guard let batches else { return "gold: up to date" }
            return
                "gold: silver batches \(batches.lowerBound)...\(batches.upperBound): \(rows) rows, \(sales) sales, \(movements) stock movements, \(positions) positions updated, \(snapshots) daily snapshots, \(forecasts) forecasts, \(proposals) order proposals (\(proposalLines) lines), alerts \(alertsOpened) opened and \(alertsResolved) resolved"
        }
    }

    /// The connection it works on (its `search_path` holds the pipeline's schema).
    public let connection: PGConnection
    private let logger: Logger

    /// A job on `connection`, whose `search_path` must hold the pipeline's schema (migrated by
    /// ``Provisioner``); it logs each refresh's counts to `logger`.
    public init(connection: PGConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// The last silver batch gold has applied (0 before the first refresh).
    public func watermark() async throws -> Int64 {
        let result = try await connection.query("SELECT value FROM gold_state WHERE name = 'silver_batch'")
        return try result.rows.first?.decode(Int64.self, at: 0) ?? 0
    }

    /// Applies every silver batch after the watermark, up to the last one loaded.
    ///
    /// Two refreshes at once are serialized (the second waits for the first's watermark, then
    /// applies what is left).
    ///
    /// - Throws: ``PGError``; nothing of the refresh is kept then.
    @discardableResult
    public func refresh() async throws -> Report {
        let report = try await connection.withTransaction { connection -> Report in
            try await Self.prepareSession(connection)
            let from = try await Self.lockWatermark(connection)
            let newest = try await connection.query("SELECT max(silver_batch) FROM sales_silver").rows[0]
            guard let to = try newest.decode(Int64?.self, at: 0), to > from else { return Report() }
            let report = try await Self.apply(connection, after: from, upTo: to)
            _ = try await connection.query(
                "UPDATE gold_state SET value = $1, updated_at = now() WHERE name = 'silver_batch'", [to])
            return report
        }
        log(report)
        return report
    }

    /// Sets the refresh transaction's session settings.
    private static func prepareSession(_ connection: PGConnection) async throws {
        // A refresh's statements are small, but the planner prices their index lookups by
        // the history's size: past jit_above_cost, compiling them (up to 2 s on 10 million
        // events) cost far more than running them, and grew with the history.
        try await connection.execute("SET LOCAL jit = off")
        // The refresh's temporary tables are dropped if a step made them before; PostgreSQL's
        // notices about that are not for the person reading the log.
        try await connection.execute("SET LOCAL client_min_messages = warning")
    }

    /// The watermark, locked until the transaction ends (a second refresh waits here).
    private static func lockWatermark(_ connection: PGConnection) async throws -> Int64 {
        _ = try await connection.query(
            "INSERT INTO gold_state (name, value) VALUES ('silver_batch', 0) ON CONFLICT DO NOTHING")
        return try await connection.query("SELECT value FROM gold_state WHERE name = 'silver_batch' FOR UPDATE")
            .rows[0].decode(Int64.self, at: 0)
    }

    /// Runs the refresh's steps over the silver batches after `from` up to `to`, timing each.
    private static func apply(_ connection: PGConnection, after from: Int64, upTo to: Int64) async throws -> Report {
        var report = Report()
        report.batches = (from + 1)...to
        var timer = StepTimer()
        report.rows = try await stage(connection, after: from, upTo: to)
        timer.lap("stage", into: &report)
        try await dimensions(connection)
        try await connection.execute(
            """
            SELECT lakehouse_month_partitions(t, min(event_date), max(event_date))
            FROM gold_new, unnest(ARRAY['fact_sales', 'fact_stock_movement']::regclass[]) AS t GROUP BY t
            """)
        timer.lap("dimensions", into: &report)
        report.sales = try await connection.query(factSalesSQL).rows[0].decode(Int.self, at: 0)
        report.movements = try await count(connection, factStockMovementSQL)
        timer.lap("facts", into: &report)
        report.positions = try await positions(connection)
        timer.lap("positions", into: &report)
        var calendar = try await GoldCalendar.load(connection, firstNewDay: try await firstNewDay(connection))
        timer.lap("calendar", into: &report)
        let final = try await finalizeReviews(connection)
        // The snapshots (PostgreSQL's work) run while this process walks the stock model.
        var (model, snapshots) = try await stockModel(connection, calendar: &calendar) { connection in
            let clock = ContinuousClock()
            let start = clock.now
            let count = try await Self.snapshots(connection)
            return (count, (clock.now - start).inSeconds)
        }
        report.snapshots = snapshots.0
        report.alertsOpened = final.opened + model.opened
        report.alertsResolved = final.resolved + model.resolved
        try await calendar.save(connection)
        timer.lap("stock model", into: &report)
        report.steps.append(Report.Step(name: "snapshots", seconds: snapshots.1))
        let review = try await Self.review(connection, calendar: calendar, touched: &model.items)
        report.proposals = review.reviews
        report.proposalLines = review.lines
        timer.lap("review", into: &report)
        try await write(connection, items: model.items)
        report.forecasts = model.items.count
        timer.lap("forecasts", into: &report)
        return report
    }

    /// Times a refresh's steps one after the other.
    private struct StepTimer {
        private let clock = ContinuousClock()
        private var mark: ContinuousClock.Instant

        init() { mark = clock.now }

        /// Records the time since the last lap as step `name` of `report`.
        mutating func lap(_ name: String, into report: inout Report) {
            let now = clock.now
            report.steps.append(Report.Step(name: name, seconds: (now - mark).inSeconds))
            mark = now
        }
    }

    /// Logs what a refresh applied (at debug level when it applied nothing).
    private func log(_ report: Report) {
        logger.log(
            level: report.batches == nil ? .debug : .info, "gold refresh",
            metadata: [
                "batches": "\(report.batches.map { "\($0.lowerBound)...\($0.upperBound)" } ?? "none")",
                "rows": "\(report.rows)", "sales": "\(report.sales)", "movements": "\(report.movements)",
                "positions": "\(report.positions)", "forecasts": "\(report.forecasts)",
                "proposals": "\(report.proposals)", "proposal.lines": "\(report.proposalLines)",
                "alerts.opened": "\(report.alertsOpened)", "alerts.resolved": "\(report.alertsResolved)",
                "seconds": "\(Self.stepsText(report.steps))",
            ])
    }

    /// The new rows' sale lines, added to `fact_sales`, and their units to `category_day_sales`
    /// (what the demand model reads per category and day, kept as the sales arrive so that a
    /// refresh does not add up the whole history again); returns how many lines were new.
    private static let factSalesSQL = """
        WITH added AS (
            INSERT INTO fact_sales (transaction_id, product_id, date_key, store_key, product_key,
                payment_method_key, client_type_key, quantity, unit_price, total_price, event_time, silver_batch)
            SELECT n.transaction_id, n.product_id, n.date_key, s.store_key, p.product_key, pm.payment_method_key,
                ct.client_type_key, n.quantity, n.unit_price, n.total_price, n.event_time, n.silver_batch
            FROM gold_new n
            JOIN dim_store s USING (store_id)
            JOIN dim_product p USING (product_id)
            LEFT JOIN dim_payment_method pm USING (payment_method)
            LEFT JOIN dim_client_type ct USING (client_type)
            WHERE n.event_type = 'sale'
            ON CONFLICT DO NOTHING
            RETURNING product_key, date_key, quantity
        ), totals AS (
            INSERT INTO category_day_sales (category, date_key, units)
            SELECT p.category, a.date_key, sum(a.quantity) FROM added a JOIN dim_product p USING (product_key)
            GROUP BY 1, 2
            ON CONFLICT (category, date_key) DO UPDATE SET units = category_day_sales.units + excluded.units
        )
        SELECT count(*)::bigint FROM added
        """

    /// The new rows' events, added to `fact_stock_movement`.
    private static let factStockMovementSQL = """
        INSERT INTO fact_stock_movement (transaction_id, product_id, event_type, date_key, store_key,
            product_key, event_time, quantity_change, counted_quantity, silver_batch)
        SELECT n.transaction_id, n.product_id, n.event_type, n.date_key, s.store_key, p.product_key,
            n.event_time,
            CASE n.event_type WHEN 'sale' THEN -n.quantity WHEN 'restock' THEN n.quantity END,
            CASE WHEN n.event_type = 'stock_count' THEN n.quantity END,
            n.silver_batch
        FROM gold_new n
        JOIN dim_store s USING (store_id)
        JOIN dim_product p USING (product_id)
        ON CONFLICT DO NOTHING
        """

    /// The day (since 1970 UTC) of the oldest new movement, `nil` when there is none.
    private static func firstNewDay(_ connection: PGConnection) async throws -> Int64? {
        let first = try await connection.query(
            "SELECT (extract(epoch FROM min(event_time)) * 1000000)::bigint FROM gold_moves")
        return try first.rows.first?.decode(Int64?.self, at: 0).map {
            EventTimestamp.floorDivide($0, ItemStockModel.dayMicros)
        }
    }

    /// The new silver rows, with their date key, in a temporary table; returns how many.
    private static func stage(_ connection: PGConnection, after from: Int64, upTo to: Int64) async throws -> Int {
        try await connection.execute(
            """
            CREATE TEMP TABLE gold_new ON COMMIT DROP AS
            SELECT s.*, (extract(year FROM event_date) * 10000 + extract(month FROM event_date) * 100
                         + extract(day FROM event_date))::integer AS date_key
            FROM sales_silver s
            WHERE silver_batch > \(from) AND silver_batch <= \(to)
            """)
        try await connection.execute("ANALYZE gold_new")
        return Int(try await connection.query("SELECT count(*) FROM gold_new").rows[0].decode(Int64.self, at: 0))
    }

    /// The products the new rows describe, added or described anew (a product's description
    /// follows its latest event); returns the categories, old and new, of products whose
    /// category changed.
    private static let productsSQL = """
        WITH before AS (
            SELECT product_key, category FROM dim_product WHERE product_id IN (SELECT product_id FROM gold_new)
        ), described AS (
            INSERT INTO dim_product (product_id, product_name, category, unit_price, described_at)
            SELECT DISTINCT ON (product_id) product_id, product_name, category, unit_price, event_time
            FROM gold_new ORDER BY product_id, event_time DESC
            ON CONFLICT (product_id) DO UPDATE SET product_name = EXCLUDED.product_name,
                category = EXCLUDED.category, unit_price = EXCLUDED.unit_price, described_at = EXCLUDED.described_at
            WHERE dim_product.described_at < EXCLUDED.described_at
            RETURNING product_key, category
        )
        SELECT DISTINCT unnest(ARRAY[b.category, d.category])
        FROM described d JOIN before b USING (product_key) WHERE b.category <> d.category
        """

    /// The dimension rows the new silver rows need (dates, stores, products, payment methods,
    /// client types); a product's description follows its latest event.
    private static func dimensions(_ connection: PGConnection) async throws {
        try await addDates(connection, days: "SELECT DISTINCT event_date FROM gold_new")
        try await connection.execute(
            """
            INSERT INTO dim_store (store_id, first_event_time)
            SELECT store_id, min(event_time) FROM gold_new GROUP BY store_id
            ON CONFLICT (store_id) DO UPDATE SET first_event_time = least(dim_store.first_event_time,
                EXCLUDED.first_event_time)
            """)
        let recategorised = try await connection.query(productsSQL).rows.map { try $0.decode(String.self, at: 0) }
        if !recategorised.isEmpty {
            // Units sold are kept per category: a product that moved takes its history along.
            try await connection.query(
                "DELETE FROM category_day_sales WHERE category = ANY($1)", [recategorised])
            try await connection.query(
                """
                INSERT INTO category_day_sales (category, date_key, units)
                SELECT p.category, f.date_key, sum(f.quantity) FROM fact_sales f JOIN dim_product p USING (product_key)
                WHERE p.category = ANY($1) GROUP BY 1, 2
                """, [recategorised])
        }
        try await connection.execute(
            """
            INSERT INTO dim_payment_method (payment_method)
            SELECT DISTINCT payment_method FROM gold_new WHERE payment_method IS NOT NULL
            ON CONFLICT DO NOTHING
            """)
        try await connection.execute(
            """
            INSERT INTO dim_client_type (client_type)
            SELECT DISTINCT client_type FROM gold_new WHERE client_type IS NOT NULL
            ON CONFLICT DO NOTHING
            """)
    }

    /// Brings the positions of the items the new rows touch forward and keeps them, in key order,
    /// in `gold_items`; returns how many changed.
    ///
    /// Each touched item adds the changes stamped after its current count; an item with a new
    /// count later than its current one takes that count instead, and its change is recomputed
    /// from the movements stamped after it (at most the item's movements since that count). One
    /// statement, so that each position is written once; then each touched store's newest event
    /// (`store_activity`).
    private static func positions(_ connection: PGConnection) async throws -> Int {
        try await connection.execute(
            """
            CREATE TEMP TABLE gold_moves ON COMMIT DROP AS
            SELECT s.store_key, p.product_key, n.event_type, n.event_time,
                CASE n.event_type WHEN 'sale' THEN -n.quantity WHEN 'restock' THEN n.quantity END AS change,
                CASE WHEN n.event_type = 'stock_count' THEN n.quantity END AS counted
            FROM gold_new n JOIN dim_store s USING (store_id) JOIN dim_product p USING (product_id)
            -- In key order, so that each item's lookups land next to the one before.
            ORDER BY s.store_key, p.product_key
            """)
        try await connection.execute("ANALYZE gold_moves")
        // The touched items' new positions, in key order: the stock model restores the items
        // from here instead of reading their positions again, and key order makes each lookup
        // after it land next to the one before.
        try await connection.execute(
            """
            CREATE TEMP TABLE gold_items (store_key integer, product_key integer, on_hand bigint,
                last_count_time timestamptz) ON COMMIT DROP
            """)
        let touched = try await count(connection, positionsSQL)
        try await connection.execute("ANALYZE gold_items")
        try await connection.execute(
            """
            INSERT INTO store_activity AS a (store_key, last_event_time)
            SELECT store_key, max(event_time) FROM gold_moves GROUP BY store_key
            ON CONFLICT (store_key) DO UPDATE SET last_event_time = greatest(a.last_event_time, EXCLUDED.last_event_time)
            """)
        return touched
    }

    /// The upsert of ``positions(_:)``: `t` holds the position before the refresh (`q`) and the
    /// item's latest new count (`c`); `fresh` says whether that count replaces the position's.
    /// The change after a fresh count is the new movements' after it, unless the item had events
    /// later than the count already (a late count): then it is read from the facts. The positions
    /// written go to `gold_items`; both in key order.
    private static let positionsSQL = """
        WITH latest AS (
            SELECT DISTINCT ON (store_key, product_key) store_key, product_key, event_time, counted
            FROM gold_moves WHERE event_type = 'stock_count'
            ORDER BY store_key, product_key, event_time DESC, counted
        ), touched AS (
            SELECT g.store_key, g.product_key, max(g.event_time) AS newest,
                coalesce(sum(g.change) FILTER (WHERE q.last_count_time IS NULL OR g.event_time > q.last_count_time), 0)
                    AS change,
                coalesce(sum(g.change) FILTER (WHERE g.event_time > c.event_time), 0) AS change_after_count,
                q.last_count_time, q.last_count_quantity, coalesce(q.change_since_count, 0) AS change_since_count,
                q.last_event_time AS known_until, c.event_time AS count_time, c.counted
            FROM gold_moves g LEFT JOIN stock_position q USING (store_key, product_key)
            LEFT JOIN latest c USING (store_key, product_key)
            GROUP BY g.store_key, g.product_key, q.last_count_time, q.last_count_quantity, q.change_since_count,
                q.last_event_time, c.event_time, c.counted
        ), written AS (
        INSERT INTO stock_position AS p (store_key, product_key, last_event_time, last_count_time, last_count_quantity,
            change_since_count)
        SELECT t.store_key, t.product_key, t.newest,
            CASE WHEN x.fresh THEN t.count_time ELSE t.last_count_time END,
            CASE WHEN x.fresh THEN t.counted ELSE t.last_count_quantity END,
            CASE WHEN NOT x.fresh THEN t.change_since_count + t.change
                WHEN t.known_until IS NULL OR t.count_time >= t.known_until THEN t.change_after_count
                ELSE coalesce((
                    SELECT sum(f.quantity_change) FROM fact_stock_movement f
                    WHERE f.store_key = t.store_key AND f.product_key = t.product_key
                      AND f.quantity_change IS NOT NULL AND f.event_time > t.count_time), 0) END
        FROM touched t
        CROSS JOIN LATERAL (
            SELECT t.count_time IS NOT NULL AND (t.last_count_time IS NULL OR t.count_time > t.last_count_time) AS fresh
        ) x
        ORDER BY t.store_key, t.product_key
        ON CONFLICT (store_key, product_key) DO UPDATE SET
            last_event_time = greatest(p.last_event_time, EXCLUDED.last_event_time),
            last_count_time = EXCLUDED.last_count_time, last_count_quantity = EXCLUDED.last_count_quantity,
            change_since_count = EXCLUDED.change_since_count, updated_at = now()
        RETURNING p.store_key, p.product_key, p.on_hand, p.last_count_time
        )
        INSERT INTO gold_items SELECT * FROM written ORDER BY store_key, product_key
        """

    /// The `dim_date` rows of the days `days` (a query of one date column) selects.
    static func addDates(_ connection: PGConnection, days: String) async throws {
        try await connection.execute(
            """
            INSERT INTO dim_date (date_key, date, year, quarter, month, day, iso_week, iso_day_of_week, day_name,
                is_weekend)
            SELECT to_char(day, 'YYYYMMDD')::integer, day, extract(year FROM day), extract(quarter FROM day),
                extract(month FROM day), extract(day FROM day), extract(week FROM day), extract(isodow FROM day),
                trim(to_char(day, 'Day')), extract(isodow FROM day) >= 6
            FROM (\(days)) AS days(day)
            WHERE day IS NOT NULL
            ON CONFLICT DO NOTHING
            """)
    }

    /// `stage=0.120,dimensions=0.050,…`, for the log.
    private static func stepsText(_ steps: [Report.Step]) -> String {
        steps.map { "\($0.name)=\(String(format: "%.3f", $0.seconds))" }.joined(separator: ",")
    }

    /// Runs `sql` and returns how many rows it changed.
    static func count(_ connection: PGConnection, _ sql: String) async throws -> Int {
        try await connection.query(sql).affectedRows ?? 0
    }

    /// Creates the temporary table `name` with `columns` (`name type, …`), dropped at commit, and
    /// copies `values` into it, one per column in order.
    static func copyIntoTemporaryTable(
        _ connection: PGConnection, _ name: String, _ columns: String, _ values: [PGCopyColumn],
        format: PGCopyRowFormat = .text
    ) async throws {
        try await connection.execute("CREATE TEMP TABLE \(name) (\(columns)) ON COMMIT DROP")
        let options = format == .binary ? " (FORMAT binary)" : ""
        try await connection.copyIn("COPY \(name) FROM STDIN\(options)", format: format) { writer in
            try await writer.writeColumns(values)
        }
        // Without statistics the planner takes a temporary table for ~2,000 rows whatever it
        // holds, and may read a whole history table to join a handful of rows.
        try await connection.execute("ANALYZE \(name)")
    }
}
