import Foundation
import PGLite

/// The review's part of a refresh: for each store the new rows touch, the order proposal of its
/// newest event day, drafted again from what gold knows now, until the store orders it.
///
/// Each item's plan is ``OrderProposal/plan(model:openOrders:deliveries:days:policy:caseSize:shelfLifeDays:today:)``
/// — the code the simulator's `model` policy runs — fed the item's stock model, the orders the
/// store placed that no delivery has closed, its recent deliveries (how old perishable units
/// are) and its calendar.
///
/// A review is final once the store orders it, or when the store's events reach a later day
/// (it lapses: a store that reads the proposal without writing back is taken to follow it). Then,
/// once, its last draft raises and closes `STOCKOUT_RISK` and `PERISHABLE_OVERSTOCK`
/// (``ItemAlerts``) and states the risk that makes a later empty shelf unexpected: a draft at
/// noon, with the day's sales still to come, does neither. A review the store recorded ordering
/// its own way states no risk and raises only `PERISHABLE_OVERSTOCK`.
extension GoldJob {
    /// What the review step did.
    struct ReviewCounts: Sendable {
        var reviews = 0
        var lines = 0
    }

    /// A store's review: when its events reached (`as_of`), and the review's day (days since 1970).
    private struct StoreReview: Sendable {
        var asOf: Int64
        var day: Int64
    }

    /// A store's newest final review whose alerts are not raised yet; `ownWay` when the store
    /// recorded ordering its own way.
    private struct FinalReview {
        var asOf: Int64
        var day: Int64
        var ownWay: Bool
    }

    /// An order on the way that is past due at a review: the item and the order's review day.
    private struct ExpiredOrder: Sendable {
        var storeKey: Int64
        var productKey: Int64
        var reviewDay: Int64
    }

    /// One line to order: the item's position in the reviewed items, and its plan.
    private typealias DraftLine = (item: Int, plan: OrderPlan)

    /// Drafts the reviews; runs after ``finalizeReviews(_:)``, whose `gold_newest` it reads, and
    /// after ``stockModel(_:calendar:)``, whose items (`touched`) it drafts in place: their drafts
    /// are written with their forecasts. The other items a first draft plans are restored here and
    /// their drafts written here.
    static func review(_ connection: PGConnection, calendar: GoldCalendar, touched: inout [GoldItem]) async throws
        -> ReviewCounts
    {
        let reviews = try await openReviews(connection)
        guard !reviews.isEmpty else { return ReviewCounts() }
        // A review's first draft plans every item of the store; later drafts of the same day
        // plan again only the items this refresh touched (the others' movements, orders and
        // deliveries have not changed since), so a refresh's cost follows its events.
        let redrafted = try await redraftedStores(connection)
        let reviewedTouched = touched.indices.filter { reviews[touched[$0].storeKey] != nil }
        var items = reviewedTouched.map { touched[$0] }
        if reviews.keys.contains(where: { !redrafted.contains($0) }) {
            // The touched items looked up, not scanned: for the half million other items of a
            // first draft at 500,000 items, the planner took the stores' items for a few and
            // compared each with every touched item (97 s).
            try await connection.execute("CREATE INDEX ON gold_moves (store_key, product_key)")
            items += try await restore(connection, items: untouchedFirstDraftItemsSQL)
        }
        // What each item's previous draft of the day was: plannable, and with a line.
        let sameDay = items.map { redrafted.contains($0.storeKey) && $0.draft?.day == reviews[$0.storeKey]?.day }
        let plannedBefore = items.indices.map { sameDay[$0] && items[$0].draftPlanned }
        let lineBefore = items.indices.map { sameDay[$0] && (items[$0].draft?.figures.quantity ?? 0) > 0 }
        let deliveries = try await recentDeliveries(connection, items: items, reviews: reviews)
        let (lines, expired) = try await draft(&items, reviews: reviews, deliveries: deliveries, calendar: calendar)
        try await writeReviews(
            connection, items: items, lines: lines, reviews: reviews,
            redrafts: Redrafts(stores: redrafted, plannedBefore: plannedBefore, lineBefore: lineBefore))
        try await writeDrafts(connection, items: Array(items[reviewedTouched.count...]))
        for (drafted, position) in reviewedTouched.enumerated() { touched[position] = items[drafted] }
        try await markExpired(connection, expired)
        return ReviewCounts(reviews: reviews.count, lines: lines.count)
    }

    /// The items a first draft plans besides the touched ones: the other items of each store
    /// whose review of the day has no draft yet.
    private static let untouchedFirstDraftItemsSQL = """
        SELECT p.store_key, p.product_key FROM stock_position p JOIN gold_reviews g USING (store_key)
        WHERE NOT EXISTS (SELECT 1 FROM order_review r WHERE r.store_key = g.store_key AND r.review_date = g.review_date)
            AND NOT EXISTS (SELECT 1 FROM gold_moves m WHERE m.store_key = p.store_key AND m.product_key = p.product_key)
        """

    /// The stores whose review of the day has a draft already (its row is still proposed:
    /// `gold_reviews` holds no other).
    private static func redraftedStores(_ connection: PGConnection) async throws -> Set<Int64> {
        Set(
            try await connection.query(
                """
                SELECT g.store_key FROM gold_reviews g
                JOIN order_review r ON r.store_key = g.store_key AND r.review_date = g.review_date
                """
            ).rows.map { try $0.decode(Int64.self, at: 0) })
    }

    /// Which stores are drafted again, and whether each reviewed item's previous draft of the
    /// day was plannable and had a line (by position in the items).
    private struct Redrafts {
        var stores: Set<Int64>
        var plannedBefore: [Bool]
        var lineBefore: [Bool]
    }

    /// The reviews to draft, by store key, in `gold_reviews` (locked): each touched store's newest
    /// day, unless the store ordered it.
    private static func openReviews(_ connection: PGConnection) async throws -> [Int64: StoreReview] {
        // The touched stores at their newest event, as ``finalizeReviews(_:)`` found them (the
        // walk moves no position).
        try await connection.execute(
            """
            CREATE TEMP TABLE gold_reviews ON COMMIT DROP AS
            SELECT store_key, as_of, day AS review_date FROM gold_newest
            """)
        // The store's ordering takes these rows' locks too: a review is drafted or ordered, never
        // both at once.
        _ = try await connection.query(
            """
            SELECT 1 FROM order_review r JOIN gold_reviews g USING (store_key, review_date) FOR UPDATE OF r
            """)
        // A review the store ordered is final.
        try await connection.execute(
            """
            DELETE FROM gold_reviews g USING order_review r
            WHERE r.store_key = g.store_key AND r.review_date = g.review_date AND r.status <> 'proposed'
            """)
        try await connection.execute("ANALYZE gold_reviews")
        var reviews: [Int64: StoreReview] = [:]
        for row in try await connection.query(
            """
            SELECT store_key, (extract(epoch FROM as_of) * 1000000)::bigint, (review_date - DATE '1970-01-01')::bigint
            FROM gold_reviews
            """
        ).rows {
            reviews[try row.decode(Int64.self, at: 0)] = StoreReview(
                asOf: try row.decode(Int64.self, at: 1), day: try row.decode(Int64.self, at: 2))
        }
        return reviews
    }

    /// Plans each item of a reviewed store for its review day, after expiring its orders on the
    /// way that are past due; returns the lines to order and the orders expired. Items are
    /// independent: a large review is planned in one slice per core.
    private static func draft(
        _ items: inout [GoldItem], reviews: [Int64: StoreReview], deliveries: [Int64: RecentDeliveries],
        calendar: GoldCalendar
    ) async throws -> (lines: [DraftLine], expired: [ExpiredOrder]) {
        let snapshot = items
        let drafted = try await inSlices(count: items.count) { range in
            var slice = snapshot[range]
            let (lines, expired) = draft(&slice, reviews: reviews, deliveries: deliveries, calendar: calendar)
            return (slice, lines, expired)
        }
        var lines: [DraftLine] = []
        var expired: [ExpiredOrder] = []
        for (range, (slice, sliceLines, sliceExpired)) in drafted {
            items.replaceSubrange(range, with: slice)
            lines += sliceLines
            expired += sliceExpired
        }
        return (lines, expired)
    }

    /// ``draft(_:reviews:deliveries:calendar:)`` of one slice; lines name items by their index
    /// in the whole (the slice keeps its indices).
    private static func draft(
        _ items: inout ArraySlice<GoldItem>, reviews: [Int64: StoreReview], deliveries: [Int64: RecentDeliveries],
        calendar: GoldCalendar
    ) -> (lines: [DraftLine], expired: [ExpiredOrder]) {
        var lines: [DraftLine] = []
        var expired: [ExpiredOrder] = []
        for position in items.indices {
            var item = items[position]
            guard let review = reviews[item.storeKey] else { continue }
            item.days = calendar.days(store: item.storeKey, product: item.productKey, on: review.day)
            let before = item.openOrders.lines
            item.openOrders.expire(day: review.day, leadTimeDays: item.policy.leadTimeDays)
            for line in before where !item.openOrders.lines.contains(line) {
                expired.append(ExpiredOrder(storeKey: item.storeKey, productKey: item.productKey, reviewDay: line.day))
            }
            let plan = OrderProposal.plan(
                model: item.model, openOrders: item.openOrders, deliveries: deliveries[item.key] ?? RecentDeliveries(),
                days: item.days, policy: item.policy, caseSize: item.caseSize, shelfLifeDays: item.shelfLifeDays,
                today: review.day)
            item.draft = (review.day, item.model.onHand, ReviewFigures(plan: plan))
            item.draftPlanned = item.isPlannable
            if let plan, plan.quantity > 0 { lines.append((position, plan)) }
            items[position] = item
        }
        return (lines, expired)
    }

    /// Marks `expired` the order lines of `expired`.
    private static func markExpired(_ connection: PGConnection, _ expired: [ExpiredOrder]) async throws {
        guard !expired.isEmpty else { return }
        try await copyIntoTemporaryTable(
            connection, "gold_expired", "store_key integer, product_key integer, review_date date",
            [
                PGCopyColumn(expired.map(\.storeKey)), PGCopyColumn(expired.map(\.productKey)),
                PGCopyColumn(expired.map { SilverEvent.dateText(Int32($0.reviewDay)) }),
            ])
        try await connection.execute(
            """
            UPDATE order_line l SET status = 'expired' FROM gold_expired g
            WHERE l.store_key = g.store_key AND l.product_key = g.product_key AND l.review_date = g.review_date
                AND l.status = 'ordered'
            """)
    }

    /// Lapses the drafts of earlier days of the stores the new rows touch, then raises the
    /// alerts of each store's newest final review from its last draft and states its risks;
    /// returns (alerts opened, alerts resolved).
    static func finalizeReviews(_ connection: PGConnection) async throws -> (opened: Int, resolved: Int) {
        try await lapseEarlierDrafts(connection)
        let finals = try await finalReviews(connection)
        guard !finals.isEmpty else { return (0, 0) }
        var items = try await restore(
            connection, items: "SELECT store_key, product_key FROM stock_position JOIN gold_final USING (store_key)")
        var alerts = GoldAlertRows()
        for position in items.indices {
            var item = items[position]
            guard let review = finals[item.storeKey] else { continue }
            let draft = item.draft.flatMap { $0.day == review.day ? $0 : nil }
            let changes = item.alerts.atReview(
                draft?.figures ?? ReviewFigures(plan: nil), day: review.day, onHand: draft?.onHand ?? item.model.onHand,
                caseSize: item.caseSize, shelfLifeDays: item.shelfLifeDays, followed: !review.ownWay)
            alerts.record(changes, item: item, time: review.asOf)
            items[position] = item
        }
        try await write(connection, alerts: alerts.rows)
        try await stateRisks(connection, items: items)
        try await connection.execute(
            """
            UPDATE order_review r SET alerts_raised = true FROM gold_final g
            WHERE r.store_key = g.store_key AND r.review_date <= g.review_date AND r.status <> 'proposed'
                AND NOT r.alerts_raised
            """)
        return (alerts.opened, alerts.resolved)
    }

    /// Finds each touched store's newest day (`gold_newest`), and lapses the drafts (reviews
    /// and lines still proposed) of its earlier days.
    private static func lapseEarlierDrafts(_ connection: PGConnection) async throws {
        try await connection.execute(
            """
            CREATE TEMP TABLE gold_newest ON COMMIT DROP AS
            SELECT a.store_key, a.last_event_time AS as_of, (a.last_event_time AT TIME ZONE 'UTC')::date AS day
            FROM store_activity a WHERE a.store_key IN (SELECT DISTINCT store_key FROM gold_moves)
            """)
        try await connection.execute("ANALYZE gold_newest")
        // The store's ordering takes these rows' locks too: a review lapses or is ordered, not both.
        _ = try await connection.query(
            """
            SELECT 1 FROM order_review r JOIN gold_newest g USING (store_key)
            WHERE r.review_date < g.day AND r.status = 'proposed' FOR UPDATE OF r
            """)
        try await connection.execute(
            """
            UPDATE order_line l SET status = 'lapsed' FROM gold_newest g
            WHERE l.store_key = g.store_key AND l.review_date < g.day AND l.status = 'proposed'
            """)
        try await connection.execute(
            """
            UPDATE order_review r SET status = 'lapsed' FROM gold_newest g
            WHERE r.store_key = g.store_key AND r.review_date < g.day AND r.status = 'proposed'
            """)
    }

    /// Each store's newest final review whose alerts are not raised yet, by store key, in
    /// `gold_final`.
    private static func finalReviews(_ connection: PGConnection) async throws -> [Int64: FinalReview] {
        try await connection.execute(
            """
            CREATE TEMP TABLE gold_final ON COMMIT DROP AS
            SELECT r.store_key, r.review_date, r.as_of, r.ordered_by FROM order_review r
            JOIN (SELECT store_key, max(review_date) AS review_date FROM order_review
                  WHERE status <> 'proposed' AND NOT alerts_raised GROUP BY store_key) n USING (store_key, review_date)
            """)
        var finals: [Int64: FinalReview] = [:]
        for row in try await connection.query(
            """
            SELECT store_key, (extract(epoch FROM as_of) * 1000000)::bigint, (review_date - DATE '1970-01-01')::bigint,
                coalesce(ordered_by = 'store', false)
            FROM gold_final
            """
        ).rows {
            finals[try row.decode(Int64.self, at: 0)] = FinalReview(
                asOf: try row.decode(Int64.self, at: 1), day: try row.decode(Int64.self, at: 2),
                ownWay: try row.decode(Bool.self, at: 3))
        }
        return finals
    }

    /// Stores each item's stated risk (`demand_forecast.stated_risk`, `stated_until`).
    private static func stateRisks(_ connection: PGConnection, items: [GoldItem]) async throws {
        try await copyIntoTemporaryTable(
            connection, "gold_risk", "store_key integer, product_key integer, stated_risk float8, stated_until date",
            [
                PGCopyColumn(items.map(\.storeKey)), PGCopyColumn(items.map(\.productKey)),
                PGCopyColumn(items.map(\.alerts.statedRisk)),
                PGCopyColumn(items.map { $0.alerts.statedUntil.map { SilverEvent.dateText(Int32($0)) } }),
            ])
        try await connection.execute(
            """
            UPDATE demand_forecast f SET stated_risk = g.stated_risk, stated_until = g.stated_until FROM gold_risk g
            WHERE f.store_key = g.store_key AND f.product_key = g.product_key
            """)
    }

    /// The deliveries of the items' last shelf-life days, for the perishables among them: each
    /// reviewed item's deliveries since its review day less the longest shelf life drafted.
    private static func recentDeliveries(
        _ connection: PGConnection, items: [GoldItem], reviews: [Int64: StoreReview]
    ) async throws -> [Int64: RecentDeliveries] {
        let longest = Int64(items.compactMap(\.shelfLifeDays).max() ?? 0)
        // The perishable items drafted, not every item of their stores, each with its first day.
        let perishables = items.compactMap { item -> (item: GoldItem, since: Int64)? in
            guard item.shelfLifeDays != nil, let review = reviews[item.storeKey] else { return nil }
            return (item, review.day - longest)
        }
        guard longest > 0, let earliest = perishables.map(\.since).min() else { return [:] }
        var life: [Int64: Int] = [:]
        for (item, _) in perishables { life[item.key] = item.shelfLifeDays }
        // Binary, with the first day in microseconds: nothing formatted here or parsed there.
        try await copyIntoTemporaryTable(
            connection, "gold_perishables", "store_key int8, product_key int8, since int8",
            [
                PGCopyColumn(perishables.map(\.item.storeKey)), PGCopyColumn(perishables.map(\.item.productKey)),
                PGCopyColumn(perishables.map { $0.since * ItemStockModel.dayMicros }),
            ], format: .binary)
        // The day keys too, so that only the months looked back to are read; the time in the
        // index condition, so that each item reads its recent movements only.
        let rows = try await connection.query(
            """
            SELECT m.store_key, m.product_key, ((m.event_time AT TIME ZONE 'UTC')::date - DATE '1970-01-01')::bigint,
                m.quantity_change
            FROM gold_perishables i
            JOIN fact_stock_movement m ON m.store_key = i.store_key AND m.product_key = i.product_key
                AND m.event_time >= TIMESTAMPTZ 'epoch' + i.since * INTERVAL '1 microsecond'
            WHERE m.event_type = 'restock' AND m.date_key >= \(SilverEvent.dateKey(Int32(earliest)))
            ORDER BY m.event_time
            """, results: .binary)
        var deliveries: [Int64: RecentDeliveries] = [:]
        for row in rows.rows {
            let key = try itemKey(row, at: 0)
            guard let days = life[key] else { continue }
            deliveries[key, default: RecentDeliveries()].add(
                day: try row.decode(Int64.self, at: 2), units: try row.decode(Int64.self, at: 3), keepDays: Int64(days))
        }
        return deliveries
    }

    /// Upserts each store's review and replaces its draft lines; states each item's risk.
    private static func writeReviews(
        _ connection: PGConnection, items: [GoldItem], lines: [DraftLine], reviews: [Int64: StoreReview],
        redrafts: Redrafts
    ) async throws {
        try await writeReviewRows(connection, items: items, lines: lines, reviews: reviews, redrafts: redrafts)
        try await writeLines(connection, items: items, lines: lines, reviews: reviews, redrafts: redrafts)
        if !redrafts.stores.isEmpty { try await recountRedrafted(connection) }
    }

    /// The lines and units of the reviews drafted again, from their proposed lines.
    private static func recountRedrafted(_ connection: PGConnection) async throws {
        try await connection.execute(
            """
            UPDATE order_review r SET lines = c.lines, units = c.units FROM (
                SELECT g.store_key, g.review_date, count(l.product_key)::integer AS lines,
                    coalesce(sum(l.quantity), 0)::bigint AS units
                FROM gold_review_rows g
                LEFT JOIN order_line l ON l.store_key = g.store_key AND l.review_date = g.review_date
                    AND l.status = 'proposed'
                WHERE g.redraft GROUP BY g.store_key, g.review_date
            ) c
            WHERE r.store_key = c.store_key AND r.review_date = c.review_date AND r.status = 'proposed'
            """)
    }

    /// Upserts each store's `order_review` row (items planned, lines and units to order) and
    /// deletes its proposed lines, in `gold_review_rows`.
    private static func writeReviewRows(
        _ connection: PGConnection, items: [GoldItem], lines: [DraftLine], reviews: [Int64: StoreReview],
        redrafts: Redrafts
    ) async throws {
        // A first draft counts its plannable items; a later one adds those that became so.
        var planned: [Int64: Int] = [:]
        for (position, item) in items.enumerated() {
            planned[item.storeKey, default: 0] +=
                (item.isPlannable ? 1 : 0) - (redrafts.plannedBefore[position] ? 1 : 0)
        }
        var ordered: [Int64: (lines: Int, units: Int64)] = [:]
        for line in lines {
            let store = items[line.item].storeKey
            ordered[store, default: (0, 0)].lines += 1
            ordered[store, default: (0, 0)].units += line.plan.quantity
        }
        let stores = reviews.keys.sorted()
        try await copyIntoTemporaryTable(
            connection, "gold_review_rows",
            """
            store_key integer, review_date date, as_of timestamptz, items integer, lines integer, units bigint,
                redraft boolean
            """,
            [
                PGCopyColumn(stores), PGCopyColumn(stores.map { SilverEvent.dateText(Int32(reviews[$0]!.day)) }),
                PGCopyColumn(stores.map { Self.timestamp(reviews[$0]!.asOf) }),
                PGCopyColumn(stores.map { Int64(planned[$0] ?? 0) }),
                PGCopyColumn(stores.map { Int64(ordered[$0]?.lines ?? 0) }),
                PGCopyColumn(stores.map { ordered[$0]?.units ?? 0 }),
                PGCopyColumn(stores.map { redrafts.stores.contains($0) }),
            ])
        try await connection.execute(
            """
            INSERT INTO order_review AS r (store_key, review_date, as_of, status, items, lines, units)
            SELECT store_key, review_date, as_of, 'proposed', items, lines, units FROM gold_review_rows
            WHERE NOT redraft
            ON CONFLICT (store_key, review_date) DO UPDATE SET as_of = EXCLUDED.as_of, items = EXCLUDED.items,
                lines = EXCLUDED.lines, units = EXCLUDED.units, computed_at = now()
            WHERE r.status = 'proposed'
            """)
        try await connection.execute(
            """
            UPDATE order_review r SET as_of = g.as_of, items = r.items + g.items, computed_at = now()
            FROM gold_review_rows g
            WHERE g.redraft AND r.store_key = g.store_key AND r.review_date = g.review_date AND r.status = 'proposed'
            """)
    }

    /// Deletes the proposed lines a draft no longer has: a first draft's, any of its review's not
    /// in `gold_lines`; a later one's, those of the items whose previous draft of the day had a
    /// line and whose new one has none. The lines it has are updated in place by ``writeLines``.
    private static func deleteReplacedLines(
        _ connection: PGConnection, items: [GoldItem], lines: [DraftLine], reviews: [Int64: StoreReview],
        redrafts: Redrafts
    ) async throws {
        try await connection.execute(
            """
            DELETE FROM order_line l USING gold_review_rows g
            WHERE NOT g.redraft AND l.store_key = g.store_key AND l.review_date = g.review_date
                AND l.status = 'proposed'
                AND NOT EXISTS (SELECT 1 FROM gold_lines n WHERE n.store_key = l.store_key
                    AND n.review_date = l.review_date AND n.product_key = l.product_key)
            """)
        let kept = Set(lines.map(\.item))
        let dropped = items.indices.filter { redrafts.lineBefore[$0] && !kept.contains($0) }.map { items[$0] }
        guard !dropped.isEmpty else { return }
        // Each line by its whole key, so that the delete looks each one up: joined to the
        // reviews instead, the planner took the store's lines for one row and compared every
        // proposed line with every dropped item (20 s for a first refresh at 500,000 items).
        try await copyIntoTemporaryTable(
            connection, "gold_dropped", "store_key int8, product_key int8, review_day int8",
            [
                PGCopyColumn(dropped.map(\.storeKey)), PGCopyColumn(dropped.map(\.productKey)),
                PGCopyColumn(dropped.map { reviews[$0.storeKey]!.day }),
            ], format: .binary)
        try await connection.execute(
            """
            DELETE FROM order_line l USING gold_dropped d
            WHERE l.store_key = d.store_key AND l.product_key = d.product_key
                AND l.review_date = DATE '1970-01-01' + d.review_day::integer AND l.status = 'proposed'
            """)
    }

    /// Writes the proposed `order_line` rows of `lines`: an item's line of the day is updated in
    /// place (no new row, no key checked again), a new one inserted, and the lines no plan keeps
    /// deleted.
    private static func writeLines(
        _ connection: PGConnection, items: [GoldItem], lines: [DraftLine], reviews: [Int64: StoreReview],
        redrafts: Redrafts
    ) async throws {
        // Binary, with the review's day as days since 1970 (`review_date` follows from it).
        try await connection.execute(
            """
            CREATE TEMP TABLE gold_lines (store_key int8, review_day int8, product_key int8, \(lineColumns),
                review_date date GENERATED ALWAYS AS (DATE '1970-01-01' + review_day::integer) STORED) ON COMMIT DROP
            """)
        func column<T: PGEncodable>(_ value: (GoldItem, OrderPlan) -> T?) -> PGCopyColumn {
            PGCopyColumn(lines.map { value(items[$0.item], $0.plan) })
        }
        try await connection.copyIn(
            "COPY gold_lines (store_key, review_day, product_key, \(lineColumnNames)) FROM STDIN (FORMAT binary)",
            format: .binary
        ) { writer in
            try await writer.writeColumns([
                column { item, _ in item.storeKey }, column { item, _ in reviews[item.storeKey]!.day },
                column { item, _ in item.productKey }, column { $1.quantity }, column { $1.cases },
                column { item, _ in item.model.onHand }, column { item, _ in item.openOrders.units },
                column { $1.coverDemand }, column { $1.safetyStock }, column { $1.projectedStock },
                column { $1.projectedWaste }, column { $1.stockoutRisk }, column { $1.reason },
            ])
        }
        try await deleteReplacedLines(connection, items: items, lines: lines, reviews: reviews, redrafts: redrafts)
        guard !lines.isEmpty else { return }
        // Only proposed lines are replaced: the reviews drafted are all still proposed.
        try await connection.execute(
            """
            INSERT INTO order_line AS l (store_key, review_date, product_key, \(lineColumnNames), status)
            SELECT store_key, review_date, product_key, \(lineColumnNames), 'proposed' FROM gold_lines
            ON CONFLICT (store_key, review_date, product_key) DO UPDATE SET quantity = EXCLUDED.quantity,
                cases = EXCLUDED.cases, on_hand = EXCLUDED.on_hand, on_order = EXCLUDED.on_order,
                cover_demand = EXCLUDED.cover_demand, safety_stock = EXCLUDED.safety_stock,
                projected_stock = EXCLUDED.projected_stock, projected_waste = EXCLUDED.projected_waste,
                stockout_risk = EXCLUDED.stockout_risk, reason = EXCLUDED.reason
            WHERE l.status = 'proposed'
            """)
    }

    /// The columns of a line a draft writes besides its keys, as `gold_lines` holds them.
    private static let lineColumns = """
        quantity int8, cases int8, on_hand int8, on_order int8, cover_demand float8, safety_stock float8,
            projected_stock float8, projected_waste float8, stockout_risk float8, reason text
        """

    /// ``lineColumns``' names.
    private static let lineColumnNames = lineColumns.split(separator: ",").map {
        $0.trimmingCharacters(in: .whitespacesAndNewlines).prefix { $0 != " " }
    }.joined(separator: ", ")

    /// Stores the latest draft of `items` (`demand_forecast.draft_*`).
    private static func writeDrafts(_ connection: PGConnection, items: [GoldItem]) async throws {
        guard !items.isEmpty else { return }
        try await copyIntoTemporaryTable(
            connection, "gold_drafts",
            "store_key integer, product_key integer, \(draftStageColumns)",
            [PGCopyColumn(items.map(\.storeKey)), PGCopyColumn(items.map(\.productKey))] + draftColumns(items))
        try await connection.execute(
            """
            UPDATE demand_forecast f SET draft_day = DATE '1970-01-01' + g.draft_day::integer, draft_on_hand = g.draft_on_hand,
                draft_quantity = g.draft_quantity, draft_risk = g.draft_risk, draft_short_days = g.draft_short_days,
                draft_waste = g.draft_waste, draft_risk_until = g.draft_risk_until, draft_coming = g.draft_coming,
                draft_planned = g.draft_planned
            FROM gold_drafts g WHERE f.store_key = g.store_key AND f.product_key = g.product_key
            """)
    }
}
