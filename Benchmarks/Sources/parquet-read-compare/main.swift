// Compares ParquetLite's reader with pyarrow's in one run, alternating the sides each round:
// the DATASET.md table (1,000,000 rows by default) written by pyarrow with zstd into one row
// group, then every column read into typed vectors from the file's bytes in memory
// (ParquetReader.read() against pq.read_table). Before timing, ParquetLite's reading is checked
// against the generated table, value for value. Ends with one `bench parquet-read-zstd` line;
// ratio = ours / peer in rows per second.
//
// Usage: parquet-read-compare [--python PATH] [--rows N] [--rounds N] [--zstd-level L]

import BenchmarkSupport
import Foundation
import ParquetLite

let options = CommandOptions.parse(
    defaults: ["--python": CommandOptions.python, "--rows": "1000000", "--rounds": "5", "--zstd-level": "1"],
    usage: "parquet-read-compare [--python PATH] [--rows N] [--rounds N] [--zstd-level L]")
guard let rowCount = Int(options["--rows"]!), rowCount > 0, let rounds = Int(options["--rounds"]!), rounds >= 1,
    let zstdLevel = Int32(options["--zstd-level"]!)
else { CommandOptions.fail("parquet-read-compare: needs --rows > 0, --rounds ≥ 1 and an integer --zstd-level") }

#if DEBUG
    /// A debug build is only a smoke test (`make test`): its figures say nothing of speed.
    let buildLabel = [("build", "debug")]
    print("parquet-read-compare: DEBUG BUILD, a smoke test only: the ratios below are not measurements")
#else
    let buildLabel: [(String, String)] = []
#endif

let path = FileManager.default.temporaryDirectory.appendingPathComponent(
    "parquet-read-compare-\(ProcessInfo.processInfo.processIdentifier).parquet"
).path
defer { try? FileManager.default.removeItem(atPath: path) }
let peer = try PeerProcess(
    executable: options["--python"]!,
    arguments: [
        CommandOptions.repository.appendingPathComponent("Benchmarks/peers/parquet_peer.py").path, String(rowCount),
    ])
let peerVersion = peer.greeting.split(separator: " ").first { $0.hasPrefix("pyarrow=") }.map { $0.dropFirst(8) } ?? "?"
let fileSize = try peer.ask("save \(path) \(zstdLevel)")
let file = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
print("parquet-read-compare: pyarrow wrote \(rowCount) rows with zstd level \(zstdLevel): \(fileSize) bytes")

// Untimed: our reading must equal the generated table, column for column.
let table = DatasetTable(count: rowCount)
try table.verify()
let expected = table.parquetBatches()
let check = try ParquetReader(bytes: file).read()
guard check.rowCount == rowCount, check.columns.count == expected.count else {
    throw DatasetError(message: "ParquetLite read \(check.rowCount) rows of \(check.columns.count) columns")
}
for (index, (vector, batch)) in zip(check.columns, expected).enumerated() where vector.primitive != batch {
    throw DatasetError(message: "ParquetLite read column \(check.fields[index].name) differently from the table")
}
print("parquet-read-compare: ParquetLite reads every value of the \(expected.count) columns as generated")

/// Reads every column of the file with ParquetLite; returns the seconds.
func ours() throws -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    let batch = try ParquetReader(bytes: file).read()
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    guard batch.rowCount == rowCount else { throw DatasetError(message: "read \(batch.rowCount) rows") }
    return seconds
}

/// Asks pyarrow to read the file; returns the seconds.
@MainActor func theirs() throws -> Double {
    let answer = try peer.ask("read \(path)").split(separator: " ")
    guard answer.count == 2, let seconds = Double(answer[0]), Int(answer[1]) == rowCount else {
        throw DatasetError(message: "pyarrow answered \(answer)")
    }
    return seconds
}

// One untimed read each, so that neither side's first-touch costs land in round 1.
_ = try ours()
_ = try theirs()
var comparison = Comparison(name: "parquet-read-zstd")
print("round  ParquetLite s  pyarrow s")
for round in 1...rounds {
    var run = (ours: 0.0, peer: 0.0)
    run = try await Comparison.alternate(round: round, ours: { try ours() }, peer: { try theirs() })
    comparison.record(run)
    print(String(format: "%5d  %13.3f  %9.3f", round, run.ours, run.peer))
}
peer.finish()
print(
    comparison.summary(
        unit: "rows/s", digits: 0, peerName: "pyarrow-\(peerVersion)",
        extra: [("rows", String(rowCount)), ("file_bytes", String(file.count)), ("zstd_level", String(zstdLevel))]
            + buildLabel
    ) { Double(rowCount) / $0 })
