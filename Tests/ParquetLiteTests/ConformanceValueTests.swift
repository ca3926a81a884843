import Foundation
import ParquetLiteTestSupport
import Testing

@testable import ParquetLite

/// Every `.parquet` file of the conformance directory (`PARQUET_TESTING_DIR`, else
/// Tests/Conformance/parquet-testing) read with ``ParquetReader`` and compared value by value
/// with `expected/<file>.json` (pyarrow's reading; see the directory's README), nested columns
/// included; the bad files rejected.
@Suite("ParquetLite reads the conformance files as pyarrow does")
struct ConformanceValueTests {
    static func files(_ directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".parquet") }.sorted()
    }

    @Test("every value of every column of every conformance file, nested ones included")
    func everyValue() throws {
        let directory = ParquetMetadataTests.conformanceDirectory
        var compared = 0
        let names = try Self.files(directory)
        #expect(names.count >= 10, "conformance files in \(directory)")
        for name in names {
            let reader = try ParquetReader(path: "\(directory)/\(name)")
            let expectedData = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/expected/\(name).json"))
            let document = try #require(try JSONSerialization.jsonObject(with: expectedData) as? [String: Any])
            let rows = try #require(document["rows"] as? [[String: Any]])
            #expect(reader.rowCount == rows.count, "\(name)")
            var row = 0
            var batches = reader.rowGroupBatches()
            while let (_, batch) = try batches.next() {
                for ours in batch.rows {
                    let theirs = rows[row]
                    #expect(Set(ours.names) == Set(theirs.keys), "\(name) row \(row)")
                    for (column, value) in zip(ours.names, ours.values) {
                        let why = ValueComparison.mismatch(value, theirs[column] ?? NSNull())
                        #expect(why == nil, "\(name) \(column) row \(row): \(why ?? "")")
                        compared += 1
                    }
                    row += 1
                }
            }
            #expect(row == rows.count, "\(name)")
        }
        #expect(compared > 20_000)
    }

    @Test("delta_binary_packed matches its upstream _expect.csv")
    func deltaBinaryPackedCSV() throws {
        let directory = ParquetMetadataTests.conformanceDirectory
        let csv = try String(contentsOfFile: "\(directory)/delta_binary_packed_expect.csv", encoding: .utf8)
        let lines = csv.split(separator: "\n")
        let header = lines[0].split(separator: ",").map(String.init)
        let batch = try ParquetReader(path: "\(directory)/delta_binary_packed.parquet").read()
        #expect(batch.rowCount == lines.count - 1)
        #expect(batch.fields.map(\.name) == header)
        for (column, name) in header.enumerated() {
            let vector = try #require(batch.column(named: name)?.primitive)
            let values: [Int64]
            switch vector.values {
            case .int32(let all): values = all.map(Int64.init)
            case .int64(let all): values = all
            default: values = []
            }
            let expected = lines.dropFirst().map { line in
                Int64(line.split(separator: ",", omittingEmptySubsequences: false)[column])
            }
            #expect(values == expected.compactMap { $0 }, "column \(name)")
            #expect(expected.allSatisfy { $0 != nil }, "column \(name)")
        }
    }

    @Test("every file in bad_data is rejected with a ParquetError, never a crash")
    func badData() throws {
        let directory = ParquetMetadataTests.conformanceDirectory + "/bad_data"
        let names = try Self.files(directory)
        #expect(names.count >= 4)
        for name in names {
            let file = Array(try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name)")))
            let error = #expect(throws: ParquetError.self, "\(name)") { try MutationTests.readEverything(file) }
            #expect(error?.message.isEmpty == false, "\(name): \(error.map { "\($0)" } ?? "")")
        }
    }

    @Test("a list column's vectors: offsets, validity and elements as the levels say")
    func listVectors() throws {
        let directory = ParquetMetadataTests.conformanceDirectory
        let reader = try ParquetReader(path: "\(directory)/datapage_v2.snappy.parquet")
        let field = try #require(reader.fields.first { $0.name == "e" })
        guard case .list(let element) = field.kind else {
            Issue.record("e is not a list: \(field.kind)")
            return
        }
        #expect(element.kind == .primitive(.int32, logicalType: nil, typeLength: nil))
        let batch = try reader.read(columns: ["e", "b"])
        #expect(batch.fields.map(\.name) == ["e", "b"])
        guard case .list(let offsets, let validity, let elements) = try #require(batch.column(named: "e")) else {
            Issue.record("not a list vector")
            return
        }
        #expect(offsets.count == 6)
        #expect(validity?.contains(false) == true)
        #expect(elements.count == Int(offsets.last!))
        #expect(batch.rows[0]["e"] == .list([.integer(1), .integer(2), .integer(3)]))
        #expect(batch.rows[1]["e"] == .null)
    }
}
