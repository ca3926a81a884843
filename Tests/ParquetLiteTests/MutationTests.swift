import Foundation
import Testing

@testable import ParquetLite

/// Deterministic corruption of the conformance files (byte flips, truncations, length fields
/// rewritten): every read either succeeds or throws a ParquetError — never a crash or a hang.
@Suite("ParquetLite survives corrupt files")
struct MutationTests {
    /// Reads the footer and every row group through the public reader, then renders every row
    /// as JSON (as `parquet-tool cat` does); returns how many values were rendered.
    static func readEverything(_ file: [UInt8]) throws -> Int {
        let reader = try ParquetReader(bytes: file)
        var values = 0
        var batches = reader.rowGroupBatches()
        while let (_, batch) = try batches.next() {
            for row in batch.rows {
                values += row.json.isEmpty ? 0 : row.values.count
            }
        }
        return values
    }

    @Test("byte flips, truncations and rewritten length fields: read or throw, never crash")
    func mutations() throws {
        let directory = ParquetMetadataTests.conformanceDirectory
        var random = UInt64(20_261_126)
        func next() -> Int {
            random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: random >> 33)
        }
        let perFile = ProcessInfo.processInfo.environment["LAKEHOUSE_TEST_SCALE"] == "full" ? 2000 : 200
        var outcomes = (read: 0, rejected: 0)
        for name in try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        where name.hasSuffix(".parquet") {
            let original = Array(try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name)")))
            for round in 0..<perFile {
                var file = original
                switch round % 4 {
                case 0:  // a few random bytes flipped
                    for _ in 0..<(1 + next() % 4) { file[next() % file.count] ^= UInt8(truncatingIfNeeded: next()) | 1 }
                case 1:  // a byte of the footer flipped
                    let footerStart = max(0, file.count - 8 - (next() % 400))
                    file[footerStart + next() % (file.count - footerStart)] ^= UInt8(truncatingIfNeeded: next()) | 1
                case 2:  // cut short, keeping the tail (so the footer length points at garbage)
                    let cut = next() % file.count
                    file = Array(file[0..<cut]) + Array(original.suffix(8))
                default:  // a 4-byte field rewritten with an extreme value
                    let at = next() % max(1, file.count - 4)
                    let value: UInt32 = [0, 1, 0x7FFF_FFFF, 0xFFFF_FFFF, 0x8000_0000][next() % 5]
                    for index in 0..<4 where at + index < file.count {
                        file[at + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(index)))
                    }
                }
                do {
                    _ = try Self.readEverything(file)
                    outcomes.read += 1
                } catch is ParquetError {
                    outcomes.rejected += 1
                }
            }
        }
        #expect(outcomes.read + outcomes.rejected >= 11 * perFile)
        #expect(outcomes.rejected > 0 && outcomes.read > 0)
    }
}
