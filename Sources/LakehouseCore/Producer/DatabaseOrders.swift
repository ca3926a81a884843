import Foundation
import PGLite

/// The stores' side of the live closed loop: at its evening review, each simulated store waits
/// until gold has drafted its order proposal from every event the store sent that day
/// (``waitForProposals(day:waitingFor:stop:)``), then either orders exactly that proposal
/// (``orderProposals(day:stores:)``) or records what it ordered its own way
/// (``record(_:day:)``), so that gold knows what is on the way either way.
///
/// Before the first day, ``publish(_:)`` writes the chain's master data that gold plans with: a
/// `replenishment_policy` row per product (its lead time, case size and shelf life), the days
/// the stores are closed (`store_closed_day`) and the promotions (`promotion`).
public struct DatabaseOrders: Sendable {
    /// How long a store waits for gold's proposal before giving up (default 300 s).
    public var timeout: Duration = .seconds(300)
    /// How often a waiting store looks for the proposal in `order_review` (default 0.25 s).
    public var pollInterval: Duration = .milliseconds(250)

    private let connection: PGConnection

    /// Orders on `connection` (its `search_path` holds the pipeline's schema).
    public init(connection: PGConnection) { self.connection = connection }

    /// Writes `simulator`'s chain master data: what gold needs to know to propose what the
    /// simulated stores can order.
    public func publish(_ simulator: StoreSimulator) async throws {
        let catalog = simulator.catalog
        let first = EventTimestamp.floorDivide(simulator.configuration.startMicros, ItemStockModel.dayMicros)
        try await connection.withTransaction { connection in
            for product in catalog.products {
                let policy = ReplenishmentPolicy.simulated(product)
                _ = try await connection.query(
                    """
                    INSERT INTO replenishment_policy (product_id, lead_time_days, service_level, review_period_days,
                        max_days_of_cover, case_size, shelf_life_days)
                    VALUES ($1, $2, $3, $4, $5, $6, $7)
                    ON CONFLICT (category, product_id, store_id) DO UPDATE SET lead_time_days = EXCLUDED.lead_time_days,
                        service_level = EXCLUDED.service_level, review_period_days = EXCLUDED.review_period_days,
                        max_days_of_cover = EXCLUDED.max_days_of_cover, case_size = EXCLUDED.case_size,
                        shelf_life_days = EXCLUDED.shelf_life_days
                    """,
                    [
                        product.id, policy.leadTimeDays, policy.serviceLevel, policy.reviewPeriodDays,
                        policy.maxDaysOfCover, Int64(product.caseSize), product.shelfLifeDays.map { Int64($0) },
                    ])
            }
            for day in simulator.calendar.closedDays.sorted() {
                _ = try await connection.query(
                    "INSERT INTO store_closed_day (store_id, day) VALUES (NULL, $1::date) ON CONFLICT DO NOTHING",
                    [SilverEvent.dateText(Int32(first + Int64(day)))])
            }
            for (index, promotions) in simulator.calendar.promotions.enumerated() {
                for promotion in promotions {
                    _ = try await connection.query(
                        """
                        INSERT INTO promotion (product_id, first_day, last_day, discount)
                        VALUES ($1, $2::date, $3::date, round($4::numeric, 3))
                        ON CONFLICT (product_id, first_day) DO UPDATE SET last_day = EXCLUDED.last_day,
                            discount = EXCLUDED.discount
                        """,
                        [
                            catalog.products[index].id,
                            SilverEvent.dateText(Int32(first + Int64(promotion.days.lowerBound))),
                            SilverEvent.dateText(Int32(first + Int64(promotion.days.upperBound))), promotion.discount,
                        ])
                }
            }
        }
    }

    /// Waits until gold's proposal of `day` (days since 1970 UTC) for each store of `waitingFor`
    /// rests on the store's events up to the time given (microseconds since 1970).
    ///
    /// - Returns: false when `stop` was signalled while waiting.
    /// - Throws: ``LakehouseError`` with ``LakehouseError/Code/timedOut`` when gold has not caught
    ///   up within ``timeout`` (the pipeline is not running, or is far behind), or ``PGError``.
    public func waitForProposals(day: Int64, waitingFor stores: [String: Int64], stop: StopSignal = StopSignal())
        async throws -> Bool
    {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        let date = SilverEvent.dateText(Int32(day))
        var missing = stores
        while !missing.isEmpty {
            let reviewed = try await connection.query(
                """
                SELECT s.store_id, (extract(epoch FROM r.as_of) * 1000000)::bigint
                FROM order_review r JOIN dim_store s USING (store_key) WHERE r.review_date = $1::date
                """, [date])
            for row in reviewed.rows {
                let store = try row.decode(String.self, at: 0)
                if let needed = missing[store], try row.decode(Int64.self, at: 1) >= needed { missing[store] = nil }
            }
            guard !missing.isEmpty else { break }
            guard clock.now < deadline else {
                let names = missing.keys.sorted().prefix(5).joined(separator: ", ")
                throw LakehouseError(
                    code: .timedOut,
                    message:
                        "gold has not drafted the order proposal of \(date) for \(missing.count) store(s) (\(names)) from all their events within \(timeout): is the pipeline running (ingest, silver, and gold refresh --every)?"
                )
            }
            await stop.sleep(for: pollInterval)
            if stop.isStopped { return false }
        }
        return true
    }

    /// Marks the proposals of `day` of `stores` ordered, and returns their lines: store id →
    /// product id → units.
    public func orderProposals(day: Int64, stores: [String]) async throws -> [String: [String: Int64]] {
        let date = SilverEvent.dateText(Int32(day))
        return try await connection.withTransaction { connection in
            _ = try await connection.query(
                """
                UPDATE order_review r SET status = 'ordered', ordered_by = 'proposal', ordered_at = now() FROM dim_store s
                WHERE r.store_key = s.store_key AND s.store_id = ANY($1::text[]) AND r.review_date = $2::date
                    AND r.status = 'proposed'
                """, [stores, date])
            _ = try await connection.query(
                """
                UPDATE order_line l SET status = 'ordered', ordered_units = l.quantity FROM dim_store s
                WHERE l.store_key = s.store_key AND s.store_id = ANY($1::text[]) AND l.review_date = $2::date
                    AND l.status = 'proposed'
                """, [stores, date])
            let lines = try await connection.query(
                """
                SELECT s.store_id, p.product_id, l.ordered_units
                FROM order_line l JOIN dim_store s USING (store_key) JOIN dim_product p USING (product_key)
                WHERE s.store_id = ANY($1::text[]) AND l.review_date = $2::date AND l.ordered_units IS NOT NULL
                """, [stores, date])
            var orders: [String: [String: Int64]] = [:]
            for row in lines.rows {
                orders[try row.decode(String.self, at: 0), default: [:]][try row.decode(String.self, at: 1)] =
                    try row.decode(Int64.self, at: 2)
            }
            return orders
        }
    }

    /// Records the orders the stores placed their own way on `day` (days since 1970 UTC), in
    /// place of gold's drafts of that day: their reviews become `ordered` and their lines are
    /// what was ordered, so that gold counts them on the way. Products gold does not know yet are
    /// left out (returned as their count).
    @discardableResult
    public func record(_ orders: [EventProducer.PlacedOrder], day: Int64, stores: [String]) async throws -> Int {
        let date = SilverEvent.dateText(Int32(day))
        return try await connection.withTransaction { connection in
            _ = try await connection.query(
                """
                INSERT INTO order_review (store_key, review_date, as_of, status, ordered_by, items, lines, units,
                    ordered_at)
                SELECT s.store_key, $2::date, max(sp.last_event_time), 'ordered', 'store', 0, 0, 0, now()
                FROM dim_store s JOIN stock_position sp USING (store_key) WHERE s.store_id = ANY($1::text[])
                GROUP BY s.store_key
                ON CONFLICT (store_key, review_date) DO UPDATE SET status = 'ordered', ordered_by = 'store',
                    ordered_at = now()
                WHERE order_review.status = 'proposed'
                """, [stores, date])
            _ = try await connection.query(
                """
                DELETE FROM order_line l USING dim_store s
                WHERE l.store_key = s.store_key AND s.store_id = ANY($1::text[]) AND l.review_date = $2::date
                    AND l.status = 'proposed'
                """, [stores, date])
            let inserted = try await connection.query(
                """
                INSERT INTO order_line (store_key, review_date, product_key, quantity, on_hand, on_order, cover_demand,
                    safety_stock, projected_stock, projected_waste, stockout_risk, reason, status, ordered_units)
                SELECT s.store_key, $4::date, p.product_key, o.units, coalesce(sp.on_hand, 0), 0, 0, 0, 0, 0, 0,
                    'ordered by the store, not from a proposal', 'ordered', o.units
                FROM unnest($1::text[], $2::text[], $3::bigint[]) AS o(store_id, product_id, units)
                JOIN dim_store s USING (store_id) JOIN dim_product p USING (product_id)
                LEFT JOIN stock_position sp ON sp.store_key = s.store_key AND sp.product_key = p.product_key
                ON CONFLICT (store_key, review_date, product_key) DO NOTHING
                RETURNING 1
                """, [orders.map(\.storeID), orders.map(\.productID), orders.map(\.units), date])
            _ = try await connection.query(
                """
                UPDATE order_review r SET lines = c.lines, units = c.units
                FROM (SELECT l.store_key, count(*)::integer AS lines, sum(l.ordered_units)::bigint AS units
                      FROM order_line l JOIN dim_store s USING (store_key)
                      WHERE s.store_id = ANY($1::text[]) AND l.review_date = $2::date GROUP BY l.store_key) c
                WHERE r.store_key = c.store_key AND r.review_date = $2::date
                """, [stores, date])
            return orders.count - inserted.rows.count
        }
    }
}
