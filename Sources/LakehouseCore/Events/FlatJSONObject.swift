/// One JSON object read for its top-level fields: strings, number literals, booleans, nulls, and
/// nested arrays or objects (kept only as "composite"). Strict: anything that is not exactly one
/// JSON object (with optional surrounding whitespace) is malformed.
struct FlatJSONObject {
    enum Value: Hashable {
        case string(String)
        /// The literal as written (`5.88`, `-1e3`), so that callers parse it exactly.
        case number(String)
        case boolean(Bool)
        case null
        case composite
    }

    private var fields: [String: Value] = [:]

    subscript(key: String) -> Value? { fields[key] }

    /// Parses `bytes`.
    ///
    /// - Throws: ``LakehouseError`` with ``LakehouseError/Code/invalidEvent`` and the reason
    ///   `malformed:json`, saying what was wrong and where.
    static func parse(_ bytes: [UInt8]) throws -> FlatJSONObject {
        var parser = Parser(bytes: bytes)
        var object = FlatJSONObject()
        try parser.skipWhitespace()
        try parser.expect(UInt8(ascii: "{"))
        try parser.skipWhitespace()
        if try parser.peek() == UInt8(ascii: "}") {
            parser.position += 1
        } else {
            while true {
                try parser.skipWhitespace()
                let key = try parser.string()
                try parser.skipWhitespace()
                try parser.expect(UInt8(ascii: ":"))
                try parser.skipWhitespace()
                object.fields[key] = try parser.value(depth: 0)
                try parser.skipWhitespace()
                let next = try parser.next()
                if next == UInt8(ascii: "}") { break }
                guard next == UInt8(ascii: ",") else { throw parser.malformed("expected ',' or '}'") }
            }
        }
        try parser.skipWhitespace()
        guard parser.position == bytes.count else { throw parser.malformed("text after the object") }
        return object
    }

    private struct Parser {
        let bytes: [UInt8]
        var position = 0

        func malformed(_ why: String) -> LakehouseError {
            LakehouseError(
                code: .invalidEvent, message: "malformed:json: \(why) at byte \(position)", reason: "malformed:json")
        }

        func peek() throws -> UInt8 {
            guard position < bytes.count else { throw malformed("the record ends early") }
            return bytes[position]
        }

        mutating func next() throws -> UInt8 {
            let byte = try peek()
            position += 1
            return byte
        }

        mutating func expect(_ byte: UInt8) throws {
            guard try next() == byte else {
                position -= 1
                throw malformed("expected '\(Character(Unicode.Scalar(byte)))'")
            }
        }

        mutating func skipWhitespace() throws {
            while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
        }

        mutating func value(depth: Int) throws -> Value {
            guard depth < 64 else { throw malformed("nesting deeper than 64") }
            switch try peek() {
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                try composite(depth: depth)
                return .composite
            case UInt8(ascii: "t"):
                try literal("true")
                return .boolean(true)
            case UInt8(ascii: "f"):
                try literal("false")
                return .boolean(false)
            case UInt8(ascii: "n"):
                try literal("null")
                return .null
            default: return .number(try number())
            }
        }

        mutating func literal(_ word: String) throws {
            for byte in word.utf8 { guard try next() == byte else { throw malformed("expected \(word)") } }
        }

        /// A number per the JSON grammar, returned as written.
        mutating func number() throws -> String {
            let start = position
            func digits() throws -> Int {
                var count = 0
                while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
                    position += 1
                    count += 1
                }
                return count
            }
            if try peek() == UInt8(ascii: "-") { position += 1 }
            let leading = position < bytes.count ? bytes[position] : 0
            let whole = try digits()
            guard whole > 0, !(leading == UInt8(ascii: "0") && whole > 1) else { throw malformed("not a number") }
            if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
                position += 1
                guard try digits() > 0 else { throw malformed("a number without digits after its point") }
            }
            if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
                position += 1
                if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-")
                {
                    position += 1
                }
                guard try digits() > 0 else { throw malformed("a number without exponent digits") }
            }
            return String(decoding: bytes[start..<position], as: UTF8.self)
        }

        /// A string, with its escapes resolved; invalid UTF-8 is malformed.
        mutating func string() throws -> String {
            try expect(UInt8(ascii: "\""))
            var scalars: [UInt8] = []
            var start = position
            while true {
                let byte = try next()
                if byte == UInt8(ascii: "\"") {
                    scalars.append(contentsOf: bytes[start..<(position - 1)])
                    break
                }
                guard byte >= 0x20 else { throw malformed("a control character in a string") }
                guard byte == UInt8(ascii: "\\") else { continue }
                scalars.append(contentsOf: bytes[start..<(position - 1)])
                let escape = try next()
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(escape)
                case UInt8(ascii: "b"): scalars.append(0x08)
                case UInt8(ascii: "f"): scalars.append(0x0C)
                case UInt8(ascii: "n"): scalars.append(0x0A)
                case UInt8(ascii: "r"): scalars.append(0x0D)
                case UInt8(ascii: "t"): scalars.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800..<0xDC00).contains(code) {
                        try literal("\\u")
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw malformed("an unpaired surrogate") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw malformed("an invalid \\u escape") }
                    scalars.append(contentsOf: Array(String(Character(scalar)).utf8))
                default: throw malformed("an unknown escape")
                }
                start = position
            }
            guard let text = String(validating: scalars, as: UTF8.self) else {
                throw malformed("a string that is not valid UTF-8")
            }
            return text
        }

        mutating func hex4() throws -> UInt32 {
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = try next()
                guard
                    let digit = UInt8(ascii: "0")...UInt8(ascii: "9") ~= byte
                        ? byte - 48 : (UInt8(ascii: "a")...UInt8(ascii: "f")) ~= byte | 0x20 ? (byte | 0x20) - 87 : nil
                else { throw malformed("an invalid \\u escape") }
                value = value << 4 | UInt32(digit)
            }
            return value
        }

        /// Skips a nested array or object, checking its syntax.
        mutating func composite(depth: Int) throws {
            let open = try next()
            let close = open == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            try skipWhitespace()
            if try peek() == close {
                position += 1
                return
            }
            while true {
                try skipWhitespace()
                if open == UInt8(ascii: "{") {
                    _ = try string()
                    try skipWhitespace()
                    try expect(UInt8(ascii: ":"))
                    try skipWhitespace()
                }
                _ = try value(depth: depth + 1)
                try skipWhitespace()
                let next = try self.next()
                if next == close { return }
                guard next == UInt8(ascii: ",") else { throw malformed("expected ',' in a nested value") }
            }
        }
    }
}
