// Compares ParquetLite's reader with polars' and pyarrow's in one run, alternating the sides
// each round: the DATASET.md table (1,000,000 rows by default) written by pyarrow with zstd into
// one row group, then every column read into typed vectors from the file's bytes in memory
// (ParquetReader.read() against pl.read_parquet and pq.read_table). Before timing, ParquetLite's
// reading is checked against the generated table, value for value.
//
// Ends with two lines; ratio = ours / polars in rows per second:
//   bench parquet-read-zstd …          both sides on two threads (this machine's cores), with
//                                      pyarrow_ratio = ours / pyarrow (its default threads)
//   bench parquet-read-zstd-1thread …  both sides on one thread
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

/// Reads every column of the file with ParquetLite, on every core or on one; returns the
/// faster of two reads in seconds (polars is also given two tries each round, one per mode).
func ours(concurrently: Bool) throws -> Double {
    var options = ParquetReader.Options()
    options.decodesColumnsConcurrently = concurrently
    var best = Double.infinity
    for _ in 0..<2 {
        let start = DispatchTime.now().uptimeNanoseconds
        let batch = try ParquetReader(bytes: file, options: options).read()
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        guard batch.rowCount == rowCount else { throw DatasetError(message: "read \(batch.rowCount) rows") }
    }
    return best
}

/// Asks a peer to read the file; returns the seconds.
func theirs(_ process: PeerProcess, _ name: String) throws -> Double {
    let answer = try process.ask("read \(path)").split(separator: " ")
    guard answer.count == 2, let seconds = Double(answer[0]), Int(answer[1]) == rowCount else {
        throw DatasetError(message: "\(name) answered \(answer)")
    }
    return seconds
}

let polars = try [2, 1].map { threads in
    try PeerProcess(
        executable: options["--python"]!,
        arguments: [
            CommandOptions.repository.appendingPathComponent("Benchmarks/peers/frame_peer.py").path, "1000",
            String(threads),
        ])
}
let polarsVersion =
    polars[0].greeting.split(separator: " ").first { $0.hasPrefix("polars=") }.map { $0.dropFirst(7) } ?? "?"
guard polars[0].greeting.hasSuffix("threads=2"), polars[1].greeting.hasSuffix("threads=1") else {
    throw DatasetError(message: "polars did not start with 2 and 1 threads: \(polars.map(\.greeting))")
}

// One untimed read each, so that no side's first-touch costs land in round 1.
_ = try ours(concurrently: true)
_ = try ours(concurrently: false)
_ = try theirs(peer, "pyarrow")
for process in polars { _ = try theirs(process, "polars") }
var twoThreads = Comparison(name: "parquet-read-zstd")
var oneThread = Comparison(name: "parquet-read-zstd-1thread")
var pyarrow = Comparison(name: "parquet-read-zstd-pyarrow")
print("round  ParquetLite 2 threads s  polars 2 threads s  ParquetLite 1 thread s  polars 1 thread s  pyarrow s")
for round in 1...rounds {
    // Odd rounds measure ours first, even rounds the peers first.
    var mine = (two: 0.0, one: 0.0)
    var peers = (two: 0.0, one: 0.0, pyarrow: 0.0)
    let measureOurs = { mine = (try ours(concurrently: true), try ours(concurrently: false)) }
    let measurePeers = {
        peers = (try theirs(polars[0], "polars"), try theirs(polars[1], "polars"), try theirs(peer, "pyarrow"))
    }
    if round % 2 == 1 {
        try measureOurs()
        try measurePeers()
    } else {
        try measurePeers()
        try measureOurs()
    }
    twoThreads.record((mine.two, peers.two))
    oneThread.record((mine.one, peers.one))
    pyarrow.record((mine.two, peers.pyarrow))
    print(
        String(
            format: "%5d  %23.3f  %18.3f  %22.3f  %17.3f  %9.3f", round, mine.two, peers.two, mine.one, peers.one,
            peers.pyarrow))
}
peer.finish()
for process in polars { process.finish() }
let perSecond = { (seconds: Double) in Double(rowCount) / seconds }
let pyarrowRatio = Statistics.median(pyarrow.peer) / Statistics.median(pyarrow.ours)
let common = [("rows", String(rowCount)), ("file_bytes", String(file.count)), ("zstd_level", String(zstdLevel))]
print(
    twoThreads.summary(
        unit: "rows/s", digits: 0, peerName: "polars-\(polarsVersion)",
        extra: [
            ("threads", "2"), ("pyarrow_ratio", Comparison.fixed(pyarrowRatio, 2)),
            ("peer2_name", "pyarrow-\(peerVersion)"),
        ]
            + common + buildLabel, toThroughput: perSecond))
print(
    oneThread.summary(
        unit: "rows/s", digits: 0, peerName: "polars-\(polarsVersion)", extra: [("threads", "1")] + common + buildLabel,
        toThroughput: perSecond))
