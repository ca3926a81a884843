import Foundation
import ParquetLiteTestSupport
import Testing

@testable import ParquetLite

@Suite("ParquetLite column chunk reader: what the writer wrote reads back bit for bit")
struct ColumnChunkReaderTests {
    /// Each row's value as bytes (`nil` for null), so that batches compare bit for bit (NaN too).
    static func rows(_ batch: ParquetColumnBatch) -> [[UInt8]?] {
        var values: [[UInt8]] = []
        switch batch.values {
        case .boolean(let all): values = all.map { [$0 ? 1 : 0] }
        case .int32(let all): values = all.map { withUnsafeBytes(of: $0) { Array($0) } }
        case .int64(let all): values = all.map { withUnsafeBytes(of: $0) { Array($0) } }
        case .float(let all): values = all.map { withUnsafeBytes(of: $0.bitPattern) { Array($0) } }
        case .double(let all): values = all.map { withUnsafeBytes(of: $0.bitPattern) { Array($0) } }
        case .fixedLenByteArray(let bytes, let width):
            values = stride(from: 0, to: bytes.count, by: max(width, 1)).map { Array(bytes[$0..<($0 + width)]) }
        case .byteArray(let arrays):
            values = (0..<arrays.count).map {
                Array(arrays.bytes[Int(arrays.offsets[$0])..<Int(arrays.offsets[$0 + 1])])
            }
        }
        guard let validity = batch.validity else { return values }
        var next = values.makeIterator()
        return validity.map { $0 ? next.next() : nil }
    }

    /// Reads every column of `file` back, row group after row group.
    static func readAll(_ file: [UInt8]) throws -> [[[UInt8]?]] {
        let reader = try ParquetReader(bytes: file)
        return try reader.fields.indices.map { column in
            try reader.metadata.rowGroups.indices.flatMap { group in
                rows(try #require(try reader.readRowGroup(group).columns[column].primitive))
            }
        }
    }

    @Test("every type, REQUIRED and OPTIONAL, every encoding, codec and page version, several row groups")
    func roundTrip() async throws {
        let columns =
            InteropFixtures.allTypes(rows: 900, repetition: .required)
            + InteropFixtures.allTypes(rows: 900, repetition: .optional)
        for (encoding, _) in InteropFixtures.encodings {
            for (codec, _) in InteropFixtures.codecs {
                for version in [ParquetDataPageVersion.v1, .v2] {
                    var configuration = ParquetWriter.Configuration()
                    configuration.codec = codec
                    configuration.dataPageVersion = version
                    configuration.dataPageRowLimit = 100
                    configuration.rowGroupRowLimit = 400
                    configuration.writesPageChecksums = true
                    configuration.dictionaryPageSizeLimit = 512  // fallback inside chunks too
                    configuration.encoding = encoding == .deltaBinaryPacked ? .plain : encoding
                    if encoding == .deltaBinaryPacked {
                        for column in columns where [.int32, .int64].contains(column.column.physicalType) {
                            configuration.columns[column.column.name] = .init(encoding: .deltaBinaryPacked)
                        }
                    }
                    let sink = ParquetMemorySink()
                    let writer = try ParquetWriter(
                        schema: try ParquetSchema(columns.map(\.column)), configuration: configuration, sink: sink)
                    try await writer.write(columns.map(\.batch))
                    try await writer.close()
                    let read = try Self.readAll(sink.bytes)
                    for (index, column) in columns.enumerated() {
                        #expect(
                            read[index] == Self.rows(column.batch),
                            "\(column.column.name) \(encoding) \(codec) \(version)")
                    }
                }
            }
        }
    }

    @Test("a page whose CRC does not match, or a chunk outside the file, is a typed error naming the column")
    func corruptChunks() async throws {
        var configuration = ParquetWriter.Configuration()
        configuration.writesPageChecksums = true
        configuration.codec = .uncompressed
        let sink = ParquetMemorySink()
        let writer = try ParquetWriter(
            schema: try ParquetSchema([.int64("n")]), configuration: configuration, sink: sink)
        try await writer.write([.int64s((0..<1000).map { Int64($0) })])
        try await writer.close()
        let metadata = try ParquetFileMetadata.read(file: sink.bytes)
        let chunk = metadata.rowGroups[0].columns[0]
        var flipped = sink.bytes
        flipped[Int(chunk.startOffset + chunk.totalCompressedSize) - 1] ^= 0xFF
        let crc = #expect(throws: ParquetError.self) {
            try ColumnChunkReader(file: flipped, chunk: chunk, maxDefinitionLevel: 0, typeLength: 0).read()
        }
        #expect(crc?.message.contains("CRC32") == true)
        #expect(crc?.column == "n")
        var outside = chunk
        outside.totalCompressedSize = Int64(sink.bytes.count)
        let bounds = #expect(throws: ParquetError.self) {
            try ColumnChunkReader(file: sink.bytes, chunk: outside, maxDefinitionLevel: 0, typeLength: 0).read()
        }
        #expect(bounds?.code == .corruptMetadata)
    }
}
