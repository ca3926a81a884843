// ordo-one/benchmark suite for ParquetLite's encoder hot path, for regression tracking:
// `swift package --allow-writing-to-package-directory benchmark` in Benchmarks/.
// The side-by-side comparison with pyarrow is `make bench-parquet` (the parquet-compare executable).

import Benchmark
import BenchmarkSupport
import ParquetLite

/// The DATASET.md table, 100,000 rows, built once.
let table = DatasetTable(count: 100_000)

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
        metrics: [.throughput, .wallClock, .mallocCountTotal], maxDuration: .seconds(3))
    let schema = try! DatasetTable.parquetSchema()
    let batches = table.parquetBatches()

    Benchmark("Whole table, 100k rows, zstd") { benchmark in
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
}
