import ParquetLite
import Testing

/// 1 MiB that compresses like real column data: runs, repeated words and some noise.
private func sampleData(count: Int = 1 << 20, seed: UInt64 = 42) -> [UInt8] {
    var state = seed
    var bytes: [UInt8] = []
    bytes.reserveCapacity(count)
    let words = Array("STORE_001 DAIRY BAKERY Product 01535 CREDIT CARD ".utf8)
    while bytes.count < count {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        switch state >> 62 {
        case 0: bytes.append(contentsOf: repeatElement(UInt8(truncatingIfNeeded: state >> 8), count: 16))
        case 1: bytes.append(UInt8(truncatingIfNeeded: state >> 24))
        default: bytes.append(contentsOf: words[Int((state >> 16) % 40)...].prefix(8))
        }
    }
    return Array(bytes.prefix(count))
}

@Suite("Compression codecs")
struct CompressionCodecTests {
    static let codecs: [CompressionCodec] = [
        .uncompressed, .snappy, .zstd(), .zstd(level: 1), .zstd(level: 9), .gzip(), .gzip(level: 1), .lz4Raw,
    ]

    @Test("1 MiB round-trips byte for byte", arguments: codecs)
    func roundTripOneMebibyte(codec: CompressionCodec) throws {
        let input = sampleData()
        let compressed = try codec.compress(input)
        if codec != .uncompressed {
            #expect(compressed.count < input.count / 2, "\(codec) should compress column-like data well")
        }
        let output = try codec.decompress(compressed, uncompressedSize: input.count)
        #expect(output == input)
    }

    @Test("empty input round-trips", arguments: codecs)
    func roundTripEmpty(codec: CompressionCodec) throws {
        let compressed = try codec.compress([])
        #expect(try codec.decompress(compressed, uncompressedSize: 0) == [])
    }

    @Test(
        "0 bytes of input are 0 bytes with every codec (Spark's empty values sections); never more",
        arguments: codecs + [CompressionCodec(thriftValue: 5)!])
    func emptyInput(codec: CompressionCodec) throws {
        #expect(try codec.decompress([], uncompressedSize: 0) == [])
        // A buffer of 0 bytes with an address (a slice of a page) is empty all the same.
        let page: [UInt8] = [9, 9, 9]
        let slice = try page.withUnsafeBytes {
            try codec.decompress(UnsafeRawBufferPointer(rebasing: $0[3...]), uncompressedSize: 0)
        }
        #expect(slice == [])
        for size in [1, 8, 1 << 30] {
            let error = try #require(throws: ParquetError.self) { try codec.decompress([], uncompressedSize: size) }
            #expect(error.code == .decompressedSizeMismatch, "\(codec) with size \(size): \(error)")
            #expect(error.codec == codec.name)
        }
    }

    @Test("compressing appends after what the buffer already holds", arguments: codecs)
    func appendsToBuffer(codec: CompressionCodec) throws {
        let input = sampleData(count: 10_000)
        var buffer: [UInt8] = [1, 2, 3]
        try input.withUnsafeBytes { try codec.compress($0, appendingTo: &buffer) }
        #expect(buffer.prefix(3) == [1, 2, 3])
        #expect(try codec.decompress(Array(buffer.dropFirst(3)), uncompressedSize: input.count) == input)
    }

    @Test("a size other than the true one is a size mismatch", arguments: codecs)
    func sizeMismatch(codec: CompressionCodec) throws {
        let input = sampleData(count: 50_000)
        let compressed = try codec.compress(input)
        for wrongSize in [input.count - 1, input.count + 1] {
            let error = try #require(throws: ParquetError.self) {
                try codec.decompress(compressed, uncompressedSize: wrongSize)
            }
            #expect(error.code == .decompressedSizeMismatch, "\(codec) with size \(wrongSize): \(error)")
        }
    }

    @Test(
        "corrupt or truncated data is a typed error, never a crash",
        arguments: [CompressionCodec.snappy, .zstd(), .gzip(), .lz4Raw])
    func corruptData(codec: CompressionCodec) throws {
        let input = sampleData(count: 100_000)
        let compressed = try codec.compress(input)
        var corruptions: [[UInt8]] = [
            Array(compressed.prefix(compressed.count / 2)),  // truncated
            [],  // nothing at all
            Array(repeating: 0xFF, count: 64),  // garbage
        ]
        var flipped = compressed
        for index in stride(from: 0, to: min(flipped.count, 64), by: 1) { flipped[index] ^= 0x5A }
        corruptions.append(flipped)
        for corrupt in corruptions {
            let error = try #require(throws: ParquetError.self) {
                try codec.decompress(corrupt, uncompressedSize: input.count)
            }
            #expect([.corruptCompressedData, .decompressedSizeMismatch].contains(error.code), "\(error)")
            #expect(error.codec == codec.name)
        }
    }

    @Test("gzip reads concatenated members as one stream, as the Parquet spec asks of readers")
    func gzipConcatenatedMembers() throws {
        let first = sampleData(count: 70_000, seed: 1)
        let second = sampleData(count: 30_000, seed: 2)
        let joined = try CompressionCodec.gzip().compress(first) + CompressionCodec.gzip(level: 9).compress(second)
        #expect(try CompressionCodec.gzip().decompress(joined, uncompressedSize: 100_000) == first + second)
        let error = try #require(throws: ParquetError.self) {
            try CompressionCodec.gzip().decompress(joined, uncompressedSize: 70_000)
        }
        #expect(error.code == .decompressedSizeMismatch)
    }

    @Test(
        "a page header that declares far more bytes than the data can hold is refused before allocating",
        arguments: [CompressionCodec.zstd(), .gzip(), .snappy])
    func implausibleSizes(codec: CompressionCodec) throws {
        let compressed = try codec.compress(sampleData(count: 10_000))
        let error = try #require(throws: ParquetError.self) {
            try codec.decompress(compressed, uncompressedSize: Int(Int32.max))
        }
        #expect(error.code == .decompressedSizeMismatch)
    }

    @Test("a gzip level out of range is rejected when the codec is checked")
    func gzipLevelRange() throws {
        let error = try #require(throws: ParquetError.self) { try CompressionCodec.gzip(level: 10).validate() }
        #expect(error.code == .invalidArgument)
        #expect(error.message.contains("1...9"))
    }

    @Test("a zstd level out of range is rejected with the supported range")
    func zstdLevelOutOfRange() throws {
        let error = try #require(throws: ParquetError.self) {
            try CompressionCodec.zstd(level: 1000).compress([1, 2, 3])
        }
        #expect(error.code == .invalidArgument)
        #expect(error.message.contains("1000"))
    }

    @Test("a negative uncompressed size is rejected before any allocation")
    func negativeSize() throws {
        let error = try #require(throws: ParquetError.self) {
            try CompressionCodec.zstd().decompress([0x28, 0xB5, 0x2F, 0xFD], uncompressedSize: -5)
        }
        #expect(error.code == .invalidArgument)
    }

    @Test("codecs carry their Parquet Thrift identifiers")
    func thriftValues() {
        #expect(CompressionCodec.uncompressed.thriftValue == 0)
        #expect(CompressionCodec.snappy.thriftValue == 1)
        #expect(CompressionCodec.zstd(level: 7).thriftValue == 6)
        #expect(CompressionCodec.zstd(level: 7).level == 7)
        #expect(CompressionCodec.zstd().description == "ZSTD(level: 1)")
        #expect(CompressionCodec.gzip().thriftValue == 2)
        #expect(CompressionCodec.gzip(level: 9).description == "GZIP(level: 9)")
        #expect(CompressionCodec.lz4Raw.thriftValue == 7)
        #expect(CompressionCodec(thriftValue: 5)?.name == "LZ4")
        #expect(CompressionCodec(thriftValue: 4) == nil)  // BROTLI
    }

    @Test("deprecated LZ4: Hadoop-framed blocks and bare blocks read; writing it is refused")
    func deprecatedLZ4() throws {
        let input = sampleData(count: 100_000)
        let block = try CompressionCodec.lz4Raw.compress(input)
        let lz4 = try #require(CompressionCodec(thriftValue: 5))
        // Hadoop framing: big-endian uncompressed size, compressed size, then the block.
        func bigEndian(_ value: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) } }
        let framed = bigEndian(input.count) + bigEndian(block.count) + block
        #expect(try lz4.decompress(framed, uncompressedSize: input.count) == input)
        #expect(try lz4.decompress(block, uncompressedSize: input.count) == input)
        let wrongSize = #expect(throws: ParquetError.self) {
            try lz4.decompress(framed, uncompressedSize: input.count + 1)
        }
        #expect(wrongSize?.code == .corruptCompressedData)
        let huge = #expect(throws: ParquetError.self) {
            try CompressionCodec.lz4Raw.decompress([1, 2, 3], uncompressedSize: 1 << 30)
        }
        #expect(huge?.code == .decompressedSizeMismatch)
        #expect(throws: ParquetError.self) { try lz4.compress(input) }
    }
}
