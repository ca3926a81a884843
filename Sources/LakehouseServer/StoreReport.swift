import Hummingbird
import LakehouseCore
import Logging
import PGLite

/// `GET /api/v1/stores`: the stores gold knows, a page at a time.
public struct StoreList: Codable, Sendable, Equatable, ResponseEncodable {
    /// One store.
    public struct Store: Codable, Sendable, Equatable {
        /// The store's id in the events.
        public var storeID: String
        /// Items (products) with a position in the store.
        public var items: Int64
        /// Open item alerts in the store.
        public var openAlerts: Int64
        /// The store's newest event in gold; absent before it has one.
        public var newestEvent: String?
    }

    /// The stores of this page, by id.
    public var stores: [Store]
    /// Stores in all.
    public var total: Int64
    /// The page's size and start, as asked.
    public var limit: Int
    /// How many stores the page skipped.
    public var offset: Int
}

/// `GET /api/v1/stores/{store}`: what the Store page shows: the newest order proposal (or, before
/// the store has one, `v_reorder_suggestions`), its open alerts, and its items by days of cover.
public struct StoreReport: Codable, Sendable, Equatable, ResponseEncodable {
    /// A line of the proposal: ``LakehouseCore/OrderProposalLine`` without the store and day
    /// its proposal gives.
    public struct ProposalLine: Codable, Sendable, Equatable {
        /// The product to order.
        public var productID: String
        /// The product's name.
        public var productName: String
        /// Units to order.
        public var quantity: Int64
        /// Cases to order, when the product's case size is known.
        public var cases: Int64?
        /// Units on the shelf as the plan saw them.
        public var onHand: Int64
        /// Units ordered earlier that no delivery has brought yet.
        public var onOrder: Int64
        /// The risk of running empty before the next delivery, with this order (0 to 1).
        public var stockoutRisk: Double
        /// Why the line orders this much.
        public var reason: String

        init(_ line: OrderProposalLine) {
            (productID, productName, quantity, cases) = (line.productID, line.productName, line.quantity, line.cases)
            (onHand, onOrder, stockoutRisk, reason) = (line.onHand, line.onOrder, line.stockoutRisk, line.reason)
        }
    }

    /// The store's newest proposal.
    public struct Proposal: Codable, Sendable, Equatable {
        /// The day it is for (YYYY-MM-DD).
        public var reviewDate: String
        /// `proposed` (drafted again at each refresh), `ordered` or `lapsed`.
        public var status: String
        /// The lines, the highest risk first.
        public var lines: [ProposalLine]
    }

    /// An item below its reorder point (`v_reorder_suggestions`).
    public struct Suggestion: Codable, Sendable, Equatable {
        /// The product's id.
        public var productID: String
        /// The product's name.
        public var productName: String
        /// Units on hand.
        public var onHand: Int64
        /// Units to order.
        public var suggestedOrderQuantity: Int64
    }

    /// An open alert as the store sees it (`v_store_alerts`: a mark-down list is one row).
    public struct Alert: Codable, Sendable, Equatable {
        /// The alert kind.
        public var kind: String
        /// The product; absent for a mark-down list of several items.
        public var productID: String?
        /// The product's name; absent for a mark-down list.
        public var productName: String?
        /// Items the row stands for.
        public var items: Int64
        /// When it opened.
        public var openedAt: String
        /// What to do, in a sentence.
        public var reason: String
    }

    /// An item and its cover.
    public struct Item: Codable, Sendable, Equatable {
        /// The product's id.
        public var productID: String
        /// The product's name.
        public var productName: String
        /// The product's category.
        public var category: String
        /// Units on hand; absent when the item was never counted (stock unknown).
        public var onHand: Int64?
        /// Expected units sold a day.
        public var dailyDemand: Double?
        /// Days the stock lasts at that demand; absent when unknown.
        public var daysOfCover: Double?
    }

    /// The store's id.
    public var storeID: String
    /// The store's newest event in gold.
    public var newestEvent: String?
    /// The newest proposal; absent before the first.
    public var proposal: Proposal?
    /// Items below their reorder point, shown until the store has a proposal.
    public var suggestions: [Suggestion]
    /// Open alerts, the most urgent first.
    public var alerts: [Alert]
    /// This page of the store's items, the fewest days of cover first (unknown last).
    public var items: [Item]
    /// Items in the store.
    public var itemsTotal: Int64
    /// The page's size.
    public var limit: Int
    /// How many items the page skipped.
    public var offset: Int
}

/// The store queries, on a read-only connection. Every value from a request is a parameter,
/// never spliced into SQL.
enum StoreQueries {
    static func list(_ connection: PGConnection, page: Page) async throws -> StoreList {
        let total = try await connection.query("SELECT count(*) FROM dim_store").rows[0].decode(Int64.self, at: 0)
        let rows = try await connection.query(
            """
            SELECT s.store_id, (SELECT count(*) FROM stock_position p WHERE p.store_key = s.store_key),
                (SELECT count(*) FROM stock_alert a WHERE a.store_key = s.store_key AND a.status = 'open'),
                to_char(a.last_event_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
            FROM dim_store s LEFT JOIN store_activity a USING (store_key)
            ORDER BY s.store_id LIMIT $1 OFFSET $2
            """, [page.limit, page.offset]
        ).rows
        return StoreList(
            stores: try rows.map {
                StoreList.Store(
                    storeID: try $0.decode(String.self, at: 0), items: try $0.decode(Int64.self, at: 1),
                    openAlerts: try $0.decode(Int64.self, at: 2), newestEvent: try $0.decode(String?.self, at: 3))
            }, total: total, limit: page.limit, offset: page.offset)
    }

    /// The store's report, or `nil` when gold has no such store.
    static func report(_ connection: PGConnection, store: String, page: Page, logger: Logger) async throws
        -> StoreReport?
    {
        let found = try await connection.query(
            """
            SELECT to_char(a.last_event_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                (SELECT count(*) FROM stock_position p WHERE p.store_key = s.store_key)
            FROM dim_store s LEFT JOIN store_activity a USING (store_key) WHERE s.store_id = $1
            """, [store]
        ).rows
        guard let head = found.first else { return nil }
        let proposal = try await Self.proposal(connection, store: store, logger: logger)
        return StoreReport(
            storeID: store, newestEvent: try head.decode(String?.self, at: 0), proposal: proposal,
            suggestions: proposal == nil ? try await suggestions(connection, store: store) : [],
            alerts: try await alerts(connection, store: store),
            items: try await items(connection, store: store, page: page),
            itemsTotal: try head.decode(Int64.self, at: 1), limit: page.limit, offset: page.offset)
    }

    /// The most lines a store's proposal shows (a store of 5,000 products orders fewer).
    static let proposalLines = 10_000

    private static func proposal(_ connection: PGConnection, store: String, logger: Logger) async throws
        -> StoreReport.Proposal?
    {
        let lines = try await GoldJob(connection: connection, logger: logger).orderProposal(
            store: store, limit: proposalLines)
        guard let first = lines.first else { return nil }
        return StoreReport.Proposal(
            reviewDate: SilverEvent.dateText(Int32(first.reviewDay)), status: first.reviewStatus,
            lines: lines.map(StoreReport.ProposalLine.init))
    }

    private static func suggestions(_ connection: PGConnection, store: String) async throws -> [StoreReport.Suggestion]
    {
        try await connection.query(
            """
            SELECT product_id, product_name, on_hand, suggested_order_quantity FROM v_reorder_suggestions
            WHERE store_id = $1 ORDER BY suggested_order_quantity DESC, product_id LIMIT 500
            """, [store]
        ).rows.map {
            StoreReport.Suggestion(
                productID: try $0.decode(String.self, at: 0), productName: try $0.decode(String.self, at: 1),
                onHand: try $0.decode(Int64.self, at: 2), suggestedOrderQuantity: try $0.decode(Int64.self, at: 3))
        }
    }

    private static func alerts(_ connection: PGConnection, store: String) async throws -> [StoreReport.Alert] {
        try await connection.query(
            """
            SELECT kind, product_id, product_name, items::bigint,
                to_char(opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), reason
            FROM v_store_alerts WHERE store_id = $1 ORDER BY urgency_rank, opened_at, product_id LIMIT 500
            """, [store]
        ).rows.map {
            StoreReport.Alert(
                kind: try $0.decode(String.self, at: 0), productID: try $0.decode(String?.self, at: 1),
                productName: try $0.decode(String?.self, at: 2), items: try $0.decode(Int64.self, at: 3),
                openedAt: try $0.decode(String.self, at: 4), reason: try $0.decode(String.self, at: 5))
        }
    }

    private static func items(_ connection: PGConnection, store: String, page: Page) async throws -> [StoreReport.Item]
    {
        try await connection.query(
            """
            SELECT p.product_id, p.product_name, p.category, CASE WHEN sp.last_count_time IS NOT NULL THEN sp.on_hand END,
                f.daily_demand, CASE WHEN sp.last_count_time IS NOT NULL THEN f.days_of_cover END AS cover
            FROM stock_position sp JOIN dim_store s USING (store_key) JOIN dim_product p USING (product_key)
            LEFT JOIN demand_forecast f USING (store_key, product_key)
            WHERE s.store_id = $1
            ORDER BY cover NULLS LAST, p.product_id LIMIT $2 OFFSET $3
            """, [store, page.limit, page.offset]
        ).rows.map {
            StoreReport.Item(
                productID: try $0.decode(String.self, at: 0), productName: try $0.decode(String.self, at: 1),
                category: try $0.decode(String.self, at: 2), onHand: try $0.decode(Int64?.self, at: 3),
                dailyDemand: try $0.decode(Double?.self, at: 4), daysOfCover: try $0.decode(Double?.self, at: 5))
        }
    }
}
