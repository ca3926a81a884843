import Foundation
import LakehouseTestSupport
import Testing

@testable import ParquetLite

/// Tables of 0 rows, row groups of 0 rows and pages whose values take 0 bytes: as pyarrow,
/// DuckDB and Spark write them (Tests/Interop/empty_fixtures.py), read through the public reader
/// and compared with pyarrow's reading (rows, row groups, schema, values); the same shapes built
/// here byte by byte; and their corrupt neighbours, which stay typed errors.
@Suite("ParquetReader reads 0-row tables, 0-row row groups and pages of 0 value bytes as pyarrow does")
struct EmptyTablesTests {
    // MARK: Schema notation

    /// A field in the notation of `describe_field` in Tests/Interop/empty_fixtures.py.
    static func describe(_ field: ParquetField) -> String {
        "\(field.name): \(describe(field.kind))\(field.isNullable ? "" : " not null")"
    }

    static func describe(_ kind: ParquetField.Kind) -> String {
        switch kind {
        case .list(let element): return "list<\(describe(element.kind))\(element.isNullable ? "" : " not null")>"
        case .structure(let fields): return "struct<\(fields.map { describe($0) }.joined(separator: ", "))>"
        case .primitive(let physical, let logical, let length):
            switch logical {
            case .string?: return "string"
            case .date?: return "date32"
            case .uuid?: return "uuid"
            case .decimal(let precision, let scale)?: return "decimal(\(precision), \(scale))"
            case .integer(let bitWidth, let isSigned)?: return "\(isSigned ? "" : "u")int\(bitWidth)"
            case .timestamp(let unit, let isAdjustedToUTC)?:
                let units: [ParquetTimeUnit: String] = [.milliseconds: "ms", .microseconds: "us", .nanoseconds: "ns"]
                return "timestamp[\(units[unit]!)\(isAdjustedToUTC ? ", UTC" : "")]"
            case nil:
                switch physical {
                case .boolean: return "bool"
                case .int32: return "int32"
                case .int64: return "int64"
                case .int96: return "timestamp[ns]"
                case .float: return "float"
                case .double: return "double"
                case .byteArray: return "binary"
                case .fixedLenByteArray: return "fixed_size_binary[\(length ?? 0)]"
                }
            }
        }
    }

    // MARK: Files from pyarrow, DuckDB and Spark-style pages

    /// Reads `path` every way the reader offers (row group by row group, whole, and from only the
    /// byte ranges it names) and compares with pyarrow's reading beside it.
    /// Returns the number of values compared and of row groups of 0 rows.
    static func compare(_ path: String, name: String) throws -> (values: Int, emptyGroups: Int) {
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path + ".json")))
                as? [String: Any])
        let rows = try #require(document["rows"] as? [[String: Any]])
        let schema = try #require(document["schema"] as? [String])
        let groups = try #require(document["row_groups"] as? [Int])
        let reader = try ParquetReader(path: path)
        #expect(reader.rowCount == document["num_rows"] as? Int, "\(name)")
        #expect(reader.metadata.rowGroups.map { Int($0.rowCount) } == groups, "\(name)")
        #expect(reader.fields.map { describe($0) } == schema, "\(name)")
        var compared = 0
        var emptyGroups = 0
        var row = 0
        var batches = reader.rowGroupBatches()
        while let (index, batch) = try batches.next() {
            #expect(batch.rowCount == groups[index], "\(name) row group \(index)")
            #expect(batch.fields.map { describe($0) } == schema, "\(name) row group \(index)")
            if batch.rowCount == 0 { emptyGroups += 1 }
            for ours in batch.rows {
                #expect(Set(ours.names) == Set(rows[row].keys), "\(name) row \(row)")
                for (column, value) in zip(ours.names, ours.values) {
                    let why = ConformanceValueTests.mismatch(value, rows[row][column] ?? NSNull())
                    #expect(why == nil, "\(name) \(column) row \(row): \(why ?? "")")
                    compared += 1
                }
                row += 1
            }
        }
        #expect(row == rows.count, "\(name)")
        let whole = try reader.read()
        #expect(whole.rowCount == rows.count, "\(name)")
        #expect(whole.fields.map { describe($0) } == schema, "\(name)")
        // From the footer and the ranges `byteRanges` names, as from S3: a chunk of no values
        // has no range and is never read.
        let file = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let footer = try ParquetFileMetadata.footerRange(fileSize: file.count, tail: Array(file.suffix(8)))
        let metadata = try ParquetFileMetadata.decode(Array(file[footer]), baseOffset: footer.lowerBound)
        var fetched = ParquetFetchedRanges(size: file.count)
        let plan = try ParquetReader(metadata: metadata, source: fetched)
        for (index, group) in metadata.rowGroups.enumerated() {
            let ranges = try plan.byteRanges(rowGroup: index)
            #expect(group.rowCount != 0 || ranges.isEmpty, "\(name) row group \(index): \(ranges)")
            for range in ranges { fetched.add(Array(file[range]), at: range.lowerBound) }
        }
        let remote = try ParquetReader(metadata: metadata, source: fetched).read()
        #expect(remote.rowCount == whole.rowCount, "\(name)")
        #expect(remote.rows.map(\.json) == whole.rows.map(\.json), "\(name)")
        return (compared, emptyGroups)
    }

    @Test("pyarrow's and DuckDB's 0-row tables and 0-row row groups, Spark's pages of nulls: as pyarrow reads them")
    func fixtures() async throws {
        try await PythonFixtures.with("empty_fixtures.py") { directory, names in
            #expect(names.filter { $0.hasPrefix("pa_empty_") && !$0.hasPrefix("pa_empty_groups_") }.count == 26)
            #expect(names.filter { $0.hasPrefix("pa_empty_groups_") }.count == 8)
            #expect(names.filter { $0.hasPrefix("duckdb_empty_") }.count == 4)
            #expect(names.filter { $0.hasPrefix("spark_null_pages_") }.count == 7)
            var compared = 0
            var emptyGroups = 0
            for name in names.sorted() {
                do {
                    let (values, empty) = try Self.compare("\(directory)/\(name)", name: name)
                    compared += values
                    emptyGroups += empty
                } catch {
                    Issue.record("\(name): \(error)")
                }
            }
            // 25 pyarrow files of one empty row group, and 8 files of three.
            #expect(emptyGroups == 25 + 8 * 3)
            // 8 files of 5 rows of 19 columns; 6 Spark-style files of 7 rows of 4 columns, brotli's of 2.
            #expect(compared == 8 * 5 * 19 + 6 * 7 * 4 + 7 * 2)
        }
    }

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
