import Foundation
import LakehouseTestSupport
import ParquetLite
import Testing

/// Structs, lists and maps written from row values (``ParquetSchema/columnBatches(rows:)``),
/// read back by ParquetLite, pyarrow and DuckDB.
@Suite("Nested columns: structs, lists and maps")
struct NestedWriterTests {
    static let schema: ParquetSchema = {
        do {
            return try ParquetSchema(nodes: [
                .column(.int64("id")),
                .list("tags", element: .column(.string("element", repetition: .optional))),
                .map("attrs", key: .string("key"), value: .column(.string("value", repetition: .optional))),
                .structure("point", [.column(.double("x")), .column(.string("label", repetition: .optional))]),
                .list("matrix", element: .list("element", repetition: .required, element: .column(.int32("element")))),
                .list(
                    "events", repetition: .required,
                    element: .structure(
                        "element", repetition: .required,
                        [.column(.string("name")), .list("values", element: .column(.int64("element")))])),
            ])
        } catch {
            fatalError("the test schema is invalid: \(error)")
        }
    }()

    static func pair(_ key: String, _ value: ParquetValue) -> ParquetValue {
        .structure(names: ["key", "value"], values: [.string(key), value])
    }

    /// Row `n`: every kind of absence (null field, empty list, null element, empty map, null
    /// struct, null inner field) turns up at some rows.
    static func row(_ n: Int) -> [ParquetValue] {
        let tags: ParquetValue =
            switch n % 5 {
            case 0: .null
            case 1: .list([])
            case 2: .list([.string("t\(n)"), .null, .string("ü\(n)")])
            default: .list((0..<(n % 7)).map { .string("tag-\($0)") })
            }
        let attrs: ParquetValue =
            switch n % 4 {
            case 0: .list([])
            case 1: .null
            default: .list([pair("a", .string("\(n)")), pair("b", .null)])
            }
        let point: ParquetValue =
            n % 6 == 0
            ? .null
            : .structure(
                names: ["x", "label"], values: [.double(Double(n) / 8), n % 3 == 0 ? .null : .string("p\(n)")])
        let matrix: ParquetValue =
            n % 9 == 0
            ? .null
            : .list(
                (0..<(n % 4)).map { rowIndex in
                    .list((0..<(rowIndex + n % 3)).map { .integer(Int64(rowIndex * 10 + $0)) })
                })
        let events: ParquetValue = .list(
            (0..<(n % 3)).map { index in
                .structure(
                    names: ["name", "values"],
                    values: [
                        .string("e\(index)"), index == 1 ? .null : .list((0..<index).map { .integer(Int64(n + $0)) }),
                    ])
            })
        return [.integer(Int64(n)), tags, attrs, point, matrix, events]
    }

    static func write(rows: [[ParquetValue]], version: ParquetDataPageVersion, codec: CompressionCodec) async throws
        -> [UInt8]
    {
        var configuration = ParquetWriter.Configuration()
        configuration.dataPageVersion = version
        configuration.codec = codec
        configuration.dataPageRowLimit = 37
        configuration.rowGroupRowLimit = 200
        let sink = ParquetMemorySink()
        let writer = try ParquetWriter(schema: schema, configuration: configuration, sink: sink)
        // Two writes, so that a row group spans batches.
        let split = rows.count / 3
        try await writer.write(try schema.columnBatches(rows: Array(rows[..<split])))
        try await writer.write(try schema.columnBatches(rows: Array(rows[split...])))
        try await writer.close()
        return sink.bytes
    }

    @Test("rows read back equal the rows written, over several pages and row groups, page v1 and v2")
    func roundTrip() async throws {
        let rows = (0..<500).map(Self.row)
        for (version, codec) in [(ParquetDataPageVersion.v1, CompressionCodec.zstd()), (.v2, .snappy)] {
            let bytes = try await Self.write(rows: rows, version: version, codec: codec)
            let reader = try ParquetReader(bytes: bytes)
            #expect(reader.metadata.rowGroups.count == 3)
            let batch = try reader.read()
            #expect(batch.rowCount == rows.count)
            for (index, row) in batch.rows.enumerated() {
                #expect(row.values == rows[index], "row \(index) (\(version))")
                if row.values != rows[index] { break }
            }
            #expect(batch.rows[5]["attrs"] == .null)
            #expect(batch.rows[2]["tags"] == .list([.string("t2"), .null, .string("ü2")]))
        }
    }

    @Test("pyarrow and DuckDB read the nested file as written")
    func interop() async throws {
        let rows = (0..<300).map(Self.row)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nested-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var paths: [String] = []
        for (version, name) in [(ParquetDataPageVersion.v1, "v1"), (.v2, "v2")] {
            let path = directory + "/nested-\(name).parquet"
            let bytes = try await Self.write(rows: rows, version: version, codec: .zstd())
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            paths.append(path)
        }
        let result = try await ChildProcess.output(
            RepositoryPaths.python, [RepositoryPaths.root + "/Tests/Interop/nested_read.py"] + paths,
            timeout: .seconds(300))
        #expect(result.status == 0, "nested_read.py failed: \(result.errors)")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: [String: [Any]]])
        // Our own reading of the same rows, in JSON.
        let expected = try rows.map { row -> NSDictionary in
            let text = ParquetValue.structure(names: Self.schema.nodes.map(\.name), values: row).json
            return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary)
        }
        for path in paths {
            for reader in ["pyarrow", "duckdb"] {
                let got = try #require(report[path]?[reader] as? [NSDictionary], "\(reader) gave no rows for \(path)")
                #expect(got.count == expected.count)
                let mismatch = zip(got, expected).enumerated().first { !$0.element.0.isEqual($0.element.1) }
                #expect(
                    mismatch == nil,
                    "\(reader), \(path), row \(mismatch?.offset ?? -1): \(mismatch.map { "\($0.element.0) ≠ \($0.element.1)" } ?? "")"
                )
            }
        }
    }

    @Test("a row that does not fit the schema is a schemaViolation naming the row and column")
    func badRows() throws {
        var row = Self.row(1)
        row[5] = .null  // events is a REQUIRED list
        let error = #expect(throws: ParquetError.self) { try Self.schema.columnBatches(rows: [Self.row(0), row]) }
        #expect(error?.code == .schemaViolation)
        #expect(error?.message.contains("row 1") == true)
        #expect(error?.message.contains("events") == true)

        row = Self.row(1)
        row[3] = .list([])  // point is a struct
        #expect(throws: ParquetError.self) { try Self.schema.columnBatches(rows: [row]) }
        row = Self.row(1)
        row[1] = .list([.integer(3)])  // tags holds strings
        #expect(throws: ParquetError.self) { try Self.schema.columnBatches(rows: [row]) }
        #expect(throws: ParquetError.self) { try Self.schema.columnBatches(rows: [Array(Self.row(1).prefix(3))]) }
    }

    @Test("levels handed in directly are checked before anything is written")
    func badLevels() async throws {
        let schema = try ParquetSchema(nodes: [.list("numbers", element: .column(.int64("element")))])
        let writer = try ParquetWriter(schema: schema, sink: ParquetMemorySink())
        // Maximum definition level is 2; 3 is out of range.
        let tooDeep = ParquetColumnBatch(.int64([1]), levels: ParquetLevels(definition: [3], repetition: [0]))
        await #expect(throws: ParquetError.self) { try await writer.write([tooDeep]) }
        let writer2 = try ParquetWriter(schema: schema, sink: ParquetMemorySink())
        let startsMidRow = ParquetColumnBatch(.int64([1]), levels: ParquetLevels(definition: [2], repetition: [1]))
        await #expect(throws: ParquetError.self) { try await writer2.write([startsMidRow]) }
        let writer3 = try ParquetWriter(schema: schema, sink: ParquetMemorySink())
        let noLevels = ParquetColumnBatch.int64s([1])
        await #expect(throws: ParquetError.self) { try await writer3.write([noLevels]) }
        let writer4 = try ParquetWriter(schema: schema, sink: ParquetMemorySink())
        let wrongCount = ParquetColumnBatch(
            .int64([1, 2]), levels: ParquetLevels(definition: [2, 1], repetition: [0, 0]))
        await #expect(throws: ParquetError.self) { try await writer4.write([wrongCount]) }
        #expect(throws: ParquetError.self) {
            try ParquetSchema(nodes: [.structure("empty", [])])
        }
        #expect(throws: ParquetError.self) {
            try ParquetSchema(nodes: [.structure("s", [.column(.int64("a")), .column(.int64("a"))])])
        }
        #expect(throws: ParquetError.self) {
            try ParquetSchema(nodes: [
                .map("m", key: .string("key", repetition: .optional), value: .column(.int64("v")))
            ])
        }
    }
}
