import ParquetLite
import Testing

/// The snippets of ParquetLite.docc/GettingStarted.md, run as written, so the article stays true.
@Suite("ParquetLite GettingStarted article")
struct GettingStartedTests {
    @Test("the article's schema, batches, settings and sinks work as shown")
    func article() async throws {
        let schema = try ParquetSchema([
            .string("store_id"),
            .int32("quantity"),
            .decimal("unit_price", precision: 9, scale: 2),  // INT32 holding cents
            .timestamp("sold_at", unit: .microseconds, isAdjustedToUTC: true),
            .int64("loyalty_id", repetition: .optional),
            .uuid("basket_id"),
        ])

        let sink = ParquetMemorySink()
        let writer = try ParquetWriter(schema: schema, sink: sink)
        try await writer.write([
            .strings(["STORE_001", "STORE_002"]),
            .int32s([3, 1]),
            .int32s([199, 2450]),
            .int64s([1_767_225_600_000_000, 1_767_225_600_250_000]),
            .int64s([780_010_966, nil]),
            .fixedBytes([[UInt8](repeating: 1, count: 16), [UInt8](repeating: 2, count: 16)], width: 16),
        ])
        try await writer.close()
        #expect(Array(sink.bytes.prefix(4)) == Array("PAR1".utf8))
        #expect(writer.rowsWritten == 2)

        var configuration = ParquetWriter.Configuration()
        configuration.codec = .snappy  // or .zstd(level: 3), .gzip(), .uncompressed
        configuration.dataPageVersion = .v2
        configuration.rowGroupByteLimit = 64 << 20  // close row groups at 64 MiB
        configuration.writesPageChecksums = true
        configuration.keyValueMetadata = ["source": "pos-stream"]
        configuration.columns["quantity"] = .init(encoding: .deltaBinaryPacked)

        final class Parts: @unchecked Sendable { var count = 0, sawLast = false }
        let parts = Parts()
        let upload = ParquetStreamingSink(partSize: 8 << 20) { part, isLast in
            // send `part` as the next part of a multipart upload; complete it when `isLast`
            parts.count += 1
            parts.sawLast = parts.sawLast || isLast
        }
        let streamingWriter = try ParquetWriter(schema: schema, configuration: configuration, sink: upload)
        try await streamingWriter.write([
            .strings(["STORE_003"]), .int32s([2]), .int32s([99]), .int64s([1_767_225_600_500_000]), .int64s([nil]),
            .fixedBytes([[UInt8](repeating: 3, count: 16)], width: 16),
        ])
        try await streamingWriter.close()
        #expect(parts.count == 1 && parts.sawLast)
    }
}
