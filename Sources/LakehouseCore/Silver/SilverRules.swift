/// The silver rules (README, "Sending events"), checked in order; the first that fails is the
/// reason:
///
/// 1. `malformed:json` — not one JSON object;
/// 2. `null:<field>` — a required field missing, `null` or blank (transaction_id, product_id,
///    product_name, category, quantity, unit_price, total_price, timestamp, store_id), looked for
///    in that order before any field is read as its type;
/// 3. `invalid:<field>` — a field of the wrong JSON type, or text holding U+0000 (NUL);
///    `invalid:quantity` — not a whole number (`2`, `2.0` and `2e0` are whole), or not within
///    1…``maximumQuantity`` (0…``maximumQuantity`` for a stock count);
///    `invalid:unit_price`, `invalid:total_price` — not an amount with at most two decimals,
///    negative, or above ``maximumPriceCents`` (the `decimal(12, 2)` columns' largest value);
/// 4. `inconsistent:total_vs_unit_x_qty` — total_price differs from unit_price × quantity by more
///    than 0.01;
/// 5. `invalid:timestamp` — not RFC 3339 (any offset is fine: it is normalised to UTC), before
///    ``earliestEventTime`` (2000-01-01), or more than ``maximumLead`` (one day) after the record
///    reached Kinesis (its bronze `arrival_time`; late events are always welcome);
/// 6. `unknown:event_type` — not `sale`, `restock` or `stock_count` (absent means sale).
///
/// A record in the original producer's format (no `event_type`) passes as a sale.
public enum SilverRules {
    /// The most units one record may carry (1,000,000): a larger line or count is a data error,
    /// and the bound keeps every sum gold makes far inside `bigint`.
    public static let maximumQuantity: Int64 = 1_000_000
    /// The largest price, in cents: 9,999,999,999.99, what `decimal(12, 2)` holds.
    public static let maximumPriceCents: Int64 = 999_999_999_999
    /// The earliest event time accepted: 2000-01-01T00:00:00Z, in microseconds since 1970.
    public static let earliestEventTime: Int64 = 946_684_800_000_000
    /// How far after its arrival in Kinesis an event may be stamped (one day, in microseconds):
    /// clocks drift and time zones get mixed up, but an event days ahead would make gold
    /// carry stock forward to a day that has not come.
    public static let maximumLead: Int64 = 86_400_000_000

    /// Cleans one record's payload.
    ///
    /// - Parameters:
    ///   - payload: the record's bytes.
    ///   - arrivalMicros: when the record reached Kinesis (microseconds since 1970), from its
    ///     bronze line; the latest event time accepted is one ``maximumLead`` after it. `nil`
    ///     (a record not read from bronze) checks only the earliest time.
    /// - Complexity: O(payload size).
    public static func clean(_ payload: [UInt8], arrivalMicros: Int64? = nil) -> Result<SilverEvent, SilverRejection> {
        let decoded: (event: POSEvent, rawType: String?)
        switch decodeFields(payload) {
        case .success(let fields): decoded = fields
        case .failure(let rejection): return .failure(rejection)
        }
        let event = decoded.event
        let transactionID = trimmed(event.transactionID)
        let productID = trimmed(event.productID)
        let productName = trimmed(event.productName)
        let category = upperCased(trimmed(event.category))
        let storeID = upperCased(trimmed(event.storeID))
        let timestamp = trimmed(event.timestamp)
        // Blank required fields were refused while decoding (rule 2 comes before the rest).
        let type = event.eventType
        if let rejection = quantityRejection(event) { return .failure(rejection) }
        // Two fields, checked without building a collection (this runs for every record).
        if let rejection = Self.amountRejection("unit_price", event.unitPriceCents)
            ?? Self.amountRejection("total_price", event.totalPriceCents)
        {
            return .failure(rejection)
        }
        if let rejection = totalRejection(event) { return .failure(rejection) }
        let micros: Int64
        switch eventTime(timestamp, arrivalMicros: arrivalMicros) {
        case .success(let time): micros = time
        case .failure(let rejection): return .failure(rejection)
        }
        if let raw = decoded.rawType, EventType(rawValue: raw) == nil {
            return .failure(
                SilverRejection(
                    reason: "unknown:event_type", detail: "event_type '\(raw)' is not sale, restock or stock_count"))
        }
        let day = EventTimestamp.floorDivide(micros, 86_400_000_000)
        return .success(
            SilverEvent(
                transactionID: transactionID, productID: productID, productName: productName, category: category,
                quantity: Int64(event.quantity), unitPriceCents: event.unitPriceCents,
                totalPriceCents: event.totalPriceCents, eventTime: micros, eventDate: Int32(day), storeID: storeID,
                paymentMethod: type == .sale ? code(event.paymentMethod) : nil,
                clientType: type == .sale ? code(event.clientType) : nil, eventType: type))
    }

    /// Rules 1 to 3 for the fields ``EventJSON`` reads: the event and its type as written, or
    /// the first rule the payload breaks.
    @inline(__always)
    private static func decodeFields(_ payload: [UInt8]) -> Result<(event: POSEvent, rawType: String?), SilverRejection>
    {
        do {
            return .success(try EventJSON.decodeFields(payload))
        } catch let error as LakehouseError {
            return .failure(SilverRejection(reason: error.reason ?? "malformed:json", detail: error.message))
        } catch {
            return .failure(SilverRejection(reason: "malformed:json", detail: "\(error)"))
        }
    }

    /// Why `event`'s quantity is refused: not within 1…``maximumQuantity`` (0… for a stock count).
    @inline(__always)
    private static func quantityRejection(_ event: POSEvent) -> SilverRejection? {
        let minimum: Int64 = event.eventType == .stockCount ? 0 : 1
        if (minimum...maximumQuantity).contains(Int64(event.quantity)) { return nil }
        return SilverRejection(
            reason: "invalid:quantity",
            detail: event.quantity < minimum
                ? "quantity \(event.quantity) must be \(minimum == 0 ? "≥ 0 for a stock count" : "> 0")"
                : "quantity \(event.quantity) is above \(maximumQuantity), the most one record may carry")
    }

    /// Rule 4: why `event`'s total is refused, when it is not unit price × quantity (± 0.01).
    @inline(__always)
    private static func totalRejection(_ event: POSEvent) -> SilverRejection? {
        let (product, overflow) = event.unitPriceCents.multipliedReportingOverflow(by: Int64(event.quantity))
        guard overflow || abs(product - event.totalPriceCents) > 1 else { return nil }
        return SilverRejection(
            reason: "inconsistent:total_vs_unit_x_qty",
            detail:
                "total_price \(EventJSON.centsText(event.totalPriceCents)) is not unit_price \(EventJSON.centsText(event.unitPriceCents)) × quantity \(event.quantity) (± 0.01)"
        )
    }

    /// Rule 5: `timestamp` in microseconds since 1970, or why it is refused (not RFC 3339, before
    /// ``earliestEventTime``, or more than ``maximumLead`` after `arrivalMicros`).
    @inline(__always)
    private static func eventTime(_ timestamp: String, arrivalMicros: Int64?) -> Result<Int64, SilverRejection> {
        guard let micros = EventTimestamp.parse(timestamp) else {
            return .failure(
                SilverRejection(reason: "invalid:timestamp", detail: "timestamp '\(timestamp)' is not RFC 3339"))
        }
        if micros < earliestEventTime {
            return .failure(
                SilverRejection(
                    reason: "invalid:timestamp",
                    detail: "timestamp '\(timestamp)' is before 2000-01-01T00:00:00Z, the earliest accepted"))
        }
        if let arrivalMicros, micros > arrivalMicros + maximumLead {
            return .failure(
                SilverRejection(
                    reason: "invalid:timestamp",
                    detail:
                        "timestamp '\(timestamp)' is more than a day after the record reached Kinesis (\(EventTimestamp.format(micros: arrivalMicros)))"
                ))
        }
        return .success(micros)
    }

    /// Why an amount of `cents` cannot be `field`: negative, or above ``maximumPriceCents``.
    private static func amountRejection(_ field: StaticString, _ cents: Int64) -> SilverRejection? {
        if cents < 0 { return SilverRejection(reason: "invalid:\(field)", detail: "\(field) is negative") }
        guard cents > maximumPriceCents else { return nil }
        return SilverRejection(
            reason: "invalid:\(field)",
            detail:
                "\(field) \(EventJSON.centsText(cents)) is above \(EventJSON.centsText(maximumPriceCents)), the largest decimal(12, 2)"
        )
    }

    /// Upper-cased and trimmed; `nil` when blank.
    private static func code(_ value: String?) -> String? {
        guard let value else { return nil }
        let text = upperCased(trimmed(value))
        return text.isEmpty ? nil : text
    }

    /// `value` upper-cased; the value itself (no copy) when it has no lower-case ASCII letter
    /// and is all ASCII, as codes usually are.
    static func upperCased(_ value: String) -> String {
        var needsWork = false
        for byte in value.utf8 where byte >= 0x80 || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) {
            needsWork = true
            break
        }
        return needsWork ? value.uppercased() : value
    }

    /// `value` without leading and trailing white space.
    static func trimmed(_ value: String) -> String {
        // The common case, checked on bytes: an ASCII first and last byte that is not space.
        if let first = value.utf8.first, let last = value.utf8.last, first < 0x80, last < 0x80,
            !Self.isASCIISpace(first), !Self.isASCIISpace(last)
        {
            return value
        }
        var text = Substring(value)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text.startIndex == value.startIndex && text.endIndex == value.endIndex ? value : String(text)
    }

    /// Space, tab, line feed, vertical tab, form feed, carriage return.
    private static func isASCIISpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
}
