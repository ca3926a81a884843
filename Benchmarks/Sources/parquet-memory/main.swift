// Measures ParquetLite's peak memory while it writes a long stream, then reads it back: the
// DATASET.md table, --rows rows (10,000,000 by default) in batches of 100,000, to a temporary file,
// with row groups closed at --row-group-mib MiB; then every column of the file streamed row group
// by row group with ParquetReader(path:). Memory must be bounded by the row group, not by the
// file: the run fails (exit 1) if, while writing, the peak resident size grows by more than
// 4 row groups + 64 MiB over the baseline or grows between the middle and the end of the stream,
// or if, while reading, the resident size grows by more than the same bound over what it was
// before reading. The read's peak is the larger of the kernel's (VmHWM, reset before the read),
// which sees the moments between samples too, and the resident size sampled while each batch is
// held (alone where the kernel keeps no peak). Ends with a `memory parquet-write …` and a `memory parquet-read …` line.
//
// Usage: parquet-memory [--rows N] [--row-group-mib M]

import BenchmarkSupport
import Foundation
import ParquetLite

/// The current resident set size of this process, in MiB.
func residentMiB() -> Double {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let pages = text.split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? 0
    return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
}

/// The peak resident set size of this process so far, in MiB.
func peakMiB() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_maxrss) / 1024
}

let options = CommandOptions.parse(
    defaults: ["--rows": "10000000", "--row-group-mib": "8"], usage: "parquet-memory [--rows N] [--row-group-mib M]")
guard let rowCount = Int(options["--rows"]!), rowCount > 0, let groupMiB = Int(options["--row-group-mib"]!),
    groupMiB > 0
else { CommandOptions.fail("parquet-memory: needs --rows > 0 and --row-group-mib > 0") }

let batchRows = 100_000
try DatasetTable(count: 1000).verify()
var configuration = ParquetWriter.Configuration()
configuration.rowGroupByteLimit = groupMiB << 20
let path = FileManager.default.temporaryDirectory.appendingPathComponent(
    "parquet-memory-\(ProcessInfo.processInfo.processIdentifier).parquet"
).path
defer { try? FileManager.default.removeItem(atPath: path) }
let sink = try ParquetFileSink(path: path)
let writer = try ParquetWriter(schema: try DatasetTable.parquetSchema(), configuration: configuration, sink: sink)

// The baseline holds one batch being built and one being written, as the loop does.
var baseline = 0.0
var middle = 0.0
var start = 0
while start < rowCount {
    let end = min(rowCount, start + batchRows)
    let batches = DatasetTable(rows: start..<end).parquetBatches()
    if start == batchRows { baseline = peakMiB() }
    try await writer.write(batches)
    if start < rowCount / 2 && end >= rowCount / 2 { middle = peakMiB() }
    start = end
}
try await writer.close()
let peak = peakMiB()
if baseline == 0 { baseline = peak }
let growth = peak - baseline
let bound = Double(4 * groupMiB + 64)
print(
    String(
        format:
            "memory parquet-write rows=%d file_mib=%.1f row_group_mib=%d baseline_mib=%.1f middle_peak_mib=%.1f peak_mib=%.1f growth_mib=%.1f bound_mib=%.0f",
        rowCount, Double(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0) / 1_048_576,
        groupMiB, baseline, middle, peak, growth, bound))
guard growth <= bound, peak <= max(middle, baseline) + 16 else {
    FileHandle.standardError.write(Data("parquet-memory: peak memory is not bounded by the row group\n".utf8))
    exit(1)
}

// Reading back, row group by row group: the kernel's peak, and the resident size sampled while
// each batch is held.
let kernelPeak = ProcessMemory.resetResidentPeak()
let before = residentMiB()
var sampledPeak = before
var rowsRead = 0
let reader = try ParquetReader(path: path)
var groups = reader.rowGroupBatches()
while let (_, batch) = try groups.next() {
    rowsRead += batch.rowCount
    sampledPeak = max(sampledPeak, residentMiB())
}
guard rowsRead == rowCount else {
    FileHandle.standardError.write(Data("parquet-memory: read \(rowsRead) rows of \(rowCount)\n".utf8))
    exit(1)
}
let kernelReadPeak = kernelPeak ? ProcessMemory.statusBytes("VmHWM").map { Double($0) / 1_048_576 } : nil
let readPeak = max(sampledPeak, kernelReadPeak ?? 0)
let readGrowth = readPeak - before
print(
    String(
        format:
            "memory parquet-read rows=%d row_groups=%d before_mib=%.1f peak_mib=%.1f sampled_peak_mib=%.1f growth_mib=%.1f bound_mib=%.0f",
        rowsRead, reader.metadata.rowGroups.count, before, readPeak, sampledPeak, readGrowth, bound)
        + " peak_from=\(kernelReadPeak == nil ? "samples" : "kernel")")
guard readGrowth <= bound else {
    FileHandle.standardError.write(Data("parquet-memory: reading is not bounded by the row group\n".utf8))
    exit(1)
}
