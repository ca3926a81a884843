import Testing

@testable import ParquetLite

@Suite("Parquet encoding primitives: Thrift compact protocol, RLE/bit-packed hybrid")
struct EncodingPrimitivesTests {
    @Test("compact protocol fields use short and long headers, zigzag varints and nested structs")
    func thriftCompact() {
        var writer = ThriftCompactWriter()
        writer.field(1, i32: 1)
        writer.field(3, string: "ab")
        writer.field(20, i64: -1)  // delta 17: long form
        writer.field(
            21,
            structure: { nested in
                nested.field(1, bool: true)
                nested.field(2, bool: false)
            })
        writer.field(22, listOf: .i32, count: 3)
        for value: Int32 in [0, -64, 64] { writer.writeI32Value(value) }
        writer.field(23, listOf: .binary, count: 20)
        for _ in 0..<20 { writer.writeBinaryValue("") }
        writer.field(24, i64: 1 << 40)
        writer.endTopLevel()
        let expected: [UInt8] =
            [0x15, 0x02, 0x28, 0x02, 0x61, 0x62, 0x06, 0x28, 0x01]
            + [0x1C, 0x11, 0x12, 0x00]  // struct field 21: bool true (type 1), bool false (type 2), stop
            + [0x19, 0x35, 0x00, 0x7F, 0x80, 0x01]  // list<i32> of 3: 0, zigzag(-64)=127, zigzag(64)=128
            + [0x19, 0xF8, 0x14] + [UInt8](repeating: 0, count: 20)  // list<binary> of 20: long header
            + [0x16, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40]  // zigzag(2^40) = 2^41 as a varint
            + [0x00]
        #expect(writer.bytes == expected)
    }

    /// An independent reader of the hybrid encoding, for checking the encoder.
    static func decode(_ bytes: [UInt8], bitWidth: Int, count: Int) -> [UInt32]? {
        var reader = TestByteReader(bytes: bytes)
        var values: [UInt32] = []
        while values.count < count {
            guard let header = reader.varint() else { return nil }
            if header & 1 == 0 {
                guard let value = reader.littleEndian(byteCount: (bitWidth + 7) / 8) else { return nil }
                values += repeatElement(UInt32(value), count: Int(header >> 1))
            } else {
                guard let packed = reader.unpack(count: Int(header >> 1) * 8, width: bitWidth) else { return nil }
                values += packed.map { UInt32($0) }
            }
        }
        return reader.atEnd ? Array(values.prefix(count)) : nil
    }

    @Test("the hybrid encoding decodes to the input for every bit width and run shape")
    func rleHybridRoundTrip() {
        var generator = SystemRandomNumberGenerator()
        for bitWidth in 0...32 {
            let maximum: UInt32 = bitWidth == 32 ? .max : (1 << bitWidth) - 1
            let shapes: [[UInt32]] = [
                [],
                [maximum],
                Array(repeating: maximum, count: 1000),
                (0..<1003).map { _ in UInt32.random(in: 0...maximum, using: &generator) },
                (0..<500).flatMap { block in
                    Array(repeating: UInt32(block % 3 == 0 ? 0 : Int(maximum)), count: block % 11 + 1)
                },
                Array(repeating: 0, count: 7) + Array(repeating: maximum, count: 9) + [0],
            ]
            for values in shapes {
                var encoder = RLEHybridEncoder(bitWidth: bitWidth)
                for value in values { encoder.append(value) }
                let bytes = encoder.finish()
                #expect(Self.decode(bytes, bitWidth: bitWidth, count: values.count) == values, "width \(bitWidth)")
            }
        }
    }

    @Test("long runs are RLE: a million equal levels take a few bytes")
    func rleCompactsRuns() {
        var encoder = RLEHybridEncoder(bitWidth: 1)
        for _ in 0..<1_000_000 { encoder.append(1) }
        #expect(encoder.finish() == [0x80, 0x89, 0x7A, 0x01])  // varint(2_000_000), then value 1
    }
}

@Suite("Parquet byte-array dictionary")
struct ByteArrayDictionaryTests {
    @Test("indices follow first appearance; equal values share one; the PLAIN page lists each once")
    func agreesWithSwiftDictionary() {
        var generator = SystemRandomNumberGenerator()
        var words = ["", "a", "ab", "abcdefgh", "abcdefgi", "Grüße 🛒", String(repeating: "x", count: 1 << 16)]
        words += (0..<5_000).map { _ in "P" + String(UInt32.random(in: 0...1_000_000, using: &generator)) }
        var dictionary = ByteArrayDictionary(initialCapacity: 4)
        var reference: [String: Int32] = [:]
        var order: [String] = []
        for _ in 0..<50_000 {
            let word = words.randomElement(using: &generator)!
            let index = Array(word.utf8).withUnsafeBytes { dictionary.index(of: $0) }
            if let known = reference[word] {
                #expect(index == known, "\(word.prefix(20))")
            } else {
                #expect(Int(index) == order.count)
                reference[word] = index
                order.append(word)
            }
        }
        #expect(dictionary.count == order.count)
        for (index, word) in order.enumerated() {
            #expect(Array(dictionary.value(at: index)) == Array(word.utf8))
        }
        // The PLAIN page: a 4-byte little-endian length, then the bytes, for each value in order.
        var decoded: [String] = []
        var offset = 0
        let page = dictionary.plainValues
        while offset < page.count {
            let length = (0..<4).reduce(0) { $0 | Int(page[offset + $1]) << (8 * $1) }
            decoded.append(String(decoding: page[(offset + 4)..<(offset + 4 + length)], as: UTF8.self))
            offset += 4 + length
        }
        #expect(decoded == order)
    }
}

@Suite("Parquet DELTA_BINARY_PACKED")
struct DeltaBinaryPackedTests {
    /// An independent reader of the encoding (Parquet's specification), for checking the encoder.
    static func decode(_ bytes: [UInt8]) -> [Int64]? {
        var reader = TestByteReader(bytes: bytes)
        func unzigzag(_ value: UInt64) -> Int64 { Int64(bitPattern: (value >> 1) ^ (0 &- (value & 1))) }
        guard let blockSize = reader.varint(), let miniblocks = reader.varint(), let total = reader.varint(),
            let firstRaw = reader.varint(), blockSize % 128 == 0, miniblocks > 0
        else { return nil }
        var values: [Int64] = total > 0 ? [unzigzag(firstRaw)] : []
        let perMiniblock = Int(blockSize / miniblocks)
        while values.count < Int(total) {
            guard let minimumRaw = reader.varint() else { return nil }
            var widths: [Int] = []
            for _ in 0..<miniblocks {
                guard let width = reader.littleEndian(byteCount: 1) else { return nil }
                widths.append(Int(width))
            }
            for width in widths where values.count < Int(total) {
                guard let relatives = reader.unpack(count: perMiniblock, width: width) else { return nil }
                for relative in relatives.prefix(Int(total) - values.count) {
                    values.append(values.last! &+ unzigzag(minimumRaw) &+ Int64(bitPattern: relative))
                }
            }
        }
        return reader.atEnd ? values : nil
    }

    @Test("values round-trip through an independent decoder, overflowing deltas included")
    func roundTrip() {
        var generator = SystemRandomNumberGenerator()
        let cases: [[Int64]] = [
            [], [42], [1, 2], Array(0..<129).map(Int64.init), Array(repeating: 7, count: 1000),
            (0..<1000).map { _ in Int64.random(in: -1000...1000, using: &generator) },
            (0..<777).map { _ in Int64.random(in: .min ... .max, using: &generator) },
            [Int64.min, Int64.max, Int64.min, 0, Int64.max, -1],
            (0..<300).map { 1_767_225_600_000_000 + Int64($0 / 3) * 250_000 },
        ]
        for values in cases {
            var encoder = DeltaBinaryPackedEncoder()
            for value in values { encoder.append(value) }
            #expect(Self.decode(encoder.finish()) == values, "\(values.count) values")
        }
    }

    @Test("a steady sequence packs to a few bits per value")
    func compact() {
        var encoder = DeltaBinaryPackedEncoder()
        for index in 0..<100_000 { encoder.append(1_767_225_600_000_000 + Int64(index / 3) * 250_000) }
        // Deltas of 0 or 250,000 need 18 bits each, plus block headers; PLAIN would take 800,000 bytes.
        #expect(encoder.finish().count <= 100_000 * 18 / 8 + 100_000 / 128 * 8)
    }
}

/// Reads the primitives of Parquet's encodings, written independently of the encoders it checks.
struct TestByteReader {
    let bytes: [UInt8]
    var index = 0

    var atEnd: Bool { index == bytes.count }

    /// An unsigned LEB128 varint.
    mutating func varint() -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.count, shift < 70 {
            let byte = bytes[index]
            index += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
        return nil
    }

    /// A little-endian unsigned integer of `byteCount` bytes.
    mutating func littleEndian(byteCount: Int) -> UInt64? {
        guard index + byteCount <= bytes.count else { return nil }
        var value: UInt64 = 0
        for byte in 0..<byteCount { value |= UInt64(bytes[index + byte]) << (8 * byte) }
        index += byteCount
        return value
    }

    /// `count` values of `width` bits, least-significant bit first, bit by bit; then skips to
    /// the next whole byte.
    mutating func unpack(count: Int, width: Int) -> [UInt64]? {
        let byteCount = (count * width + 7) / 8
        guard index + byteCount <= bytes.count else { return nil }
        var values: [UInt64] = []
        for item in 0..<count {
            var value: UInt64 = 0
            for bit in 0..<width {
                let absolute = item * width + bit
                if bytes[index + absolute / 8] >> (absolute % 8) & 1 == 1 { value |= 1 << UInt64(bit) }
            }
            values.append(value)
        }
        index += byteCount
        return values
    }
}
