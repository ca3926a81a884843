/// The silver rules (DESIGN.md, "Silver"), checked in order; the first that fails is the reason:
///
/// 1. `malformed:json` — not one JSON object;
/// 2. `null:<field>` — a required field missing, `null` or blank (transaction_id, product_id,
///    product_name, category, quantity, unit_price, total_price, timestamp, store_id);
/// 3. `invalid:quantity` — not a whole number, or not > 0 (≥ 0 for a stock count);
///    `invalid:unit_price`, `invalid:total_price` — not an amount with at most two decimals, or
///    negative; a field of the wrong JSON type is `invalid:<field>` too;
/// 4. `inconsistent:total_vs_unit_x_qty` — total_price differs from unit_price × quantity by more
///    than 0.01;
/// 5. `invalid:timestamp` — not RFC 3339 (any offset is fine: it is normalised to UTC);
/// 6. `unknown:event_type` — not `sale`, `restock` or `stock_count` (absent means sale).
///
/// A record in the original producer's format (no `event_type`) passes as a sale.
public enum SilverRules {
    /// Cleans one record's payload.
    ///
    /// - Complexity: O(payload size).
    public static func clean(_ payload: [UInt8]) -> Result<SilverEvent, SilverRejection> {
        let decoded: (event: POSEvent, rawType: String?)
        do {
            decoded = try EventJSON.decodeFields(payload)
        } catch let error as LakehouseError {
            return .failure(SilverRejection(reason: error.reason ?? "malformed:json", detail: error.message))
        } catch {
            return .failure(SilverRejection(reason: "malformed:json", detail: "\(error)"))
        }
        let event = decoded.event
        let transactionID = trimmed(event.transactionID)
        let productID = trimmed(event.productID)
        let productName = trimmed(event.productName)
        let category = upperCased(trimmed(event.category))
        let storeID = upperCased(trimmed(event.storeID))
        let timestamp = trimmed(event.timestamp)
        func blank(_ field: String) -> Result<SilverEvent, SilverRejection> {
            .failure(SilverRejection(reason: "null:\(field)", detail: "\(field) is blank"))
        }
        if transactionID.isEmpty { return blank("transaction_id") }
        if productID.isEmpty { return blank("product_id") }
        if productName.isEmpty { return blank("product_name") }
        if category.isEmpty { return blank("category") }
        if timestamp.isEmpty { return blank("timestamp") }
        if storeID.isEmpty { return blank("store_id") }
        let type = event.eventType
        let minimum = type == .stockCount ? 0 : 1
        guard event.quantity >= minimum else {
            return .failure(
                SilverRejection(
                    reason: "invalid:quantity",
                    detail: "quantity \(event.quantity) must be \(minimum == 0 ? "≥ 0 for a stock count" : "> 0")"))
        }
        guard event.unitPriceCents >= 0 else {
            return .failure(SilverRejection(reason: "invalid:unit_price", detail: "unit_price is negative"))
        }
        guard event.totalPriceCents >= 0 else {
            return .failure(SilverRejection(reason: "invalid:total_price", detail: "total_price is negative"))
        }
        let (product, overflow) = event.unitPriceCents.multipliedReportingOverflow(by: Int64(event.quantity))
        guard !overflow, abs(product - event.totalPriceCents) <= 1 else {
            return .failure(
                SilverRejection(
                    reason: "inconsistent:total_vs_unit_x_qty",
                    detail:
                        "total_price \(EventJSON.centsText(event.totalPriceCents)) is not unit_price \(EventJSON.centsText(event.unitPriceCents)) × quantity \(event.quantity) (± 0.01)"
                ))
        }
        guard let micros = EventTimestamp.parse(timestamp) else {
            return .failure(
                SilverRejection(reason: "invalid:timestamp", detail: "timestamp '\(timestamp)' is not RFC 3339"))
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
