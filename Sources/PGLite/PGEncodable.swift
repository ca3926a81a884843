import Foundation

/// A Swift value that can be sent to PostgreSQL as a parameter or a COPY field.
///
/// Values travel in PostgreSQL's text format, exactly: numerics never pass through `Double`,
/// timestamps keep their microseconds. Conform your own types by appending their text form.
public protocol PGEncodable: Sendable {
    /// The type the server is told the parameter has; ``PGDataType/unspecified`` lets it infer.
    static var pgDataType: PGDataType { get }
    /// Appends the value's text representation (UTF-8), as `COPY` and parameters want it.
    func appendPGText(to output: inout [UInt8])
    /// Appends the value in PostgreSQL's binary format (for `COPY … (FORMAT binary)`), as the
    /// column's type reads it. The default appends the text form, which is the binary form of
    /// text-like types (`text`, `varchar`, `json`).
    func appendPGBinary(to output: inout [UInt8])
}

extension PGEncodable {
    /// The default: appends the text form, which is the binary form only of text-like types; other conformers
    /// must implement it to be used with `COPY … (FORMAT binary)`.
    public func appendPGBinary(to output: inout [UInt8]) { appendPGText(to: &output) }
}

/// Appends `value` big-endian, as PostgreSQL's binary formats want integers.
@inline(__always)
func appendBigEndian<T: FixedWidthInteger>(_ value: T, to output: inout [UInt8]) {
    withUnsafeBytes(of: value.bigEndian) { output.append(contentsOf: $0) }
}

extension PGEncodable {
    /// The value's text representation.
    public var pgText: String {
        var bytes: [UInt8] = []
        appendPGText(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension String: PGEncodable {
    /// Unspecified, so that a string can fill a parameter of any type (`'42'` into an integer
    /// column), as a literal in SQL would.
    public static var pgDataType: PGDataType { .unspecified }
    /// The UTF-8 bytes as they are; the COPY writer adds whatever escaping its format needs.
    public func appendPGText(to output: inout [UInt8]) { output.append(contentsOf: utf8) }
}

extension Substring: PGEncodable {
    /// Unspecified, like `String`, so that the server infers the parameter's type.
    public static var pgDataType: PGDataType { .unspecified }
    /// The UTF-8 bytes as they are; the COPY writer adds whatever escaping its format needs.
    public func appendPGText(to output: inout [UInt8]) { output.append(contentsOf: utf8) }
}

/// Appends the decimal digits of `value` (not generic: this runs for every COPY field).
func appendDecimal(_ value: Int64, to output: inout [UInt8]) {
    var magnitude = value.magnitude
    if value < 0 { output.append(UInt8(ascii: "-")) }
    // At most 20 digits, written backwards into 24 bytes of stack scratch.
    var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
    var count = 0
    withUnsafeMutableBytes(of: &digits) { scratch in
        repeat {
            scratch[23 - count] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
            magnitude /= 10
            count += 1
        } while magnitude > 0
        output.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[(24 - count)...]))
    }
}

extension Int: PGEncodable {
    /// `bigint`, so that every `Int` value fits.
    public static var pgDataType: PGDataType { .int8 }
    /// Decimal digits with a leading `-` when negative, written without building a `String` (this runs per COPY
    /// field).
    public func appendPGText(to output: inout [UInt8]) { appendDecimal(Int64(self), to: &output) }
    /// Eight bytes big-endian, the binary form of `bigint`: the column must be `bigint`.
    public func appendPGBinary(to output: inout [UInt8]) { appendBigEndian(Int64(self), to: &output) }
}

extension Int64: PGEncodable {
    /// `bigint`.
    public static var pgDataType: PGDataType { .int8 }
    /// Decimal digits with a leading `-` when negative, written without building a `String` (this runs per COPY
    /// field).
    public func appendPGText(to output: inout [UInt8]) { appendDecimal(self, to: &output) }
    /// Eight bytes big-endian, the binary form of `bigint`: the column must be `bigint`.
    public func appendPGBinary(to output: inout [UInt8]) { appendBigEndian(self, to: &output) }
}

extension Int32: PGEncodable {
    /// `integer`.
    public static var pgDataType: PGDataType { .int4 }
    /// Decimal digits with a leading `-` when negative.
    public func appendPGText(to output: inout [UInt8]) { appendDecimal(Int64(self), to: &output) }
    /// Four bytes big-endian, the binary form of `integer`: the column must be `integer`.
    public func appendPGBinary(to output: inout [UInt8]) { appendBigEndian(self, to: &output) }
}

extension Int16: PGEncodable {
    /// `smallint`.
    public static var pgDataType: PGDataType { .int2 }
    /// Decimal digits with a leading `-` when negative.
    public func appendPGText(to output: inout [UInt8]) { appendDecimal(Int64(self), to: &output) }
    /// Two bytes big-endian, the binary form of `smallint`: the column must be `smallint`.
    public func appendPGBinary(to output: inout [UInt8]) { appendBigEndian(self, to: &output) }
}

extension Bool: PGEncodable {
    /// `boolean`.
    public static var pgDataType: PGDataType { .bool }
    /// `t` or `f`, as PostgreSQL itself prints booleans.
    public func appendPGText(to output: inout [UInt8]) { output.append(self ? UInt8(ascii: "t") : UInt8(ascii: "f")) }
    /// One byte, 1 or 0, the binary form of `boolean`.
    public func appendPGBinary(to output: inout [UInt8]) { output.append(self ? 1 : 0) }
}

/// Appends a floating-point value in a form PostgreSQL reads back exactly.
func appendFloatingPoint<T: BinaryFloatingPoint & LosslessStringConvertible>(_ value: T, to output: inout [UInt8]) {
    if value.isNaN {
        output.append(contentsOf: "NaN".utf8)
    } else if value.isInfinite {
        output.append(contentsOf: (value < 0 ? "-Infinity" : "Infinity").utf8)
    } else {
        // Swift prints the shortest text that reads back as the same value.
        output.append(contentsOf: value.description.utf8)
    }
}

extension Double: PGEncodable {
    /// `double precision`.
    public static var pgDataType: PGDataType { .float8 }
    /// The shortest decimal that reads back as the same `Double`, or `NaN`, `Infinity`, `-Infinity`.
    public func appendPGText(to output: inout [UInt8]) { appendFloatingPoint(self, to: &output) }
    /// The IEEE 754 bits, eight bytes big-endian: the column must be `double precision`.
    public func appendPGBinary(to output: inout [UInt8]) { appendBigEndian(bitPattern, to: &output) }
}

extension Float: PGEncodable {
    /// `real`.
    public static var pgDataType: PGDataType { .float4 }
    /// The shortest decimal that reads back as the same `Float`, or `NaN`, `Infinity`, `-Infinity`.
    public func appendPGText(to output: inout [UInt8]) { appendFloatingPoint(self, to: &output) }
    /// The IEEE 754 bits, four bytes big-endian: the column must be `real`.
    public func appendPGBinary(to output: inout [UInt8]) { appendBigEndian(bitPattern, to: &output) }
}

extension Date: PGEncodable {
    /// `timestamptz`, in UTC, to the microsecond.
    public static var pgDataType: PGDataType { .timestamptz }
    /// `YYYY-MM-DD HH:MM:SS.ffffff+00` in UTC (with ` BC` before year 1), which any session time zone reads the same.
    public func appendPGText(to output: inout [UInt8]) { PGTimestamp.append(self, to: &output) }
    /// Microseconds since 2000-01-01 00:00:00 UTC.
    public func appendPGBinary(to output: inout [UInt8]) {
        appendBigEndian(PGTimestamp.microseconds(self) - PGTimestamp.postgresEpochMicros, to: &output)
    }
}

extension Decimal: PGEncodable {
    /// `numeric`, exact.
    public static var pgDataType: PGDataType { .numeric }
    /// The plain decimal digits, never an exponent, so no precision is lost; `NaN` for `Decimal.nan`.
    public func appendPGText(to output: inout [UInt8]) {
        output.append(contentsOf: (isNaN ? "NaN" : description).utf8)
    }

    /// `numeric`'s binary form: base-10000 digits with weight, sign and display scale.
    public func appendPGBinary(to output: inout [UInt8]) {
        if isNaN {
            for field: Int16 in [0, 0, Int16(bitPattern: 0xC000), 0] { appendBigEndian(field, to: &output) }
            return
        }
        var text = Substring(description)
        let negative = text.first == "-"
        if negative { text = text.dropFirst() }
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let integer = Array(parts[0].utf8)
        let fraction = parts.count > 1 ? Array(parts[1].utf8) : []
        let digits =
            [UInt8](repeating: UInt8(ascii: "0"), count: (4 - integer.count % 4) % 4) + integer + fraction
            + [UInt8](repeating: UInt8(ascii: "0"), count: (4 - fraction.count % 4) % 4)
        var groups: [Int16] = stride(from: 0, to: digits.count, by: 4).map { start in
            digits[start..<(start + 4)].reduce(Int16(0)) { $0 * 10 + Int16($1 - UInt8(ascii: "0")) }
        }
        var weight = (integer.count + (4 - integer.count % 4) % 4) / 4 - 1
        while let first = groups.first, first == 0 {
            groups.removeFirst()
            weight -= 1
        }
        while let last = groups.last, last == 0 { groups.removeLast() }
        if groups.isEmpty { weight = 0 }
        appendBigEndian(Int16(groups.count), to: &output)
        appendBigEndian(Int16(weight), to: &output)
        appendBigEndian(negative && !groups.isEmpty ? Int16(0x4000) : Int16(0), to: &output)
        appendBigEndian(Int16(fraction.count), to: &output)
        for group in groups { appendBigEndian(group, to: &output) }
    }
}

extension UUID: PGEncodable {
    /// `uuid`.
    public static var pgDataType: PGDataType { .uuid }
    /// The hyphenated form in lower case, as PostgreSQL prints a `uuid`.
    public func appendPGText(to output: inout [UInt8]) { output.append(contentsOf: uuidString.lowercased().utf8) }
    /// The 16 bytes in order, the binary form of `uuid`.
    public func appendPGBinary(to output: inout [UInt8]) { withUnsafeBytes(of: uuid) { output.append(contentsOf: $0) } }
}

/// Bytes for a `bytea` parameter or column (plain `[UInt8]` would be ambiguous with arrays).
public struct PGBytes: PGEncodable, Hashable {
    /// The bytes.
    public var bytes: [UInt8]

    /// Wraps `bytes`.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// `bytea`, so that the server reads the `\x…` text as bytes, not as a string.
    public static var pgDataType: PGDataType { .bytea }

    /// The bytes themselves.
    public func appendPGBinary(to output: inout [UInt8]) { output.append(contentsOf: bytes) }

    /// `\x` and two lower-case hex digits per byte.
    public func appendPGText(to output: inout [UInt8]) {
        let digits: StaticString = "0123456789abcdef"
        output.reserveCapacity(output.count + 2 + bytes.count * 2)
        output.append(UInt8(ascii: "\\"))
        output.append(UInt8(ascii: "x"))
        digits.withUTF8Buffer { hex in
            for byte in bytes {
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 15)])
            }
        }
    }
}

extension Data: PGEncodable {
    /// `bytea`, so that the server reads the `\x…` text as bytes, not as a string.
    public static var pgDataType: PGDataType { .bytea }
    /// `\x` and two lower-case hex digits per byte, as for ``PGBytes``.
    public func appendPGText(to output: inout [UInt8]) { PGBytes(Array(self)).appendPGText(to: &output) }
    /// The bytes themselves.
    public func appendPGBinary(to output: inout [UInt8]) { output.append(contentsOf: self) }
}

extension Array: PGEncodable where Element: PGArrayElement {
    /// The element's array type, for example ``PGDataType/int8Array`` for `[Int64]`.
    public static var pgDataType: PGDataType { Element.pgArrayType }
    /// A one-dimensional array literal: `{1,2,3}`, `{"a","b \"c\""}`.
    public func appendPGText(to output: inout [UInt8]) {
        output.append(UInt8(ascii: "{"))
        for (index, element) in enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            element.appendPGArrayElement(to: &output)
        }
        output.append(UInt8(ascii: "}"))
    }

    /// One dimension, lower bound 1, no NULLs, each element with its length.
    public func appendPGBinary(to output: inout [UInt8]) {
        appendBigEndian(Int32(isEmpty ? 0 : 1), to: &output)
        appendBigEndian(Int32(0), to: &output)
        appendBigEndian(Int32(bitPattern: Element.pgArrayElementType.rawValue), to: &output)
        if isEmpty { return }
        appendBigEndian(Int32(count), to: &output)
        appendBigEndian(Int32(1), to: &output)
        for element in self {
            let start = output.count
            output.append(contentsOf: [0, 0, 0, 0])
            element.appendPGBinary(to: &output)
            let length = Int32(output.count - start - 4).bigEndian
            Swift.withUnsafeBytes(of: length) { output.replaceSubrange(start..<(start + 4), with: $0) }
        }
    }
}

/// A type whose arrays PGLite sends and reads (`bigint[]`, `text[]`).
public protocol PGArrayElement: PGEncodable, PGDecodable {
    /// The array type, for example ``PGDataType/int8Array``.
    static var pgArrayType: PGDataType { get }
    /// The element type, for example ``PGDataType/int8``.
    static var pgArrayElementType: PGDataType { get }
    /// Appends the element as it appears inside an array literal.
    func appendPGArrayElement(to output: inout [UInt8])
}

extension Int64: PGArrayElement {
    /// `bigint[]`.
    public static var pgArrayType: PGDataType { .int8Array }
    /// `bigint`, written into the header of the binary array form.
    public static var pgArrayElementType: PGDataType { .int8 }
    /// The decimal digits, unquoted: numbers need no quoting inside an array literal.
    public func appendPGArrayElement(to output: inout [UInt8]) { appendPGText(to: &output) }
}

extension Double: PGArrayElement {
    /// `double precision[]`.
    public static var pgArrayType: PGDataType { .float8Array }
    /// `double precision`, written into the header of the binary array form.
    public static var pgArrayElementType: PGDataType { .float8 }
    /// The text form, unquoted; `NaN` and `Infinity` are valid unquoted inside a `double precision[]` literal.
    public func appendPGArrayElement(to output: inout [UInt8]) { appendPGText(to: &output) }
}

extension String: PGArrayElement {
    /// `text[]`.
    public static var pgArrayType: PGDataType { .textArray }
    /// `text`, written into the header of the binary array form.
    public static var pgArrayElementType: PGDataType { .text }
    /// Always quoted, with `"` and `\` escaped, so that `NULL`, empty strings and commas survive.
    public func appendPGArrayElement(to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in utf8 {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { output.append(UInt8(ascii: "\\")) }
            output.append(byte)
        }
        output.append(UInt8(ascii: "\""))
    }
}

extension PGConnection {
    /// Quotes `identifier` as a PostgreSQL identifier (`my "table"` becomes `"my ""table"""`), for
    /// the names that cannot be parameters: tables, columns, schemas.
    public static func quoteIdentifier(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
