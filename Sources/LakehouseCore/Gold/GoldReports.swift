import Foundation
import PGLite

/// An open alert as a store sees it (`v_store_alerts`) and `gold alerts` lists it: one per item
/// for an unexpected stockout or a stockout risk, one per store for its mark-down list (the
/// store's open `PERISHABLE_OVERSTOCK` alerts, which it works through in one walk).
public struct OpenStockAlert: Sendable, Hashable {
    /// What the alert is about (`v_store_alerts.kind`); ``StockAlertKind/perishableOverstock`` for a
    /// mark-down list.
    public var kind: StockAlertKind
    /// The store that has to act, as in the events (`STORE_003`).
    public var storeID: String
    /// The item's product; nil for a mark-down list.
    public var productID: String?
    /// The product's latest name in gold (`dim_product`); nil for a mark-down list.
    public var productName: String?
    /// Items the alert covers: 1, or the mark-down list's length.
    public var items: Int
    /// Event time, microseconds since 1970 UTC (a list: when its oldest item joined).
    public var openedAt: Int64
    /// Units on hand (nil for a list, whose items are different products).
    public var onHand: Int64?
    /// What holds, with the figures that justify it, and what to do.
    public var reason: String
}

/// One perishable item of a store's mark-down list, as `gold markdowns` lists it.
public struct MarkdownLine: Sendable, Hashable {
    /// The store whose list holds the item.
    public var storeID: String
    /// The perishable product to mark down.
    public var productID: String
    /// The product's latest name in gold (`dim_product`).
    public var productName: String
    /// The product's category, upper-cased as silver stores it (`DAIRY`).
    public var category: String
    /// When the item joined the list: event time, microseconds since 1970 UTC.
    public var openedAt: Int64
    /// Units on the shelf as the item's latest draft saw them (else as the alert recorded them).
    public var onHand: Int64
    /// Units the item's latest draft (gold's newest refresh) expects to spoil before they sell
    /// (`v_markdown_list.units_to_spoil`, one decimal).
    public var unitsToSpoil: Double
    /// ``unitsToSpoil`` at the product's list price, in the chain's currency (`value_to_spoil`, two decimals).
    public var valueToSpoil: Double
    /// The alert's sentence: how much will spoil, and that the item should be marked down.
    public var reason: String
}

/// One line of a store's order proposal, as `gold proposal` lists it.
public struct OrderProposalLine: Sendable, Hashable {
    /// The store that orders.
    public var storeID: String
    /// The review's day, the store's newest event day: days since 1970-01-01 UTC.
    public var reviewDay: Int64
    /// The review's status (`v_order_proposal.review_status`): `proposed`, `ordered` or `lapsed`.
    public var reviewStatus: String
    /// The product to order.
    public var productID: String
    /// The product's latest name in gold (`dim_product`).
    public var productName: String
    /// The product's category, upper-cased as silver stores it.
    public var category: String
    /// Units to order, always > 0; whole cases when the product's case size is known.
    public var quantity: Int64
    /// ``quantity`` in cases; nil when the product has no case size in `replenishment_policy`.
    public var cases: Int64?
    /// Units on the shelf as the plan saw them at the review.
    public var onHand: Int64
    /// Units ordered earlier that no delivery has brought yet (ordered lines still on the way).
    public var onOrder: Int64
    /// The risk of running empty before the next delivery, with this order: a probability from 0
    /// to 1, rounded to three decimals.
    public var stockoutRisk: Double
    /// Why the line orders this much, in words a store manager reads.
    public var reason: String
}

/// What the pipeline has seen, for a summary: events by type, quarantined records by reason,
/// duplicates removed, alerts open by kind.
public struct GoldSummary: Sendable {
    /// Valid events in `sales_silver` per `event_type` (`sale`, `restock`, `stock_count`), the most first.
    public var eventsByType: [(type: String, count: Int64)] = []
    /// Records in `sales_quarantine` per reason (`null:store_id`, `poison:object`…), the most first.
    public var quarantinedByReason: [(reason: String, count: Int64)] = []
    /// Records silver dropped as repeats of a natural key, over all its batches (`silver_batches`).
    public var duplicates: Int64 = 0
    /// Open item alerts in `stock_alert` per kind, the most first (as `lakehouse status` counts them).
    public var openAlertsByKind: [(kind: String, count: Int64)] = []
    /// Alerts opened since the start as the stores saw them: each unexpected stockout and
    /// stockout risk, and a store's mark-down list once on each day it gained items.
    public var alertsOpened: Int64 = 0
    /// The item alerts (`stock_alert` rows of the three current kinds) behind ``alertsOpened``.
    public var itemAlertsOpened: Int64 = 0
    /// Store-days with at least one sale in `fact_sales`, the denominator of alerts per store-day.
    public var storeDays: Int64 = 0
    /// The store-days on which the store ordered gold's proposal (`order_review.ordered_by =
    /// 'proposal'`): the days of a store acting on the system.
    public var orderedStoreDays: Int64 = 0
    /// Alerts, as the stores saw them, opened on ``orderedStoreDays``.
    public var alertsOnOrderedDays: Int64 = 0
    /// The item alerts behind ``alertsOnOrderedDays``.
    public var itemAlertsOnOrderedDays: Int64 = 0
    /// Per day (days since 1970) on which stores ordered gold's proposal: how many did, the
    /// alerts they saw opened that day, and the item alerts behind them.
    public var alertsByOrderedDay: [(day: Int64, stores: Int64, alerts: Int64, items: Int64)] = []
    /// Items (store × product) gold knows: the rows of `stock_position`.
    public var items: Int64 = 0
    /// Items never counted, whose stock is unknown (no `stock_count` yet).
    public var neverCounted: Int64 = 0
    /// Items whose last count is more than ``countAgeDays`` days older than the newest event in gold.
    public var countOlderThanDays: Int64 = 0
    /// The age in days, in event time, past which ``countOlderThanDays`` calls a count stale; default 7.
    public var countAgeDays = 7
}

extension GoldJob {
    /// The open alerts as the stores see them, most urgent first: by kind
    /// (`v_store_alerts.urgency_rank`), then the oldest.
    public func openAlerts(limit: Int = 15) async throws -> [OpenStockAlert] {
        let result = try await connection.query(
            """
            SELECT kind, store_id, product_id, product_name, items::bigint, (extract(epoch FROM opened_at) * 1000000)::bigint,
                on_hand, reason
            FROM v_store_alerts
            ORDER BY urgency_rank, opened_at, store_id, product_id
            LIMIT $1
            """, [Int64(limit)])
        return try result.rows.map { row in
            OpenStockAlert(
                kind: StockAlertKind(rawValue: try row.decode(String.self, at: 0)) ?? .unexpectedStockout,
                storeID: try row.decode(String.self, at: 1), productID: try row.decode(String?.self, at: 2),
                productName: try row.decode(String?.self, at: 3), items: Int(try row.decode(Int64.self, at: 4)),
                openedAt: try row.decode(Int64.self, at: 5), onHand: try row.decode(Int64?.self, at: 6),
                reason: try row.decode(String.self, at: 7))
        }
    }

    /// The stores' mark-down lists (`v_markdown_list`), or one store's: the most value to spoil
    /// first, across stores.
    public func markdowns(store: String? = nil, limit: Int = 50) async throws -> [MarkdownLine] {
        let result = try await connection.query(
            """
            SELECT store_id, product_id, product_name, category, (extract(epoch FROM opened_at) * 1000000)::bigint,
                on_hand, units_to_spoil::float8, value_to_spoil::float8, reason
            FROM v_markdown_list WHERE $1::text IS NULL OR store_id = $1::text
            ORDER BY value_to_spoil DESC, store_id, product_id
            LIMIT $2
            """, [store, Int64(limit)])
        return try result.rows.map { row in
            MarkdownLine(
                storeID: try row.decode(String.self, at: 0), productID: try row.decode(String.self, at: 1),
                productName: try row.decode(String.self, at: 2), category: try row.decode(String.self, at: 3),
                openedAt: try row.decode(Int64.self, at: 4), onHand: try row.decode(Int64.self, at: 5),
                unitsToSpoil: try row.decode(Double.self, at: 6), valueToSpoil: try row.decode(Double.self, at: 7),
                reason: try row.decode(String.self, at: 8))
        }
    }

    /// Counts for a summary of the whole pipeline.
    public func summary() async throws -> GoldSummary {
        var summary = GoldSummary()
        summary.eventsByType = try await connection.query(
            "SELECT event_type, count(*) FROM sales_silver GROUP BY 1 ORDER BY 2 DESC, 1"
        ).rows.map { (try $0.decode(String.self, at: 0), try $0.decode(Int64.self, at: 1)) }
        summary.quarantinedByReason = try await connection.query(
            "SELECT reason, count(*) FROM sales_quarantine GROUP BY 1 ORDER BY 2 DESC, 1"
        ).rows.map { (try $0.decode(String.self, at: 0), try $0.decode(Int64.self, at: 1)) }
        summary.duplicates =
            try await connection.query("SELECT coalesce(sum(duplicates), 0)::bigint FROM silver_batches")
            .rows[0].decode(Int64.self, at: 0)
        summary.openAlertsByKind = try await Self.openAlertsByKind(connection)
        // Per store and day of opening: the alerts the store saw (each unexpected stockout and
        // stockout risk, and its mark-down list once on a day it gained items) and the item alerts.
        let seen = """
            SELECT store_key, (opened_at AT TIME ZONE 'UTC')::date AS day,
                count(*) FILTER (WHERE kind <> 'PERISHABLE_OVERSTOCK')
                    + (count(*) FILTER (WHERE kind = 'PERISHABLE_OVERSTOCK') > 0)::integer AS seen,
                count(*) AS items
            FROM stock_alert WHERE kind IN ('UNEXPECTED_STOCKOUT', 'STOCKOUT_RISK', 'PERISHABLE_OVERSTOCK')
            GROUP BY 1, 2
            """
        let opened = try await connection.query(
            """
            WITH seen AS (\(seen))
            SELECT (SELECT coalesce(sum(seen), 0)::bigint FROM seen), (SELECT coalesce(sum(items), 0)::bigint FROM seen),
                (SELECT count(*) FROM (SELECT DISTINCT store_key, date_key FROM fact_sales) d)
            """
        ).rows[0]
        summary.alertsOpened = try opened.decode(Int64.self, at: 0)
        summary.itemAlertsOpened = try opened.decode(Int64.self, at: 1)
        summary.storeDays = try opened.decode(Int64.self, at: 2)
        summary.alertsByOrderedDay = try await connection.query(
            """
            WITH seen AS (\(seen))
            SELECT (r.review_date - DATE '1970-01-01')::bigint, count(*),
                coalesce(sum(a.seen), 0)::bigint, coalesce(sum(a.items), 0)::bigint
            FROM order_review r LEFT JOIN seen a ON a.store_key = r.store_key AND a.day = r.review_date
            WHERE r.ordered_by = 'proposal' GROUP BY 1 ORDER BY 1
            """
        ).rows.map {
            (
                try $0.decode(Int64.self, at: 0), try $0.decode(Int64.self, at: 1), try $0.decode(Int64.self, at: 2),
                try $0.decode(Int64.self, at: 3)
            )
        }
        // The ordered store-days and their alerts, from the days.
        summary.orderedStoreDays = summary.alertsByOrderedDay.reduce(0) { $0 + $1.stores }
        summary.alertsOnOrderedDays = summary.alertsByOrderedDay.reduce(0) { $0 + $1.alerts }
        summary.itemAlertsOnOrderedDays = summary.alertsByOrderedDay.reduce(0) { $0 + $1.items }
        let counts = try await Self.countAges(connection, days: summary.countAgeDays)
        (summary.items, summary.neverCounted, summary.countOlderThanDays) = counts
        return summary
    }

    /// The open item alerts by kind, the most first: the one count of open alerts that `gold
    /// summary` and `lakehouse status` show.
    static func openAlertsByKind(_ connection: PGConnection) async throws -> [(kind: String, count: Int64)] {
        try await connection.query(
            "SELECT kind, count(*) FROM stock_alert WHERE status = 'open' GROUP BY 1 ORDER BY 2 DESC, 1"
        ).rows.map { (try $0.decode(String.self, at: 0), try $0.decode(Int64.self, at: 1)) }
    }

    /// Items gold knows, those never counted, and those whose last count is more than `days`
    /// days older than the newest event in gold (event time, so that a replayed history reads
    /// as it did live).
    static func countAges(_ connection: PGConnection, days: Int) async throws -> (Int64, Int64, Int64) {
        let row = try await connection.query(
            """
            SELECT count(*), count(*) FILTER (WHERE last_count_time IS NULL),
                count(*) FILTER (WHERE last_count_time < (SELECT max(last_event_time) FROM store_activity)
                    - make_interval(days => $1::integer))
            FROM stock_position
            """, [Int64(days)]
        ).rows[0]
        return (try row.decode(Int64.self, at: 0), try row.decode(Int64.self, at: 1), try row.decode(Int64.self, at: 2))
    }

    /// The newest order proposal of each store (or of `store`), lines by store, then the
    /// highest risk, then the product.
    public func orderProposal(store: String? = nil, limit: Int = 50) async throws -> [OrderProposalLine] {
        let result = try await connection.query(
            """
            SELECT store_id, (review_date - DATE '1970-01-01')::bigint, review_status, product_id, product_name,
                category, quantity, cases, on_hand, on_order, stockout_risk::float8, reason
            FROM v_order_proposal WHERE $1::text IS NULL OR store_id = $1::text
            ORDER BY store_id, stockout_risk DESC, product_id
            LIMIT $2
            """, [store, Int64(limit)])
        return try result.rows.map { row in
            OrderProposalLine(
                storeID: try row.decode(String.self, at: 0), reviewDay: try row.decode(Int64.self, at: 1),
                reviewStatus: try row.decode(String.self, at: 2), productID: try row.decode(String.self, at: 3),
                productName: try row.decode(String.self, at: 4), category: try row.decode(String.self, at: 5),
                quantity: try row.decode(Int64.self, at: 6), cases: try row.decode(Int64?.self, at: 7),
                onHand: try row.decode(Int64.self, at: 8), onOrder: try row.decode(Int64.self, at: 9),
                stockoutRisk: try row.decode(Double.self, at: 10), reason: try row.decode(String.self, at: 11))
        }
    }

    /// Per store, its newest review: day, status, items planned, lines and units.
    public func reviews() async throws -> [(
        store: String, day: Int64, status: String, items: Int64, lines: Int64, units: Int64
    )] {
        try await connection.query(
            """
            SELECT s.store_id, (r.review_date - DATE '1970-01-01')::bigint, r.status, r.items::bigint,
                r.lines::bigint, r.units
            FROM order_review r JOIN dim_store s USING (store_key)
            WHERE r.review_date = (SELECT max(review_date) FROM order_review n WHERE n.store_key = r.store_key)
            ORDER BY s.store_id
            """
        ).rows.map {
            (
                try $0.decode(String.self, at: 0), try $0.decode(Int64.self, at: 1), try $0.decode(String.self, at: 2),
                try $0.decode(Int64.self, at: 3), try $0.decode(Int64.self, at: 4), try $0.decode(Int64.self, at: 5)
            )
        }
    }
}
