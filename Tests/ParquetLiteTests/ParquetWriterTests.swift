import Foundation
import Testing

@testable import ParquetLite

/// A sink that fails on a chosen write, as a broken upload would.
private final class FailingSink: ParquetSink {
    let failOnWrite: Int
    private(set) var writes = 0
    init(failOnWrite: Int) { self.failOnWrite = failOnWrite }
    func write(_ bytes: [UInt8]) async throws {
        writes += 1
        if writes == failOnWrite { throw URLError(.networkConnectionLost) }
    }
    func close() async throws {}
}

@Suite("ParquetLite writer: schema checks, value checks, sinks, statistics bounds")
struct ParquetWriterTests {
    static let schema = try! ParquetSchema([
        .string("store"), .int32("quantity"), .int64("loyalty", repetition: .optional),
        .decimal("price", precision: 7, scale: 2), .integer("shelf", bitWidth: 8, isSigned: true),
    ])

    static func validBatch(rows: Int = 3) -> [ParquetColumnBatch] {
        [
            .strings((0..<rows).map { "STORE_\($0 % 2)" }), .int32s((0..<rows).map { Int32($0) }),
            .int64s((0..<rows).map { $0 % 2 == 0 ? Int64($0) : nil }), .int32s((0..<rows).map { _ in 1999 }),
            .int32s((0..<rows).map { Int32($0 % 100) }),
        ]
    }

    /// Writes `batches` to memory and returns the file.
    static func file(_ batches: [[ParquetColumnBatch]], configuration: ParquetWriter.Configuration = .init())
        async throws
        -> [UInt8]
    {
        let sink = ParquetMemorySink()
        let writer = try ParquetWriter(schema: schema, configuration: configuration, sink: sink)
        for batch in batches { try await writer.write(batch) }
        try await writer.close()
        return sink.bytes
    }

    @Test("schemas that Parquet cannot express are rejected, naming the column")
    func invalidSchemas() {
        let cases: [(ParquetColumn, String)] = [
            (ParquetColumn(name: "d", physicalType: .int64, logicalType: .date), "DATE needs INT32"),
            (ParquetColumn(name: "f", physicalType: .fixedLenByteArray), "positive typeLength"),
            (
                ParquetColumn(name: "x", physicalType: .int64, logicalType: .decimal(precision: 20, scale: 2)),
                "does not fit"
            ),
            (
                ParquetColumn(name: "i", physicalType: .int32, logicalType: .integer(bitWidth: 12, isSigned: true)),
                "8, 16, 32 or 64"
            ),
            (
                ParquetColumn(name: "u", physicalType: .fixedLenByteArray, logicalType: .uuid, typeLength: 8),
                "UUID needs"
            ),
            (ParquetColumn(name: "t", physicalType: .int96), "INT96"),
            (ParquetColumn(name: "s", physicalType: .int32, logicalType: .decimal(precision: 3, scale: 4)), "scale"),
        ]
        for (column, words) in cases {
            let error = #expect(throws: ParquetError.self) { try ParquetSchema([column]) }
            #expect(error?.code == .invalidSchema)
            #expect(error?.column == column.name)
            #expect(error?.message.contains(words) == true, "\(error?.message ?? "")")
        }
        let duplicate = #expect(throws: ParquetError.self) { try ParquetSchema([.int32("a"), .string("a")]) }
        #expect(duplicate?.message.contains("appears twice") == true)
        #expect(ParquetColumn.decimal("wide", precision: 30, scale: 2).typeLength == 13)
        #expect(ParquetColumn.decimal("mid", precision: 18, scale: 2).physicalType == .int64)
    }

    @Test("settings that cannot work are rejected when the writer is made")
    func invalidSettings() {
        var delta = ParquetWriter.Configuration()
        delta.columns["store"] = .init(encoding: .deltaBinaryPacked)
        var unknown = ParquetWriter.Configuration()
        unknown.columns["nope"] = .init(codec: .snappy)
        var level = ParquetWriter.Configuration()
        level.codec = .zstd(level: 99)
        var pages = ParquetWriter.Configuration()
        pages.dataPageRowLimit = 0
        for (configuration, words) in [
            (delta, "DELTA_BINARY_PACKED"), (unknown, "'nope'"), (level, "zstd level 99"), (pages, "positive"),
        ] {
            let error = #expect(throws: ParquetError.self) {
                try ParquetWriter(schema: Self.schema, configuration: configuration, sink: ParquetMemorySink())
            }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains(words) == true, "\(error?.message ?? "")")
        }
    }

    @Test("values that violate the schema fail the write, name the column, and write nothing")
    func schemaViolations() async throws {
        var cases: [([ParquetColumnBatch], String, String)] = []
        var batch = Self.validBatch()
        batch[1] = .strings(["1", "2", "3"])  // a string for an INT column
        cases.append((batch, "quantity", "BYTE_ARRAY values but the column is INT32"))
        batch = Self.validBatch()
        batch[0] = .strings(["a", nil, "c"])  // a null in a REQUIRED column
        cases.append((batch, "store", "row 1 of the batch is null, but the column is REQUIRED"))
        batch = Self.validBatch()
        batch[3] = .int32s([1, 10_000_000, 3])  // beyond DECIMAL(7, 2)
        cases.append((batch, "price", "value 1 (10000000) is outside"))
        batch = Self.validBatch()
        batch[4] = .int32s([1, 2, 128])  // beyond INT(8)
        cases.append((batch, "shelf", "value 2 (128)"))
        batch = Self.validBatch()
        batch[2] = ParquetColumnBatch(.int64([1, 2, 3]), validity: [true, false, true])  // 3 values for 2 rows
        cases.append((batch, "loyalty", "2 non-null rows but 3 values"))
        batch = Self.validBatch()
        batch[0] = ParquetColumnBatch(
            .byteArray(ParquetByteArrays(bytes: [0x61, 0xC3, 0x28, 0x62], offsets: [0, 1, 3, 4])))
        cases.append((batch, "store", "value 1 is not valid UTF-8"))
        batch = Self.validBatch()
        batch[0] = ParquetColumnBatch(.byteArray(ParquetByteArrays(bytes: [0x61, 0x62], offsets: [0, 2, 1, 2])))
        cases.append((batch, "store", "offsets decrease"))
        batch = Self.validBatch()
        batch[1] = .int32s([1, 2])  // two rows where the others have three
        cases.append((batch, "quantity", "has 2 rows in this write"))

        for (bad, column, words) in cases {
            let sink = ParquetMemorySink()
            let writer = try ParquetWriter(schema: Self.schema, sink: sink)
            let error = await #expect(throws: ParquetError.self) { try await writer.write(bad) }
            #expect(error?.code == .schemaViolation)
            #expect(error?.column == column)
            #expect(error?.message.contains(words) == true, "\(error?.message ?? "")")
            // Nothing of the bad batch was taken: the writer goes on and the file holds only good rows.
            try await writer.write(Self.validBatch(rows: 4))
            try await writer.close()
            #expect(writer.rowsWritten == 4)
            #expect(Array(sink.bytes.prefix(4)) == Array("PAR1".utf8))
            #expect(Array(sink.bytes.suffix(4)) == Array("PAR1".utf8))
        }
    }

    @Test("a closed writer refuses work, and a failed sink closes the writer with a typed error")
    func lifecycle() async throws {
        let writer = try ParquetWriter(schema: Self.schema, sink: ParquetMemorySink())
        try await writer.close()
        let afterClose = await #expect(throws: ParquetError.self) { try await writer.write(Self.validBatch()) }
        #expect(afterClose?.code == .writerClosed)
        let closeTwice = await #expect(throws: ParquetError.self) { try await writer.close() }
        #expect(closeTwice?.code == .writerClosed)

        var small = ParquetWriter.Configuration()
        small.rowGroupRowLimit = 2
        let failing = try ParquetWriter(schema: Self.schema, configuration: small, sink: FailingSink(failOnWrite: 2))
        let sinkError = await #expect(throws: ParquetError.self) { try await failing.write(Self.validBatch(rows: 5)) }
        #expect(sinkError?.code == .sinkFailed)
        let later = await #expect(throws: ParquetError.self) { try await failing.write(Self.validBatch()) }
        #expect(later?.code == .writerClosed)
    }

    @Test("the file, streaming and memory sinks receive the same bytes; stream parts respect the part size")
    func sinks() async throws {
        var configuration = ParquetWriter.Configuration()
        configuration.rowGroupRowLimit = 10_000
        let batches = [Self.validBatch(rows: 25_000), Self.validBatch(rows: 15_000)]
        let memory = try await Self.file(batches, configuration: configuration)

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sink-\(UUID().uuidString).parquet")
            .path
        defer { unlink(path) }
        let fileWriter = try ParquetWriter(
            schema: Self.schema, configuration: configuration, sink: try ParquetFileSink(path: path))
        for batch in batches { try await fileWriter.write(batch) }
        try await fileWriter.close()
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: path))) == memory)

        final class Parts: @unchecked Sendable { var parts: [([UInt8], Bool)] = [] }
        let parts = Parts()
        let streaming = ParquetStreamingSink(partSize: 4096) { part, isLast in parts.parts.append((part, isLast)) }
        let streamWriter = try ParquetWriter(schema: Self.schema, configuration: configuration, sink: streaming)
        for batch in batches { try await streamWriter.write(batch) }
        try await streamWriter.close()
        #expect(parts.parts.flatMap(\.0) == memory)
        #expect(parts.parts.dropLast().allSatisfy { $0.0.count >= 4096 && !$0.1 })
        #expect(parts.parts.last?.1 == true)
        #expect(parts.parts.count > 2)

        let unwritable = #expect(throws: ParquetError.self) { try ParquetFileSink(path: "/proc/no/such/dir/x.parquet") }
        #expect(unwritable?.code == .sinkFailed)
    }

    @Test("writing is deterministic: the same rows give the same bytes, concurrently encoded or not")
    func deterministic() async throws {
        var serial = ParquetWriter.Configuration()
        serial.encodesColumnsConcurrently = false
        let batches = [Self.validBatch(rows: 30_000)]
        let concurrent = try await Self.file(batches)
        #expect(try await Self.file(batches, configuration: serial) == concurrent)
        #expect(try await Self.file(batches) == concurrent)
    }

    @Test("long bounds are truncated: min rounded down, max rounded up, valid UTF-8, marked inexact")
    func truncatedBounds() {
        func truncated(_ min: String, _ max: String, limit: Int = 8, isString: Bool = true) -> ValueBounds {
            var bounds = ValueBounds(min: Array(min.utf8), max: Array(max.utf8))
            StatisticsTruncation.truncate(&bounds, to: limit, isString: isString)
            return bounds
        }
        let ascii = truncated("abcdefghijkl", "mnopqrstuvwx")
        #expect(ascii.min == Array("abcdefgh".utf8) && !ascii.isMinExact)
        #expect(ascii.max == Array("mnopqrsu".utf8) && !ascii.isMaxExact)
        // "ü" is 2 bytes: the cut falls inside the 5th character and backs off to a boundary;
        // the max's last character is incremented as a code point (ü → ý).
        let unicode = truncated("üüüüüü", "üüüüüü")
        #expect(String(decoding: unicode.min, as: UTF8.self) == "üüüü")
        #expect(String(decoding: unicode.max, as: UTF8.self) == "üüüý")
        #expect(unicode.max.lexicographicallyPrecedes(Array("üüüüüü".utf8)) == false)
        // Bytes: trailing 0xFF cannot be incremented, so it is dropped first.
        var bytes = ValueBounds(min: [1, 2, 3, 4, 5], max: [7, 0xFF, 0xFF, 0xFF, 9])
        StatisticsTruncation.truncate(&bytes, to: 4, isString: false)
        #expect(bytes.min == [1, 2, 3, 4])
        #expect(bytes.max == [8])
        var allOnes = ValueBounds(min: [0], max: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        StatisticsTruncation.truncate(&allOnes, to: 4, isString: false)
        #expect(allOnes.max == [0xFF, 0xFF, 0xFF, 0xFF, 0xFF] && allOnes.isMaxExact)  // no shorter bound exists
        let short = truncated("abc", "abd")
        #expect(short.min == Array("abc".utf8) && short.isMinExact && short.isMaxExact)
    }
}
