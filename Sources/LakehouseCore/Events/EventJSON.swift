import Foundation

/// The JSON form of ``POSEvent``: one flat object per record, fields in the original producer's
/// order, prices as numbers with two decimals, `event_type` always written (a reader treats a
/// record without it as a sale).
public enum EventJSON {
    /// The fields every event must have (`payment_method`, `client_type` and `event_type` may
    /// be absent).
    public static let requiredFields = [
        "transaction_id", "product_id", "product_name", "category", "quantity", "unit_price", "total_price",
        "timestamp", "store_id",
    ]

    /// A change to one field of an encoded event, for making test and dirty records.
    public enum FieldEdit: Sendable, Hashable {
        /// The field is left out.
        case omit(String)
        /// The field is written as `null`.
        case null(String)
        /// The field is written as this string instead.
        case raw(String, String)
    }

    /// The JSON object of `event`, as UTF-8 bytes, with an optional edit of one field.
    ///
    /// - Complexity: O(size of the event).
    public static func encode(_ event: POSEvent, editing edit: FieldEdit? = nil) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(320)
        out.append(UInt8(ascii: "{"))
        var first = true
        func put(_ name: String, _ write: (inout [UInt8]) -> Void) {
            switch edit {
            case .omit(let field)? where field == name: return
            default: break
            }
            if !first { out.append(contentsOf: [UInt8(ascii: ","), UInt8(ascii: " ")]) }
            first = false
            string(name, &out)
            out.append(contentsOf: [UInt8(ascii: ":"), UInt8(ascii: " ")])
            switch edit {
            case .null(let field)? where field == name: out.append(contentsOf: Array("null".utf8))
            case .raw(let field, let text)? where field == name: string(text, &out)
            default: write(&out)
            }
        }
        put("transaction_id") { string(event.transactionID, &$0) }
        put("product_id") { string(event.productID, &$0) }
        put("product_name") { string(event.productName, &$0) }
        put("category") { string(event.category, &$0) }
        put("quantity") { $0.append(contentsOf: String(event.quantity).utf8) }
        put("unit_price") { cents(event.unitPriceCents, &$0) }
        put("total_price") { cents(event.totalPriceCents, &$0) }
        put("timestamp") { string(event.timestamp, &$0) }
        put("store_id") { string(event.storeID, &$0) }
        if let payment = event.paymentMethod { put("payment_method") { string(payment, &$0) } }
        if let client = event.clientType { put("client_type") { string(client, &$0) } }
        put("event_type") { string(event.eventType.rawValue, &$0) }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// Decodes a record into an event.
    ///
    /// - Throws: ``LakehouseError`` with ``LakehouseError/Code/invalidEvent`` naming the first
    ///   problem, in the order of the silver rules: malformed JSON, a missing or null field, a
    ///   quantity or price that is not a number (or a price with more than two decimals), an
    ///   unknown `event_type`.
    public static func decode(_ bytes: [UInt8]) throws -> POSEvent {
        let (event, rawType) = try decodeFields(bytes)
        if let rawType { _ = try eventType(rawType) }
        return event
    }

    /// `raw` as an event type.
    ///
    /// - Throws: ``LakehouseError`` with reason `unknown:event_type`.
    static func eventType(_ raw: String) throws -> EventType {
        guard let known = EventType(rawValue: raw) else {
            throw LakehouseError(
                code: .invalidEvent, message: "unknown:event_type: '\(raw)' is not sale, restock or stock_count",
                reason: "unknown:event_type")
        }
        return known
    }

    /// Decodes every field but leaves an `event_type` it does not know to the caller: the event
    /// (a sale when the type is absent or unknown) and the type as written, if any.
    static func decodeFields(_ bytes: [UInt8]) throws -> (event: POSEvent, rawType: String?) {
        let object = try FlatJSONObject.parse(bytes)
        // Every required field is read once; rule 2 (missing, null or blank) is checked for all
        // of them before rule 3 (the wrong type) for any.
        let values = requiredFields.map { object[$0] }
        try checkPresent(values)
        // In the order of `requiredFields`.
        let transactionID = try text(values, 0)
        let productID = try text(values, 1)
        let productName = try text(values, 2)
        let category = try text(values, 3)
        let quantityText = try number(values, 4)
        let unitText = try number(values, 5)
        let totalText = try number(values, 6)
        let timestamp = try text(values, 7)
        let storeID = try text(values, 8)
        let quantity = try wholeQuantity(quantityText)
        let unit = try amount("unit_price", unitText)
        let total = try amount("total_price", totalText)
        let raw = try optionalText(object, "event_type")
        let event = POSEvent(
            transactionID: transactionID, productID: productID, productName: productName, category: category,
            quantity: Int(quantity), unitPriceCents: unit, totalPriceCents: total, timestamp: timestamp,
            storeID: storeID,
            paymentMethod: try optionalText(object, "payment_method"),
            clientType: try optionalText(object, "client_type"),
            eventType: raw.flatMap(EventType.init(rawValue:)) ?? .sale)
        return (event, raw)
    }

    /// The error of a record that breaks rule `reason` (`null:quantity`), saying why in `detail`.
    @inline(__always)
    private static func invalid(_ reason: String, _ detail: String) -> LakehouseError {
        LakehouseError(code: .invalidEvent, message: "\(reason): \(detail)", reason: reason)
    }

    /// Rule 2: throws `null:<field>` for the first of the required fields' `values` that is
    /// missing, null or blank.
    @inline(__always)
    private static func checkPresent(_ values: [FlatJSONObject.Value?]) throws {
        for (key, value) in zip(requiredFields, values) {
            switch value {
            case nil, .null?: throw invalid("null:\(key)", "the record has no \(key)")
            case .string(let text)? where SilverRules.trimmed(text).isEmpty:
                throw invalid("null:\(key)", "\(key) is blank")
            default: continue
            }
        }
    }

    /// `value` of field `key`, unless it holds U+0000: PostgreSQL's text cannot hold it, so
    /// neither sink may receive it.
    @inline(__always)
    private static func withoutNUL(_ key: String, _ value: String) throws -> String {
        let holdsNUL =
            value.utf8.withContiguousStorageIfAvailable { buffer in
                buffer.baseAddress.map { memchr($0, 0, buffer.count) != nil } ?? false
            }
            ?? value.utf8.contains(0)
        guard holdsNUL else { return value }
        throw invalid("invalid:\(key)", "\(key) contains the character U+0000 (NUL), which no text column holds")
    }

    /// The string of required field `index`.
    @inline(__always)
    private static func text(_ values: [FlatJSONObject.Value?], _ index: Int) throws -> String {
        let key = requiredFields[index]
        guard case .string(let value)? = values[index] else {
            throw invalid("invalid:\(key)", "\(key) is not a string")
        }
        return try withoutNUL(key, value)
    }

    /// The number literal of required field `index`.
    @inline(__always)
    private static func number(_ values: [FlatJSONObject.Value?], _ index: Int) throws -> String {
        let key = requiredFields[index]
        guard case .number(let literal)? = values[index] else {
            throw invalid("invalid:\(key)", "\(key) is not a number")
        }
        return literal
    }

    /// The string of optional field `key`; nil when it is absent or null.
    @inline(__always)
    private static func optionalText(_ object: FlatJSONObject, _ key: String) throws -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let value)?: return try withoutNUL(key, value)
        default: throw invalid("invalid:\(key)", "\(key) is not a string")
        }
    }

    /// The quantity literal `text` as a whole number, at most 18 significant digits.
    @inline(__always)
    private static func wholeQuantity(_ text: String) throws -> Int64 {
        guard let value = JSONDecimal(text) else {
            throw invalid(
                "invalid:quantity", "quantity \(text) has more digits than a quantity can (18 significant at most)")
        }
        guard let quantity = value.wholeValue() else {
            throw invalid(
                "invalid:quantity",
                value.exponent < 0
                    ? "quantity \(text) is not a whole number"
                    : "quantity \(text) is above \(SilverRules.maximumQuantity), the most one record may carry")
        }
        return quantity
    }

    /// The amount literal `text` of field `key` in cents.
    @inline(__always)
    private static func amount(_ key: StaticString, _ text: String) throws -> Int64 {
        guard let cents = Self.cents(text) else {
            throw invalid("invalid:\(key)", "\(key) \(text) is not an amount with at most two decimals")
        }
        return cents
    }

    /// A JSON number literal as cents, when its value has at most two decimals (`5.88`, `4`,
    /// `-0.5`, `5.880`, `5.88e0`) and fits in `Int64` cents; `nil` otherwise.
    static func cents(_ literal: String) -> Int64? {
        JSONDecimal(literal)?.wholeValue(scaledBy: 2)
    }

    static func string(_ value: String, _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// `value` cents as the contract writes an amount: two decimals (`-3.05`, `4.00`).
    public static func centsText(_ value: Int64) -> String {
        var out: [UInt8] = []
        cents(value, &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func cents(_ value: Int64, _ out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        out.append(contentsOf: String(magnitude / 100).utf8)
        out.append(UInt8(ascii: "."))
        let fraction = magnitude % 100
        out.append(UInt8(ascii: "0") + UInt8(fraction / 10))
        out.append(UInt8(ascii: "0") + UInt8(fraction % 10))
    }
}
