import Hummingbird
import LakehouseCore
import PGLite

/// `GET /api/v1/stores/{store}/items/{product}`: what the Item page draws: the item's stock and
/// forecast now, each of its last days (closing stock, units sold, delivered, counts), and its
/// alerts.
public struct ItemReport: Codable, Sendable, Equatable, ResponseEncodable {
    /// One day of the item (UTC).
    public struct Day: Codable, Sendable, Equatable {
        /// The day, YYYY-MM-DD.
        public var date: String
        /// Closing stock (`fact_inventory_snapshot`); absent when gold has none for the day.
        public var closingOnHand: Int64?
        /// Units sold.
        public var unitsSold: Int64
        /// Units delivered.
        public var unitsDelivered: Int64
        /// Stock counts taken.
        public var counts: Int64
    }

    /// One alert of the item, open or resolved.
    public struct Alert: Codable, Sendable, Equatable {
        /// The alert kind.
        public var kind: String
        /// `open` or `resolved`.
        public var status: String
        /// When it opened.
        public var openedAt: String
        /// When it was resolved.
        public var resolvedAt: String?
        /// Why it opened, in a sentence.
        public var reason: String
    }

    /// The store's id.
    public var storeID: String
    /// The product's id.
    public var productID: String
    /// The product's name.
    public var productName: String
    /// The product's category.
    public var category: String
    /// Units on hand; absent when never counted.
    public var onHand: Int64?
    /// Expected units sold a day, and how much a day varies.
    public var dailyDemand: Double?
    /// The daily demand's standard deviation.
    public var dailyDeviation: Double?
    /// Units kept against uncertain demand.
    public var safetyStock: Double?
    /// The stock at which to order.
    public var reorderPoint: Double?
    /// Days the stock lasts; absent when unknown.
    public var daysOfCover: Double?
    /// The item's last days, oldest first, ending on the store's newest event day.
    public var days: [Day]
    /// Its alerts, newest first (at most 100).
    public var alerts: [Alert]
}

/// The item queries, on a read-only connection; every value a parameter.
enum ItemQueries {
    /// The item's report over its last `days` days, or `nil` when gold has no such item (the
    /// store never had an event of the product).
    static func report(_ connection: PGConnection, store: String, product: String, days: Int) async throws
        -> ItemReport?
    {
        let head = try await connection.query(
            """
            SELECT s.store_key, p.product_key, p.product_name, p.category,
                CASE WHEN sp.last_count_time IS NOT NULL THEN sp.on_hand END, f.daily_demand, f.daily_deviation,
                f.safety_stock, f.reorder_point, CASE WHEN sp.last_count_time IS NOT NULL THEN f.days_of_cover END,
                ((a.last_event_time AT TIME ZONE 'UTC')::date - DATE '1970-01-01')::bigint
            FROM dim_store s JOIN dim_product p ON p.product_id = $2
            JOIN stock_position sp ON sp.store_key = s.store_key AND sp.product_key = p.product_key
            LEFT JOIN demand_forecast f ON f.store_key = s.store_key AND f.product_key = p.product_key
            LEFT JOIN store_activity a ON a.store_key = s.store_key
            WHERE s.store_id = $1
            """, [store, product]
        ).rows
        guard let row = head.first else { return nil }
        let keys = (try row.decode(Int64.self, at: 0), try row.decode(Int64.self, at: 1))
        var report = ItemReport(
            storeID: store, productID: product, productName: try row.decode(String.self, at: 2),
            category: try row.decode(String.self, at: 3), onHand: try row.decode(Int64?.self, at: 4),
            dailyDemand: try row.decode(Double?.self, at: 5), dailyDeviation: try row.decode(Double?.self, at: 6),
            safetyStock: try row.decode(Double?.self, at: 7), reorderPoint: try row.decode(Double?.self, at: 8),
            daysOfCover: try row.decode(Double?.self, at: 9), days: [], alerts: [])
        if let newest = try row.decode(Int64?.self, at: 10) {
            report.days = try await Self.days(connection, keys: keys, through: newest, count: days)
        }
        report.alerts = try await alerts(connection, keys: keys)
        return report
    }

    private static func days(_ connection: PGConnection, keys: (Int64, Int64), through newest: Int64, count: Int)
        async throws -> [ItemReport.Day]
    {
        let first = newest - Int64(count) + 1
        let (from, to) = (dateKey(first), dateKey(newest))
        var closing: [Int64: Int64] = [:]
        for row in try await connection.query(
            """
            SELECT date_key::bigint, closing_on_hand FROM fact_inventory_snapshot
            WHERE store_key = $1 AND product_key = $2 AND date_key BETWEEN $3 AND $4
            """, [keys.0, keys.1, from, to]
        ).rows {
            closing[try row.decode(Int64.self, at: 0)] = try row.decode(Int64.self, at: 1)
        }
        var moves: [Int64: (Int64, Int64, Int64)] = [:]
        for row in try await connection.query(
            """
            SELECT date_key::bigint, coalesce(sum(-quantity_change) FILTER (WHERE event_type = 'sale'), 0)::bigint,
                coalesce(sum(quantity_change) FILTER (WHERE event_type = 'restock'), 0)::bigint,
                count(*) FILTER (WHERE event_type = 'stock_count')
            FROM fact_stock_movement
            WHERE store_key = $1 AND product_key = $2 AND date_key BETWEEN $3 AND $4
            GROUP BY date_key
            """, [keys.0, keys.1, from, to]
        ).rows {
            moves[try row.decode(Int64.self, at: 0)] = (
                try row.decode(Int64.self, at: 1), try row.decode(Int64.self, at: 2), try row.decode(Int64.self, at: 3)
            )
        }
        return (first...newest).map { day in
            let key = Int64(dateKey(day))
            let (sold, delivered, counts) = moves[key] ?? (0, 0, 0)
            return ItemReport.Day(
                date: SilverEvent.dateText(Int32(day)), closingOnHand: closing[key], unitsSold: sold,
                unitsDelivered: delivered, counts: counts)
        }
    }

    private static func alerts(_ connection: PGConnection, keys: (Int64, Int64)) async throws -> [ItemReport.Alert] {
        try await connection.query(
            """
            SELECT kind, status, to_char(opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                to_char(resolved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), reason
            FROM stock_alert WHERE store_key = $1 AND product_key = $2 ORDER BY opened_at DESC, alert_id DESC LIMIT 100
            """, [keys.0, keys.1]
        ).rows.map {
            ItemReport.Alert(
                kind: try $0.decode(String.self, at: 0), status: try $0.decode(String.self, at: 1),
                openedAt: try $0.decode(String.self, at: 2), resolvedAt: try $0.decode(String?.self, at: 3),
                reason: try $0.decode(String.self, at: 4))
        }
    }

    /// Days since 1970 as a `YYYYMMDD` key.
    static func dateKey(_ day: Int64) -> Int { SilverEvent.dateKey(Int32(day)) }
}
