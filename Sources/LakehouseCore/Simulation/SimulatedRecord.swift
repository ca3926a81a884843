/// What a record the simulator sends is: a clean event of one of the three types, or one kind
/// of dirty data.
public enum RecordKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// A clean sale line: a customer's units of one product.
    case sale
    /// A clean delivery line: the units a truck brought of one product.
    case restock
    /// A clean stock count of one product: the opening and Sunday counts cover every product, the
    /// evening count the perishables.
    case stockCount = "stock_count"
    /// A copy of an event with a required field left out.
    case missingField = "missing_field"
    /// A copy of an event with a required field set to null.
    case nullValue = "null_value"
    /// A copy of an event with a zero or negative quantity (negative for a stock count).
    case badQuantity = "bad_quantity"
    /// A copy of an event whose total is not unit price × quantity.
    case inconsistentTotal = "inconsistent_total"
    /// A copy of an event cut short, so that it is not JSON.
    case malformedJSON = "malformed_json"
    /// A copy of an event with a timestamp that is not RFC 3339.
    case badTimestamp = "bad_timestamp"
    /// A clean event whose timestamp carries a non-UTC offset (valid: silver converts it).
    case offsetTimestamp = "offset_timestamp"
    /// A copy of an event with an `event_type` that is not sale, restock or stock_count.
    case unknownEventType = "unknown_event_type"
    /// An earlier record sent again, byte for byte.
    case duplicate

    /// The dirty kinds, which the simulator mixes in at ``SimulationConfiguration/dirtyRate``.
    public static let dirtyKinds: [RecordKind] = [
        .missingField, .nullValue, .badQuantity, .inconsistentTotal, .malformedJSON, .badTimestamp,
        .offsetTimestamp, .unknownEventType, .duplicate,
    ]

    /// Whether silver must reject the record (a duplicate and an offset timestamp are valid).
    public var isInvalid: Bool { ![.sale, .restock, .stockCount, .offsetTimestamp, .duplicate].contains(self) }
}

/// One record as the producer sends it.
public struct SimulatedRecord: Sendable, Hashable {
    /// The bytes of the Kinesis record.
    public var payload: [UInt8]
    /// The Kinesis partition key: the store.
    public var partitionKey: String
    /// A clean sale, restock or count, or which kind of dirty data the record is.
    public var kind: RecordKind
    /// When the event happened (simulated time), microseconds since 1970 UTC.
    public var eventTime: Int64
    /// The event the record carries (for a clean record, an offset timestamp or a duplicate),
    /// or the one it is a corrupt copy of.
    public var event: POSEvent
}
