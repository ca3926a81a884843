/// What a point-of-sale event records (DESIGN.md, "Event contract").
public enum EventType: String, Sendable, Hashable, CaseIterable {
    /// Units sold to a customer (the default when a record has no `event_type`).
    case sale
    /// Units delivered to the store.
    case restock
    /// A count of the units on hand, which replaces what the books say.
    case stockCount = "stock_count"
}

/// One line item of the event stream: a sale, a delivery or a stock count of one product in one
/// store, as the producer sends it (one Kinesis record, one JSON object).
///
/// Prices are held in cents, so that totals add up exactly; in JSON they are numbers with two
/// decimals, as the original producer wrote them.
public struct POSEvent: Sendable, Hashable {
    /// The basket (sale), delivery (restock) or count (stock_count) the line belongs to.
    public var transactionID: String
    /// The product (`product_id`, `P00042`).
    public var productID: String
    /// The product's name (`product_name`); gold keeps the latest by event time.
    public var productName: String
    /// The product's category (`category`), as sent; silver upper-cases it.
    public var category: String
    /// Units: > 0 for sales and restocks, ≥ 0 for stock counts.
    public var quantity: Int
    /// Price of one unit (`unit_price`), in cents of the chain's currency.
    public var unitPriceCents: Int64
    /// Price of the line (`total_price`), in cents: ``unitPriceCents`` × ``quantity``, within one cent.
    public var totalPriceCents: Int64
    /// When it happened, RFC 3339 with any offset, as sent.
    public var timestamp: String
    /// The store (`store_id`, `STORE_003`), as sent, and the partition key to send it with; silver upper-cases it.
    public var storeID: String
    /// For sales only.
    public var paymentMethod: String?
    /// For sales only.
    public var clientType: String?
    /// Sale, restock or stock count (`event_type`; written even for a sale).
    public var eventType: EventType

    /// Creates an event.
    public init(
        transactionID: String, productID: String, productName: String, category: String, quantity: Int,
        unitPriceCents: Int64, totalPriceCents: Int64, timestamp: String, storeID: String,
        paymentMethod: String? = nil, clientType: String? = nil, eventType: EventType = .sale
    ) {
        self.transactionID = transactionID
        self.productID = productID
        self.productName = productName
        self.category = category
        self.quantity = quantity
        self.unitPriceCents = unitPriceCents
        self.totalPriceCents = totalPriceCents
        self.timestamp = timestamp
        self.storeID = storeID
        self.paymentMethod = paymentMethod
        self.clientType = clientType
        self.eventType = eventType
    }
}
