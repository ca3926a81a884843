import Foundation

/// One JSON object read for its top-level fields: strings, number literals, booleans, nulls, and
/// nested arrays or objects (kept only as "composite"). Strict: anything that is not exactly one
/// JSON object (with optional surrounding whitespace) is malformed.
///
/// This is the hot path of silver (every bronze envelope and every event goes through it), so
/// parsing only validates and records where each field is; a value becomes a `String` only when
/// it is asked for, and keys are compared as bytes.
struct FlatJSONObject {
    enum Value: Hashable {
        case string(String)
        /// The literal as written (`5.88`, `-1e3`), so that callers parse it exactly.
        case number(String)
        case boolean(Bool)
        case null
        case composite
    }

    /// What a field's value is.
    enum Kind: UInt8 {
        case string, number, boolean, null, composite
    }

    /// Where one field is in ``bytes`` (offsets from its start).
    private struct Field {
        var keyStart: Int32
        var keyEnd: Int32
        var valueStart: Int32
        var valueEnd: Int32
        var kind: Kind
        /// The key or the (string) value holds escapes.
        var keyEscaped: Bool
        var valueEscaped: Bool
    }

    private let bytes: ArraySlice<UInt8>
    private var fields: [Field] = []

    private init(bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        fields.reserveCapacity(16)
    }

    /// The value of `key` (the last one when the key repeats), or `nil` when it is absent.
    subscript(key: String) -> Value? {
        guard let field = field(key) else { return nil }
        switch field.kind {
        case .string: return .string(text(field))
        case .number: return .number(text(field))
        case .boolean: return .boolean(bytes[bytes.startIndex + Int(field.valueStart)] == UInt8(ascii: "t"))
        case .null: return .null
        case .composite: return .composite
        }
    }

    /// Whether `key` is present with a string value.
    func isString(_ key: String) -> Bool { field(key)?.kind == .string }

    /// Runs `body` with the bytes of string field `key` (escapes resolved), without a copy when it
    /// has none; `nil` when the field is absent or not a string.
    func withStringBytes<Result>(_ key: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result? {
        guard let field = field(key), field.kind == .string else { return nil }
        let start = bytes.startIndex + Int(field.valueStart)
        let end = bytes.startIndex + Int(field.valueEnd)
        guard !field.valueEscaped else { return Self.unescape(bytes[start..<end]).withUnsafeBufferPointer(body) }
        return bytes[start..<end].withUnsafeBufferPointer(body)
    }

    /// The bytes of string field `key` with its escapes resolved, or `nil` when it is absent or
    /// not a string; what a payload carried inside an envelope needs, without a `String`.
    func stringBytes(_ key: String) -> [UInt8]? {
        guard let field = field(key), field.kind == .string else { return nil }
        let start = bytes.startIndex + Int(field.valueStart)
        let end = bytes.startIndex + Int(field.valueEnd)
        guard field.valueEscaped else { return Array(bytes[start..<end]) }
        return Self.unescape(bytes[start..<end])
    }

    /// From `position`, eight bytes at a time, straight to the first byte that is '"', '\\', a
    /// control character or above ASCII (escaped JSON in a string has one every few bytes), or
    /// to where fewer than eight bytes are left; the caller reads on byte by byte from there.
    @inline(__always)
    static func skipPlainWords(_ bytes: UnsafeBufferPointer<UInt8>, from position: Int) -> Int {
        var position = position
        while position + 8 <= bytes.count {
            let word = UnsafeRawPointer(bytes.baseAddress! + position).loadUnaligned(as: UInt64.self)
            let special = specialBytes(UInt64(littleEndian: word))
            guard special == 0 else { return position + special.trailingZeroBitCount / 8 }
            position += 8
        }
        return position
    }

    /// The high bit of each of the eight bytes (read little-endian) that is '"', '\\', below
    /// 0x20 or above 0x7F, and possibly of bytes after the first such one (SWAR: a borrow
    /// only runs upward), so the lowest bit set marks the first special byte exactly.
    @inline(__always)
    static func specialBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func hasZero(_ value: UInt64) -> UInt64 { (value &- ones) & ~value & highs }
        let quote = hasZero(word ^ (ones &* 0x22))
        let backslash = hasZero(word ^ (ones &* 0x5C))
        let control = (word &- ones &* 0x20) & ~word & highs
        return quote | backslash | control | (word & highs)
    }

    /// A field's value where it lies in the parsed bytes: a string's body between its quotes
    /// (escapes unresolved), a literal as written.
    struct RawValue {
        var kind: Kind
        /// Offsets from the start of the parsed bytes.
        var range: Range<Int>
        var escaped: Bool
    }

    /// The parsed bytes (whose offsets ``RawValue/range`` gives).
    var parsedBytes: ArraySlice<UInt8> { bytes }

    /// For each of `keys`, the value of its last field (as ``subscript(_:)`` finds it), in one
    /// pass over the fields: what silver's fast path reads instead of a lookup per key. `nil`
    /// when a key is escaped (the caller then takes the general path, which resolves it).
    func rawValues(_ keys: FlatJSONKeys) -> [RawValue?]? {
        var values = [RawValue?](repeating: nil, count: keys.count)
        let matched = bytes.withUnsafeBufferPointer { buffer -> Bool in
            for field in fields {
                guard !field.keyEscaped else { return false }
                let start = buffer.baseAddress! + Int(field.keyStart)
                guard
                    let slot = keys.slot(
                        of: UnsafeBufferPointer(start: start, count: Int(field.keyEnd - field.keyStart)))
                else { continue }
                values[slot] = RawValue(
                    kind: field.kind, range: Int(field.valueStart)..<Int(field.valueEnd), escaped: field.valueEscaped)
            }
            return true
        }
        return matched ? values : nil
    }

    private func field(_ key: String) -> Field? {
        var key = key
        return key.withUTF8 { wanted in
            bytes.withUnsafeBufferPointer { buffer in
                for field in fields.reversed() {
                    if field.keyEscaped {
                        let decoded = Self.unescape(
                            UnsafeBufferPointer(rebasing: buffer[Int(field.keyStart)..<Int(field.keyEnd)]))
                        if decoded.elementsEqual(wanted) { return field }
                        continue
                    }
                    let length = Int(field.keyEnd - field.keyStart)
                    guard length == wanted.count else { continue }
                    if length == 0 { return field }
                    let start = buffer.baseAddress! + Int(field.keyStart)
                    if start.pointee == wanted[0], memcmp(start, wanted.baseAddress!, length) == 0 { return field }
                }
                return nil
            }
        }
    }

    private func text(_ field: Field) -> String {
        let start = bytes.startIndex + Int(field.valueStart)
        let end = bytes.startIndex + Int(field.valueEnd)
        if field.valueEscaped { return String(decoding: Self.unescape(bytes[start..<end]), as: UTF8.self) }
        return bytes[start..<end].withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }
    }

    /// A string's body (between the quotes, already validated) with its escapes resolved.
    private static func unescape(_ body: ArraySlice<UInt8>) -> [UInt8] {
        body.withUnsafeBufferPointer { unescape($0) }
    }

    static func unescape(_ body: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        guard let base = body.baseAddress, !body.isEmpty else { return [] }
        // Escapes only shrink the text: the output fits in the input's size.
        return [UInt8](unsafeUninitializedCapacity: body.count) { output, count in
            var index = 0
            var written = 0
            func put(_ byte: UInt8) {
                output[written] = byte
                written += 1
            }
            func hex4() -> UInt32 {
                var value: UInt32 = 0
                for _ in 0..<4 {
                    let byte = body[index] | 0x20
                    value = value << 4 | UInt32(byte <= UInt8(ascii: "9") ? byte - 48 : byte - 87)
                    index += 1
                }
                return value
            }
            while index < body.count {
                // The run up to the next escape, in one copy.
                let rest = body.count - index
                let found = memchr(base + index, Int32(UInt8(ascii: "\\")), rest)
                let run = found.map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) - (base + index) } ?? rest
                (output.baseAddress! + written).update(from: base + index, count: run)
                written += run
                index += run
                guard index < body.count else { break }
                let escape = body[index + 1]
                index += 2
                switch escape {
                case UInt8(ascii: "b"): put(0x08)
                case UInt8(ascii: "f"): put(0x0C)
                case UInt8(ascii: "n"): put(0x0A)
                case UInt8(ascii: "r"): put(0x0D)
                case UInt8(ascii: "t"): put(0x09)
                case UInt8(ascii: "u"):
                    var code = hex4()
                    if (0xD800..<0xDC00).contains(code) {
                        index += 2  // the "\u" of the low surrogate
                        code = 0x10000 + ((code - 0xD800) << 10) + (hex4() - 0xDC00)
                    }
                    // Validated when parsed: a scalar, whose UTF-8 is never longer than its escape.
                    for unit in UTF8.encode(Unicode.Scalar(code) ?? "\u{FFFD}")! { put(unit) }
                default: put(escape)  // \" \\ \/
                }
            }
            count = written
        }
    }

    /// Parses `bytes`.
    ///
    /// - Throws: ``LakehouseError`` with ``LakehouseError/Code/invalidEvent`` and the reason
    ///   `malformed:json`, saying what was wrong and where.
    static func parse(_ bytes: [UInt8]) throws -> FlatJSONObject { try parse(bytes[...]) }

    /// Parses `bytes` without copying them.
    static func parse(_ bytes: ArraySlice<UInt8>) throws -> FlatJSONObject {
        var object = FlatJSONObject(bytes: bytes)
        guard bytes.count < Int(Int32.max) else {
            throw LakehouseError(
                code: .invalidEvent, message: "malformed:json: a record of 2 GiB or more", reason: "malformed:json")
        }
        try bytes.withUnsafeBufferPointer { buffer in
            var parser = Parser(bytes: buffer)
            parser.skipWhitespace()
            try parser.expect(UInt8(ascii: "{"))
            parser.skipWhitespace()
            if try parser.peek() == UInt8(ascii: "}") {
                parser.position += 1
            } else {
                while true {
                    parser.skipWhitespace()
                    let key = try parser.string()
                    parser.skipWhitespace()
                    try parser.expect(UInt8(ascii: ":"))
                    parser.skipWhitespace()
                    let value = try parser.value(depth: 0)
                    object.fields.append(
                        Field(
                            keyStart: Int32(key.range.lowerBound), keyEnd: Int32(key.range.upperBound),
                            valueStart: Int32(value.range.lowerBound), valueEnd: Int32(value.range.upperBound),
                            kind: value.kind, keyEscaped: key.escaped, valueEscaped: value.escaped))
                    parser.skipWhitespace()
                    let next = try parser.next()
                    if next == UInt8(ascii: "}") { break }
                    guard next == UInt8(ascii: ",") else { throw parser.malformed("expected ',' or '}'") }
                }
            }
            parser.skipWhitespace()
            guard parser.position == buffer.count else { throw parser.malformed("text after the object") }
        }
        return object
    }

    /// A scanned value: its kind, where it is (a string's body, between its quotes), whether
    /// it holds escapes.
    private struct Scanned {
        var kind: Kind
        var range: Range<Int>
        var escaped = false
    }

    private struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0

        func malformed(_ why: String) -> LakehouseError {
            LakehouseError(
                code: .invalidEvent, message: "malformed:json: \(why) at byte \(position)", reason: "malformed:json")
        }

        @inline(__always)
        func peek() throws -> UInt8 {
            guard position < bytes.count else { throw endsEarly() }
            return bytes[position]
        }

        @inline(__always)
        mutating func next() throws -> UInt8 {
            let byte = try peek()
            position += 1
            return byte
        }

        @inline(__always)
        mutating func expect(_ byte: UInt8) throws {
            guard position < bytes.count, bytes[position] == byte else { throw unexpected(byte) }
            position += 1
        }

        /// The errors of the inlined checks above, kept out of line.
        @inline(never)
        func endsEarly() -> LakehouseError { malformed("the record ends early") }

        @inline(never)
        func unexpected(_ byte: UInt8) -> LakehouseError {
            position < bytes.count
                ? malformed("expected '\(Character(Unicode.Scalar(byte)))'") : malformed("the record ends early")
        }

        mutating func skipWhitespace() {
            while position < bytes.count {
                switch bytes[position] {
                case 0x20, 0x09, 0x0A, 0x0D: position += 1
                default: return
                }
            }
        }

        mutating func value(depth: Int) throws -> Scanned {
            guard depth < 64 else { throw malformed("nesting deeper than 64") }
            let start = position
            switch try peek() {
            case UInt8(ascii: "\""): return try string()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                try composite(depth: depth)
                return Scanned(kind: .composite, range: start..<position)
            case UInt8(ascii: "t"):
                try literal("true")
                return Scanned(kind: .boolean, range: start..<position)
            case UInt8(ascii: "f"):
                try literal("false")
                return Scanned(kind: .boolean, range: start..<position)
            case UInt8(ascii: "n"):
                try literal("null")
                return Scanned(kind: .null, range: start..<position)
            default:
                try number()
                return Scanned(kind: .number, range: start..<position)
            }
        }

        mutating func literal(_ word: StaticString) throws {
            let text = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
            for byte in text { guard try next() == byte else { throw malformed("expected \(word)") } }
        }

        /// A number per the JSON grammar.
        mutating func number() throws {
            func digits() -> Int {
                var count = 0
                while position < bytes.count, bytes[position] &- UInt8(ascii: "0") < 10 {
                    position += 1
                    count += 1
                }
                return count
            }
            if try peek() == UInt8(ascii: "-") { position += 1 }
            let leading = position < bytes.count ? bytes[position] : 0
            let whole = digits()
            guard whole > 0, !(leading == UInt8(ascii: "0") && whole > 1) else { throw malformed("not a number") }
            if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
                position += 1
                guard digits() > 0 else { throw malformed("a number without digits after its point") }
            }
            if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
                position += 1
                if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-")
                {
                    position += 1
                }
                guard digits() > 0 else { throw malformed("a number without exponent digits") }
            }
        }

        /// A string: its escapes are checked (and `\u` surrogates paired), bytes above ASCII are
        /// checked to be UTF-8; the body is not copied.
        mutating func string() throws -> Scanned {
            try expect(UInt8(ascii: "\""))
            let start = position
            var escaped = false
            var nonASCII = false
            while true {
                position = FlatJSONObject.skipPlainWords(bytes, from: position)
                guard position < bytes.count else { throw malformed("the record ends early") }
                let byte = bytes[position]
                position += 1
                if byte == UInt8(ascii: "\"") { break }
                if byte < 0x20 { throw malformed("a control character in a string") }
                if byte >= 0x80 { nonASCII = true }
                guard byte == UInt8(ascii: "\\") else { continue }
                escaped = true
                switch try next() {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    continue
                case UInt8(ascii: "u"):
                    let code = try hex4()
                    if (0xD800..<0xDC00).contains(code) {
                        try literal("\\u")
                        guard (0xDC00..<0xE000).contains(try hex4()) else { throw malformed("an unpaired surrogate") }
                    } else if (0xDC00..<0xE000).contains(code) {
                        throw malformed("an unpaired surrogate")
                    }
                default: throw malformed("an unknown escape")
                }
            }
            let body = start..<(position - 1)
            if nonASCII {
                var decoder = UTF8()
                var iterator = UnsafeBufferPointer(rebasing: bytes[body]).makeIterator()
                decoding: while true {
                    switch decoder.decode(&iterator) {
                    case .scalarValue: continue
                    case .emptyInput: break decoding
                    case .error: throw malformed("a string that is not valid UTF-8")
                    }
                }
            }
            return Scanned(kind: .string, range: body, escaped: escaped)
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
            skipWhitespace()
            if try peek() == close {
                position += 1
                return
            }
            while true {
                skipWhitespace()
                if open == UInt8(ascii: "{") {
                    _ = try string()
                    skipWhitespace()
                    try expect(UInt8(ascii: ":"))
                    skipWhitespace()
                }
                _ = try value(depth: depth + 1)
                skipWhitespace()
                let next = try self.next()
                if next == close { return }
                guard next == UInt8(ascii: ",") else { throw malformed("expected ',' in a nested value") }
            }
        }
    }
}

/// Keys looked up together with ``FlatJSONObject/rawValues(_:)``, matched by length, first byte
/// and then bytes.
struct FlatJSONKeys: Sendable {
    private let keys: [[UInt8]]
    /// Each key's first (up to) eight bytes, little-endian, zero-padded: most keys differ there.
    private let prefixes: [UInt64]

    /// The keys, in the order of the slots ``FlatJSONObject/rawValues(_:)`` returns.
    init(_ keys: [String]) {
        self.keys = keys.map { Array($0.utf8) }
        prefixes = self.keys.map { key in
            key.prefix(8).enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        }
    }

    var count: Int { keys.count }

    /// The slot of `key`, or `nil` when it is none of the keys.
    @inline(__always)
    func slot(of key: UnsafeBufferPointer<UInt8>) -> Int? {
        var prefix: UInt64 = 0
        if key.count >= 8 {
            prefix = UInt64(littleEndian: UnsafeRawPointer(key.baseAddress!).loadUnaligned(as: UInt64.self))
        } else {
            for (offset, byte) in key.enumerated() { prefix |= UInt64(byte) << (8 * UInt64(offset)) }
        }
        for index in prefixes.indices where prefixes[index] == prefix && keys[index].count == key.count {
            if key.count <= 8 { return index }
            let same = keys[index].withUnsafeBufferPointer {
                memcmp($0.baseAddress! + 8, key.baseAddress! + 8, key.count - 8) == 0
            }
            if same { return index }
        }
        return nil
    }
}
