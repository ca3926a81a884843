/// One value of the row view (``ParquetRecordBatch/rows``), typed by its column's logical type.
///
/// The row view is for convenience (tools, tests, small reads); for speed, read the typed
/// vectors of ``ParquetRecordBatch/columns`` instead.
public enum ParquetValue: Sendable, Hashable {
    /// No value: a null in an optional field, or a null list or struct.
    case null
    /// A BOOLEAN.
    case boolean(Bool)
    /// A signed integer (INT32, INT64, INT(n, signed)).
    case integer(Int64)
    /// An unsigned integer (INT(n, unsigned)).
    case unsignedInteger(UInt64)
    /// A FLOAT.
    case float(Float)
    /// A DOUBLE.
    case double(Double)
    /// Text (STRING, ENUM, JSON) that is valid UTF-8.
    case string(String)
    /// Bytes without a text annotation, or text that is not valid UTF-8.
    case bytes([UInt8])
    /// A DATE: days since 1970-01-01.
    case date(daysSinceEpoch: Int32)
    /// A TIMESTAMP (or INT96, as nanoseconds): `value` units since 1970-01-01 00:00:00.
    case timestamp(Int64, unit: ParquetTimeUnit, isAdjustedToUTC: Bool)
    /// A DECIMAL.
    case decimal(ParquetDecimal)
    /// A list's elements.
    case list([ParquetValue])
    /// A struct's fields, in schema order.
    case structure(names: [String], values: [ParquetValue])
}

/// An exact decimal: an unscaled integer of any width and a scale.
public struct ParquetDecimal: Sendable, Hashable, CustomStringConvertible {
    /// The unscaled value, big-endian two's complement (as FIXED_LEN_BYTE_ARRAY stores it).
    public var unscaledBytes: [UInt8]
    /// Digits after the decimal point.
    public var scale: Int32

    /// Wraps an unscaled integer stored as big-endian two's complement of any length, as FIXED_LEN_BYTE_ARRAY
    /// and BYTE_ARRAY decimals store it; the decimal is that integer × 10^-`scale`. The bytes are not checked.
    public init(unscaledBytes: [UInt8], scale: Int32) {
        self.unscaledBytes = unscaledBytes
        self.scale = scale
    }

    /// The decimal `unscaled` × 10^-`scale`, from an INT32 or INT64 unscaled value:
    /// `ParquetDecimal(unscaled: 12340, scale: 3)` is `12.340`.
    public init(unscaled: Int64, scale: Int32) {
        self.init(
            unscaledBytes: (0..<8).reversed().map { UInt8(truncatingIfNeeded: unscaled >> ($0 * 8)) }, scale: scale)
    }

    /// The decimal in plain notation (`-12.340`), exact.
    public var description: String {
        var magnitude = unscaledBytes
        let negative = (magnitude.first ?? 0) & 0x80 != 0
        if negative {
            // Two's complement negation: invert, then add one.
            var carry = 1
            for index in magnitude.indices.reversed() {
                let sum = Int(~magnitude[index]) + carry
                magnitude[index] = UInt8(truncatingIfNeeded: sum)
                carry = sum >> 8
            }
        }
        // Repeated division by 10 of the big-endian magnitude.
        var digits: [UInt8] = []
        while magnitude.contains(where: { $0 != 0 }) {
            var remainder = 0
            for index in magnitude.indices {
                let current = remainder << 8 | Int(magnitude[index])
                magnitude[index] = UInt8(current / 10)
                remainder = current % 10
            }
            digits.append(UInt8(remainder))
        }
        let scale = max(Int(scale), 0)
        while digits.count <= scale { digits.append(0) }
        var text = negative ? "-" : ""
        for (position, digit) in digits.enumerated().reversed() {
            text.append(Character(Unicode.Scalar(48 + digit)))
            if position == scale && scale > 0 { text.append(".") }
        }
        return text
    }
}

extension ParquetValue {
    /// The value in JSON, in the representation of the parquet-testing conformance files (the
    /// one `parquet-tool cat` prints): numbers and booleans as such, NaN and infinities as the
    /// strings `"NaN"`, `"Infinity"`, `"-Infinity"`; bytes as a string when they are valid
    /// UTF-8, else `"b64:"` and standard base64; timestamps as `"YYYY-MM-DD HH:MM:SS"` with
    /// `.ffffff` when the microseconds are not zero (finer units truncated); dates as
    /// `"YYYY-MM-DD"`; decimals as exact number literals; lists as arrays; structs as objects.
    public var json: String {
        var text = ""
        appendJSON(to: &text)
        return text
    }

    func appendJSON(to text: inout String) {
        switch self {
        case .null: text += "null"
        case .boolean(let value): text += value ? "true" : "false"
        case .integer(let value): text += String(value)
        case .unsignedInteger(let value): text += String(value)
        case .float(let value): JSONText.appendNumber(Double(value), to: &text)
        case .double(let value): JSONText.appendNumber(value, to: &text)
        case .string(let value): JSONText.appendString(value, to: &text)
        case .bytes(let value):
            if let string = String(validating: value, as: UTF8.self) {
                JSONText.appendString(string, to: &text)
            } else {
                JSONText.appendString("b64:" + JSONText.base64(value), to: &text)
            }
        case .date(let days): JSONText.appendString(CivilTime.date(Int64(days)), to: &text)
        case .timestamp(let value, let unit, _):
            let micros: Int64
            switch unit {
            case .milliseconds: micros = value.multipliedReportingOverflow(by: 1000).partialValue
            case .microseconds: micros = value
            case .nanoseconds: micros = CivilTime.floorDivide(value, 1000)
            }
            JSONText.appendString(CivilTime.timestamp(micros: micros), to: &text)
        case .decimal(let decimal): text += decimal.description
        case .list(let values):
            text += "["
            for (index, value) in values.enumerated() {
                if index > 0 { text += ", " }
                value.appendJSON(to: &text)
            }
            text += "]"
        case .structure(let names, let values):
            text += "{"
            for (index, (name, value)) in zip(names, values).enumerated() {
                if index > 0 { text += ", " }
                JSONText.appendString(name, to: &text)
                text += ": "
                value.appendJSON(to: &text)
            }
            text += "}"
        }
    }
}

/// JSON text pieces.
enum JSONText {
    static func appendNumber(_ value: Double, to text: inout String) {
        if value.isNaN {
            text += "\"NaN\""
        } else if value.isInfinite {
            text += value > 0 ? "\"Infinity\"" : "\"-Infinity\""
        } else {
            text += "\(value)"
        }
    }

    static func appendString(_ value: String, to text: inout String) {
        text += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }

    static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            let value = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (16 - 8 * UInt32($1.offset)) }
            for position in 0..<4 {
                output.append(
                    position <= chunk.count
                        ? alphabet[Int(value >> (18 - 6 * UInt32(position)) & 63)] : UInt8(ascii: "="))
            }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }
}

/// Dates and times from counts since 1970 (proleptic Gregorian, no time zone).
enum CivilTime {
    static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return value % divisor < 0 ? quotient - 1 : quotient
    }

    /// Days since 1970-01-01 as year, month, day (Howard Hinnant's algorithm).
    static func civil(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = floorDivide(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shifted = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shifted + 2) / 5 + 1
        let month = shifted < 10 ? shifted + 3 : shifted - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func padded(_ value: Int64, _ width: Int) -> String {
        let digits = String(value.magnitude)
        return (value < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    static func date(_ days: Int64) -> String {
        let (year, month, day) = civil(days)
        return "\(padded(year, 4))-\(padded(month, 2))-\(padded(day, 2))"
    }

    static func timestamp(micros: Int64) -> String {
        let day = floorDivide(micros, 86_400_000_000)
        let inDay = micros - day * 86_400_000_000
        let seconds = inDay / 1_000_000
        var text =
            date(day) + " \(padded(seconds / 3600, 2)):\(padded(seconds / 60 % 60, 2)):\(padded(seconds % 60, 2))"
        if inDay % 1_000_000 != 0 { text += "." + padded(inDay % 1_000_000, 6) }
        return text
    }
}
