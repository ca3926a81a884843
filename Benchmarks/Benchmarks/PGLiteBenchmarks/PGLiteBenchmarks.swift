// ordo-one/benchmark suite for the client side of PGLite's load, for regression tracking:
// `swift package --allow-writing-to-package-directory benchmark` in Benchmarks/. What a COPY
// costs the client is formatting each value; the load itself, against a server and psql's
// \copy, is `make bench-pg`.

import Benchmark
import BenchmarkSupport
import PGLite

/// Values of the shapes silver loads, `rows` of each, built once.
struct LoadColumns {
    let text: [String]
    let optionalText: [String?]
    let integers: [Int64]
    let amounts: [Double]

    init(rows: Int) {
        text = (0..<rows).map { "P\(String(100_000 + $0 % 2000).dropFirst())-\($0 % 97)" }
        optionalText = (0..<rows).map { $0 % 3 == 0 ? nil : "CREDIT CARD" }
        integers = (0..<rows).map { Int64($0) * 250_000 + 1_767_225_600_000_000 }
        amounts = (0..<rows).map { Double($0 % 997 + 50) / 100 }
    }
}

/// Formats every value of `values` as COPY's binary (`binary`) or text format wants it.
func format<Value: PGEncodable>(_ values: [Value], binary: Bool, into output: inout [UInt8]) {
    output.removeAll(keepingCapacity: true)
    for value in values {
        if binary { value.appendPGBinary(to: &output) } else { value.appendPGText(to: &output) }
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal],
        maxDuration: SuiteSize.isSmoke ? .milliseconds(200) : .seconds(3),
        maxIterations: SuiteSize.isSmoke ? 3 : 100_000)
    let columns = LoadColumns(rows: SuiteSize.rows(100_000, smoke: 2_000))
    var output: [UInt8] = []

    Benchmark("COPY binary: text column") { benchmark in
        for _ in benchmark.scaledIterations {
            format(columns.text, binary: true, into: &output)
            blackHole(output.count)
        }
    }
    Benchmark("COPY binary: bigint column") { benchmark in
        for _ in benchmark.scaledIterations {
            format(columns.integers, binary: true, into: &output)
            blackHole(output.count)
        }
    }
    Benchmark("COPY text: double column") { benchmark in
        for _ in benchmark.scaledIterations {
            format(columns.amounts, binary: false, into: &output)
            blackHole(output.count)
        }
    }
    Benchmark("COPY binary: optional text column (a third NULL)") { benchmark in
        for _ in benchmark.scaledIterations {
            output.removeAll(keepingCapacity: true)
            for value in columns.optionalText {
                // NULL is a field length of -1 in COPY's binary format.
                if let value {
                    value.appendPGBinary(to: &output)
                } else {
                    output.append(contentsOf: [0xFF, 0xFF, 0xFF, 0xFF])
                }
            }
            blackHole(output.count)
        }
    }
}
