import AWSLite
import Foundation

/// The fixed inputs of the AWS benchmarks. `peers/aws_peer.py` builds the very same ones.
public enum BenchmarkInputs {
    /// Records per PutRecords call.
    public static let recordsPerCall = 500
    /// Bytes of data per record.
    public static let recordBytes = 200

    /// Credentials of the right shape; the instant endpoint checks nothing.
    public static let credentials = AWSCredentials(
        accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")

    /// Record `i`: byte `j` is `(i * 31 + j) % 256`; partition key `STORE_<i mod 50, 3 digits>`.
    public static func records() -> [KinesisRecordInput] {
        (0..<recordsPerCall).map { i in
            let store = String(i % 50)
            return KinesisRecordInput(
                data: (0..<recordBytes).map { j in UInt8((i * 31 + j) % 256) },
                partitionKey: "STORE_" + String(repeating: "0", count: 3 - store.count) + store)
        }
    }

    /// A PutRecords answer with one success per record, as Kinesis sends it.
    public static func putRecordsResponse() -> [UInt8] {
        let entry =
            "{\"SequenceNumber\":\"49590338271490256608559692538361571095921575989136588898\","
            + "\"ShardId\":\"shardId-000000000000\"}"
        let entries = Array(repeating: entry, count: recordsPerCall).joined(separator: ",")
        return Array("{\"FailedRecordCount\":0,\"Records\":[\(entries)]}".utf8)
    }

    /// The request the signing benchmark signs: a GetRecords call as the ingest job makes it.
    public static func signingRequest() -> HTTPRequest {
        HTTPRequest(
            method: "POST", url: "https://kinesis.us-east-1.amazonaws.com/",
            headers: [
                ("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", "Kinesis_20131202.GetRecords"),
            ],
            body: Array(
                "{\"ShardIterator\":\"AAAAAAAAAAHSywljv0zEgPX4NyKdZ5wryMzP9yALs8NeKbUjp1IxtZs1Sp+KEd9I6AJ9ZG4lNR1EMi+9Md/nHvtLyxpfhEzYvkTZ4D9DQVz/mBYWRO6OTZRKnW9gd+efGN2aHFdkH1rJl4BL9Wyrk+ghYG22D2T1Da2EyNSH1+LAbK33gQweTJADBdyMwlo5r6PqcP2dzhg=\",\"Limit\":10000}"
                    .utf8))
    }
}

/// Order statistics of repeated measurements.
public enum Statistics {
    /// The median (the mean of the middle two for an even count).
    public static func median(_ values: [Double]) -> Double {
        precondition(!values.isEmpty, "median of nothing")
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}

/// The size the ordo-one suites run at: full, or the smoke size `make test` runs them at
/// (`LAKEHOUSE_BENCH_SMOKE=1`: small inputs, a few iterations, every benchmark still run).
public enum SuiteSize {
    /// Whether the suites run at smoke size.
    public static let isSmoke = ProcessInfo.processInfo.environment["LAKEHOUSE_BENCH_SMOKE"] == "1"

    /// `full` normally, `smoke` at smoke size.
    public static func rows(_ full: Int, smoke: Int) -> Int { isSmoke ? smoke : full }
}
