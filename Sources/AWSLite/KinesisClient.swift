import Foundation
import Logging

/// An Amazon Kinesis Data Streams client (JSON 1.1 protocol), for AWS, LocalStack and moto.
///
/// Requests are signed with SigV4 and retried by the configuration's ``RetryPolicy``;
/// ``putRecords(stream:records:)`` also resends the records Kinesis rejected one by one.
public final class KinesisClient: Sendable {
    /// The resolved configuration.
    public let configuration: AWSClientConfiguration
    let sender: AWSRequestSender
    private let endpoint: String
    private let logger: Logger

    /// Creates a client.
    ///
    /// - Parameters:
    ///   - configuration: credentials, region, endpoint; see ``AWSClientConfiguration/resolve(service:credentials:region:endpoint:profile:environment:)``.
    ///   - logger: receives request and retry events; never secrets or record data.
    public init(configuration: AWSClientConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        endpoint = (configuration.endpoint ?? "https://kinesis.\(configuration.region).amazonaws.com") + "/"
        let signer = SigV4Signer(
            credentials: configuration.credentials, region: configuration.region, service: "kinesis")
        sender = AWSRequestSender(
            http: HTTPClient(configuration: configuration.http, logger: logger), signer: signer,
            retry: configuration.retry, logger: logger)
    }

    // MARK: Streams

    /// Creates a stream with `shardCount` shards; a stream that already exists counts as success.
    public func createStream(_ stream: String, shardCount: Int) async throws {
        do {
            _ = try await call("CreateStream", ["StreamName": stream, "ShardCount": shardCount])
        } catch let error as AWSError where error.code.rawValue == "ResourceInUseException" {
            logger.debug("stream already exists", metadata: ["kinesis.stream": "\(stream)"])
        }
    }

    /// Changes the number of open shards (uniform scaling); the stream is `UPDATING` until the
    /// change is done (see ``waitUntilActive(_:timeout:pollInterval:)``).
    ///
    /// - Throws: ``AWSError`` as Kinesis reports it (a limit exceeded, an unknown stream).
    public func updateShardCount(_ stream: String, targetShardCount: Int) async throws {
        _ = try await call(
            "UpdateShardCount",
            ["StreamName": stream, "TargetShardCount": targetShardCount, "ScalingType": "UNIFORM_SCALING"])
    }

    /// The stream's status and shard count.
    ///
    /// - Throws: ``AWSError`` with code `ResourceNotFoundException` for an unknown stream.
    public func describeStreamSummary(_ stream: String) async throws -> KinesisStreamSummary {
        let response = try await call("DescribeStreamSummary", ["StreamName": stream])
        guard let summary = response["StreamDescriptionSummary"], summary.isObject else {
            throw invalid("DescribeStreamSummary", "no StreamDescriptionSummary")
        }
        return KinesisStreamSummary(
            name: summary["StreamName"]?.string ?? stream, status: summary["StreamStatus"]?.string ?? "",
            openShardCount: summary["OpenShardCount"]?.int ?? 0, arn: summary["StreamARN"]?.string ?? "")
    }

    /// Polls until the stream is `ACTIVE`.
    ///
    /// - Parameters:
    ///   - timeout: how long to wait. Default: 60 seconds.
    ///   - pollInterval: the pause between polls. Default: 250 ms.
    /// - Throws: ``AWSError`` with ``AWSError/Code/timeout`` when it is not active in time.
    public func waitUntilActive(
        _ stream: String, timeout: Duration = .seconds(60), pollInterval: Duration = .milliseconds(250)
    ) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let status = try await describeStreamSummary(stream).status
            if status == "ACTIVE" { return }
            guard clock.now < deadline else {
                throw AWSError(
                    code: .timeout, message: "stream \(stream) is still \(status) after \(timeout)",
                    operation: "DescribeStreamSummary")
            }
            try await Task.sleep(for: pollInterval)
        }
    }

    /// Every shard of the stream, open and closed, following pages.
    public func listShards(_ stream: String) async throws -> [KinesisShard] {
        var shards: [KinesisShard] = []
        var token: String?
        repeat {
            let body: [String: Any] = token.map { ["NextToken": $0] } ?? ["StreamName": stream]
            let response = try await call("ListShards", body)
            for shard in response["Shards"]?.array ?? [] {
                let hashes = shard["HashKeyRange"]
                let sequences = shard["SequenceNumberRange"]
                shards.append(
                    KinesisShard(
                        shardID: shard["ShardId"]?.string ?? "", parentShardID: shard["ParentShardId"]?.string,
                        adjacentParentShardID: shard["AdjacentParentShardId"]?.string,
                        startingHashKey: hashes?["StartingHashKey"]?.string ?? "",
                        endingHashKey: hashes?["EndingHashKey"]?.string ?? "",
                        startingSequenceNumber: sequences?["StartingSequenceNumber"]?.string ?? "",
                        endingSequenceNumber: sequences?["EndingSequenceNumber"]?.string))
            }
            token = response["NextToken"]?.string
        } while token != nil
        return shards
    }

    /// Splits a shard in two at `newStartingHashKey` (decimal); the parent closes.
    public func splitShard(_ stream: String, shardID: String, newStartingHashKey: String) async throws {
        _ = try await call(
            "SplitShard", ["StreamName": stream, "ShardToSplit": shardID, "NewStartingHashKey": newStartingHashKey])
    }

    /// Merges two adjacent open shards into one; both parents close.
    ///
    /// - Throws: ``AWSError`` as Kinesis reports it (shards not adjacent, a limit exceeded).
    public func mergeShards(_ stream: String, shardID: String, adjacentShardID: String) async throws {
        _ = try await call(
            "MergeShards",
            ["StreamName": stream, "ShardToMerge": shardID, "AdjacentShardToMerge": adjacentShardID])
    }

    /// Deletes the stream and its records.
    public func deleteStream(_ stream: String) async throws {
        _ = try await call("DeleteStream", ["StreamName": stream, "EnforceConsumerDeletion": true])
    }

    // MARK: Records

    /// Puts one record.
    public func putRecord(stream: String, record: KinesisRecordInput) async throws -> KinesisPutResult {
        var body: [String: Any] = [
            "StreamName": stream, "Data": Base64.encode(record.data), "PartitionKey": record.partitionKey,
        ]
        if let hashKey = record.explicitHashKey { body["ExplicitHashKey"] = hashKey }
        let response = try await call("PutRecord", body)
        guard let shard = response["ShardId"]?.string, let sequence = response["SequenceNumber"]?.string else {
            throw invalid("PutRecord", "no ShardId or SequenceNumber")
        }
        return KinesisPutResult(shardID: shard, sequenceNumber: sequence)
    }

    /// Puts many records: in calls of at most 500 records and 5 MiB, resending the records
    /// Kinesis rejected (with the retry policy's backoff) until none fail or the attempts run out.
    ///
    /// Records are never dropped silently: each input ends up in ``KinesisPutRecordsResult/results``
    /// or, after the last attempt, in ``KinesisPutRecordsResult/failed``.
    ///
    /// - Throws: ``AWSError`` when a whole call fails for good (not for per-record failures).
    /// - Complexity: at least ⌈records / 500⌉ calls.
    public func putRecords(stream: String, records: [KinesisRecordInput]) async throws -> KinesisPutRecordsResult {
        var results = [KinesisPutResult?](repeating: nil, count: records.count)
        var pending = Array(records.indices)
        var lastError: [Int: (String, String)] = [:]
        var retried = 0
        var attempt = 1
        while !pending.isEmpty {
            var stillFailing: [Int] = []
            for batch in Self.batches(of: pending, in: records) {
                let outcomes = try await putBatch(stream: stream, indices: batch, records: records)
                for (index, outcome) in zip(batch, outcomes) {
                    switch outcome {
                    case .success(let result): results[index] = result
                    case .failure(let code, let message):
                        lastError[index] = (code, message)
                        stillFailing.append(index)
                    }
                }
            }
            pending = stillFailing
            guard !pending.isEmpty, attempt < configuration.retry.maximumAttempts else { break }
            retried += pending.count
            let delay = configuration.retry.delay(beforeRetry: attempt)
            logger.debug(
                "resending rejected records",
                metadata: [
                    "aws.operation": "PutRecords", "kinesis.records": "\(pending.count)",
                    "aws.attempt": "\(attempt + 1)",
                ])
            try await Task.sleep(for: delay)
            attempt += 1
        }
        let failed = pending.map { index in
            KinesisFailedRecord(
                index: index, record: records[index], errorCode: lastError[index]?.0 ?? "",
                errorMessage: lastError[index]?.1 ?? "")
        }
        return KinesisPutRecordsResult(results: results, failed: failed, retriedRecords: retried)
    }

    /// An iterator for reading a shard from `position`.
    public func getShardIterator(
        stream: String, shardID: String, position: KinesisShardIteratorPosition
    ) async throws -> String {
        var body: [String: Any] = ["StreamName": stream, "ShardId": shardID]
        switch position {
        case .trimHorizon: body["ShardIteratorType"] = "TRIM_HORIZON"
        case .latest: body["ShardIteratorType"] = "LATEST"
        case .atSequenceNumber(let sequence):
            body["ShardIteratorType"] = "AT_SEQUENCE_NUMBER"
            body["StartingSequenceNumber"] = sequence
        case .afterSequenceNumber(let sequence):
            body["ShardIteratorType"] = "AFTER_SEQUENCE_NUMBER"
            body["StartingSequenceNumber"] = sequence
        case .atTimestamp(let seconds):
            body["ShardIteratorType"] = "AT_TIMESTAMP"
            body["Timestamp"] = seconds
        }
        guard let iterator = try await call("GetShardIterator", body)["ShardIterator"]?.string else {
            throw invalid("GetShardIterator", "no ShardIterator")
        }
        return iterator
    }

    /// Reads up to `limit` records (at most 10,000) from `shardIterator`.
    ///
    /// - Throws: ``AWSError``, for example `ExpiredIteratorException` after 5 minutes unused.
    public func getRecords(shardIterator: String, limit: Int = 10_000) async throws -> KinesisGetRecordsResult {
        let response = try await call(
            "GetRecords", ["ShardIterator": shardIterator, "Limit": min(max(limit, 1), 10_000)])
        var records: [KinesisRecord] = []
        let entries = response["Records"]?.array ?? []
        records.reserveCapacity(entries.count)
        for record in entries {
            guard let encoded = record["Data"]?.string, let data = Base64.decode(encoded),
                let sequence = record["SequenceNumber"]?.string
            else { throw invalid("GetRecords", "a record without valid Data or SequenceNumber") }
            records.append(
                KinesisRecord(
                    data: data, partitionKey: record["PartitionKey"]?.string ?? "", sequenceNumber: sequence,
                    approximateArrivalTimestamp: record["ApproximateArrivalTimestamp"]?.double ?? 0))
        }
        let children = (response["ChildShards"]?.array ?? []).map {
            KinesisChildShard(
                shardID: $0["ShardId"]?.string ?? "",
                parentShards: ($0["ParentShards"]?.array ?? []).compactMap(\.string))
        }
        return KinesisGetRecordsResult(
            records: records, nextShardIterator: response["NextShardIterator"]?.string,
            millisBehindLatest: response["MillisBehindLatest"]?.int, childShards: children)
    }

    // MARK: Internals

    private enum RecordOutcome {
        case success(KinesisPutResult)
        case failure(String, String)
    }

    /// Splits `indices` into calls of at most 500 records and 5 MiB.
    static func batches(of indices: [Int], in records: [KinesisRecordInput]) -> [[Int]] {
        var batches: [[Int]] = []
        var current: [Int] = []
        var size = 0
        for index in indices {
            let recordSize = records[index].billedSize
            if !current.isEmpty && (current.count == 500 || size + recordSize > 5 << 20) {
                batches.append(current)
                current = []
                size = 0
            }
            current.append(index)
            size += recordSize
        }
        if !current.isEmpty { batches.append(current) }
        return batches
    }

    private func putBatch(stream: String, indices: [Int], records: [KinesisRecordInput]) async throws -> [RecordOutcome]
    {
        let body = Self.putRecordsBody(stream: stream, indices: indices, records: records)
        let response = try await send("PutRecords", body: body)
        guard let entries = response["Records"]?.array, entries.count == indices.count else {
            throw invalid("PutRecords", "the response does not list one result per record")
        }
        return entries.map { entry in
            if let shard = entry["ShardId"]?.string, let sequence = entry["SequenceNumber"]?.string {
                return .success(KinesisPutResult(shardID: shard, sequenceNumber: sequence))
            }
            return .failure(entry["ErrorCode"]?.string ?? "UnknownError", entry["ErrorMessage"]?.string ?? "")
        }
    }

    /// The PutRecords request body, written straight into bytes: the producer's hot path.
    static func putRecordsBody(stream: String, indices: [Int], records: [KinesisRecordInput]) -> [UInt8] {
        var capacity = 64 + stream.utf8.count
        for index in indices {
            let record = records[index]
            capacity += Base64.encodedCount(record.data.count) + record.partitionKey.utf8.count + 48
            capacity += record.explicitHashKey.map { $0.utf8.count + 24 } ?? 0
        }
        var body: [UInt8] = []
        body.reserveCapacity(capacity)
        body.append(contentsOf: #"{"StreamName":"#.utf8)
        appendJSONString(stream, to: &body)
        body.append(contentsOf: #","Records":["#.utf8)
        for (position, index) in indices.enumerated() {
            let record = records[index]
            if position > 0 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: #"{"Data":""#.utf8)
            Base64.encode(record.data, appendingTo: &body)
            body.append(contentsOf: #"","PartitionKey":"#.utf8)
            appendJSONString(record.partitionKey, to: &body)
            if let hashKey = record.explicitHashKey {
                body.append(contentsOf: #","ExplicitHashKey":"#.utf8)
                appendJSONString(hashKey, to: &body)
            }
            body.append(UInt8(ascii: "}"))
        }
        body.append(contentsOf: "]}".utf8)
        return body
    }

    private func call(_ operation: String, _ body: [String: Any]) async throws -> JSONValue {
        try await send(operation, body: Array(try JSONSerialization.data(withJSONObject: body)))
    }

    private func send(_ operation: String, body: [UInt8]) async throws -> JSONValue {
        let request = HTTPRequest(
            method: "POST", url: endpoint,
            headers: [
                ("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", "Kinesis_20131202.\(operation)"),
            ],
            body: body)
        let response = try await sender.send(request, operation: operation)
        if response.body.isEmpty { return .object([]) }
        let document: JSONValue
        do {
            document = try JSONValue.parse(response.body)
        } catch {
            throw invalid(operation, "the response is not JSON (\(error))")
        }
        guard document.isObject else { throw invalid(operation, "the response is not a JSON object") }
        return document
    }

    private func invalid(_ operation: String, _ reason: String) -> AWSError {
        AWSError(code: .invalidResponse, message: "\(operation): \(reason)", operation: operation)
    }
}

/// Appends `text` as a JSON string literal.
func appendJSONString(_ text: String, to output: inout [UInt8]) {
    output.append(UInt8(ascii: "\""))
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"):
            output.append(UInt8(ascii: "\\"))
            output.append(byte)
        case 0x0A: output.append(contentsOf: #"\n"#.utf8)
        case 0x0D: output.append(contentsOf: #"\r"#.utf8)
        case 0x09: output.append(contentsOf: #"\t"#.utf8)
        case 0..<0x20:
            let digits: [UInt8] = Array("0123456789abcdef".utf8)
            output.append(contentsOf: #"\u00"#.utf8)
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 15)])
        default: output.append(byte)
        }
    }
    output.append(UInt8(ascii: "\""))
}
