import Foundation
import Testing

@testable import ParquetLite

/// Tables of 0 rows, row groups of 0 rows and pages whose values take 0 bytes, built here byte by
/// byte, and their corrupt neighbours, which stay typed errors (pyarrow's, DuckDB's and Spark's
/// files of these shapes are InteropTests' EmptyTablesInteropTests).
@Suite("ParquetReader reads 0-row tables, 0-row row groups and pages of 0 value bytes")
struct EmptyTablesTests {
    // MARK: The same shapes, built here

    /// RLE/bit-packed hybrid definition levels at bit width 1.
    static func levels(_ levels: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        levels.map(UInt32.init).withUnsafeBufferPointer { RLEHybridEncoder.encode($0, bitWidth: 1, into: &output) }
        return output
    }

    /// A DATA_PAGE_V2 of a flat OPTIONAL column: its levels, then `stored` as the values section,
    /// which the header says holds `valueBytes` bytes once decompressed.
    static func pageV2(_ definitions: [UInt8], stored: [UInt8] = [], valueBytes: Int = 0) -> [UInt8] {
        let encodedLevels = levels(definitions)
        var header = PageHeader(
            type: PageType.dataPageV2, uncompressedSize: encodedLevels.count + valueBytes,
            compressedSize: encodedLevels.count + stored.count, valueCount: definitions.count,
            encoding: EncodingID.plain)
        header.nullCount = definitions.filter { $0 == 0 }.count
        header.rowCount = definitions.count
        header.definitionLevelsByteLength = encodedLevels.count
        header.repetitionLevelsByteLength = 0
        return header.encoded() + encodedLevels + stored
    }

    /// A DATA_PAGE (v1) of `valueCount` values whose body is `stored` (`size` bytes decompressed).
    static func pageV1(valueCount: Int, stored: [UInt8], size: Int) -> [UInt8] {
        PageHeader(
            type: PageType.dataPage, uncompressedSize: size, compressedSize: stored.count, valueCount: valueCount,
            encoding: EncodingID.plain, definitionLevelEncoding: EncodingID.rle, repetitionLevelEncoding: EncodingID.rle
        ).encoded() + stored
    }

    /// Decodes `pages` as the chunk of an OPTIONAL INT64 column `n` compressed with `codec`.
    static func decode(_ pages: [UInt8], codec: Int32, valueCount: Int) throws -> DecodedColumnChunk {
        let chunk = ParquetColumnChunkMetadata(
            physicalType: .int64, encodings: [EncodingID.plain, EncodingID.rle], path: ["n"], codec: codec,
            valueCount: Int64(valueCount), totalUncompressedSize: Int64(pages.count),
            totalCompressedSize: Int64(pages.count), dataPageOffset: 4)
        return try ColumnChunkReader(bytes: pages, baseOffset: 4, chunk: chunk, maxDefinitionLevel: 1, typeLength: 0)
            .read()
    }

    /// Every codec value of parquet.thrift: UNCOMPRESSED, SNAPPY, GZIP, LZO, BROTLI, LZ4, ZSTD, LZ4_RAW.
    static let codecValues: [Int32] = Array(0...7)

    @Test("a DATA_PAGE_V2 of nulls whose values take 0 bytes reads with every codec", arguments: codecValues)
    func emptyValuesSection(codec: Int32) throws {
        let nulls = try Self.decode(Self.pageV2([0, 0, 0, 0, 0]), codec: codec, valueCount: 5)
        #expect(nulls.entryCount == 5)
        #expect(nulls.values == .int64([]))
        #expect(nulls.definitions == [0, 0, 0, 0, 0])
        // After a page of values, compressed with the codec where ParquetLite has it (LZ4's
        // Hadoop framing is optional: a bare LZ4_RAW block reads).
        guard let compression = CompressionCodec(thriftValue: codec == 5 ? 7 : codec) else { return }
        let values = [Int64(10), -3, 7].withUnsafeBytes { Array($0) }
        let first = Self.pageV2(
            [1, 0, 1, 1], stored: try compression.compress(values), valueBytes: values.count)
        let both = try Self.decode(first + Self.pageV2([0, 0, 0]), codec: codec, valueCount: 7)
        #expect(both.entryCount == 7)
        #expect(both.values == .int64([10, -3, 7]))
        #expect(both.validity(maxDefinitionLevel: 1) == [true, false, true, true, false, false, false])
    }

    @Test(
        "0 value bytes where the page declares more, or a v1 page of values without bytes, are typed errors",
        arguments: codecValues)
    func emptySectionsThatClaimBytes(codec: Int32) throws {
        let supported = CompressionCodec(thriftValue: codec) != nil
        let short = #expect(throws: ParquetError.self) {
            try Self.decode(Self.pageV2([1, 0, 0], valueBytes: 8), codec: codec, valueCount: 3)
        }
        #expect(
            short?.code == (supported ? .decompressedSizeMismatch : .unsupportedFeature),
            "\(short.map { "\($0)" } ?? "")")
        #expect(short?.column == "n")
        let v1 = #expect(throws: ParquetError.self) {
            try Self.decode(Self.pageV1(valueCount: 3, stored: [], size: 0), codec: codec, valueCount: 3)
        }
        #expect(v1?.code == .corruptMetadata, "\(v1.map { "\($0)" } ?? "")")
        #expect(v1?.message.contains("cut off before its definition levels") == true)
    }

    @Test("a v1 page of no values and 0 bytes reads as nothing with every codec", arguments: codecValues)
    func emptyVersion1Page(codec: Int32) throws {
        // Arrow refuses one in an OPTIONAL column, for want of its levels' length; a page of no
        // values has no levels to read, and reading it as nothing loses nothing.
        let pages = Self.pageV1(valueCount: 0, stored: [], size: 0) + Self.pageV2([0, 0])
        let decoded = try Self.decode(pages, codec: codec, valueCount: 2)
        #expect(decoded.entryCount == 2)
        #expect(decoded.definitions == [0, 0])
    }

    /// `original` with a row group of 0 rows inserted at `position`, shaped as pyarrow 26 writes
    /// one: its chunks have 0 values, `data_page_offset` 0, and a dictionary offset and size that
    /// do not fit the file (or 0 bytes at offset 0).
    static func insertingEmptyGroup(_ original: ParquetFileMetadata, at position: Int, rows: Int64 = 0)
        -> ParquetFileMetadata
    {
        var metadata = original
        var group = metadata.rowGroups[0]
        for index in group.columns.indices {
            group.columns[index].valueCount = 0
            group.columns[index].dataPageOffset = 0
            group.columns[index].dictionaryPageOffset = index % 2 == 0 ? 4 : nil
            group.columns[index].totalCompressedSize = index % 2 == 0 ? 1 << 40 : 0
            group.columns[index].statistics = nil
        }
        group.rowCount = rows
        metadata.rowGroups.insert(group, at: position)
        metadata.rowCount += rows
        return metadata
    }

    @Test("a row group of 0 rows whose chunks point nowhere reads as 0 rows; claiming rows, it is a typed error")
    func emptyRowGroupOffsets() throws {
        // datapage_v2.snappy has a list column, a string column and dictionary-encoded ones.
        let path = ParquetMetadataTests.conformanceDirectory + "/datapage_v2.snappy.parquet"
        let file = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let original = try ParquetReader(bytes: file)
        let expected = try original.read().rows.map(\.json)
        for position in [0, 1] {
            let metadata = Self.insertingEmptyGroup(original.metadata, at: position)
            let reader = try ParquetReader(metadata: metadata, source: ParquetBufferSource(file))
            let empty = try reader.readRowGroup(position)
            #expect(empty.rowCount == 0)
            #expect(empty.fields == original.fields)
            #expect(try reader.byteRanges(rowGroup: position).isEmpty)
            #expect(try reader.read().rows.map(\.json) == expected)
            // The same group claiming rows: every column, flat or nested, is a typed error.
            let claiming = Self.insertingEmptyGroup(original.metadata, at: position, rows: 3)
            let lying = try ParquetReader(metadata: claiming, source: ParquetBufferSource(file))
            for field in original.fields {
                let error = #expect(throws: ParquetError.self, "\(field.name)") {
                    try lying.readRowGroup(position, columns: [field.name])
                }
                #expect(error?.code == .corruptMetadata, "\(field.name): \(error.map { "\($0)" } ?? "")")
                #expect(error?.rowGroup == position)
            }
        }
    }

    @Test("mutated pages of 0 value bytes and mutated 0-row row groups: read or a typed error, never a crash")
    func mutations() throws {
        var random = UInt64(20_261_206)
        func next() -> Int {
            random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: random >> 33)
        }
        var outcomes = (read: 0, rejected: 0)
        func attempt(_ body: () throws -> Void) {
            do {
                try body()
                outcomes.read += 1
            } catch is ParquetError {
                outcomes.rejected += 1
            } catch {
                Issue.record("not a ParquetError: \(error)")
            }
        }
        let values = [Int64(10), -3, 7].withUnsafeBytes { Array($0) }
        for codec in Self.codecValues {
            let compression = CompressionCodec(thriftValue: codec == 5 ? 7 : codec) ?? .uncompressed
            let original =
                Self.pageV1(valueCount: 0, stored: [], size: 0)
                + Self.pageV2([1, 0, 1, 1], stored: try compression.compress(values), valueBytes: values.count)
                + Self.pageV2([0, 0, 0])
            for round in 0..<300 {
                var pages = original
                if round % 3 == 2 {
                    pages = Array(pages.prefix(next() % pages.count))
                } else {
                    for _ in 0..<(1 + next() % 3) {
                        pages[next() % pages.count] ^= UInt8(truncatingIfNeeded: next()) | 1
                    }
                }
                attempt { _ = try Self.decode(pages, codec: codec, valueCount: 7) }
            }
        }
        // The 0-row row group's numbers rewritten with extreme values, one field at a time.
        let path = ParquetMetadataTests.conformanceDirectory + "/datapage_v2.snappy.parquet"
        let file = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let base = Self.insertingEmptyGroup(try ParquetReader(bytes: file).metadata, at: 1)
        let extremes: [Int64] = [-1, 0, 1, 4, 15, Int64(file.count), Int64(Int32.max), Int64.max, Int64.min]
        for round in 0..<400 {
            var metadata = base
            let column = next() % metadata.rowGroups[1].columns.count
            let value = extremes[next() % extremes.count]
            switch round % 5 {
            case 0: metadata.rowGroups[1].rowCount = value
            case 1: metadata.rowGroups[1].columns[column].valueCount = value
            case 2: metadata.rowGroups[1].columns[column].dataPageOffset = value
            case 3: metadata.rowGroups[1].columns[column].dictionaryPageOffset = value
            default: metadata.rowGroups[1].columns[column].totalCompressedSize = value
            }
            attempt {
                let reader = try ParquetReader(metadata: metadata, source: ParquetBufferSource(file))
                _ = try reader.byteRanges(rowGroup: 1)
                _ = try reader.read().rows.map(\.json)
            }
        }
        #expect(outcomes.read + outcomes.rejected == 8 * 300 + 400)
        #expect(outcomes.read > 0 && outcomes.rejected > 0)
    }
}
