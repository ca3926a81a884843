import Foundation
import ParquetLite
import Testing

/// The snippets of ParquetLite.docc/Reading.md, run as written (on a file this test writes in
/// place of /tmp/sales.parquet), so the article stays true.
@Suite("ParquetLite Reading article")
struct ReadingArticleTests {
    @Test("the article's reads, predicate, streaming and ranged fetches work as shown")
    func article() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sales-\(UUID().uuidString).parquet")
            .path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var configuration = ParquetWriter.Configuration()
        configuration.rowGroupRowLimit = 50
        let writer = try ParquetWriter(
            schema: try ParquetSchema([.string("store_id"), .int32("quantity"), .timestamp("sold_at")]),
            configuration: configuration, sink: try ParquetFileSink(path: path))
        try await writer.write([
            .strings((0..<200).map { "STORE_\($0 < 100 ? "007" : "009")" }),
            .int32s((0..<200).map { Int32($0 % 5) }),
            .int64s((0..<200).map { 1_767_225_600_000_000 - 75_000_000 + Int64($0) * 1_000_000 }),
        ])
        try await writer.close()
        let file = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let size = file.count
        func fetch(_ range: Range<Int>) async throws -> [UInt8] { Array(file[range]) }

        // Open a file
        let reader = try ParquetReader(path: path)
        #expect(reader.rowCount == 200)
        #expect(reader.fields.map(\.name) == ["store_id", "quantity", "sold_at"])

        // Read columns into typed vectors
        let batch = try reader.readRowGroup(0, columns: ["store_id", "quantity"])
        var total: Int32 = 0
        if case .int32(let quantities) = batch.column(named: "quantity")?.primitive?.values {
            total = quantities.reduce(0, +)
        }
        #expect(total == 100)

        // Skip row groups by their statistics
        let groups = try reader.rowGroups(
            where: .and([
                .equal("store_id", .string("STORE_007")),
                .greaterThanOrEqual(
                    "sold_at", .timestamp(1_767_225_600_000_000, unit: .microseconds, isAdjustedToUTC: true)),
            ]))
        #expect(groups == [1])

        // Stream with bounded memory
        var streamed: [Int] = []
        var batches = reader.rowGroupBatches(columns: ["store_id", "quantity"], rowGroups: groups)
        while let (index, batch) = try batches.next() {
            streamed.append(index)
            #expect(batch.rowCount == 50)
        }
        #expect(streamed == [1])

        // Read from S3 or any remote store
        let tail = try await fetch(size - 8..<size)
        let footerRange = try ParquetFileMetadata.footerRange(fileSize: size, tail: tail)
        let metadata = try ParquetFileMetadata.decode(
            try await fetch(footerRange), baseOffset: footerRange.lowerBound)
        var ranges = ParquetFetchedRanges(size: size)
        let plan = try ParquetReader(metadata: metadata, source: ranges)
        for range in try plan.byteRanges(rowGroup: 0, columns: ["quantity"]) {
            ranges.add(try await fetch(range), at: range.lowerBound)
        }
        let ranged = try ParquetReader(metadata: metadata, source: ranges).readRowGroup(0, columns: ["quantity"])
        #expect(ranged.column(named: "quantity")?.primitive == batch.column(named: "quantity")?.primitive)
        #expect(ranged.rows[3].json == "{\"quantity\": 3}")
    }
}
