import Foundation
import LakehouseTestSupport
import ParquetLiteTestSupport
import Testing

@testable import ParquetLite

/// Files pyarrow writes (Tests/Interop/pyarrow_write.py: every codec, pages v1 and v2, dictionary,
/// PLAIN, DELTA_*, BYTE_STREAM_SPLIT, nulls, several row groups) read back by ParquetLite.
@Suite("ParquetLite reads what pyarrow writes")
struct PyarrowFilesReadTests {
    static func rendered(_ values: ParquetColumnBatch.Values, _ index: Int) -> String {
        switch values {
        case .int32(let all): return "\(all[index])"
        case .int64(let all): return "\(all[index])"
        case .float(let all): return "\(Double(all[index]))"
        case .double(let all): return "\(all[index])"
        case .boolean(let all): return "\(all[index])"
        case .byteArray(let arrays):
            return InteropFixtures.hex(arrays.bytes[Int(arrays.offsets[index])..<Int(arrays.offsets[index + 1])])
        case .fixedLenByteArray(let bytes, let width):
            return InteropFixtures.hex(bytes[(index * width)..<((index + 1) * width)])
        }
    }

    @Test("every encoding, codec and page version pyarrow writes reads back value for value")
    func readsPyarrowFiles() async throws {
        try await PythonFixtures.with("pyarrow_write.py") { directory, names in
            #expect(names.count == 32)
            var compared = 0
            for name in names.sorted() {
                let file = Array(try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name)")))
                let json = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name).expected.json"))
                let document = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
                let columns = try #require(document["columns"] as? [[String: Any]])
                let reader = try ParquetReader(bytes: file)
                let metadata = reader.metadata
                #expect(metadata.rowGroups.count == 3, "\(name)")
                for (index, (column, leaf)) in zip(columns, metadata.leaves).enumerated() {
                    let expected = try #require(column["values"] as? [Any])
                    var row = 0
                    for group in metadata.rowGroups.indices {
                        let read = try reader.readRowGroup(group, columns: [reader.fields[index].name])
                        let batch = try #require(read.columns[0].primitive)
                        var valueIndex = 0
                        for present in batch.validity ?? [Bool](repeating: true, count: batch.values.count) {
                            defer { row += 1 }
                            guard present else {
                                #expect(expected[row] is NSNull, "\(name) \(leaf.path) row \(row)")
                                continue
                            }
                            let ours = Self.rendered(batch.values, valueIndex)
                            valueIndex += 1
                            let theirs = expected[row] as? String ?? "null"
                            if case .float = batch.values {
                                #expect(
                                    Double(ours) == Double(theirs),
                                    "\(name) \(leaf.path) row \(row): \(ours) vs \(theirs)")
                            } else if case .double = batch.values {
                                #expect(
                                    Double(ours) == Double(theirs),
                                    "\(name) \(leaf.path) row \(row): \(ours) vs \(theirs)")
                            } else {
                                #expect(ours == theirs, "\(name) \(leaf.path) row \(row)")
                            }
                            compared += 1
                        }
                    }
                    #expect(row == expected.count, "\(name) \(leaf.path)")
                }
            }
            #expect(compared > 400_000)
        }
    }
}
