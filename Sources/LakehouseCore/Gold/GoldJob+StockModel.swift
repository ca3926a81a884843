import Foundation
import PGLite

/// One store × product as a refresh restores it: its policy, stock model, calendar, alerts and
/// the orders on the way.
struct GoldItem: Sendable {
    var storeKey: Int64
    var productKey: Int64
    var policy: ReplenishmentPolicy
    var caseSize: Int64?
    var shelfLifeDays: Int?
    var model: ItemStockModel
    /// The calendar of the day being applied or reviewed.
    var days: DemandDays
    var alerts: ItemAlerts
    /// The ids of the item's open alerts.
    var openAlertIDs: [StockAlertKind: Int64]
    var openOrders: OpenOrders
    /// The item's latest draft: its review day, on hand then, and what the alerts read.
    var draft: (day: Int64, onHand: Int64, figures: ReviewFigures)?
    /// Whether that draft had what a plan needs (a count and a demand estimate).
    var draftPlanned = false
    /// The authoritative position (`stock_position`).
    var onHand: Int64
    var lastCountTime: Int64?

    var key: Int64 { storeKey << 32 | productKey }

    /// Whether the item has what a plan needs: a count and a demand estimate.
    var isPlannable: Bool { model.lastCountTime != nil && model.demand.dailyDemand != nil }
}

/// One alert row to write: a new alert, or an open one resolved.
struct GoldAlertRow: Sendable {
    var alertID: Int64?
    var storeKey: Int64
    var productKey: Int64
    var kind: StockAlertKind
    var openedAt: Int64
    var updatedAt: Int64
    var resolvedAt: Int64?
    var figures: StockFigures
    /// nil keeps the stored sentence (a resolved alert keeps why it opened).
    var reason: String?
}

/// The alert rows of a refresh, from the changes ``ItemAlerts`` reports.
struct GoldAlertRows: Sendable {
    private(set) var rows: [GoldAlertRow] = []
    private(set) var opened = 0
    private(set) var resolved = 0
    /// Item key → kind → index in ``rows`` of the alerts opened by this refresh and still open.
    private var open: [Int64: [StockAlertKind: Int]] = [:]

    mutating func record(_ changes: [ItemAlerts.Change], item: GoldItem, time: Int64) {
        for change in changes {
            let figures = item.model.figures(policy: item.policy, at: time)
            if change.opened {
                opened += 1
                open[item.key, default: [:]][change.kind] = rows.count
                rows.append(
                    GoldAlertRow(
                        alertID: nil, storeKey: item.storeKey, productKey: item.productKey, kind: change.kind,
                        openedAt: time, updatedAt: time, figures: figures, reason: change.reason))
                continue
            }
            resolved += 1
            if let row = open[item.key]?[change.kind] {
                rows[row].updatedAt = time
                rows[row].resolvedAt = time
                rows[row].figures = figures
                open[item.key]?[change.kind] = nil
            } else {
                // Opened by an earlier refresh.
                rows.append(
                    GoldAlertRow(
                        alertID: item.openAlertIDs[change.kind], storeKey: item.storeKey, productKey: item.productKey,
                        kind: change.kind, openedAt: time, updatedAt: time, resolvedAt: time, figures: figures,
                        reason: nil))
            }
        }
    }
}

/// The stock model's walk through a refresh's movements, in event-time order: the touched items
/// as they come forward, the alert rows their changes make, and the orders deliveries close.
private struct StockWalk {
    /// An order on the way that a delivery closed: the item, the order's review day, and the
    /// delivery's time.
    struct Receipt {
        var storeKey: Int64
        var productKey: Int64
        var reviewDay: Int64
        var time: Int64
    }

    private(set) var items: [GoldItem]
    /// Item key → position in ``items``.
    let index: [Int64: Int]
    private(set) var alerts = GoldAlertRows()
    private(set) var received: [Receipt] = []
    /// The day of the last movement applied.
    private var today: Int64?

    init(items: [GoldItem]) {
        self.items = items
        index = GoldJob.positionsByKey(items)
    }

    /// Applies one movement to the item at `position`: its model, its alerts, and the order on
    /// the way a delivery closes.
    mutating func apply(_ movement: StockMovement, at position: Int, calendar: inout GoldCalendar) {
        let day = EventTimestamp.floorDivide(movement.time, ItemStockModel.dayMicros)
        // The first event of a day: what the categories share that day, learned once.
        if day != today {
            today = day
            if !calendar.hasLearned(day) { calendar.learn(day: day, items: items) }
        }
        var item = items[position]
        item.days = calendar.days(store: item.storeKey, product: item.productKey, on: day)
        item.model.apply(movement, calendar: item.days)
        let changes = item.alerts.afterEvent(
            model: item.model, openOrders: item.openOrders, policy: item.policy, day: day, calendar: item.days)
        alerts.record(changes, item: item, time: movement.time)
        // A delivery closes the oldest order on the way, whether it brought all of it or not.
        if movement.kind == .restock, let oldest = item.openOrders.lines.first {
            item.openOrders.receive()
            received.append(
                Receipt(
                    storeKey: item.storeKey, productKey: item.productKey, reviewDay: oldest.day, time: movement.time))
        }
        items[position] = item
    }

    /// Late events the walk could not place exactly: the position is the authority.
    mutating func reconcileWithPositions() {
        for position in items.indices {
            var item = items[position]
            guard item.onHand != item.model.onHand || item.lastCountTime != item.model.lastCountTime,
                let time = item.model.time
            else { continue }
            item.model.reconcile(onHand: item.onHand, lastCountTime: item.lastCountTime)
            let changes = item.alerts.afterEvent(
                model: item.model, openOrders: item.openOrders, policy: item.policy,
                day: EventTimestamp.floorDivide(time, ItemStockModel.dayMicros), calendar: item.days)
            alerts.record(changes, item: item, time: time)
            items[position] = item
        }
    }
}

/// The stock model's part of a refresh: the items the new rows touch are brought forward through
/// their new movements in event-time order (demand estimate, figures, unexpected stockouts, the
/// orders a delivery closes), then written back. Reads and writes only those items' rows, so its
/// cost follows the new events.
extension GoldJob {
    /// What the stock model's step leaves: the touched items brought forward (their forecasts
    /// are written after the review drafts them, in one statement), and the alerts it changed.
    struct StockModelResult: Sendable {
        var items: [GoldItem] = []
        var opened = 0
        var resolved = 0
    }

    /// Brings the touched items' models forward, writes the alerts they change and the orders
    /// deliveries closed; returns the items for ``review(_:calendar:touched:)`` and
    /// ``write(_:items:)``. `alongside` runs on the connection while this process decodes the
    /// items and walks their movements, so that PostgreSQL's work and this process's overlap.
    static func stockModel<Other: Sendable>(
        _ connection: PGConnection, calendar: inout GoldCalendar,
        alongside: @escaping @Sendable (PGConnection) async throws -> Other
    ) async throws -> (model: StockModelResult, other: Other) {
        let stored = try await StoredItems.read(
            connection, items: "SELECT store_key, product_key FROM gold_items",
            positions: "SELECT store_key, product_key, on_hand, last_count_time FROM gold_items")
        let moves = try await connection.query(movesSQL, results: .binary).rows
        async let other = alongside(connection)
        guard !stored.isEmpty else { return (StockModelResult(), try await other) }
        var walk = StockWalk(items: try await stored.items())
        for row in moves {
            let key = try itemKey(row, at: 0)
            guard let position = walk.index[key], let kind = StockMovement.Kind(rawValue: row[3] ?? "") else {
                continue
            }
            let movement = StockMovement(
                time: try row.decode(Int64.self, at: 2), kind: kind, quantity: try row.decode(Int64.self, at: 4))
            walk.apply(movement, at: position, calendar: &calendar)
        }
        walk.reconcileWithPositions()
        let done = try await other
        try await write(connection, alerts: walk.alerts.rows)
        try await markReceived(connection, walk.received)
        return (StockModelResult(items: walk.items, opened: walk.alerts.opened, resolved: walk.alerts.resolved), done)
    }

    /// The refresh's movements (`gold_moves`) in the order the walk applies them: store and
    /// product keys, time in microseconds, type, units.
    private static let movesSQL = """
        SELECT store_key, product_key, (extract(epoch FROM event_time) * 1000000)::bigint, event_type,
            coalesce(counted, abs(change))
        FROM gold_moves ORDER BY event_time, store_key, product_key, event_type, coalesce(counted, abs(change))
        """

    /// Marks `received` the order lines deliveries closed, at the delivery's time.
    private static func markReceived(_ connection: PGConnection, _ received: [StockWalk.Receipt]) async throws {
        guard !received.isEmpty else { return }
        try await copyIntoTemporaryTable(
            connection, "gold_received",
            "store_key integer, product_key integer, review_date date, received_at timestamptz",
            [
                PGCopyColumn(received.map(\.storeKey)), PGCopyColumn(received.map(\.productKey)),
                PGCopyColumn(received.map { SilverEvent.dateText(Int32($0.reviewDay)) }),
                PGCopyColumn(received.map { Self.timestamp($0.time) }),
            ])
        try await connection.execute(
            """
            UPDATE order_line l SET status = 'received', received_at = g.received_at FROM gold_received g
            WHERE l.store_key = g.store_key AND l.product_key = g.product_key AND l.review_date = g.review_date
                AND l.status = 'ordered'
            """)
    }

    /// The items `items` (a query giving `store_key, product_key`) with their policy, stored model,
    /// open alerts and orders on the way (their calendar is for the caller to set).
    static func restore(_ connection: PGConnection, items query: String) async throws -> [GoldItem] {
        try await StoredItems.read(connection, items: query).items()
    }

    /// What ``restore(_:items:)`` reads of some items, read in one go and decoded apart, so that
    /// PostgreSQL can go on with other work meanwhile.
    struct StoredItems: Sendable {
        var policies: PolicyRows
        var rows: [PGRow]
        var alerts: [PGRow]
        var orders: [PGRow]

        var isEmpty: Bool { rows.isEmpty }

        /// Reads the rows of `items` (a query giving `store_key, product_key`). `positions`, when
        /// the caller has them, is a query giving the same items' `store_key, product_key,
        /// on_hand, last_count_time`: then `stock_position` is not read again.
        static func read(
            _ connection: PGConnection, items query: String, positions: String? = nil
        ) async throws -> StoredItems {
            let positions =
                positions ?? """
                    SELECT sp.store_key, sp.product_key, sp.on_hand, sp.last_count_time
                    FROM (\(query)) q JOIN stock_position sp USING (store_key, product_key)
                    """
            return StoredItems(
                policies: try await PolicyRows.load(connection, items: query),
                rows: try await connection.query(restoreSQL(positions: positions), results: .binary).rows,
                alerts: try await openAlertRows(connection, items: query),
                orders: try await openOrderRows(connection, items: query))
        }

        /// The items, decoded (many rows in one slice per core).
        func items() async throws -> [GoldItem] {
            let (rows, policies) = (rows, policies)
            var items = try await inSlices(count: rows.count) { range in
                try rows[range].compactMap { try restoredItem($0, policies: policies) }
            }.flatMap(\.result)
            let index = positionsByKey(items)
            try placeOpenAlerts(alerts, into: &items, at: index)
            try placeOpenOrders(orders, into: &items, at: index)
            return items
        }
    }

    /// Each item's position in `items`, by its ``GoldItem/key``.
    static func positionsByKey(_ items: [GoldItem]) -> [Int64: Int] {
        var index: [Int64: Int] = [:]
        for (position, item) in items.enumerated() { index[item.key] = position }
        return index
    }

    /// The ``GoldItem/key`` of the store key in column `column` of `row` and the product key after it.
    static func itemKey(_ row: PGRow, at column: Int) throws -> Int64 {
        try row.decode(Int64.self, at: column) << 32 | row.decode(Int64.self, at: column + 1)
    }

    /// What ``restore(_:items:)`` reads of each item of `positions` (a query giving `store_key,
    /// product_key, on_hand, last_count_time`): its keys, store, product and category (for
    /// ``PolicyRows``), position, stored model, stated risk and last draft. Columns 5, 26 and 27
    /// are empty (the policy's, resolved in memory).
    fileprivate static func restoreSQL(positions: String) -> String {
        """
        SELECT t.store_key, t.product_key, s.store_id, p.product_id, p.category, NULL,
            t.on_hand, (extract(epoch FROM t.last_count_time) * 1000000)::bigint,
            (extract(epoch FROM f.model_time) * 1000000)::bigint, f.model_on_hand,
            (extract(epoch FROM f.model_count_time) * 1000000)::bigint,
            (f.demand_day - DATE '1970-01-01')::bigint, f.day_units, f.day_stocked_out, f.stocked_out_at_close,
            f.level, f.variance, f.demand_size, f.demand_interval, f.days_since_demand, f.days_learned,
            f.zero_days, f.evidence_days, f.lift_gain, f.lift_discount, f.stated_risk, NULL, NULL, (f.draft_day - DATE '1970-01-01')::bigint, f.draft_on_hand,
            f.draft_quantity, f.draft_risk, f.draft_short_days, f.draft_waste, f.draft_risk_until::bigint,
            f.draft_coming, (f.stated_until - DATE '1970-01-01')::bigint, coalesce(f.draft_planned, false)
        FROM (\(positions)) t
        JOIN dim_store s ON s.store_key = t.store_key
        JOIN dim_product p ON p.product_key = t.product_key
        LEFT JOIN demand_forecast f ON f.store_key = t.store_key AND f.product_key = t.product_key
        """
    }

    /// One row of ``restoreSQL(items:)`` as an item with its policy, with no open alert or order yet.
    /// `nil` for an item no policy row applies to (a chain whose default row was deleted), as the
    /// lateral join it replaces left such an item out.
    fileprivate static func restoredItem(_ row: PGRow, policies: PolicyRows) throws -> GoldItem? {
        guard
            let rule = policies.row(
                store: try row.decode(String.self, at: 2), product: try row.decode(String.self, at: 3),
                category: try row.decode(String.self, at: 4))
        else { return nil }
        var item = GoldItem(
            storeKey: try row.decode(Int64.self, at: 0), productKey: try row.decode(Int64.self, at: 1),
            policy: rule.policy, caseSize: rule.caseSize, shelfLifeDays: rule.shelfLifeDays.map { Int($0) },
            model: try storedModel(row),
            days: .none,
            alerts: ItemAlerts(
                statedRisk: try row.decode(Double?.self, at: 25) ?? 0,
                statedUntil: try row.decode(Int64?.self, at: 36)), openAlertIDs: [:],
            openOrders: OpenOrders(), draft: try storedDraft(row), onHand: try row.decode(Int64.self, at: 6),
            lastCountTime: try row.decode(Int64?.self, at: 7))
        item.draftPlanned = try row.decode(Bool.self, at: 37)
        return item
    }

    /// The item's stored stock model (columns 8 to 24), or a new one when it has none.
    private static func storedModel(_ row: PGRow) throws -> ItemStockModel {
        guard let time = try row.decode(Int64?.self, at: 8) else { return ItemStockModel() }
        var demand = DemandEstimate()
        demand.day = try row.decode(Int64?.self, at: 11)
        demand.dayUnits = try row.decode(Int64.self, at: 12)
        demand.dayStockedOut = try row.decode(Bool.self, at: 13)
        demand.stockedOutAtClose = try row.decode(Bool.self, at: 14)
        demand.level = try row.decode(Double?.self, at: 15)
        demand.variance = try row.decode(Double.self, at: 16)
        demand.demandSize = try row.decode(Double?.self, at: 17)
        demand.demandInterval = try row.decode(Double?.self, at: 18)
        demand.daysSinceDemand = try row.decode(Int64.self, at: 19)
        demand.daysLearned = try row.decode(Int64.self, at: 20)
        demand.zeroDays = try row.decode(Int64.self, at: 21)
        demand.evidenceDays = try row.decode(Double.self, at: 22)
        demand.liftGain = try row.decode(Double.self, at: 23)
        demand.liftDiscount = try row.decode(Double.self, at: 24)
        return ItemStockModel(
            onHand: try row.decode(Int64.self, at: 9), time: time, lastCountTime: try row.decode(Int64?.self, at: 10),
            demand: demand)
    }

    /// The item's latest draft (columns 28 to 35), if it has one.
    private static func storedDraft(_ row: PGRow) throws -> (day: Int64, onHand: Int64, figures: ReviewFigures)? {
        guard let day = try row.decode(Int64?.self, at: 28) else { return nil }
        return (
            day, try row.decode(Int64.self, at: 29),
            ReviewFigures(
                quantity: try row.decode(Int64.self, at: 30), risk: try row.decode(Double.self, at: 31),
                shortDays: try row.decode(Double.self, at: 32), waste: try row.decode(Double.self, at: 33),
                riskUntilDay: Int(try row.decode(Int64.self, at: 34)),
                deliveryComing: try row.decode(Bool.self, at: 35))
        )
    }

    /// The open alerts of `items` (a query giving `store_key, product_key`).
    private static func openAlertRows(_ connection: PGConnection, items query: String) async throws -> [PGRow] {
        try await connection.query(
            """
            SELECT a.alert_id, a.store_key, a.product_key, a.kind
            FROM stock_alert a JOIN (\(query)) t USING (store_key, product_key)
            WHERE a.status = 'open'
            """, results: .binary
        ).rows
    }

    /// Sets the open alerts of `rows` (``openAlertRows(_:items:)``'s) on `items`: their ids, and
    /// the kinds ``ItemAlerts`` holds open.
    private static func placeOpenAlerts(_ rows: [PGRow], into items: inout [GoldItem], at index: [Int64: Int]) throws {
        var kinds: [Int: Set<StockAlertKind>] = [:]
        for row in rows {
            let key = try itemKey(row, at: 1)
            guard let position = index[key], let kind = StockAlertKind(rawValue: row[3] ?? "") else { continue }
            items[position].openAlertIDs[kind] = try row.decode(Int64.self, at: 0)
            kinds[position, default: []].insert(kind)
        }
        for (position, open) in kinds {
            let stated = items[position].alerts
            items[position].alerts = ItemAlerts(
                open: open, statedRisk: stated.statedRisk, statedUntil: stated.statedUntil)
        }
    }

    /// The orders on the way of `items` (a query giving `store_key, product_key`), oldest first.
    private static func openOrderRows(_ connection: PGConnection, items query: String) async throws -> [PGRow] {
        try await connection.query(
            """
            SELECT l.store_key, l.product_key, (l.review_date - DATE '1970-01-01')::bigint,
                coalesce(l.ordered_units, l.quantity)
            FROM order_line l JOIN (\(query)) t USING (store_key, product_key)
            WHERE l.status = 'ordered' ORDER BY l.review_date
            """, results: .binary
        ).rows
    }

    /// Places the orders of `rows` (``openOrderRows(_:items:)``'s) on `items`, oldest first.
    private static func placeOpenOrders(_ rows: [PGRow], into items: inout [GoldItem], at index: [Int64: Int]) throws {
        for row in rows {
            guard let position = index[try itemKey(row, at: 0)] else { continue }
            items[position].openOrders.place(
                units: try row.decode(Int64.self, at: 3), day: try row.decode(Int64.self, at: 2))
        }
    }

    /// `micros` as the RFC 3339 text COPY takes for a `timestamptz` (nil stays NULL).
    static func timestamp(_ micros: Int64?) -> String? { micros.map { EventTimestamp.format(micros: $0) } }

    /// Upserts the items' `demand_forecast` rows: the stock model and the latest draft.
    static func write(_ connection: PGConnection, items: [GoldItem]) async throws {
        guard !items.isEmpty else { return }
        try await connection.execute("CREATE TEMP TABLE gold_forecast (\(forecastStageColumns)) ON COMMIT DROP")
        let figures = items.map { $0.model.figures(policy: $0.policy) }
        func column<T: PGEncodable>(_ value: (GoldItem) -> T?) -> PGCopyColumn { PGCopyColumn(items.map(value)) }
        // Binary: no number or time is formatted as text here or parsed there.
        try await connection.copyIn("COPY gold_forecast FROM STDIN (FORMAT binary)", format: .binary) { writer in
            try await writer.writeColumns(
                [
                    column(\.storeKey), column(\.productKey), column(\.model.time), column(\.model.onHand),
                    column(\.model.lastCountTime), column(\.model.demand.day), column(\.model.demand.dayUnits),
                    column(\.model.demand.dayStockedOut), column(\.model.demand.stockedOutAtClose),
                    column(\.model.demand.level), column(\.model.demand.variance), column(\.model.demand.demandSize),
                    column(\.model.demand.demandInterval), column(\.model.demand.daysSinceDemand),
                    column(\.model.demand.daysLearned), column(\.model.demand.zeroDays),
                    column(\.model.demand.evidenceDays), column(\.model.demand.method),
                    PGCopyColumn(figures.map(\.dailyDemand)), PGCopyColumn(figures.map(\.dailyDeviation)),
                    PGCopyColumn(figures.map(\.safetyStock)), PGCopyColumn(figures.map(\.reorderPoint)),
                    PGCopyColumn(figures.map(\.daysOfCover)), PGCopyColumn(figures.map(\.predictedStockoutTime)),
                    PGCopyColumn(figures.map(\.suggestedOrderQuantity)), column(\.policy.leadTimeDays),
                    column(\.policy.serviceLevel), column(\.policy.reviewPeriodDays), column(\.model.demand.liftGain),
                    column(\.model.demand.liftDiscount),
                ] + draftColumns(items))
        }
        try await connection.execute(forecastUpsertSQL)
    }

    /// `gold_forecast`, the forecast rows as ``write(_:items:)`` sends them: times in
    /// microseconds and days since 1970, policies as `float8`.
    private static let forecastStageColumns = """
        store_key int8, product_key int8, model_time int8, model_on_hand int8, model_count_time int8,
        demand_day int8, day_units int8, day_stocked_out bool, stocked_out_at_close bool, level float8,
        variance float8, demand_size float8, demand_interval float8, days_since_demand int8, days_learned int8,
        zero_days int8, evidence_days float8, method text, daily_demand float8, daily_deviation float8,
        safety_stock float8, reorder_point float8, days_of_cover float8, predicted_stockout_at int8,
        suggested_order_quantity int8, lead_time_days float8, service_level float8, review_period_days float8,
        lift_gain float8, lift_discount float8, \(draftStageColumns)
        """

    /// The `draft_*` columns as ``draftColumns(_:)`` sends them.
    static let draftStageColumns = """
        draft_day int8, draft_on_hand int8, draft_quantity int8, draft_risk float8, draft_short_days float8,
        draft_waste float8, draft_risk_until int8, draft_coming bool, draft_planned bool
        """

    /// The upsert of ``write(_:items:)``: every column the refresh computes, from `gold_forecast`.
    private static let forecastUpsertSQL: String = {
        // The columns written, in `gold_forecast`'s order; the stage's times and days become
        // PostgreSQL's here.
        let columns = forecastStageColumns.split(separator: ",").map {
            String($0.trimmingCharacters(in: .whitespacesAndNewlines).prefix { $0 != " " })
        }
        let converted = [
            "model_time": "TIMESTAMPTZ 'epoch' + model_time * INTERVAL '1 microsecond'",
            "model_count_time": "TIMESTAMPTZ 'epoch' + model_count_time * INTERVAL '1 microsecond'",
            "predicted_stockout_at": "TIMESTAMPTZ 'epoch' + predicted_stockout_at * INTERVAL '1 microsecond'",
            "demand_day": "DATE '1970-01-01' + demand_day::integer",
            "draft_day": "DATE '1970-01-01' + draft_day::integer",
        ]
        let updated = columns.filter { $0 != "store_key" && $0 != "product_key" }
        return """
            INSERT INTO demand_forecast (\(columns.joined(separator: ", ")))
            SELECT \(columns.map { converted[$0] ?? $0 }.joined(separator: ", ")) FROM gold_forecast
            ON CONFLICT (store_key, product_key) DO UPDATE SET
                \((updated.map { "\($0) = EXCLUDED.\($0)" } + ["updated_at = now()"]).joined(separator: ", "))
            """
    }()

    /// The `draft_*` columns of `items` (`draft_day` … `draft_planned`, as ``draftStageColumns``),
    /// NULL for an item with no draft.
    static func draftColumns(_ items: [GoldItem]) -> [PGCopyColumn] {
        [
            PGCopyColumn(items.map { $0.draft?.day }),
            PGCopyColumn(items.map { $0.draft?.onHand }), PGCopyColumn(items.map { $0.draft?.figures.quantity }),
            PGCopyColumn(items.map { $0.draft?.figures.risk }), PGCopyColumn(items.map { $0.draft?.figures.shortDays }),
            PGCopyColumn(items.map { $0.draft?.figures.waste }),
            PGCopyColumn(items.map { $0.draft.map { Int64($0.figures.riskUntilDay) } }),
            PGCopyColumn(items.map { $0.draft?.figures.deliveryComing }), PGCopyColumn(items.map(\.draftPlanned)),
        ]
    }

    /// Writes the alert rows: existing open alerts first (resolved), then new ones, so that at no
    /// point two alerts of one item and kind are open; then the webhook deliveries of the alerts
    /// opened and resolved, in the same transaction (``WebhookOutbox``).
    static func write(_ connection: PGConnection, alerts: [GoldAlertRow]) async throws {
        guard !alerts.isEmpty else { return }
        let delivering = try await WebhookOutbox.isWanted(connection)
        try await connection.execute("DROP TABLE IF EXISTS gold_alerts")
        try await connection.execute(
            """
            CREATE TEMP TABLE gold_alerts (alert_id bigint, store_key integer, product_key integer, kind text,
                opened_at timestamptz, updated_at timestamptz, resolved_at timestamptz, on_hand bigint,
                daily_demand double precision, daily_deviation double precision, safety_stock double precision,
                reorder_point double precision, days_of_cover double precision, predicted_stockout_at timestamptz,
                suggested_order_quantity bigint, reason text) ON COMMIT DROP
            """)
        try await connection.copyIn("COPY gold_alerts FROM STDIN") { writer in
            try await writer.writeColumns([
                PGCopyColumn(alerts.map(\.alertID)), PGCopyColumn(alerts.map(\.storeKey)),
                PGCopyColumn(alerts.map(\.productKey)), PGCopyColumn(alerts.map(\.kind.rawValue)),
                PGCopyColumn(alerts.map { Self.timestamp($0.openedAt) }),
                PGCopyColumn(alerts.map { Self.timestamp($0.updatedAt) }),
                PGCopyColumn(alerts.map { Self.timestamp($0.resolvedAt) }), PGCopyColumn(alerts.map(\.figures.onHand)),
                PGCopyColumn(alerts.map(\.figures.dailyDemand)), PGCopyColumn(alerts.map(\.figures.dailyDeviation)),
                PGCopyColumn(alerts.map(\.figures.safetyStock)), PGCopyColumn(alerts.map(\.figures.reorderPoint)),
                PGCopyColumn(alerts.map(\.figures.daysOfCover)),
                PGCopyColumn(alerts.map { Self.timestamp($0.figures.predictedStockoutTime) }),
                PGCopyColumn(alerts.map(\.figures.suggestedOrderQuantity)),
                PGCopyColumn(alerts.map(\.reason)),
            ])
        }
        try await connection.execute("ANALYZE gold_alerts")
        try await connection.execute(
            """
            UPDATE stock_alert a SET updated_at = g.updated_at, resolved_at = g.resolved_at,
                status = CASE WHEN g.resolved_at IS NULL THEN 'open' ELSE 'resolved' END, on_hand = g.on_hand,
                daily_demand = g.daily_demand, daily_deviation = g.daily_deviation, safety_stock = g.safety_stock,
                reorder_point = g.reorder_point, days_of_cover = g.days_of_cover,
                predicted_stockout_at = g.predicted_stockout_at, suggested_order_quantity = g.suggested_order_quantity,
                reason = coalesce(g.reason, a.reason)
            FROM gold_alerts g WHERE g.alert_id = a.alert_id
            """)
        let insert = """
            INSERT INTO stock_alert (store_key, product_key, kind, status, opened_at, updated_at, resolved_at,
                on_hand, daily_demand, daily_deviation, safety_stock, reorder_point, days_of_cover,
                predicted_stockout_at, suggested_order_quantity, reason)
            SELECT store_key, product_key, kind, CASE WHEN resolved_at IS NULL THEN 'open' ELSE 'resolved' END,
                opened_at, updated_at, resolved_at, on_hand, daily_demand, daily_deviation, safety_stock,
                reorder_point, days_of_cover, predicted_stockout_at, suggested_order_quantity, reason
            FROM gold_alerts WHERE alert_id IS NULL ORDER BY opened_at, kind
            """
        guard delivering else {
            try await connection.execute(insert)
            return
        }
        try await WebhookOutbox.prepareEvents(connection)
        try await connection.execute(WebhookOutbox.resolvedEvents)
        try await connection.execute(WebhookOutbox.listingEvents(of: insert))
        try await WebhookOutbox.enqueue(connection)
    }
}
