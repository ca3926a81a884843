// swift-tools-version: 6.1
import Foundation
import PackageDescription

/// Benchmarks of the lakehouse libraries, kept apart so that users of the root package never
/// build ordo-one/benchmark.
///
/// - `swift package benchmark` runs the ordo-one suites in `Benchmarks/` (regression tracking).
/// - The `*-compare` executables measure one of our libraries against a named peer in the same
///   run, alternately, and end with one `bench …` summary line per comparison (`make bench-*`).
/// SwiftPM names a path dependency after its directory, which is whatever the clone is called.
let rootPackage = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().lastPathComponent

/// An ordo-one/benchmark suite: the executable `name` in `Benchmarks/<name>`, on BenchmarkSupport,
/// the root package's `products` and `extra`.
func suite(_ name: String, products: [String], extra: [Target.Dependency] = []) -> Target {
    .executableTarget(
        name: name,
        dependencies: ["BenchmarkSupport"] + products.map { .product(name: $0, package: rootPackage) } + extra
            + [.product(name: "Benchmark", package: "benchmark")],
        path: "Benchmarks/\(name)",
        plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    )
}

let package = Package(
    name: "lakehouse-benchmarks",
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/ordo-one/benchmark.git", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // What both the suites and the comparisons use: the instant endpoint, fixed inputs, statistics.
        .target(
            name: "BenchmarkSupport",
            dependencies: [
                .product(name: "AWSLite", package: rootPackage),
                .product(name: "LakehouseTestSupport", package: rootPackage),
                .product(name: "ParquetLite", package: rootPackage),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "aws-compare",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "AWSLite", package: rootPackage),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "pg-compare",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "PGLite", package: rootPackage),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "ingest-compare",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "AWSLite", package: rootPackage),
                .product(name: "LakehouseCore", package: rootPackage),
                .product(name: "LakehouseTestSupport", package: rootPackage),
                .product(name: "PGLite", package: rootPackage),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "gold-compare",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "LakehouseCore", package: rootPackage),
                .product(name: "PGLite", package: rootPackage),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "cardinality-compare",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "LakehouseCore", package: rootPackage),
                .product(name: "PGLite", package: rootPackage),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "year-bench",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "AWSLite", package: rootPackage),
                .product(name: "DeltaLite", package: rootPackage),
                .product(name: "LakehouseCore", package: rootPackage),
                .product(name: "LakehouseTestSupport", package: rootPackage),
                .product(name: "PGLite", package: rootPackage),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "silver-compare",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "AWSLite", package: rootPackage),
                .product(name: "LakehouseCore", package: rootPackage),
                .product(name: "PGLite", package: rootPackage),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "silver-instructions",
            dependencies: ["BenchmarkSupport", .product(name: "LakehouseCore", package: rootPackage)]
        ),
        .executableTarget(
            name: "parquet-compare",
            dependencies: ["BenchmarkSupport", .product(name: "ParquetLite", package: rootPackage)]
        ),
        .executableTarget(
            name: "parquet-read-compare",
            dependencies: ["BenchmarkSupport", .product(name: "ParquetLite", package: rootPackage)]
        ),
        .executableTarget(
            name: "parquet-memory",
            dependencies: ["BenchmarkSupport", .product(name: "ParquetLite", package: rootPackage)]
        ),
        suite("ParquetLiteBenchmarks", products: ["ParquetLite"]),
        suite("LakehouseCoreBenchmarks", products: ["LakehouseCore"]),
        suite("PGLiteBenchmarks", products: ["PGLite"]),
        suite("AWSLiteBenchmarks", products: ["AWSLite"], extra: [.product(name: "Logging", package: "swift-log")]),
    ]
)
