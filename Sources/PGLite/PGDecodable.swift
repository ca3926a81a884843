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

    /// Reads the value from the bytes of its text form, as ``decode(pgText:type:)`` reads the
    /// same text; a result's rows call this one. The default makes a `String` of the bytes;
    /// numbers and booleans read the bytes themselves.
    static func decode(pgBytes bytes: UnsafeBufferPointer<UInt8>, type: PGDataType) -> Self?

    /// Reads the value from its binary form (a result asked for in ``PGResultFormat/binary``);
    /// `nil` when `type` is not one this Swift type reads in binary. The default reads none.
    static func decode(pgBinary bytes: UnsafeBufferPointer<UInt8>, type: PGDataType) -> Self?
}

extension PGDecodable {
    /// Makes a `String` of `bytes` and reads it with ``decode(pgText:type:)``.
    public static func decode(pgBytes bytes: UnsafeBufferPointer<UInt8>, type: PGDataType) -> Self? {
        decode(pgText: String(decoding: bytes, as: UTF8.self), type: type)
    }

    /// Reads no binary form: the caller's error says to read the column in a text result.
    public static func decode(pgBinary bytes: UnsafeBufferPointer<UInt8>, type: PGDataType) -> Self? { nil }
}

extension String: PGDecodable {
    /// Any column reads as a string: its text representation.
    public static func decode(pgText text: String, type: PGDataType) -> String? { text }
}

/// Integers read from `smallint`, `integer`, `bigint` and `oid` columns, and from text columns.
private func decodeInteger<T: FixedWidthInteger>(_ text: String, _ type: PGDataType) -> T? {
    guard type.isInteger || type.isTextual else { return nil }
    return T(text)
}

extension PGDecodable where Self: FixedWidthInteger {
    /// Reads the integer from the bytes of its text, as ``decode(pgText:type:)`` reads the text.
    public static func decode(pgBytes bytes: UnsafeBufferPointer<UInt8>, type: PGDataType) -> Self? {
        decodeInteger(bytes, type)
    }

    /// From `smallint`, `integer`, `bigint` and `oid` in binary, when the value fits.
    public static func decode(pgBinary bytes: UnsafeBufferPointer<UInt8>, type: PGDataType) -> Self? {
        PGBinary.integer(bytes, type)
    }
}

/// ``decodeInteger(_:_:)`` of the bytes of the text: an optional sign and decimal digits, `nil`
/// when they are not or the value does not fit in `T`.
private func decodeInteger<T: FixedWidthInteger>(_ bytes: UnsafeBufferPointer<UInt8>, _ type: PGDataType) -> T? {
    guard type.isInteger || type.isTextual else { return nil }
    return PGNumberText.integer(bytes)
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

    /// The same, read from the bytes.
    public static func decode(pgBytes bytes: UnsafeBufferPointer<UInt8>, type: PGDataType) -> Bool? {
        guard type == .bool || type.isTextual else { return nil }
        switch bytes.count {
        case 1 where bytes[0] == UInt8(ascii: "t"): return true
        case 1 where bytes[0] == UInt8(ascii: "f"): return false
        default: return decode(pgText: String(decoding: bytes, as: UTF8.self), type: type)
        }
    }
}

/// Floating-point values read from `real`, `double precision`, integer and `numeric` columns.
private func decodeFloatingPoint<T: BinaryFloatingPoint & LosslessStringConvertible>(
    _ text: String, _ type: PGDataType
) -> T? {
    guard type.isFloatingPointSource || type.isTextual else { return nil }
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

    /// The same, read from the bytes: a plain decimal number whose digits make at most 2⁵³, with
    /// at most 22 places of scale, without a `String`; any other text as ``decode(pgText:type:)``
    /// reads it.
    public static func decode(pgBytes bytes: UnsafeBufferPointer<UInt8>, type: PGDataType) -> Double? {
        guard type.isFloatingPointSource || type.isTextual else { return nil }
        return PGNumberText.double(bytes) ?? decodeFloatingPoint(String(decoding: bytes, as: UTF8.self), type)
    }
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

/// Values read from PostgreSQL's binary forms (big-endian, fixed width).
enum PGBinary {
    /// The big-endian integer of exactly `MemoryLayout<T>.size` bytes, else `nil`.
    static func bigEndian<T: FixedWidthInteger>(_ bytes: UnsafeBufferPointer<UInt8>, as _: T.Type) -> T? {
        guard bytes.count == MemoryLayout<T>.size else { return nil }
        return bytes.reduce(T.zero) { $0 << 8 | T(truncatingIfNeeded: $1) }
    }

    /// An integer column (`smallint`, `integer`, `bigint`, `oid`) as `T`, if it fits.
    static func integer<T: FixedWidthInteger>(_ bytes: UnsafeBufferPointer<UInt8>, _ type: PGDataType) -> T? {
        switch type {
        case .int2: bigEndian(bytes, as: Int16.self).flatMap { T(exactly: $0) }
        case .int4: bigEndian(bytes, as: Int32.self).flatMap { T(exactly: $0) }
        case .int8: bigEndian(bytes, as: Int64.self).flatMap { T(exactly: $0) }
        case .oid: bigEndian(bytes, as: UInt32.self).flatMap { T(exactly: $0) }
        default: nil
        }
    }

    /// A float or integer column as a `Double`.
    static func double(_ bytes: UnsafeBufferPointer<UInt8>, _ type: PGDataType) -> Double? {
        switch type {
        case .float8: bigEndian(bytes, as: UInt64.self).map { Double(bitPattern: $0) }
        case .float4: bigEndian(bytes, as: UInt32.self).map { Double(Float(bitPattern: $0)) }
        case .int2, .int4, .int8: integer(bytes, type).map { (value: Int64) in Double(value) }
        default: nil
        }
    }

    /// A `timestamptz`, `timestamp` (taken as UTC) or `date` (midnight UTC) column as a `Date`;
    /// PostgreSQL's infinities as `Date.distantFuture` and `Date.distantPast`.
    static func date(_ bytes: UnsafeBufferPointer<UInt8>, _ type: PGDataType) -> Date? {
        switch type {
        case .timestamptz, .timestamp:
            guard let micros = bigEndian(bytes, as: Int64.self) else { return nil }
            if micros == .max { return .distantFuture }
            if micros == .min { return .distantPast }
            return PGTimestamp.date(micros: micros + PGTimestamp.postgresEpochMicros)
        case .date:
            guard let days = bigEndian(bytes, as: Int32.self) else { return nil }
            if days == .max { return .distantFuture }
            if days == .min { return .distantPast }
            return PGTimestamp.date(micros: Int64(days) * 86_400_000_000 + PGTimestamp.postgresEpochMicros)
        default:
            return nil
        }
    }
}

extension Double {
    /// From `double precision`, `real` and integers in binary (`numeric` only in text results).
    public static func decode(pgBinary bytes: UnsafeBufferPointer<UInt8>, type: PGDataType) -> Double? {
        PGBinary.double(bytes, type)
    }
}

extension Float {
    /// From `real` in binary, and from `double precision` and integers rounded to the nearest `Float`.
    public static func decode(pgBinary bytes: UnsafeBufferPointer<UInt8>, type: PGDataType) -> Float? {
        if type == .float4 { return PGBinary.bigEndian(bytes, as: UInt32.self).map { Float(bitPattern: $0) } }
        return PGBinary.double(bytes, type).map { Float($0) }
    }
}

extension Bool {
    /// From `boolean` in binary (one byte).
    public static func decode(pgBinary bytes: UnsafeBufferPointer<UInt8>, type: PGDataType) -> Bool? {
        guard type == .bool, bytes.count == 1 else { return nil }
        return bytes[0] != 0
    }
}

extension String {
    /// From text-like columns in binary (their UTF-8 bytes); `jsonb` and other types only in text results.
    public static func decode(pgBinary bytes: UnsafeBufferPointer<UInt8>, type: PGDataType) -> String? {
        guard type.isTextual, type != .jsonb else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The text itself.
    public static func decode(pgBytes bytes: UnsafeBufferPointer<UInt8>, type: PGDataType) -> String? {
        String(decoding: bytes, as: UTF8.self)
    }
}

extension Date {
    /// From `timestamptz`, `timestamp` (taken as UTC) and `date` (midnight UTC) in binary.
    public static func decode(pgBinary bytes: UnsafeBufferPointer<UInt8>, type: PGDataType) -> Date? {
        PGBinary.date(bytes, type)
    }
}
