// swift-tools-version: 6.2
import PackageDescription

/// Settings shared by every Swift target we own: Swift 6 language mode, and warnings are errors
/// (SwiftPM applies this only to this package's targets, never to dependencies).
let strictSettings: [SwiftSetting] = [
    .treatAllWarnings(as: .error)
]

let package = Package(
    name: "supermarket-stock-lakehouse",
    products: [
        .library(name: "AWSLite", targets: ["AWSLite"]),
        .library(name: "ParquetLite", targets: ["ParquetLite"]),
        .library(name: "PGLite", targets: ["PGLite"]),
        .library(name: "DeltaLite", targets: ["DeltaLite"]),
        .library(name: "LakehouseCore", targets: ["LakehouseCore"]),
        // The dashboard, its JSON API, metrics and health checks over HTTP (`lakehouse serve`).
        .library(name: "LakehouseServer", targets: ["LakehouseServer"]),
        // Test helpers (loopback servers for fault injection, captured logs, child processes),
        // for our tests and benchmarks and for users testing code built on the libraries.
        .library(name: "LakehouseTestSupport", targets: ["LakehouseTestSupport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        // HTTP for LakehouseServer only; its default traits (swift-configuration, full Foundation)
        // are not needed and would only lengthen the build.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        // Metrics: LakehouseCore records through swift-metrics' API (nothing unless a process
        // bootstraps a backend); the server exposes them in Prometheus' text format.
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // C libraries from Debian's -dev packages, found through pkg-config.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(
            name: "CLZ4",
            pkgConfig: "liblz4",
            providers: [.apt(["liblz4-dev"])]
        ),
        .systemLibrary(
            name: "CSnappy",
            pkgConfig: "snappy",
            providers: [.apt(["libsnappy-dev"])]
        ),

        // Libraries. AWSLite, ParquetLite and PGLite never import each other.
        .target(
            name: "AWSLite",
            dependencies: [
                "CCurl",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ParquetLite",
            dependencies: ["CZstd", "CSnappy", "CZlib", "CLZ4"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "PGLite",
            dependencies: ["CLibPQ", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        // A Delta Lake log on S3, on AWSLite and ParquetLite (its checkpoints are Parquet).
        .target(
            name: "DeltaLite",
            dependencies: ["AWSLite", "ParquetLite", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "LakehouseCore",
            dependencies: [
                "AWSLite", "ParquetLite", "PGLite", "DeltaLite",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        // HTTP over LakehouseCore: the only target that knows Hummingbird.
        .target(
            name: "LakehouseServer",
            dependencies: [
                "LakehouseCore", "PGLite",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("openapi.json")],
            swiftSettings: strictSettings
        ),

        // Examples: thin executables (argument parsing and one library call), with the option
        // handling they share (settings, range checks) in CommandSupport.
        .target(
            name: "CommandSupport",
            dependencies: [
                "LakehouseCore", "LakehouseServer", "AWSLite", "PGLite",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/CommandSupport",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "pglite-migrate",
            dependencies: [
                "PGLite",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Examples/pglite-migrate",
            swiftSettings: strictSettings
        ),

        .executableTarget(
            name: "ingest",
            dependencies: [
                "LakehouseCore", "CommandSupport", "AWSLite",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Examples/ingest",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "silver",
            dependencies: [
                "LakehouseCore", "CommandSupport", "AWSLite",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Examples/silver",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "lakehouse",
            dependencies: [
                "LakehouseCore", "CommandSupport", "AWSLite", "PGLite",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Examples/lakehouse",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "gold",
            dependencies: [
                "LakehouseCore", "CommandSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Examples/gold",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "producer",
            dependencies: [
                "LakehouseCore", "CommandSupport", "AWSLite",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Examples/producer",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "evaluate",
            dependencies: [
                "LakehouseCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Examples/evaluate",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "provision",
            dependencies: [
                "LakehouseCore", "CommandSupport", "AWSLite",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Examples/provision",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "parquet-tool",
            dependencies: ["ParquetLite", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/Examples/parquet-tool",
            swiftSettings: strictSettings
        ),

        // Test fixtures, not shipped (no declared product; SwiftPM builds them only inside this
        // package): `silver` and `lakehouse` with fault injection on, for the
        // crash tests (the shipped executables never turn it on).
        .executableTarget(
            name: "silver-with-faults",
            dependencies: ["CommandSupport"],
            path: "Tests/Fixtures/silver-with-faults",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "lakehouse-with-faults",
            dependencies: ["CommandSupport"],
            path: "Tests/Fixtures/lakehouse-with-faults",
            swiftSettings: strictSettings
        ),

        // ParquetLite's test data, shared by its unit tests and the interop tests (package API).
        .target(
            name: "ParquetLiteTestSupport",
            dependencies: ["ParquetLite"],
            swiftSettings: strictSettings
        ),

        // Helpers shared by the test targets and the benchmarks.
        .target(
            name: "LakehouseTestSupport",
            dependencies: [
                "AWSLite",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),

        // Unit tests need nothing but the machine (`make test-unit`); InteropTests need the
        // project's Python tools and openssl; IntegrationTests need `make services`.
        .testTarget(
            name: "AWSLiteTests",
            dependencies: ["AWSLite", "LakehouseTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ParquetLiteTests",
            dependencies: ["ParquetLite", "ParquetLiteTestSupport", "LakehouseTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PGLiteTests",
            dependencies: ["PGLite", "LakehouseTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "DeltaLiteTests",
            dependencies: ["DeltaLite"],
            swiftSettings: strictSettings
        ),
        // DeltaLite against moto, read back by delta-rs; never LakehouseCore.
        .testTarget(
            name: "DeltaLiteIntegrationTests",
            dependencies: ["DeltaLite", "AWSLite", "ParquetLite", "LakehouseTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LakehouseCoreTests",
            dependencies: [
                "LakehouseCore", "AWSLite", "LakehouseTestSupport",
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        // What other tools make of ours, and ours of theirs: pyarrow, DuckDB and jsonschema
        // (the project's .venv), openssl. Needs no service running.
        .testTarget(
            name: "InteropTests",
            dependencies: [
                "AWSLite", "ParquetLite", "ParquetLiteTestSupport", "LakehouseCore", "LakehouseTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // Each library against the real services (`make services`), without LakehouseCore.
        .testTarget(
            name: "AWSLiteIntegrationTests",
            dependencies: ["AWSLite", "LakehouseTestSupport", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PGLiteIntegrationTests",
            dependencies: ["PGLite", "LakehouseTestSupport", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "AWSLite", "PGLite", "DeltaLite", "LakehouseCore", "LakehouseServer", "LakehouseTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
