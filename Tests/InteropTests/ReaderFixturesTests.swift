import Foundation
import LakehouseTestSupport
import ParquetLiteTestSupport
import Testing

@testable import ParquetLite

/// Files written by pyarrow (logical types, nested columns, every codec, pages v1 and v2,
/// dictionary on and off, legacy list names, INT96) and by DuckDB (Tests/Interop/reader_fixtures.py)
/// read through the public reader, row group by row group, and compared value by value with what
/// pyarrow and DuckDB read.
@Suite("ParquetReader reads what pyarrow and DuckDB write, nested columns included")
struct ReaderFixturesTests {
    @Test("every row of every pyarrow and DuckDB file equals what its writer reads back")
    func fixtures() async throws {
        try await PythonFixtures.with("reader_fixtures.py") { directory, names in
            #expect(names.filter { $0.hasPrefix("pa_") }.count == 42)
            #expect(names.filter { $0.hasPrefix("duckdb_") }.count == 4)
            var compared = 0
            var nestedValues = 0
            for name in names.sorted() {
                let reader = try ParquetReader(path: "\(directory)/\(name)")
                let document = try #require(
                    try JSONSerialization.jsonObject(
                        with: Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name).json")))
                        as? [String: Any])
                let rows = try #require(document["rows"] as? [[String: Any]])
                #expect(reader.rowCount == rows.count, "\(name)")
                #expect(reader.metadata.rowGroups.count > 1, "\(name) should have several row groups")
                var row = 0
                var batches = reader.rowGroupBatches()
                while let (_, batch) = try batches.next() {
                    for ours in batch.rows {
                        #expect(Set(ours.names) == Set(rows[row].keys), "\(name) row \(row)")
                        let wrong = ValueComparison.rowMismatches(
                            names: ours.names, values: ours.values, expected: rows[row])
                        for (column, why) in wrong { Issue.record("\(name) \(column) row \(row): \(why)") }
                        compared += ours.values.count
                        nestedValues +=
                            ours.values.filter {
                                switch $0 {
                                case .list, .structure: true
                                default: false
                                }
                            }.count
                        row += 1
                    }
                }
                #expect(row == rows.count, "\(name)")
            }
            #expect(compared > 450_000)
            #expect(nestedValues > 100_000)
        }
    }
}
