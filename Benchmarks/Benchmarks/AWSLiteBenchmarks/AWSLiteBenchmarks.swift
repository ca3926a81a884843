// ordo-one/benchmark suite for AWSLite's hot paths, for regression tracking:
// `swift package --allow-writing-to-package-directory benchmark` in Benchmarks/.
// The side-by-side comparison with boto3 is `make bench-aws` (the aws-compare executable).

import AWSLite
import Benchmark
import BenchmarkSupport
import Logging

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal],
        maxDuration: SuiteSize.isSmoke ? .milliseconds(200) : .seconds(3),
        maxIterations: SuiteSize.isSmoke ? 3 : 100_000)

    Benchmark("SigV4 sign GetRecords request") { benchmark in
        let signer = SigV4Signer(credentials: BenchmarkInputs.credentials, region: "us-east-1", service: "kinesis")
        let request = BenchmarkInputs.signingRequest()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(signer.sign(request))
        }
    }

    Benchmark("Kinesis putRecords 500 x 200 B, instant endpoint") { benchmark in
        let endpoint = try InstantEndpoint(
            body: BenchmarkInputs.putRecordsResponse(), contentType: "application/x-amz-json-1.1")
        defer { endpoint.stop() }
        let kinesis = KinesisClient(
            configuration: AWSClientConfiguration(
                credentials: BenchmarkInputs.credentials, region: "us-east-1", endpoint: endpoint.url),
            logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }))
        let records = BenchmarkInputs.records()
        _ = try await kinesis.putRecords(stream: "bench", records: records)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try await kinesis.putRecords(stream: "bench", records: records))
        }
    }
}
