import PGLite

/// The `replenishment_policy` rows that apply to a set of items, resolved in memory: for each
/// item the most specific row (its store and product, then its product, then its category, then
/// the chain's default), as one lateral lookup per item did in SQL — which, at 500,000 items,
/// cost seconds a refresh.
struct PolicyRows: Sendable {
    /// A row's policy, case size and shelf life.
    struct Row {
        var policy: ReplenishmentPolicy
        var caseSize: Int64?
        var shelfLifeDays: Int64?
    }

    private var byStoreProduct: [String: Row] = [:]
    private var byProduct: [String: Row] = [:]
    private var byCategory: [String: Row] = [:]
    private var chain: Row?

    /// The rows for the products of `items` (a query giving `store_key, product_key`), the
    /// categories' and the chain's.
    static func load(_ connection: PGConnection, items query: String) async throws -> PolicyRows {
        var rows = PolicyRows()
        for row in try await connection.query(
            """
            SELECT r.store_id, r.product_id, r.category, r.lead_time_days::float8, r.service_level::float8,
                r.review_period_days::float8, r.max_days_of_cover::float8, r.case_size::bigint, r.shelf_life_days::bigint
            FROM replenishment_policy r
            WHERE r.product_id IS NULL OR r.product_id IN (
                SELECT p.product_id FROM dim_product p WHERE p.product_key IN (SELECT product_key FROM (\(query)) t))
            """
        ).rows {
            let value = Row(
                policy: ReplenishmentPolicy(
                    leadTimeDays: try row.decode(Double.self, at: 3), serviceLevel: try row.decode(Double.self, at: 4),
                    reviewPeriodDays: try row.decode(Double.self, at: 5),
                    maxDaysOfCover: try row.decode(Double.self, at: 6)),
                caseSize: try row.decode(Int64?.self, at: 7), shelfLifeDays: try row.decode(Int64?.self, at: 8))
            let store = try row.decode(String?.self, at: 0)
            let product = try row.decode(String?.self, at: 1)
            let category = try row.decode(String?.self, at: 2)
            switch (store, product, category) {
            case (let store?, let product?, _): rows.byStoreProduct[store + "\u{0}" + product] = value
            case (nil, let product?, _): rows.byProduct[product] = value
            case (nil, nil, let category?): rows.byCategory[category] = value
            default: rows.chain = value
            }
        }
        return rows
    }

    /// The most specific row for an item; `nil` when no row applies (not even the chain's).
    func row(store: String, product: String, category: String) -> Row? {
        byStoreProduct[store + "\u{0}" + product] ?? byProduct[product] ?? byCategory[category] ?? chain
    }
}
