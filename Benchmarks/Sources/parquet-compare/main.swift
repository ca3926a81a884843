// Compares ParquetLite's writer with pyarrow's in one run, alternating the sides each round:
// the DATASET.md table (1,000,000 rows by default) encoded into a complete file in memory, one
// row group, dictionary on, for zstd (the same level passed to both), snappy and uncompressed.
// Ends with one `bench …` line per codec; ratio = ours / peer in rows per second, and
// size_ratio = our file's size / pyarrow's. Then, for zstd, polars and DuckDB (both on two
// threads, as our writer) as further peers: `bench parquet-write-zstd-polars …` and
// `bench parquet-write-zstd-duckdb …`, each against the same rounds of ours.
//
// Usage: parquet-compare [--python PATH] [--rows N] [--rounds N] [--zstd-level L]
//   (--rounds 1 is the smoke mode `make test` runs; summaries then say rounds=1.)

import BenchmarkSupport
import Foundation
import ParquetLite

let options = CommandOptions.parse(
    defaults: ["--python": CommandOptions.python, "--rows": "1000000", "--rounds": "5", "--zstd-level": "1"],
    usage: "parquet-compare [--python PATH] [--rows N] [--rounds N] [--zstd-level L]")
guard let rowCount = Int(options["--rows"]!), rowCount > 0, let rounds = Int(options["--rounds"]!), rounds >= 1,
    let zstdLevel = Int32(options["--zstd-level"]!)
else { CommandOptions.fail("parquet-compare: needs --rows > 0, --rounds ≥ 1 and an integer --zstd-level") }

#if DEBUG
    /// A debug build is only a smoke test (`make test`): its figures say nothing of speed.
    let buildLabel = [("build", "debug")]
    print("parquet-compare: DEBUG BUILD, a smoke test only: the ratios below are not measurements")
#else
    let buildLabel: [(String, String)] = []
#endif
print("parquet-compare: building \(rowCount) rows of the DATASET.md table (not timed)")
let table = DatasetTable(count: rowCount)
try table.verify()
let schema = try DatasetTable.parquetSchema()
let batches = table.parquetBatches()

let peer = try PeerProcess(
    executable: options["--python"]!,
    arguments: [
        CommandOptions.repository.appendingPathComponent("Benchmarks/peers/parquet_peer.py").path, String(rowCount),
    ])
let peerVersion = peer.greeting.split(separator: " ").first { $0.hasPrefix("pyarrow=") }.map { $0.dropFirst(8) } ?? "?"

/// Encodes the table with ParquetLite; returns the seconds and the file's size.
func ours(_ codec: CompressionCodec) async throws -> (seconds: Double, bytes: Int) {
    var configuration = ParquetWriter.Configuration()
    configuration.codec = codec
    configuration.rowGroupRowLimit = rowCount
    configuration.rowGroupByteLimit = .max
    let sink = ParquetMemorySink()
    let seconds = try await Timing.timed {
        let writer = try ParquetWriter(schema: schema, configuration: configuration, sink: sink)
        try await writer.write(batches)
        try await writer.close()
    }
    return (seconds, sink.bytes.count)
}

/// Asks pyarrow to encode the table; returns the seconds and the file's size.
@MainActor func theirs(_ codec: String) throws -> (seconds: Double, bytes: Int) {
    let answer = try peer.ask("write \(codec) \(zstdLevel)").split(separator: " ")
    guard answer.count == 2, let seconds = Double(answer[0]), let bytes = Int(answer[1]) else {
        throw DatasetError(message: "pyarrow answered \(answer)")
    }
    return (seconds, bytes)
}

// polars and DuckDB, on this machine's two cores as our writer is: further peers for zstd.
let frames = try PeerProcess(
    executable: options["--python"]!,
    arguments: [
        CommandOptions.repository.appendingPathComponent("Benchmarks/peers/frame_peer.py").path, String(rowCount), "2",
    ])
let frameVersions = Dictionary(
    uniqueKeysWithValues: frames.greeting.split(separator: " ").compactMap { word -> (String, String)? in
        let parts = word.split(separator: "=")
        return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
    })

/// Asks polars or DuckDB (`engine`) to encode the table with zstd; returns the seconds and the file's size.
@MainActor func frame(_ engine: String) throws -> (seconds: Double, bytes: Int) {
    let answer = try frames.ask("write \(engine) \(zstdLevel)").split(separator: " ")
    guard answer.count == 2, let seconds = Double(answer[0]), let bytes = Int(answer[1]) else {
        throw DatasetError(message: "\(engine) answered \(answer)")
    }
    return (seconds, bytes)
}
var frameComparisons = ["polars", "duckdb"].map { Comparison(name: "parquet-write-zstd-\($0)") }
var frameSizes = [0, 0]

let codecs: [(CompressionCodec, String)] = [
    (.zstd(level: zstdLevel), "zstd"), (.snappy, "snappy"), (.uncompressed, "none"),
]
var summaries: [String] = []
var ourZstdBytes = 0
for (codec, name) in codecs {
    var comparison = Comparison(name: "parquet-write-\(name)")
    var sizes = (ours: 0, peer: 0)
    print("\(name): round  ParquetLite s  pyarrow s  ParquetLite bytes  pyarrow bytes")
    for round in 1...rounds {
        var oursRun = (seconds: 0.0, bytes: 0)
        var peerRun = (seconds: 0.0, bytes: 0)
        comparison.record(
            try await Comparison.alternate(
                round: round,
                ours: {
                    oursRun = try await ours(codec)
                    return oursRun.seconds
                },
                peer: {
                    peerRun = try theirs(name)
                    return peerRun.seconds
                }))
        sizes = (oursRun.bytes, peerRun.bytes)
        if name == "zstd" {
            // Each further peer against this round's own measurement of ours.
            for (index, engine) in ["polars", "duckdb"].enumerated() {
                let run = try frame(engine)
                frameComparisons[index].record((oursRun.seconds, run.seconds))
                frameSizes[index] = run.bytes
                print(String(format: "zstd: %5d  %@ %.3f s, %d bytes", round, engine, run.seconds, run.bytes))
            }
        }
        print(
            String(
                format: "%@: %5d  %13.3f  %9.3f  %17d  %13d", name, round, oursRun.seconds, peerRun.seconds,
                oursRun.bytes, peerRun.bytes))
    }
    if name == "zstd" { ourZstdBytes = sizes.ours }
    var extra = [("size_ratio", Comparison.fixed(Double(sizes.ours) / Double(sizes.peer), 3))]
    extra += [("ours_bytes", String(sizes.ours)), ("peer_bytes", String(sizes.peer)), ("rows", String(rowCount))]
    if name == "zstd" { extra.append(("zstd_level", String(zstdLevel))) }
    extra += buildLabel
    summaries.append(
        comparison.summary(unit: "rows/s", digits: 0, peerName: "pyarrow-\(peerVersion)", extra: extra) {
            Double(rowCount) / $0
        })
}
peer.finish()
frames.finish()
for (index, engine) in ["polars", "duckdb"].enumerated() {
    let extra = [
        ("size_ratio", Comparison.fixed(Double(ourZstdBytes) / Double(max(frameSizes[index], 1)), 3)),
        ("peer_bytes", String(frameSizes[index])), ("threads", "2"), ("rows", String(rowCount)),
        ("zstd_level", String(zstdLevel)),
    ]
    summaries.append(
        frameComparisons[index].summary(
            unit: "rows/s", digits: 0, peerName: "\(engine)-\(frameVersions[engine] ?? "?")", extra: extra + buildLabel
        ) { Double(rowCount) / $0 })
}
for line in summaries { print(line) }
