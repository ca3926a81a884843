import Foundation

/// A Swift value that can be read from a result column in PostgreSQL's text format.
public protocol PGDecodable: Sendable {
    /// Reads the value from its text form.
    ///
    /// - Parameters:
    ///   - text: the column's value as the server sent it.
    ///   - type: the column's type.
    /// - Returns: the value, or `nil` when `text` is not a value of this type or `type` is not
    ///   one this Swift type reads (the caller turns that into an error naming the column).
    static func decode(pgText text: String, type: PGDataType) -> Self?
}

extension String: PGDecodable {
    /// Any column reads as a string: its text representation.
    public static func decode(pgText text: String, type: PGDataType) -> String? { text }
}

/// Integers read from `smallint`, `integer`, `bigint` and `oid` columns, and from text columns.
private func decodeInteger<T: FixedWidthInteger>(_ text: String, _ type: PGDataType) -> T? {
    guard [.int2, .int4, .int8, .oid].contains(type) || type.isTextual else { return nil }
    return T(text)
}

extension Int: PGDecodable {
    /// From `smallint`, `integer`, `bigint`, `oid` and text columns; `nil` for text that is not an integer.
    public static func decode(pgText text: String, type: PGDataType) -> Int? { decodeInteger(text, type) }
}

extension Int64: PGDecodable {
    /// From `smallint`, `integer`, `bigint`, `oid` and text columns; `nil` for text that is not an integer.
    public static func decode(pgText text: String, type: PGDataType) -> Int64? { decodeInteger(text, type) }
}

extension Int32: PGDecodable {
    /// From `smallint`, `integer`, `bigint`, `oid` and text columns; `nil` when the value does not fit in 32 bits.
    public static func decode(pgText text: String, type: PGDataType) -> Int32? { decodeInteger(text, type) }
}

extension Int16: PGDecodable {
    /// From `smallint`, `integer`, `bigint`, `oid` and text columns; `nil` when the value does not fit in 16 bits.
    public static func decode(pgText text: String, type: PGDataType) -> Int16? { decodeInteger(text, type) }
}

extension Bool: PGDecodable {
    /// From `boolean` columns (`t`/`f`) and text columns holding `t`, `f`, `true` or `false`.
    public static func decode(pgText text: String, type: PGDataType) -> Bool? {
        guard type == .bool || type.isTextual else { return nil }
        switch text {
        case "t", "true": return true
        case "f", "false": return false
        default: return nil
        }
    }
}

/// Floating-point values read from `real`, `double precision`, integer and `numeric` columns.
private func decodeFloatingPoint<T: BinaryFloatingPoint & LosslessStringConvertible>(
    _ text: String, _ type: PGDataType
) -> T? {
    guard [.float4, .float8, .int2, .int4, .int8, .numeric].contains(type) || type.isTextual else { return nil }
    switch text {
    case "NaN": return .nan
    case "Infinity": return .infinity
    case "-Infinity": return -.infinity
    default: return T(text)
    }
}

extension Double: PGDecodable {
    /// From `real`, `double precision`, integer, `numeric` (rounded to the nearest `Double`) and text columns;
    /// `NaN`, `Infinity` and `-Infinity` read as their IEEE 754 values.
    public static func decode(pgText text: String, type: PGDataType) -> Double? { decodeFloatingPoint(text, type) }
}

extension Float: PGDecodable {
    /// From `real`, `double precision`, integer, `numeric` and text columns, rounded to the nearest `Float`;
    /// `NaN`, `Infinity` and `-Infinity` read as their IEEE 754 values.
    public static func decode(pgText text: String, type: PGDataType) -> Float? { decodeFloatingPoint(text, type) }
}

extension Decimal: PGDecodable {
    /// From `numeric` (exact) and integer columns; `NaN` reads as `Decimal.nan`.
    public static func decode(pgText text: String, type: PGDataType) -> Decimal? {
        guard [.numeric, .int2, .int4, .int8].contains(type) || type.isTextual else { return nil }
        if text == "NaN" { return .nan }
        // Decimal(string:) stops at the first character it cannot read; numeric text has no others.
        guard !text.isEmpty, text.utf8.allSatisfy({ (48...57).contains($0) || $0 == 46 || $0 == 45 || $0 == 43 }) else {
            return nil
        }
        guard let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")), !value.isNaN else {
            return nil
        }
        return value
    }
}

extension Date: PGDecodable {
    /// From `timestamptz` (any offset), `timestamp` (taken as UTC) and `date` (midnight UTC);
    /// `infinity` and `-infinity` read as `Date.distantFuture` and `Date.distantPast`.
    public static func decode(pgText text: String, type: PGDataType) -> Date? {
        guard [.timestamptz, .timestamp, .date].contains(type) || type.isTextual else { return nil }
        return PGTimestamp.parse(text)
    }
}

extension UUID: PGDecodable {
    /// From `uuid` and text columns, in the hyphenated form; `nil` for anything else.
    public static func decode(pgText text: String, type: PGDataType) -> UUID? {
        guard type == .uuid || type.isTextual else { return nil }
        return UUID(uuidString: text)
    }
}

extension PGBytes: PGDecodable {
    /// From `bytea` in the `hex` output format (the default since PostgreSQL 9.0).
    public static func decode(pgText text: String, type: PGDataType) -> PGBytes? {
        guard type == .bytea else { return nil }
        var utf8 = text.utf8[...]
        guard utf8.count % 2 == 0, utf8.popFirst() == UInt8(ascii: "\\"), utf8.popFirst() == UInt8(ascii: "x") else {
            return nil
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        var high: UInt8?
        for character in utf8 {
            let nibble: UInt8
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = character - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = character - UInt8(ascii: "A") + 10
            default: return nil
            }
            if let first = high {
                bytes.append(first << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return PGBytes(bytes)
    }
}

extension Data: PGDecodable {
    /// From `bytea` in the `hex` output format, as ``PGBytes`` reads it.
    public static func decode(pgText text: String, type: PGDataType) -> Data? {
        PGBytes.decode(pgText: text, type: type).map { Data($0.bytes) }
    }
}

extension Array: PGDecodable where Element: PGArrayElement {
    /// A one-dimensional array; a `NULL` element cannot be read into a non-optional element.
    public static func decode(pgText text: String, type: PGDataType) -> [Element]? {
        guard let items = PGArrayText.parse(text) else { return nil }
        var elements: [Element] = []
        elements.reserveCapacity(items.count)
        let elementType: PGDataType = Element.pgArrayType == .int8Array ? .int8 : .text
        for item in items {
            guard let item, let element = Element.decode(pgText: item, type: elementType) else { return nil }
            elements.append(element)
        }
        return elements
    }
}

/// The text form of one-dimensional arrays: `{1,2}`, `{"a b",NULL,c}`.
enum PGArrayText {
    /// The elements (`nil` for an unquoted `NULL`), or `nil` if `text` is not a 1-D array literal.
    static func parse(_ text: String) -> [String?]? {
        var bytes = Array(text.utf8)[...]
        guard bytes.first == UInt8(ascii: "{"), bytes.last == UInt8(ascii: "}") else { return nil }
        bytes = bytes.dropFirst().dropLast()
        if bytes.isEmpty { return [] }
        var items: [String?] = []
        var index = bytes.startIndex
        while true {
            var item: [UInt8] = []
            var quoted = false
            if index < bytes.endIndex, bytes[index] == UInt8(ascii: "\"") {
                quoted = true
                index += 1
                while index < bytes.endIndex, bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\") { index += 1 }
                    guard index < bytes.endIndex else { return nil }
                    item.append(bytes[index])
                    index += 1
                }
                guard index < bytes.endIndex else { return nil }
                index += 1
            } else {
                while index < bytes.endIndex, bytes[index] != UInt8(ascii: ",") {
                    if bytes[index] == UInt8(ascii: "{") { return nil }  // more than one dimension
                    item.append(bytes[index])
                    index += 1
                }
            }
            let value = String(decoding: item, as: UTF8.self)
            items.append(!quoted && value == "NULL" ? nil : value)
            if index == bytes.endIndex { return items }
            guard bytes[index] == UInt8(ascii: ",") else { return nil }
            index += 1
        }
    }
}
