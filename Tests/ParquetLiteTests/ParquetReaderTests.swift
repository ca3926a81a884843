import Foundation
import Testing

@testable import ParquetLite

/// The public reader's selection and access paths on files this test writes: statistics
/// pruning, projection, row groups by index, caller-fetched byte ranges, local files, and
/// errors that name the row group, the column and the byte offset.
@Suite("ParquetReader selects, streams and reports as documented")
struct ParquetReaderTests {
    /// 400 rows in 4 row groups of 100: `n` = row, `store` = "S<row/100>", `day` = DATE row/100,
    /// `price` = row / 4.0, `note` null in row group 2 only and in every 3rd row of group 3.
    static func file(codec: CompressionCodec = .zstd(), version: ParquetDataPageVersion = .v1) async throws
        -> [UInt8]
    {
        let schema = try ParquetSchema([
            .int64("n"), .string("store"), .date("day"), .double("price"), .string("note", repetition: .optional),
            .integer("code", bitWidth: 32, isSigned: false),
        ])
        var configuration = ParquetWriter.Configuration()
        configuration.rowGroupRowLimit = 100
        configuration.codec = codec
        configuration.dataPageVersion = version
        let sink = ParquetMemorySink()
        let writer = try ParquetWriter(schema: schema, configuration: configuration, sink: sink)
        let rows = 0..<400
        try await writer.write([
            .int64s(rows.map { Int64($0) }),
            .strings(rows.map { "S\($0 / 100)" }),
            .int32s(rows.map { Int32($0 / 100) }),
            .doubles(rows.map { Double($0) / 4 }),
            .strings(rows.map { $0 / 100 == 2 || ($0 / 100 == 3 && $0 % 3 == 0) ? nil : "note \($0)" }),
            .int32s(rows.map { Int32(bitPattern: UInt32(3_000_000_000) + UInt32($0)) }),
        ])
        try await writer.close()
        return sink.bytes
    }

    @Test("statistics prune row groups: comparisons, ranges, nulls, and/or, logical types")
    func pruning() async throws {
        let reader = try ParquetReader(bytes: try await Self.file())
        #expect(reader.metadata.rowGroups.count == 4)
        #expect(try reader.rowGroups() == [0, 1, 2, 3])
        #expect(try reader.rowGroups(where: .equal("n", .integer(250))) == [2])
        #expect(try reader.rowGroups(where: .lessThan("n", .integer(100))) == [0])
        #expect(try reader.rowGroups(where: .lessThanOrEqual("n", .integer(100))) == [0, 1])
        #expect(try reader.rowGroups(where: .greaterThan("n", .integer(299))) == [3])
        #expect(try reader.rowGroups(where: .greaterThanOrEqual("n", .integer(299))) == [2, 3])
        #expect(try reader.rowGroups(where: .between("price", .double(30), .double(55))) == [1, 2])
        #expect(try reader.rowGroups(where: .equal("store", .string("S3"))) == [3])
        #expect(try reader.rowGroups(where: .equal("store", .string("S9"))) == [])
        #expect(try reader.rowGroups(where: .equal("day", .date(daysSinceEpoch: 1))) == [1])
        #expect(try reader.rowGroups(where: .isNull("note")) == [2, 3])
        #expect(try reader.rowGroups(where: .isNotNull("note")) == [0, 1, 3])
        #expect(try reader.rowGroups(where: .equal("note", .string("note 5"))) == [0])
        #expect(
            try reader.rowGroups(where: .or([.equal("n", .integer(5)), .equal("store", .string("S3"))])) == [0, 3])
        #expect(
            try reader.rowGroups(where: .and([.greaterThan("n", .integer(50)), .lessThan("n", .integer(150))])) == [
                0, 1,
            ])
        // Unsigned order: 3,000,000,000 + row is above 2^31, which a signed comparison would miss.
        #expect(try reader.rowGroups(where: .greaterThan("code", .unsignedInteger(3_000_000_350))) == [3])
        let unknown = #expect(throws: ParquetError.self) { try reader.rowGroups(where: .equal("nope", .integer(1))) }
        #expect(unknown?.code == .invalidArgument)
        #expect(unknown?.message.contains("store") == true)
        let mismatch = #expect(throws: ParquetError.self) {
            try reader.rowGroups(where: .equal("day", .string("2026-01-01")))
        }
        #expect(mismatch?.code == .invalidArgument)
    }

    @Test("projection, row groups by index, whole-file reads and the row view agree")
    func projection() async throws {
        let reader = try ParquetReader(bytes: try await Self.file(codec: .snappy, version: .v2))
        let batch = try reader.readRowGroup(2, columns: ["note", "n"])
        #expect(batch.fields.map(\.name) == ["note", "n"])
        #expect(batch.rowCount == 100)
        #expect(batch.column(named: "n")?.primitive?.values == .int64((200..<300).map(Int64.init)))
        #expect(batch.column(named: "note")?.primitive?.validity == [Bool](repeating: false, count: 100))
        let all = try reader.read()
        #expect(all.rowCount == 400)
        #expect(all.rows[399]["store"] == .string("S3"))
        #expect(all.rows[399]["code"] == .unsignedInteger(3_000_000_399))
        #expect(all.rows[303]["note"] == .null)
        #expect(all.rows[304]["note"] == .string("note 304"))
        #expect(all.rows[5]["day"] == .date(daysSinceEpoch: 0))
        #expect(all.rows[5].json.contains("\"price\": 1.25"))
        var streamed: [Int] = []
        var batches = reader.rowGroupBatches(columns: ["n"], rowGroups: [3, 1])
        while let (index, batch) = try batches.next() {
            streamed.append(index)
            #expect(batch.rowCount == 100)
        }
        #expect(streamed == [3, 1])
        let unknown = #expect(throws: ParquetError.self) { try reader.readRowGroup(0, columns: ["missing"]) }
        #expect(unknown?.code == .invalidArgument)
        let outOfRange = #expect(throws: ParquetError.self) { try reader.readRowGroup(4) }
        #expect(outOfRange?.code == .invalidArgument)
    }

    @Test("streaming gives each row group as readRowGroup does, whether or not freed memory is released between them")
    func streamingReleasesMemory() async throws {
        let file = try await Self.file()
        #expect(ParquetReader.Options().releasesMemoryBetweenRowGroups)
        #if canImport(Glibc)
            #expect(FreedMemory.isAvailable, "glibc's malloc_trim was not found")
        #endif
        for releases in [true, false] {
            var options = ParquetReader.Options()
            options.releasesMemoryBetweenRowGroups = releases
            let reader = try ParquetReader(bytes: file, options: options)
            var indices: [Int] = []
            var batches = reader.rowGroupBatches()
            while let (index, batch) = try batches.next() {
                indices.append(index)
                let alone = try reader.readRowGroup(index)
                #expect(batch.rows.map(\.json) == alone.rows.map(\.json), "row group \(index), releases \(releases)")
            }
            #expect(indices == [0, 1, 2, 3])
        }
    }

    @Test("byte ranges fetched by the caller: the footer, then only the chunks named")
    func fetchedRanges() async throws {
        let file = try await Self.file()
        // The footer, as a caller would fetch it: the last 8 bytes, then the range they name.
        let footerRange = try ParquetFileMetadata.footerRange(fileSize: file.count, tail: Array(file.suffix(8)))
        let metadata = try ParquetFileMetadata.decode(Array(file[footerRange]), baseOffset: footerRange.lowerBound)
        var fetched = ParquetFetchedRanges(size: file.count)
        let empty = try ParquetReader(metadata: metadata, source: fetched)
        let ranges = try empty.byteRanges(rowGroup: 1, columns: ["store", "price"])
        #expect(ranges.count == 2)
        #expect(ranges.reduce(0) { $0 + $1.count } < file.count / 4)
        let missing = #expect(throws: ParquetError.self) { try empty.readRowGroup(1, columns: ["store"]) }
        #expect(missing?.message.contains("not fetched") == true)
        #expect(missing?.rowGroup == 1)
        for range in ranges { fetched.add(Array(file[range]), at: range.lowerBound) }
        let reader = try ParquetReader(metadata: metadata, source: fetched)
        let batch = try reader.readRowGroup(1, columns: ["store", "price"])
        let direct = try ParquetReader(bytes: file).readRowGroup(1, columns: ["store", "price"])
        #expect(batch.columns.map(\.primitive) == direct.columns.map(\.primitive))
        #expect(batch.rows[0]["store"] == .string("S1"))
    }

    @Test("a local file reads as its bytes do; a missing file is a typed error")
    func localFile() async throws {
        let file = try await Self.file(codec: .gzip())
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("reader-\(UUID().uuidString).parquet")
            .path
        try Data(file).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fromDisk = try ParquetReader(path: path).read()
        let fromMemory = try ParquetReader(bytes: file).read()
        #expect(fromDisk.columns.map(\.primitive) == fromMemory.columns.map(\.primitive))
        let missing = #expect(throws: ParquetError.self) { try ParquetReader(path: path + ".missing") }
        #expect(missing?.message.contains("cannot open") == true)
    }

    @Test("a corrupt page names the row group, the column and the byte offset")
    func errorLocation() async throws {
        var file = try await Self.file(codec: .uncompressed)
        let metadata = try ParquetFileMetadata.read(file: file)
        let chunk = metadata.rowGroups[2].columns[3]  // price, row group 2
        // Overwrite the first page header's bytes with garbage.
        for offset in Int(chunk.startOffset)..<Int(chunk.startOffset) + 6 { file[offset] = 0xFF }
        let reader = try ParquetReader(bytes: file)
        _ = try reader.readRowGroup(1)
        let error = #expect(throws: ParquetError.self) { try reader.readRowGroup(2) }
        #expect(error?.rowGroup == 2)
        #expect(error?.column == "price")
        #expect(error?.byteOffset.map { $0 >= Int(chunk.startOffset) } == true)
        #expect(error?.description.contains("row group 2") == true)
    }

    @Test("deprecated BIT_PACKED definition levels (most significant bit first) read as RLE ones do")
    func bitPackedLevels() async throws {
        // A v1 page with RLE levels, rewritten in place to BIT_PACKED: the header's level
        // encoding byte changes from RLE (3) to BIT_PACKED (4), and the body's 4-byte length and
        // hybrid runs become the bare packed bits, the values shifted forward and padded.
        let schema = try ParquetSchema([.int32("v", repetition: .optional)])
        var configuration = ParquetWriter.Configuration()
        configuration.codec = .uncompressed
        configuration.encoding = .plain
        let sink = ParquetMemorySink()
        let writer = try ParquetWriter(schema: schema, configuration: configuration, sink: sink)
        let values: [Int32?] = [1, nil, 3, 4, nil, 6, nil, 8, 9, 10]
        try await writer.write([.int32s(values)])
        try await writer.close()
        var file = sink.bytes
        let chunk = try ParquetFileMetadata.read(file: file).rowGroups[0].columns[0]
        let header = try PageHeader.decode(file, at: Int(chunk.dataPageOffset))
        #expect(header.definitionLevelEncoding == EncodingID.rle)
        // DataPageHeader fields 2–4 as compact Thrift: encoding PLAIN, then RLE, RLE (zigzag 6).
        let pattern: [UInt8] = [0x15, 0x00, 0x15, 0x06, 0x15, 0x06]
        let headerRange = Int(chunk.dataPageOffset)..<(Int(chunk.dataPageOffset) + header.headerSize)
        let at = try #require(
            headerRange.first { start in
                start + 6 <= headerRange.upperBound && Array(file[start..<(start + 6)]) == pattern
            })
        file[at + 3] = 0x08  // BIT_PACKED
        let body = Int(chunk.dataPageOffset) + header.headerSize
        let rleLength = Int(file[body]) | Int(file[body + 1]) << 8
        let plain = Array(file[(body + 4 + rleLength)..<(body + header.compressedSize)])
        // Levels 1,0,1,1,0,1,0,1,1,1 packed from the most significant bit: 1011 0101 11.. ....
        let packed: [UInt8] = [0b1011_0101, 0b1100_0000]
        let rewritten = packed + plain + [UInt8](repeating: 0, count: 4 + rleLength - packed.count)
        file.replaceSubrange(body..<(body + header.compressedSize), with: rewritten)
        let batch = try ParquetReader(bytes: file).read()
        #expect(batch.rows.map { $0["v"] } == values.map { $0.map { .integer(Int64($0)) } ?? .null })
        #expect(try ParquetReader(bytes: sink.bytes).read().rows.map(\.values) == batch.rows.map(\.values))
    }

    @Test("batches check their vectors' shapes; vectors concatenate; decimals print exactly")
    func valuesAndShapes() async throws {
        let reader = try ParquetReader(bytes: try await Self.file())
        let one = try reader.readRowGroup(0, columns: ["n", "note"])
        let two = try reader.readRowGroup(2, columns: ["n", "note"])
        let none = try reader.read(columns: ["note", "n"], rowGroups: [])
        #expect(none.rowCount == 0)
        #expect(none.fields.map(\.name) == ["note", "n"])
        #expect(none.columns.map(\.count) == [0, 0])
        #expect(none.column(named: "note")?.primitive?.values == .byteArray(ParquetByteArrays(bytes: [], offsets: [0])))
        let both = try ParquetRecordBatch.concatenating([one, two], fields: one.fields)
        #expect(both.rowCount == 200)
        #expect(both.rows[150]["n"] == .integer(250))
        #expect(both.rows[150]["note"] == .null)
        #expect(both.rows[50]["note"] == .string("note 50"))
        let wrongType = #expect(throws: ParquetError.self) {
            try ParquetRecordBatch(fields: [one.fields[0]], columns: [.primitive(.strings(["x"]))], rowCount: 1)
        }
        #expect(wrongType?.code == .invalidArgument)
        let badValidity = #expect(throws: ParquetError.self) {
            try ParquetRecordBatch(
                fields: [one.fields[0]],
                columns: [.primitive(ParquetColumnBatch(.int64([1]), validity: [true, true]))],
                rowCount: 2)
        }
        #expect(badValidity?.code == .invalidArgument)
        #expect(ParquetDecimal(unscaled: -12_340, scale: 3).description == "-12.340")
        #expect(ParquetDecimal(unscaled: 5, scale: 2).description == "0.05")
        #expect(ParquetDecimal(unscaled: 0, scale: 0).description == "0")
        #expect(ParquetDecimal(unscaled: .min, scale: 0).description == "-9223372036854775808")
        #expect(ParquetDecimal(unscaledBytes: [UInt8](repeating: 0xFF, count: 16), scale: 1).description == "-0.1")
        #expect(ParquetValue.bytes([0xFF, 0x00]).json == "\"b64:/wA=\"")
        #expect(ParquetValue.double(.nan).json == "\"NaN\"")
        #expect(
            ParquetValue.timestamp(-1, unit: .microseconds, isAdjustedToUTC: true).json
                == "\"1969-12-31 23:59:59.999999\"")
        #expect(ParquetValue.string("a\"b\n").json == "\"a\\\"b\\n\"")
    }
}
