import Foundation
import Testing

@testable import LakehouseCore

/// The envelope and event parser: what it reads must be what Foundation's JSON reader reads, at
/// every position of its eight-byte scanning, and what it refuses must be malformed JSON.
@Suite("FlatJSONObject: strings, escapes and scanning boundaries agree with Foundation's JSON reader")
struct FlatJSONObjectTests {
    /// Strings with every kind of character at every offset from 0 to 19.
    static func corpus() -> [String] {
        let specials = ["\"", "\\", "/", "\n", "\t", "\u{1}", "\u{1F}", "é", "日", "😀", "\u{2028}", "\u{7F}", "a"]
        var strings: [String] = [""]
        for special in specials {
            for offset in 0..<20 {
                strings.append(
                    String(repeating: "x", count: offset) + special + String(repeating: "y", count: 19 - offset))
            }
        }
        var random = SeededRandom(seed: 9)
        for _ in 0..<200 {
            let length = Int(random.next() % 40)
            strings.append(
                String(
                    String.UnicodeScalarView(
                        (0..<length).compactMap { _ in
                            let pick = random.next() % 10
                            let value =
                                pick < 6
                                ? 0x20 + UInt32(random.next() % 95)
                                : pick < 8 ? UInt32(random.next() % 0x20) : 0xA0 + UInt32(random.next() % 0x3000)
                            return Unicode.Scalar(value)
                        })))
        }
        return strings
    }

    @Test(
        "every string of the corpus reads back as Foundation writes it (its escapes, \\u and surrogate pairs included)")
    func stringsAgree() throws {
        for text in Self.corpus() {
            let data = try JSONSerialization.data(withJSONObject: ["k": text, "n": 1])
            let object = try FlatJSONObject.parse(Array(data))
            #expect(object["k"] == .string(text), "\(text.debugDescription)")
            #expect(object.stringBytes("k") == Array(text.utf8))
            #expect(object["n"] == .number("1"))
            // The same text with every non-ASCII character as a \u escape (pairs above the BMP).
            var escaped = "{\"k\": \""
            for unit in text.utf16 {
                escaped +=
                    unit < 0x80 && unit >= 0x20 && unit != 0x22 && unit != 0x5C
                    ? String(UnicodeScalar(UInt8(unit))) : String(format: "\\u%04x", unit)
            }
            escaped += "\"}"
            #expect(try FlatJSONObject.parse(Array(escaped.utf8))["k"] == .string(text), "\(escaped)")
        }
    }

    @Test("malformed strings are refused wherever the fault sits: a raw control byte, invalid UTF-8, a bad escape")
    func faults() {
        for offset in 0..<20 {
            let prefix = Array("{\"k\": \"".utf8) + Array(repeating: UInt8(ascii: "x"), count: offset)
            let suffix = Array("yy\"}".utf8)
            for fault: [UInt8] in [[0x0A], [0xFF], [0xC3], [0x5C, 0x71], [0x5C, 0x75, 0x44, 0x38, 0x30, 0x30]] {
                #expect(throws: LakehouseError.self) { try FlatJSONObject.parse(prefix + fault + suffix) }
            }
            #expect(throws: LakehouseError.self) { try FlatJSONObject.parse(prefix) }
        }
    }

    @Test("a repeated key reads as its last value; keys with escapes are found by their text; absent keys are nil")
    func keys() throws {
        let object = try FlatJSONObject.parse(Array(#"{"a": 1, "b\u0061": "x", "a": "last", "": null}"#.utf8))
        #expect(object["a"] == .string("last"))
        #expect(object["ba"] == .string("x"))
        #expect(object[""] == .null)
        #expect(object["b"] == nil)
        #expect(object.isString("ba"))
        #expect(!object.isString(""))
    }
}
