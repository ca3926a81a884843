import Foundation
import Testing

@testable import PGLite

@Suite("PGLite text formats (no server)")
struct PGTextFormatTests {
    @Test("timestamps format at microsecond precision and parse back, across eras and offsets")
    func timestamps() throws {
        let cases: [(Double, String)] = [
            (0, "1970-01-01 00:00:00.000000+00"),
            (-0.000001, "1969-12-31 23:59:59.999999+00"),
            (1_767_225_600.25, "2026-01-01 00:00:00.250000+00"),
            (951_782_400, "2000-02-29 00:00:00.000000+00"),
            (-62_135_596_800, "0001-01-01 00:00:00.000000+00"),
            (-62_135_596_801, "0001-12-31 23:59:59.000000+00 BC"),
            (253_402_300_799, "9999-12-31 23:59:59.000000+00"),
        ]
        for (seconds, text) in cases {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(PGTimestamp.text(date) == text)
            #expect(PGTimestamp.parse(text).map(PGTimestamp.microseconds) == PGTimestamp.microseconds(date), "\(text)")
        }
        let offsets = [
            "2026-01-01 05:30:00+05:30", "2025-12-31 16:00:00-08",
            "2026-01-01 00:00:00Z".replacingOccurrences(of: "Z", with: "+00"),
            "2026-01-01 05:30:15+05:30:15",
        ]
        for text in offsets {
            #expect(PGTimestamp.parse(text).map(PGTimestamp.microseconds) == 1_767_225_600_000_000, "\(text)")
        }
        #expect(PGTimestamp.parse("2026-01-01").map(PGTimestamp.microseconds) == 1_767_225_600_000_000)
        #expect(PGTimestamp.parse("infinity") == .distantFuture)
        #expect(PGTimestamp.parse("-infinity") == .distantPast)
        for bad in [
            "", "2026-13-01 00:00:00+00", "2026-01-01 00:00", "2026-01-01 00:00:00+5", "yesterday",
            "2026-01-01 00:00:00.+00",
        ] {
            #expect(PGTimestamp.parse(bad) == nil, "\(bad)")
        }
    }

    @Test("civil dates and day numbers agree for every day of 1600…2400")
    func civilRoundTrip() {
        let first = PGTimestamp.days(fromCivil: 1600, 1, 1)
        let last = PGTimestamp.days(fromCivil: 2400, 12, 31)
        var previous: (Int64, Int64, Int64)?
        for day in first...last {
            let civil = PGTimestamp.civil(fromDays: day)
            #expect(PGTimestamp.days(fromCivil: civil.year, civil.month, civil.day) == day)
            if let previous { #expect(civil.day == previous.2 + 1 || civil.day == 1) }
            previous = civil
        }
    }

    @Test("array literals parse with quotes, escapes and NULL; nested arrays are refused")
    func arrays() {
        #expect(PGArrayText.parse("{}") == [])
        #expect(PGArrayText.parse("{1,2,3}") == ["1", "2", "3"])
        #expect(PGArrayText.parse(#"{"a b","",NULL,"NULL","q\"b\\s"}"#) == ["a b", "", nil, "NULL", "q\"b\\s"])
        #expect(PGArrayText.parse("{{1,2},{3,4}}") == nil)
        #expect(PGArrayText.parse("1,2") == nil)
        #expect(PGArrayText.parse(#"{"unterminated}"#) == nil)
        var text: [UInt8] = []
        ["x", "", "a,b", "q\"b\\s"].appendPGText(to: &text)
        #expect(PGArrayText.parse(String(decoding: text, as: UTF8.self)) == ["x", "", "a,b", "q\"b\\s"])
    }

    @Test("values have the text PostgreSQL reads back exactly")
    func encodings() {
        #expect(Int64.min.pgText == "-9223372036854775808")
        #expect(Int64.max.pgText == "9223372036854775807")
        #expect(Int16(-7).pgText == "-7")
        #expect(0.1.pgText == "0.1")
        #expect(Double.nan.pgText == "NaN")
        #expect((-Double.infinity).pgText == "-Infinity")
        #expect(true.pgText == "t")
        #expect(PGBytes([0, 15, 255]).pgText == "\\x000fff")
        #expect(PGBytes.decode(pgText: "\\x000fff", type: .bytea) == PGBytes([0, 15, 255]))
        #expect(PGBytes.decode(pgText: "\\x0g", type: .bytea) == nil)
        #expect(Decimal(string: "12345678901234567890.123456789")!.pgText == "12345678901234567890.123456789")
        #expect(Decimal.decode(pgText: "12abc", type: .numeric) == nil)
        #expect(
            UUID(uuidString: "E621E1F8-C36C-495A-93FC-0C247A3E6E5F")!.pgText == "e621e1f8-c36c-495a-93fc-0c247a3e6e5f")
        #expect(PGConnection.quoteIdentifier("my \"table\"") == "\"my \"\"table\"\"\"")
    }

    /// Reads `text` both ways: from a `String` and from its bytes.
    private func bothWays<T: PGDecodable>(_: T.Type, _ text: String, _ type: PGDataType) -> (text: T?, bytes: T?) {
        let bytes = Array(text.utf8)
        return (
            T.decode(pgText: text, type: type), bytes.withUnsafeBufferPointer { T.decode(pgBytes: $0, type: type) }
        )
    }

    @Test("integers read from bytes as from text: signs, bounds, overflow and junk")
    func integersFromBytes() {
        let texts = [
            "0", "-0", "+7", "42", "-42", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
            "-9223372036854775809", "32767", "32768", "-32768", "-32769", "2147483648", "", "-", "+", "1.5", " 1",
            "1 ", "0x10", "١٢", "99999999999999999999999",
        ]
        for text in texts {
            let int64 = bothWays(Int64.self, text, .int8)
            #expect(int64.text == int64.bytes, "Int64 \(text)")
            let int32 = bothWays(Int32.self, text, .int4)
            #expect(int32.text == int32.bytes, "Int32 \(text)")
            let int16 = bothWays(Int16.self, text, .text)
            #expect(int16.text == int16.bytes, "Int16 \(text)")
            let int = bothWays(Int.self, text, .oid)
            #expect(int.text == int.bytes, "Int \(text)")
        }
        #expect(bothWays(Int64.self, "-9223372036854775808", .int8).bytes == Int64.min)
        #expect(bothWays(Int16.self, "-32769", .int2).bytes == nil)
        #expect(bothWays(Int64.self, "12", .float8).bytes == nil, "a float column does not read as an integer")
    }

    @Test("doubles read from bytes exactly as from text, on the fast path and off it")
    func doublesFromBytes() {
        var texts = [
            "0", "-0", "0.1", "-12.5", "3e-05", "1e+22", "1e22", "1e23", "1.7976931348623157e+308", "5e-324",
            "9007199254740993", "9007199254740992", "0.30000000000000004", "123456789012345678901234567890",
            "NaN", "Infinity", "-Infinity", ".5", "5.", "+5", "1e", "1e+", "--1", "1.2.3", "", "-", "abc", "1,5",
            "0.000000000000000000000001", "1e-22", "4.35",
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let value = Double(bitPattern: generator.next() & 0x7FEF_FFFF_FFFF_FFFF)
            texts.append("\(value)")
            let scaled = (Double(Int64.random(in: -1_000_000_000...1_000_000_000, using: &generator)) / 1000)
            texts.append("\(scaled)")
        }
        var fast = 0
        for text in texts {
            let read = bothWays(Double.self, text, .float8)
            #expect(
                read.text?.bitPattern == read.bytes?.bitPattern
                    || (read.text?.isNaN == true && read.bytes?.isNaN == true), "\(text)")
            if Array(text.utf8).withUnsafeBufferPointer({ PGNumberText.double($0) }) != nil { fast += 1 }
        }
        #expect(fast >= 2_000, "the scaled values take the fast path")
        #expect(bothWays(Double.self, "1", .bool).bytes == nil, "a boolean column does not read as a double")
    }

    @Test("booleans read from bytes as from text")
    func booleansFromBytes() {
        for text in ["t", "f", "true", "false", "x", "", "tt"] {
            let read = bothWays(Bool.self, text, .bool)
            #expect(read.text == read.bytes, "\(text)")
        }
        #expect(bothWays(Bool.self, "t", .int4).bytes == nil)
    }
}
