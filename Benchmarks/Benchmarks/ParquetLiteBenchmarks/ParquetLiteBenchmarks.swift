// ordo-one/benchmark suite for ParquetLite's encoder and decoder hot paths, for regression
// tracking: `swift package --allow-writing-to-package-directory benchmark` in Benchmarks/.
// The side-by-side comparisons with pyarrow are `make bench-parquet` and `make bench-parquet-read`.

import Benchmark
import BenchmarkSupport
import Dispatch
import ParquetLite

/// The DATASET.md table, 100,000 rows (5,000 at smoke size), built once.
let table = DatasetTable(count: SuiteSize.rows(100_000, smoke: 5_000))

/// Encodes `columns` into an in-memory file, one row group, zstd level 1.
func encode(_ columns: [ParquetColumn], _ batches: [ParquetColumnBatch]) async throws -> Int {
    var configuration = ParquetWriter.Configuration()
    configuration.rowGroupByteLimit = .max
    let sink = ParquetMemorySink()
    let writer = try ParquetWriter(schema: try ParquetSchema(columns), configuration: configuration, sink: sink)
    try await writer.write(batches)
    try await writer.close()
    return sink.bytes.count
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal],
        maxDuration: SuiteSize.isSmoke ? .milliseconds(200) : .seconds(3),
        maxIterations: SuiteSize.isSmoke ? 3 : 100_000)
    let schema = try! DatasetTable.parquetSchema()
    let batches = table.parquetBatches()

    Benchmark("Whole table (100k rows; 5k at smoke size), zstd") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try await encode(schema.columns, batches)) }
    }
    Benchmark("String column (transaction_id: dictionary, then PLAIN fallback)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try await encode([schema.columns[0]], [batches[0]])) }
    }
    Benchmark("Int64 column (sale_timestamp)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try await encode([schema.columns[8]], [batches[8]])) }
    }
    Benchmark("Double column (unit_price)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try await encode([schema.columns[6]], [batches[6]])) }
    }
    Benchmark("Dictionary hashing (product_id: 2,000 distinct strings)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try await encode([schema.columns[1]], [batches[1]])) }
    }

    // Decoding: the same table written once by ParquetLite (zstd), then read back.
    let file = try! ParquetMemorySink.encoded(schema: schema, batches: batches)
    Benchmark("Read whole table (100k rows; 5k at smoke size), zstd") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try ParquetReader(bytes: file).read().rowCount) }
    }
    Benchmark("Read string column (transaction_id: dictionary, then PLAIN)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try ParquetReader(bytes: file).read(columns: ["transaction_id"]).rowCount)
        }
    }
    Benchmark("Read dictionary strings (product_category)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try ParquetReader(bytes: file).read(columns: ["product_category"]).rowCount)
        }
    }
    Benchmark("Read optional Int64 (loyalty_id)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try ParquetReader(bytes: file).read(columns: ["loyalty_id"]).rowCount)
        }
    }
}

extension ParquetMemorySink {
    /// A whole file of `batches`, one row group, zstd level 1 (written synchronously for setup).
    static func encoded(schema: ParquetSchema, batches: [ParquetColumnBatch]) throws -> [UInt8] {
        final class Box: @unchecked Sendable { var bytes: [UInt8] = [] }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        Task {
            defer { done.signal() }
            do {
                var configuration = ParquetWriter.Configuration()
                configuration.rowGroupByteLimit = .max
                let sink = ParquetMemorySink()
                let writer = try ParquetWriter(schema: schema, configuration: configuration, sink: sink)
                try await writer.write(batches)
                try await writer.close()
                box.bytes = sink.bytes
            } catch {
                fatalError("the benchmark's file could not be written: \(error)")
            }
        }
        done.wait()
        return box.bytes
    }
}
