/// An event as silver holds it (DESIGN.md, "Silver"): text trimmed, codes (store, category,
/// payment method, client type) upper-cased, the time in UTC microseconds and its UTC date.
public struct SilverEvent: Sendable, Hashable {
    public var transactionID: String
    public var productID: String
    public var productName: String
    public var category: String
    public var quantity: Int64
    public var unitPriceCents: Int64
    public var totalPriceCents: Int64
    /// When it happened: microseconds since 1970-01-01T00:00:00Z.
    public var eventTime: Int64
    /// The UTC day of ``eventTime``: days since 1970-01-01.
    public var eventDate: Int32
    public var storeID: String
    /// For sales only (`nil` for restocks and counts).
    public var paymentMethod: String?
    /// For sales only (`nil` for restocks and counts).
    public var clientType: String?
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
        public var transactionID: String
        public var productID: String
        public var eventType: EventType

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

    public var description: String { "\(reason): \(detail)" }
}
