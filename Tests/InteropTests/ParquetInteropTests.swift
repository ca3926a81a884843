import Foundation
import LakehouseTestSupport
import ParquetLite
import ParquetLiteTestSupport
import Testing

/// Files written by ParquetLite, read back by pyarrow and DuckDB (Tests/Interop/parquet_interop.py),
/// which compare every value and pyarrow's statistics with what was written.
@Suite("ParquetLite files read by pyarrow and DuckDB")
struct ParquetInteropTests {
    static let encodings = InteropFixtures.encodings
    static let codecs = InteropFixtures.codecs

    /// Every type × REQUIRED/OPTIONAL, for every encoding × codec × page version; then the edge cases.
    @Test("every type, encoding, codec and page version, and the edge cases, read back exactly")
    func matrixReadsBack() async throws {
        // PARQUET_INTEROP_DIR keeps the files (and the checker's report) for a look afterwards.
        let kept = ProcessInfo.processInfo.environment["PARQUET_INTEROP_DIR"]
        let directory =
            kept
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("parquet-interop-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { if kept == nil { try? FileManager.default.removeItem(atPath: directory) } }

        let rows = 700
        let columns =
            InteropFixtures.allTypes(rows: rows, repetition: .required)
            + InteropFixtures.allTypes(rows: rows, repetition: .optional)
        var files = 0
        for (encoding, encodingName) in Self.encodings {
            for (codec, codecName) in Self.codecs {
                for (version, versionName) in [(ParquetDataPageVersion.v1, "v1"), (.v2, "v2")] {
                    var configuration = ParquetWriter.Configuration()
                    configuration.codec = codec
                    configuration.dataPageVersion = version
                    configuration.dataPageRowLimit = 128
                    configuration.rowGroupRowLimit = 400
                    configuration.writesPageChecksums = version == .v2
                    if encoding == .deltaBinaryPacked {
                        // DELTA_BINARY_PACKED for every integer column; the others PLAIN.
                        configuration.encoding = .plain
                        for column in columns where [.int32, .int64].contains(column.column.physicalType) {
                            configuration.columns[column.column.name] = .init(encoding: .deltaBinaryPacked)
                        }
                    } else {
                        configuration.encoding = encoding
                    }
                    try await InteropFixtures.write(
                        columns, to: "\(directory)/\(encodingName)_\(codecName)_\(versionName).parquet",
                        configuration: configuration, batchRows: [1, 299, 250, 150], extra: ["row_groups": 2])
                    files += 1
                }
            }
        }
        files += try await Self.writeEdgeCases(to: directory)

        let report = try await Self.runChecker(on: directory)
        let failures = report["failures"] as? [String] ?? ["no report"]
        #expect(failures.isEmpty, "\(failures.prefix(20).joined(separator: "\n"))")
        #expect(report["files"] as? Int == files)
        #expect((report["values_checked"] as? Int ?? 0) >= 30 * 2 * columns.count * rows)
    }

    /// 0 rows, 1 row, all nulls, empty and 1 MiB and non-ASCII strings, dictionary fallback in
    /// the middle of a chunk, pages and row groups ending exactly at their limits, row groups
    /// closed by bytes, key-value metadata. Returns how many files it wrote.
    static func writeEdgeCases(to directory: String) async throws -> Int {
        let everything = { (rows: Int) in
            InteropFixtures.allTypes(rows: rows, repetition: .required)
                + InteropFixtures.allTypes(rows: rows, repetition: .optional)
        }
        let configuration = ParquetWriter.Configuration()
        try await InteropFixtures.write(
            everything(0), to: "\(directory)/edge_empty.parquet", configuration: configuration, extra: ["row_groups": 0]
        )
        try await InteropFixtures.write(
            everything(1), to: "\(directory)/edge_one_row.parquet", configuration: configuration,
            extra: ["row_groups": 1])

        // All nulls: every OPTIONAL column, 300 rows, no values at all.
        let allNull = InteropFixtures.allTypes(rows: 300, repetition: .optional).map { column -> InteropColumn in
            var nullColumn = column
            nullColumn.batch = InteropFixtures.slice(column, rows: 0..<0)
            nullColumn.batch.validity = [Bool](repeating: false, count: 300)
            nullColumn.expected = [String?](repeating: nil, count: 300)
            return nullColumn
        }
        try await InteropFixtures.write(allNull, to: "\(directory)/edge_all_null.parquet", configuration: configuration)

        // Strings: empty, 1 MiB, non-ASCII, long non-ASCII (truncated statistics).
        let megabyte = String(repeating: "x", count: 1 << 20)
        let longUnicode = String(repeating: "ü€😀", count: 40)
        let texts = ["", megabyte, "größe ✓", longUnicode, "", "z" + megabyte, "a"]
        let strings = InteropColumn(
            column: .string("text", repetition: .optional), batch: .strings(texts + [nil]), kind: "string",
            expected: (texts + [nil]).map { $0.map { InteropFixtures.hex(Array($0.utf8)) } })
        let blobs = InteropColumn(
            column: .bytes("blob"), batch: .byteArrays(texts.map { Array($0.utf8) + [0xFF] } + [[]]), kind: "bytes",
            expected: (texts.map { Array($0.utf8) + [0xFF] } + [[]]).map { InteropFixtures.hex($0) })
        try await InteropFixtures.write(
            [strings, blobs], to: "\(directory)/edge_strings.parquet", configuration: configuration)

        // Dictionary fallback in the middle of a chunk: 5,000 distinct values, a 4 KiB dictionary.
        var fallback = configuration
        fallback.dictionaryPageSizeLimit = 4096
        fallback.dataPageRowLimit = 500
        fallback.columns["counter"] = .init(codec: .gzip(level: 9))  // a per-column codec override
        let distinct = (0..<5000).map { "value-\($0 % 2500)-\($0 / 7)" }
        let distinctColumn = InteropColumn(
            column: .string("distinct"), batch: .strings(distinct), kind: "string",
            expected: distinct.map { InteropFixtures.hex(Array($0.utf8)) })
        let counter = (0..<5000).map { Int64($0 * 7919 % 100_003) }
        let counterColumn = InteropColumn(
            column: .int64("counter", repetition: .optional), batch: .int64s(counter.map { $0 }), kind: "int",
            expected: counter.map { "\($0)" })
        try await InteropFixtures.write(
            [distinctColumn, counterColumn], to: "\(directory)/edge_fallback.parquet", configuration: fallback,
            extra: [
                "encodings": ["distinct": ["RLE_DICTIONARY", "PLAIN"], "counter": ["RLE_DICTIONARY", "PLAIN"]],
                "codecs": ["distinct": "ZSTD", "counter": "GZIP"],
            ])

        // Pages of exactly 50 rows and row groups of exactly 200: 600 rows in batches that end
        // on and across both limits.
        var limits = configuration
        limits.dataPageRowLimit = 50
        limits.rowGroupRowLimit = 200
        limits.dataPageVersion = .v2
        try await InteropFixtures.write(
            everything(600), to: "\(directory)/edge_limits.parquet", configuration: limits,
            batchRows: [50, 150, 200, 1, 199], extra: ["row_groups": 3])

        // Row groups closed by bytes, and key-value metadata.
        var bytes = configuration
        bytes.rowGroupByteLimit = 64 << 10
        bytes.codec = .uncompressed
        bytes.keyValueMetadata = ["lakehouse.table": "sales", "lakehouse.note": "größe"]
        let many = (0..<60_000).map { "row \($0) " + String(repeating: "•", count: $0 % 11) }
        let manyColumn = InteropColumn(
            column: .string("line"), batch: .strings(many), kind: "string",
            expected: many.map { InteropFixtures.hex(Array($0.utf8)) })
        try await InteropFixtures.write(
            [manyColumn], to: "\(directory)/edge_bytes_limit.parquet", configuration: bytes,
            batchRows: [25_000, 35_000],
            extra: ["min_row_groups": 4, "key_value_metadata": bytes.keyValueMetadata])
        return 7
    }

    /// Runs the Python checker on `directory` and returns its report.
    static func runChecker(on directory: String) async throws -> [String: Any] {
        let reportPath = directory + "/report.json"
        let status = try await ChildProcess.run(
            RepositoryPaths.python,
            [RepositoryPaths.root + "/Tests/Interop/parquet_interop.py", directory, reportPath],
            timeout: .seconds(600))
        let data = try Data(contentsOf: URL(fileURLWithPath: reportPath))
        let report = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(status == 0, "the checker exited \(status): \(report["failures"] ?? "")")
        return report
    }
}
