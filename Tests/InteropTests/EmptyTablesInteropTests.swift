import Foundation
import LakehouseTestSupport
import ParquetLiteTestSupport
import Testing

@testable import ParquetLite

/// Tables of 0 rows, row groups of 0 rows and pages whose values take 0 bytes: as pyarrow,
/// DuckDB and Spark write them (Tests/Interop/empty_fixtures.py), read through the public reader
/// and compared with pyarrow's reading (rows, row groups, schema, values). The same shapes built
/// byte by byte are ParquetLiteTests' EmptyTablesTests.
@Suite("ParquetReader reads pyarrow's, DuckDB's and Spark's 0-row tables and row groups as pyarrow does")
struct EmptyTablesInteropTests {
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
                let wrong = ValueComparison.rowMismatches(names: ours.names, values: ours.values, expected: rows[row])
                for (column, why) in wrong { Issue.record("\(name) \(column) row \(row): \(why)") }
                compared += ours.values.count
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
}
