/// An event as silver holds it (DESIGN.md, "Silver"): text trimmed, codes (store, category,
/// payment method, client type) upper-cased, the time in UTC microseconds and its UTC date.
public struct SilverEvent: Sendable, Hashable {
    /// The basket (sale), delivery (restock) or count (stock_count), trimmed.
    public var transactionID: String
    /// The product, trimmed.
    public var productID: String
    /// The product's name as this event gave it, trimmed.
    public var productName: String
    /// The product's category, trimmed and upper-cased (`DAIRY`).
    public var category: String
    /// Units: > 0 for a sale or restock, ≥ 0 for a count (the units counted); at most ``SilverRules/maximumQuantity``.
    public var quantity: Int64
    /// Price of one unit in cents of the chain's currency, 0 to ``SilverRules/maximumPriceCents``.
    public var unitPriceCents: Int64
    /// Price of the line in cents, within one cent of ``unitPriceCents`` × ``quantity``.
    public var totalPriceCents: Int64
    /// When it happened: microseconds since 1970-01-01T00:00:00Z.
    public var eventTime: Int64
    /// The UTC day of ``eventTime``: days since 1970-01-01.
    public var eventDate: Int32
    /// The store, trimmed and upper-cased (`STORE_003`).
    public var storeID: String
    /// For sales only (`nil` for restocks and counts).
    public var paymentMethod: String?
    /// For sales only (`nil` for restocks and counts).
    public var clientType: String?
    /// Whether the event is a sale, a delivery or a stock count (`sale` when the payload had none).
    public var eventType: EventType

    /// An event with every field given (``SilverRules/clean(_:)`` makes them from payloads).
    public init(
        transactionID: String, productID: String, productName: String, category: String, quantity: Int64,
        unitPriceCents: Int64, totalPriceCents: Int64, eventTime: Int64, eventDate: Int32, storeID: String,
        paymentMethod: String?, clientType: String?, eventType: EventType
    ) {
        self.transactionID = transactionID
        self.productID = productID
        self.productName = productName
        self.category = category
        self.quantity = quantity
        self.unitPriceCents = unitPriceCents
        self.totalPriceCents = totalPriceCents
        self.eventTime = eventTime
        self.eventDate = eventDate
        self.storeID = storeID
        self.paymentMethod = paymentMethod
        self.clientType = clientType
        self.eventType = eventType
    }

    /// What makes two records the same event: (`transaction_id`, `product_id`, `event_type`).
    public struct NaturalKey: Sendable, Hashable {
        /// The basket, delivery or count.
        public var transactionID: String
        /// The product; a basket of several products has one key per line.
        public var productID: String
        /// The event's type: a sale and a restock may share a transaction and product.
        public var eventType: EventType

        /// The key of the event with these three fields.
        public init(transactionID: String, productID: String, eventType: EventType) {
            self.transactionID = transactionID
            self.productID = productID
            self.eventType = eventType
        }
    }

    /// This event's natural key.
    public var naturalKey: NaturalKey {
        NaturalKey(transactionID: transactionID, productID: productID, eventType: eventType)
    }

    /// ``eventDate`` as `YYYY-MM-DD`, the Delta table's partition value.
    public var eventDateText: String { Self.dateText(eventDate) }

    /// Days since 1970-01-01 as `YYYY-MM-DD`.
    public static func dateText(_ days: Int32) -> String {
        String(EventTimestamp.format(micros: Int64(days) * 86_400_000_000).prefix(10))
    }

    /// Days since 1970-01-01 as the star schema's date key, `YYYYMMDD` (`dim_date.date_key`).
    package static func dateKey(_ days: Int32) -> Int {
        Int(dateText(days).filter { $0 != "-" }) ?? 0
    }
}

/// Why silver refused a record: the first rule it broke (DESIGN.md, "Silver") and a detail.
public struct SilverRejection: Error, Sendable, Hashable, CustomStringConvertible {
    /// The rule: `malformed:json`, `null:<field>`, `invalid:quantity`, `invalid:unit_price`,
    /// `invalid:total_price`, `inconsistent:total_vs_unit_x_qty`, `invalid:timestamp`,
    /// `unknown:event_type`.
    public var reason: String
    /// What was wrong, for people.
    public var detail: String

    /// - Parameter detail: any U+0000 in it becomes U+FFFD, as no text column holds U+0000.
    public init(reason: String, detail: String) {
        self.reason = reason
        self.detail = detail.utf8.contains(0) ? detail.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : detail
    }

    /// `reason: detail`, as logs and the quarantine's sentence show it.
    public var description: String { "\(reason): \(detail)" }
}
