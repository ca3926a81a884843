import Foundation
import ParquetLite

/// Our values against another reader's JSON reading of the same file (pyarrow's, in the
/// conformance files' `expected/` and the interop fixtures).
package enum ValueComparison {
    /// The columns of a row we read (`names`, `values`) whose value differs from the other
    /// reader's row `expected`, each with why (a column it lacks counts as null).
    package static func rowMismatches(
        names: [String], values: [ParquetValue], expected: [String: Any]
    ) -> [(column: String, why: String)] {
        zip(names, values).compactMap { column, value in
            mismatch(value, expected[column] ?? NSNull()).map { (column, $0) }
        }
    }

    /// Our value compared with pyarrow's `expected`; `nil` when they agree, else why not.
    package static func mismatch(_ ours: ParquetValue, _ expected: Any) -> String? {
        func text(_ mine: String) -> String? { (expected as? String) == mine ? nil : "\(mine) vs \(expected)" }
        switch ours {
        case .null: return expected is NSNull ? nil : "null vs \(expected)"
        case .boolean(let value):
            return (expected as? Bool) == value ? nil : "\(value) vs \(expected)"
        case .integer(let value):
            return (expected as? NSNumber)?.int64Value == value && !(expected is String)
                ? nil : "\(value) vs \(expected)"
        case .unsignedInteger(let value):
            return (expected as? NSNumber)?.uint64Value == value ? nil : "\(value) vs \(expected)"
        case .float(let value): return floating(Double(value), expected)
        case .double(let value): return floating(value, expected)
        case .string(let value): return text(value)
        case .bytes(let value):
            guard let string = expected as? String else { return "bytes vs \(expected)" }
            let wanted =
                string.hasPrefix("b64:")
                ? Data(base64Encoded: String(string.dropFirst(4))).map(Array.init) : Array(string.utf8)
            return wanted == value ? nil : "\(value.prefix(16)) vs \(string.prefix(40))"
        case .date, .timestamp, .decimal:
            // The JSON text of our value is the representation the README defines.
            let json = ours.json
            return text(json.hasPrefix("\"") ? String(json.dropFirst().dropLast()) : json)
        case .list(let values):
            guard let array = expected as? [Any], array.count == values.count else { return "\(ours) vs \(expected)" }
            for (mine, theirs) in zip(values, array) {
                if let why = mismatch(mine, theirs) { return "[\(why)]" }
            }
            return nil
        case .structure(let names, let values):
            guard let object = expected as? [String: Any], object.count == names.count else {
                return "\(ours) vs \(expected)"
            }
            for (name, mine) in zip(names, values) {
                if let why = mismatch(mine, object[name] ?? NSNull()) { return "\(name): \(why)" }
            }
            return nil
        }
    }

    static func floating(_ ours: Double, _ expected: Any) -> String? {
        switch expected {
        case let name as String:
            let match =
                (name == "NaN" && ours.isNaN) || (name == "Infinity" && ours == .infinity)
                || (name == "-Infinity" && ours == -.infinity)
            return match ? nil : "\(ours) vs \(name)"
        case let number as NSNumber: return number.doubleValue == ours ? nil : "\(ours) vs \(number)"
        default: return "\(ours) vs \(expected)"
        }
    }
}
