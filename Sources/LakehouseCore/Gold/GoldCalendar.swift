import Foundation
import PGLite

/// What gold's demand model knows of the days ahead and behind, read once per refresh: the days
/// each store is closed (`store_closed_day`), each product's promotions (`promotion`), and what
/// each category shares (``CategoryDemand``), learned once per day (`category_demand`).
///
/// A category's row for a day is learned when the first event of that day is applied, from the
/// chain's sales before that day and its items' estimates at that moment, and never changes: a
/// refresh that applies many days learns each at its turn, so that incremental refreshes and one
/// refresh over the same events agree.
struct GoldCalendar: Sendable {
    /// The newest event day in gold (days since 1970 UTC).
    var today: Int64
    private var chainClosed: Set<Int64> = []
    private var storeClosed: [Int64: Set<Int64>] = [:]
    private var discounts: [Int64: [Int64: Double]] = [:]
    private var categories: [Int64: String] = [:]
    /// Day → category → what it shares that day.
    private var learned: [Int64: [String: CategoryDemand]] = [:]
    /// The days learned by this refresh, to store.
    private(set) var newDays: [Int64] = []
    /// Units sold per category and day, over the window the weekday profiles read.
    private var totals: [String: [Int64: Double]] = [:]
    /// The estimates of the items this refresh does not touch, added up per category.
    private var untouched: [String: CategoryDemand.Pool] = [:]

    /// Whether `day`'s categories are known.
    func hasLearned(_ day: Int64) -> Bool { learned[day] != nil }

    /// The calendar of one store × product as of `day`: the categories learned for the newest
    /// day up to `day`.
    func days(store: Int64, product: Int64, on day: Int64) -> DemandDays {
        let closed = storeClosed[store].map { $0.union(chainClosed) } ?? chainClosed
        let days = DemandDays(closed: closed, discounts: discounts[product] ?? [:])
        let known = learned[day] ?? learned.filter { $0.key <= day }.max { $0.key < $1.key }?.value
        return days.with(categories[product].flatMap { known?[$0] } ?? .unknown)
    }

    /// Learns the categories for `day` from the sales before it and the estimates of `items`
    /// (those the refresh touches, as they are now) with the rest's stored ones.
    mutating func learn(day: Int64, items: [GoldItem]) {
        var pools = untouched
        for item in items {
            guard let category = categories[item.productKey] else { continue }
            pools[category, default: CategoryDemand.Pool()].add(item.model.demand)
        }
        var row: [String: CategoryDemand] = [:]
        for category in Set(categories.values) {
            row[category] = CategoryDemand.learn(
                totals: totals[category] ?? [:], closed: chainClosed, through: day - 1,
                pool: pools[category] ?? CategoryDemand.Pool())
        }
        learned[day] = row
        newDays.append(day)
    }

    /// Reads the calendar, the categories learned for the days from `first` (the oldest new
    /// event's day), and what learning more days needs.
    static func load(_ connection: PGConnection, firstNewDay first: Int64?) async throws -> GoldCalendar {
        let newest = try await connection.query(
            "SELECT (extract(epoch FROM max(last_event_time)) * 1000000)::bigint FROM store_activity")
        let now = try newest.rows.first?.decode(Int64?.self, at: 0) ?? 0
        var calendar = GoldCalendar(today: EventTimestamp.floorDivide(now, ItemStockModel.dayMicros))
        let start = min(first ?? calendar.today, calendar.today)
        let from = start - WeekdayProfile.windowDays - 7
        try await calendar.loadClosedDays(connection)
        try await calendar.loadPromotions(connection, from: from)
        try await calendar.loadCategories(connection)
        try await calendar.loadLearned(connection, from: start - 1)
        try await calendar.loadTotals(connection, from: from)
        // The other items' estimates are read only when a day is still to be learned (the first
        // refresh of a day): within a day, adding them up would read every item's forecast.
        if (start...max(start, calendar.today)).contains(where: { !calendar.hasLearned($0) }) {
            try await calendar.loadUntouched(connection)
        }
        return calendar
    }

    /// Reads the days the chain, and each store, is closed.
    private mutating func loadClosedDays(_ connection: PGConnection) async throws {
        for row in try await connection.query(
            """
            SELECT s.store_key, (c.day - DATE '1970-01-01')::bigint
            FROM store_closed_day c LEFT JOIN dim_store s USING (store_id)
            WHERE c.store_id IS NULL OR s.store_key IS NOT NULL
            """
        ).rows {
            let day = try row.decode(Int64.self, at: 1)
            if let store = try row.decode(Int64?.self, at: 0) {
                storeClosed[store, default: []].insert(day)
            } else {
                chainClosed.insert(day)
            }
        }
    }

    /// Reads each product's discount on the days from `from` of the promotions that last until then.
    private mutating func loadPromotions(_ connection: PGConnection, from: Int64) async throws {
        for row in try await connection.query(
            """
            SELECT p.product_key, (pr.first_day - DATE '1970-01-01')::bigint, (pr.last_day - DATE '1970-01-01')::bigint,
                pr.discount::float8
            FROM promotion pr JOIN dim_product p USING (product_id)
            WHERE pr.last_day >= DATE '1970-01-01' + $1::integer
            """, [from]
        ).rows {
            let product = try row.decode(Int64.self, at: 0)
            let first = try row.decode(Int64.self, at: 1)
            let last = try row.decode(Int64.self, at: 2)
            let discount = try row.decode(Double.self, at: 3)
            for day in max(first, from)...last { discounts[product, default: [:]][day] = discount }
        }
    }

    /// Reads each product's category.
    private mutating func loadCategories(_ connection: PGConnection) async throws {
        for row in try await connection.query("SELECT product_key, category FROM dim_product").rows {
            categories[try row.decode(Int64.self, at: 0)] = try row.decode(String.self, at: 1)
        }
    }

    /// Reads what each category shares on the days from `from`, as learned before.
    private mutating func loadLearned(_ connection: PGConnection, from: Int64) async throws {
        for row in try await connection.query(
            """
            SELECT category, (day - DATE '1970-01-01')::bigint, weekday_factors, dispersion, elasticity
            FROM category_demand WHERE day >= DATE '1970-01-01' + $1::integer
            """, [from]
        ).rows {
            learned[try row.decode(Int64.self, at: 1), default: [:]][try row.decode(String.self, at: 0)] =
                CategoryDemand(
                    weekdayFactors: try row.decode([Double].self, at: 2),
                    dispersion: try row.decode(Double.self, at: 3),
                    elasticity: try row.decode(Double.self, at: 4))
        }
    }

    /// Reads the units sold per category and day, from day `from` (`category_day_sales`, which
    /// gold keeps as it adds sales: its cost follows the days read, not the sales behind them).
    private mutating func loadTotals(_ connection: PGConnection, from: Int64) async throws {
        for row in try await connection.query(
            """
            SELECT category, (to_date(date_key::text, 'YYYYMMDD') - DATE '1970-01-01')::bigint, units::float8
            FROM category_day_sales
            WHERE date_key >= to_char(DATE '1970-01-01' + $1::integer, 'YYYYMMDD')::integer
            """, [from]
        ).rows {
            totals[try row.decode(String.self, at: 0), default: [:]][try row.decode(Int64.self, at: 1)] =
                try row.decode(Double.self, at: 2)
        }
    }

    /// Reads the stored estimates of the items the refresh does not touch, added up per category.
    private mutating func loadUntouched(_ connection: PGConnection) async throws {
        for row in try await connection.query(
            """
            SELECT p.category, sum(f.lift_gain), sum(f.lift_discount),
                coalesce(sum(f.variance) FILTER (WHERE f.days_learned >= $1 AND f.level IS NOT NULL), 0),
                coalesce(sum(f.level) FILTER (WHERE f.days_learned >= $1 AND f.level IS NOT NULL), 0)
            FROM demand_forecast f JOIN dim_product p USING (product_key)
            WHERE NOT EXISTS (SELECT 1 FROM gold_moves g WHERE g.store_key = f.store_key AND g.product_key = f.product_key)
            GROUP BY 1
            """, [CategoryDemand.dispersionDays]
        ).rows {
            untouched[try row.decode(String.self, at: 0)] = CategoryDemand.Pool(
                liftGain: try row.decode(Double.self, at: 1), liftDiscount: try row.decode(Double.self, at: 2),
                variance: try row.decode(Double.self, at: 3), level: try row.decode(Double.self, at: 4))
        }
    }

    /// Stores the days this refresh learned.
    func save(_ connection: PGConnection) async throws {
        var rows: [(category: String, day: Int64, demand: CategoryDemand)] = []
        for day in newDays {
            for (category, demand) in learned[day] ?? [:] { rows.append((category, day, demand)) }
        }
        guard !rows.isEmpty else { return }
        try await connection.execute(
            """
            CREATE TEMP TABLE gold_category_demand (category text, day date, weekday_factors float8[],
                dispersion float8, elasticity float8) ON COMMIT DROP
            """)
        try await connection.copyIn("COPY gold_category_demand FROM STDIN") { writer in
            try await writer.writeColumns([
                PGCopyColumn(rows.map(\.category)), PGCopyColumn(rows.map { SilverEvent.dateText(Int32($0.day)) }),
                PGCopyColumn(rows.map(\.demand.weekdayFactors)), PGCopyColumn(rows.map(\.demand.dispersion)),
                PGCopyColumn(rows.map(\.demand.elasticity)),
            ])
        }
        try await connection.execute(
            "INSERT INTO category_demand SELECT * FROM gold_category_demand ON CONFLICT DO NOTHING")
    }
}
