import Testing

@testable import ParquetLite

@Suite("ParquetLite decoders: RLE/bit-packed hybrid and DELTA_BINARY_PACKED, on good and corrupt bytes")
struct DecodingPrimitivesTests {
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state ^ (state >> 29)
        }
    }

    @Test("what the encoder writes, the decoder reads back, for every bit width 0...32", arguments: Array(0...32))
    func rleRoundTrip(bitWidth: Int) throws {
        var random = Random(state: UInt64(bitWidth) + 1)
        let mask: UInt64 = bitWidth == 32 ? 0xFFFF_FFFF : (1 << UInt64(bitWidth)) - 1
        var values: [UInt32] = []
        while values.count < 5000 {  // runs and noise
            let value = UInt32(random.next() & mask)
            let repeats = random.next() % 4 == 0 ? Int(random.next() % 40) + 1 : 1
            values.append(contentsOf: repeatElement(value, count: repeats))
        }
        var encoded: [UInt8] = []
        values.withUnsafeBufferPointer { RLEHybridEncoder.encode($0, bitWidth: bitWidth, into: &encoded) }
        let decoded = try encoded.withUnsafeBytes {
            try RLEHybridDecoder.decode($0, bitWidth: bitWidth, count: values.count)
        }
        #expect(decoded == values)
        // Every truncation either fails cleanly or (inside trailing padding) still decodes right.
        for length in stride(from: 0, to: encoded.count, by: max(1, encoded.count / 97)) {
            let prefix = Array(encoded.prefix(length))
            if let shorter = try? prefix.withUnsafeBytes({
                try RLEHybridDecoder.decode($0, bitWidth: bitWidth, count: values.count)
            }) {
                #expect(shorter == values)
            }
        }
    }

    @Test("bit widths over 32, values wider than the width, and impossible runs are typed errors")
    func rleCorrupt() {
        let cases: [([UInt8], Int, Int)] = [
            ([0x02, 0x01], 254, 1),  // ARROW-GH-41321: bit width 254
            ([0x10, 0x05], 2, 8),  // RLE value 5 does not fit 2 bits
            ([0x00], 1, 1),  // an empty RLE run
            ([0x03, 0xFF], 8, 8),  // one bit-packed group needs 8 bytes, 1 is there
            ([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], 1, 1),  // a varint over 64 bits
            ([], 1, 1),  // nothing at all
        ]
        for (bytes, width, count) in cases {
            let error = #expect(throws: ParquetError.self) {
                try bytes.withUnsafeBytes { try RLEHybridDecoder.decode($0, bitWidth: width, count: count) }
            }
            #expect(error?.code == .corruptMetadata)
        }
    }

    @Test("DELTA_BINARY_PACKED round-trips 32- and 64-bit values, extremes included", arguments: [32, 64])
    func deltaRoundTrip(valueBits: Int) throws {
        var random = Random(state: UInt64(valueBits))
        var values: [Int64] =
            valueBits == 32
            ? [Int64(Int32.max), Int64(Int32.min), 0, -1, Int64(Int32.max)]
            : [Int64.max, Int64.min, 0, -1, Int64.max]
        for index in 0..<3000 {
            let raw = random.next()
            let value = index % 3 == 0 ? Int64(index) * 7 : Int64(bitPattern: raw) >> (raw % 60)
            values.append(valueBits == 32 ? Int64(Int32(truncatingIfNeeded: value)) : value)
        }
        for count in [0, 1, 2, 31, 32, 33, 128, 129, 1000, values.count] {
            var encoder = DeltaBinaryPackedEncoder(valueBits: valueBits)
            for value in values.prefix(count) { encoder.append(value) }
            let encoded = encoder.finish()
            let (decoded, consumed) = try encoded.withUnsafeBytes {
                try DeltaBinaryPackedDecoder.decode($0, valueBits: valueBits, maximumCount: count)
            }
            #expect(decoded == Array(values.prefix(count)))
            #expect(consumed == encoded.count)
            for length in stride(from: 0, to: encoded.count, by: max(1, encoded.count / 50)) {
                #expect(throws: ParquetError.self) {
                    try Array(encoded.prefix(length)).withUnsafeBytes {
                        try DeltaBinaryPackedDecoder.decode($0, valueBits: valueBits, maximumCount: count)
                    }
                }
            }
        }
    }

    @Test("DELTA_BINARY_PACKED headers that lie are typed errors: counts, block sizes, bit widths")
    func deltaCorrupt() {
        let cases: [([UInt8], Int, Int)] = [
            ([0x80, 0x01, 0x04, 0x64, 0x00], 32, 10),  // 100 values where the page holds 10
            ([0x7F, 0x04, 0x02, 0x00], 32, 10),  // block size 127
            ([0x80, 0x01, 0x03, 0x02, 0x00], 32, 10),  // 128 / 3 miniblocks
            ([0x80, 0x01, 0x04, 0x02, 0x00, 0x00, 33, 0, 0, 0], 32, 10),  // bit width 33 for INT32
            ([0x80, 0x01, 0x04, 0x02, 0x00, 0x00, 65, 0, 0, 0], 64, 10),  // bit width 65
        ]
        for (bytes, valueBits, maximum) in cases {
            let error = #expect(throws: ParquetError.self) {
                try bytes.withUnsafeBytes {
                    try DeltaBinaryPackedDecoder.decode($0, valueBits: valueBits, maximumCount: maximum)
                }
            }
            #expect(error?.code == .corruptMetadata)
        }
    }
}
