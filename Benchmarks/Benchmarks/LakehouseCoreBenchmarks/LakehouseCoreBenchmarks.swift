// ordo-one/benchmark suite for silver's hot path, the JSON decoding and cleaning of events, for
// regression tracking: `swift package --allow-writing-to-package-directory benchmark` in
// Benchmarks/. The side-by-side comparison with DuckDB is `make bench-silver`; the instruction
// count per record is `silver-instructions` under callgrind (also in `make bench-silver`).

import Benchmark
import BenchmarkSupport
import LakehouseCore

/// Bronze objects of the simulator's records (`dirtyRate` of them dirty), built once.
func bronze(records: Int, dirtyRate: Double) -> [(key: String, body: [UInt8])] {
    var simulator = StoreSimulator(
        configuration: SimulationConfiguration(stores: 20, products: 200, days: 365, seed: 42, dirtyRate: dirtyRate))
    return simulator.bronzeBatches(recordsPerObject: 2000, limit: records).map { ($0.key, $0.encoded()) }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal],
        maxDuration: SuiteSize.isSmoke ? .milliseconds(200) : .seconds(3),
        maxIterations: SuiteSize.isSmoke ? 3 : 100_000)
    let records = SuiteSize.rows(20_000, smoke: 2_000)
    let clean = bronze(records: records, dirtyRate: 0)
    let dirty = bronze(records: records, dirtyRate: 0.3)

    Benchmark("Silver cleaning, clean records (the fast path), per object of 2,000") { benchmark in
        for _ in benchmark.scaledIterations {
            for object in clean { blackHole(SilverBatch.cleaned(objectKey: object.key, body: object.body).counts) }
        }
    }
    Benchmark("Silver cleaning, 30 % dirty records (the general path for them)") { benchmark in
        for _ in benchmark.scaledIterations {
            for object in dirty { blackHole(SilverBatch.cleaned(objectKey: object.key, body: object.body).counts) }
        }
    }
    Benchmark("Silver batch: clean on every core, then merge and deduplicate") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(await SilverBatch.cleaning(clean).counts) }
    }
}
