import Foundation
import LakehouseTestSupport
import Testing

@testable import ParquetLite

@Suite("ParquetLite footer decoding: our files, the conformance files, corrupt bytes")
struct ParquetMetadataTests {
    /// The conformance directory: `PARQUET_TESTING_DIR` when set, else the copy in the repository,
    /// `Tests/Conformance/parquet-testing`, so that a clone of the repository alone runs every test.
    static var conformanceDirectory: String {
        if let directory = ProcessInfo.processInfo.environment["PARQUET_TESTING_DIR"], !directory.isEmpty {
            return directory
        }
        return RepositoryPaths.root + "/Tests/Conformance/parquet-testing"
    }

    static func ourFile() async throws -> [UInt8] {
        let schema = try ParquetSchema([
            .string("store"), .int64("quantity", repetition: .optional), .decimal("price", precision: 30, scale: 4),
            .timestamp("at", unit: .milliseconds), .integer("shelf", bitWidth: 16, isSigned: false), .uuid("id"),
        ])
        var configuration = ParquetWriter.Configuration()
        configuration.rowGroupRowLimit = 400
        configuration.keyValueMetadata = ["origin": "test"]
        let sink = ParquetMemorySink()
        let writer = try ParquetWriter(schema: schema, configuration: configuration, sink: sink)
        let rows = 1000
        try await writer.write([
            .strings((0..<rows).map { "S\($0 % 10)" }), .int64s((0..<rows).map { $0 % 4 == 0 ? nil : Int64($0) - 500 }),
            .fixedBytes((0..<rows).map { _ in [UInt8](repeating: 0, count: 13) }, width: 13),
            .int64s((0..<rows).map { Int64($0) }), .int32s((0..<rows).map { Int32($0 % 60_000) }),
            .fixedBytes((0..<rows).map { [UInt8](repeating: UInt8($0 % 256), count: 16) }, width: 16),
        ])
        try await writer.close()
        return sink.bytes
    }

    @Test("our footer decodes to what was written: schema, logical types, row groups, statistics, metadata")
    func ourFooter() async throws {
        let metadata = try ParquetFileMetadata.read(file: try await Self.ourFile())
        #expect(metadata.rowCount == 1000)
        #expect(metadata.rowGroups.map(\.rowCount) == [400, 400, 200])
        #expect(metadata.schema.map(\.name) == ["schema", "store", "quantity", "price", "at", "shelf", "id"])
        #expect(metadata.schema[0].childCount == 6)
        #expect(metadata.schema[1].logicalType == .string)
        #expect(metadata.schema[2].repetition == .optional)
        #expect(metadata.schema[3].logicalType == .decimal(precision: 30, scale: 4))
        #expect(metadata.schema[3].typeLength == 13)
        #expect(metadata.schema[4].logicalType == .timestamp(unit: .milliseconds, isAdjustedToUTC: true))
        #expect(metadata.schema[5].logicalType == .integer(bitWidth: 16, isSigned: false))
        #expect(metadata.schema[6].logicalType == .uuid)
        #expect(metadata.keyValueMetadata == [ParquetKeyValue(key: "origin", value: "test")])
        #expect(metadata.createdBy == "parquet-lite version \(ParquetLite.version)")
        let quantity = metadata.rowGroups[0].columns[1]
        #expect(quantity.path == ["quantity"])
        #expect(quantity.valueCount == 400)
        #expect(quantity.statistics?.nullCount == 100)
        #expect(quantity.statistics?.minValue == withUnsafeBytes(of: Int64(-499)) { Array($0) })
        #expect(quantity.statistics?.maxValue == withUnsafeBytes(of: Int64(-101)) { Array($0) })
    }

    @Test("every conformance file's footer decodes, with the row count pyarrow read")
    func conformanceFooters() throws {
        let directory = Self.conformanceDirectory
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".parquet") }
        #expect(names.count >= 10, "conformance files in \(directory)")
        for name in names {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name)")))
            let metadata = try ParquetFileMetadata.read(file: bytes)
            let expectedData = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/expected/\(name).json"))
            let expected = try #require(try JSONSerialization.jsonObject(with: expectedData) as? [String: Any])
            #expect(metadata.rowCount == (expected["num_rows"] as? Int).map(Int64.init), "\(name)")
            #expect(metadata.rowGroups.reduce(0) { $0 + $1.rowCount } == metadata.rowCount, "\(name)")
            if let first = (expected["rows"] as? [[String: Any]])?.first {
                let topLevel = Set(metadata.leaves.map { $0.path[0] })
                #expect(Set(first.keys).isSubset(of: topLevel), "\(name): \(first.keys) in \(topLevel)")
            }
        }
    }

    @Test("a corrupt footer (PARQUET-1481: physical type -7) is a typed error with its byte offset")
    func corruptSchemaType() throws {
        let path = "\(Self.conformanceDirectory)/bad_data/PARQUET-1481.parquet"
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let error = #expect(throws: ParquetError.self) { try ParquetFileMetadata.read(file: bytes) }
        #expect(error?.code == .corruptMetadata)
        #expect(error?.message.contains("physical type -7") == true, "\(error?.message ?? "")")
        #expect(error?.byteOffset != nil)
    }

    @Test("every truncation and thousands of byte flips of a footer decode or throw, never crash")
    func mutatedFooters() async throws {
        let file = try await Self.ourFile()
        let range = try ParquetFileMetadata.footerRange(fileSize: file.count, tail: Array(file.suffix(8)))
        let footer = Array(file[range])
        for length in 0..<footer.count {
            #expect(throws: ParquetError.self) { try ParquetFileMetadata.decode(Array(footer.prefix(length))) }
        }
        var random = UInt64(7)
        var decoded = 0
        var rejected = 0
        for _ in 0..<5000 {
            var mutated = footer
            for _ in 0..<3 {
                random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                mutated[Int(random >> 33) % mutated.count] ^= UInt8(truncatingIfNeeded: random >> 8) | 1
            }
            do {
                _ = try ParquetFileMetadata.decode(mutated)
                decoded += 1
            } catch let error as ParquetError {
                #expect(error.code == .corruptMetadata)
                rejected += 1
            }
        }
        #expect(decoded + rejected == 5000)
        #expect(rejected > 0)
        for bad in [[UInt8](), Array("PAR1".utf8), Array("PAR1PAR1PAR1".utf8), Array(file.dropLast(1))] {
            #expect(throws: ParquetError.self) { try ParquetFileMetadata.read(file: bad) }
        }
    }

    /// Walks a chunk's pages from its start; returns the data pages' value count.
    static func walkPages(_ file: [UInt8], _ chunk: ParquetColumnChunkMetadata) throws -> (values: Int, pages: Int) {
        var offset = Int(chunk.startOffset)
        let end = offset + Int(chunk.totalCompressedSize)
        var values = 0
        var pages = 0
        while offset < end {
            let header = try PageHeader.decode(file, at: offset, end: end)
            if header.type != PageType.dictionaryPage { values += header.valueCount }
            offset += header.headerSize + header.compressedSize
            pages += 1
        }
        #expect(offset == end)
        return (values, pages)
    }

    @Test("page headers of our files and of every conformance file decode and account for every value")
    func pageHeaders() async throws {
        var files = [("ours", try await Self.ourFile())]
        let directory = Self.conformanceDirectory
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name.hasSuffix(".parquet") {
            files.append((name, Array(try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name)")))))
        }
        var pages = 0
        for (name, file) in files {
            let metadata = try ParquetFileMetadata.read(file: file)
            for group in metadata.rowGroups {
                for chunk in group.columns {
                    let walked = try Self.walkPages(file, chunk)
                    #expect(walked.values == Int(chunk.valueCount), "\(name) \(chunk.path)")
                    pages += walked.pages
                }
            }
        }
        #expect(pages > 100)
        // A header cut short, or claiming more bytes than remain, is a typed error.
        let file = try await Self.ourFile()
        let chunk = try ParquetFileMetadata.read(file: file).rowGroups[0].columns[0]
        let start = Int(chunk.startOffset)
        let header = try PageHeader.decode(file, at: start)
        for cut in [start + 1, start + header.headerSize - 1, start + header.headerSize + header.compressedSize - 1] {
            let error = #expect(throws: ParquetError.self) { try PageHeader.decode(file, at: start, end: cut) }
            #expect(error?.code == .corruptMetadata)
        }
    }
}
