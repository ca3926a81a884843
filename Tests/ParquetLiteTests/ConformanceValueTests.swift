import Foundation
import Testing

@testable import ParquetLite

/// The flat columns of every conformance file, read with ``ColumnChunkReader`` and compared
/// value by value with `expected/<file>.json` (pyarrow's reading; see the directory's README).
/// Columns inside groups (lists, structs) wait for the nested reader.
@Suite("ParquetLite reads the conformance files' flat columns as pyarrow does")
struct ConformanceValueTests {
    /// Days since 1970-01-01 as a civil date (proleptic Gregorian).
    static func civil(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func date(_ days: Int64) -> String {
        let (year, month, day) = civil(days)
        return String(format: "%04lld-%02lld-%02lld", year, month, day)
    }

    static func timestamp(micros: Int64) -> String {
        let day = Int64((Double(micros) / 86_400_000_000).rounded(.down))
        let inDay = micros - day * 86_400_000_000
        let seconds = inDay / 1_000_000
        var text = date(day) + String(format: " %02lld:%02lld:%02lld", seconds / 3600, seconds / 60 % 60, seconds % 60)
        if inDay % 1_000_000 != 0 { text += String(format: ".%06lld", inDay % 1_000_000) }
        return text
    }

    /// Our value of row `row` compared with pyarrow's `expected`; `nil` when they agree, else why not.
    static func mismatch(
        _ element: ParquetSchemaElement, _ values: ParquetColumnBatch.Values, _ index: Int, _ expected: Any
    ) -> String? {
        func text(_ ours: String) -> String? { (expected as? String) == ours ? nil : "\(ours) vs \(expected)" }
        switch values {
        case .boolean(let all): return (expected as? Bool) == all[index] ? nil : "\(all[index]) vs \(expected)"
        case .int32(let all):
            if element.logicalType == .date { return text(date(Int64(all[index]))) }
            let ours =
                element.logicalType == .integer(bitWidth: 32, isSigned: false)
                ? Int64(UInt32(bitPattern: all[index])) : Int64(all[index])
            return (expected as? NSNumber)?.int64Value == ours ? nil : "\(ours) vs \(expected)"
        case .int64(let all):
            if case .timestamp(let unit, _) = element.logicalType {
                let micros =
                    unit == .milliseconds ? all[index] * 1000 : unit == .nanoseconds ? all[index] / 1000 : all[index]
                return text(timestamp(micros: micros))
            }
            if element.logicalType == .integer(bitWidth: 64, isSigned: false) {
                let ours = UInt64(bitPattern: all[index])
                return (expected as? NSNumber)?.uint64Value == ours ? nil : "\(ours) vs \(expected)"
            }
            return (expected as? NSNumber)?.int64Value == all[index] ? nil : "\(all[index]) vs \(expected)"
        case .float(let all): return floating(Double(all[index]), expected)
        case .double(let all): return floating(all[index], expected)
        case .byteArray(let arrays):
            return bytes(Array(arrays.bytes[Int(arrays.offsets[index])..<Int(arrays.offsets[index + 1])]), expected)
        case .fixedLenByteArray(let all, let width):
            let value = Array(all[(index * width)..<((index + 1) * width)])
            if element.physicalType == .int96 {
                let nanos = value[0..<8].enumerated().reduce(Int64(0)) {
                    $0 | Int64($1.element) << (8 * Int64($1.offset))
                }
                let julian = value[8..<12].enumerated().reduce(Int64(0)) {
                    $0 | Int64($1.element) << (8 * Int64($1.offset))
                }
                return text(timestamp(micros: (julian - 2_440_588) * 86_400_000_000 + nanos / 1000))
            }
            return bytes(value, expected)
        }
    }

    static func floating(_ ours: Double, _ expected: Any) -> String? {
        switch expected {
        case let name as String:
            let match =
                (name == "NaN" && ours.isNaN) || (name == "Infinity" && ours == .infinity)
                || (name == "-Infinity" && ours == -.infinity)
            return match ? nil : "\(ours) vs \(name)"
        case let number as NSNumber: return number.doubleValue == ours ? nil : "\(ours) vs \(number)"
        default: return "\(ours) vs \(expected)"
        }
    }

    static func bytes(_ ours: [UInt8], _ expected: Any) -> String? {
        guard let text = expected as? String else { return "bytes vs \(expected)" }
        let wanted =
            text.hasPrefix("b64:") ? Data(base64Encoded: String(text.dropFirst(4))).map(Array.init) : Array(text.utf8)
        return wanted == ours ? nil : "\(ours.prefix(16)) vs \(text.prefix(40))"
    }

    @Test("every chunk of every conformance file decodes, nested ones included (levels checked)")
    func everyChunkDecodes() throws {
        let directory = ParquetMetadataTests.conformanceDirectory
        var chunks = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name.hasSuffix(".parquet") {
            let file = Array(try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name)")))
            let metadata = try ParquetFileMetadata.read(file: file)
            for group in metadata.rowGroups {
                for (chunk, leaf) in zip(group.columns, metadata.leaves) {
                    let batch = try ColumnChunkReader(
                        file: file, chunk: chunk, maxDefinitionLevel: leaf.maxDefinitionLevel,
                        typeLength: Int(leaf.element.typeLength ?? 0), maxRepetitionLevel: leaf.maxRepetitionLevel
                    ).read()
                    #expect(batch.rowCount == Int(chunk.valueCount), "\(name) \(leaf.path)")
                    chunks += 1
                }
            }
        }
        #expect(chunks > 80)
    }

    @Test("every value of every flat column of every conformance file")
    func flatColumns() throws {
        let directory = ParquetMetadataTests.conformanceDirectory
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".parquet") }
        var compared = 0
        for name in names.sorted() {
            let file = Array(try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name)")))
            let metadata = try ParquetFileMetadata.read(file: file)
            let expectedData = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/expected/\(name).json"))
            let rows = try #require(
                (try JSONSerialization.jsonObject(with: expectedData) as? [String: Any])?["rows"] as? [[String: Any]])
            // Leaves directly under the root are flat; a leaf's chunk index is its place among all leaves.
            for (leaf, schemaLeaf) in metadata.leaves.enumerated() where schemaLeaf.path.count == 1 {
                let element = schemaLeaf.element
                var row = 0
                for group in metadata.rowGroups {
                    let batch = try ColumnChunkReader(
                        file: file, chunk: group.columns[leaf],
                        maxDefinitionLevel: schemaLeaf.maxDefinitionLevel, typeLength: Int(element.typeLength ?? 0)
                    ).read()
                    var valueIndex = 0
                    for present in batch.validity ?? [Bool](repeating: true, count: batch.values.count) {
                        let expected = rows[row][element.name] ?? NSNull()
                        if present {
                            let why = Self.mismatch(element, batch.values, valueIndex, expected)
                            #expect(why == nil, "\(name) \(element.name) row \(row): \(why ?? "")")
                            valueIndex += 1
                        } else {
                            #expect(expected is NSNull, "\(name) \(element.name) row \(row): null vs \(expected)")
                        }
                        row += 1
                        compared += 1
                    }
                }
                #expect(row == rows.count, "\(name) \(element.name)")
            }
        }
        #expect(compared > 20_000)
    }

    @Test("every file in bad_data is rejected with a ParquetError, never a crash")
    func badData() throws {
        let directory = ParquetMetadataTests.conformanceDirectory + "/bad_data"
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".parquet") }
        #expect(names.count >= 4)
        for name in names {
            let file = Array(try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name)")))
            let error = #expect(throws: ParquetError.self, "\(name)") { try MutationTests.readEverything(file) }
            #expect(error?.message.isEmpty == false, "\(name): \(error.map { "\($0)" } ?? "")")
        }
    }
}
