import Crypto
import Foundation
import Synchronization

/// An in-memory Kinesis Data Streams endpoint (JSON 1.1 protocol) with real resharding, for the
/// behaviour moto lacks: moto's SplitShard moves the parent's records into the children and keeps
/// routing puts to the parent, which never reaches SHARD_END.
///
/// Here, as in Kinesis, `SplitShard` and `MergeShards` close the parent shards — their records
/// stay readable, `GetRecords` returns no `NextShardIterator` once a closed shard is read to its
/// end, and lists the `ChildShards` — and new records go to the open shard whose hash key range
/// holds the MD5 of the partition key. Sequence numbers grow across the stream, so a child's are
/// above its parents'.
///
/// Operations: `CreateStream`, `DeleteStream`, `DescribeStreamSummary`, `ListShards`,
/// `PutRecord`, `PutRecords`, `GetShardIterator` (every type but `AT_TIMESTAMP`), `GetRecords`,
/// `SplitShard`, `MergeShards`. Requests are not authenticated.
public final class KinesisDouble: Sendable {
    private let server: FaultServer
    private let state: State

    /// Starts serving on a free loopback port, with no streams.
    ///
    /// - Parameter recordsPerRead: the most records one `GetRecords` returns, below Kinesis's
    ///   10,000, so that a test's shard takes several reads. Default: 10,000.
    public init(recordsPerRead: Int = 10_000) throws {
        let state = State(recordsPerRead: recordsPerRead)
        self.state = state
        server = try FaultServer { state.answer($0) }
    }

    /// `http://127.0.0.1:<port>`, for ``AWSClientConfiguration``'s endpoint.
    public var endpoint: String { server.endpoint }

    /// The shard of every `GetRecords` call answered, in the order they were answered.
    public var reads: [String] { state.model.withLock { $0.reads } }

    /// Stops accepting connections.
    public func stop() { server.stop() }

    /// The streams, shared by every connection's thread.
    private final class State: Sendable {
        let model: Mutex<Model>

        init(recordsPerRead: Int) { model = Mutex(Model(recordsPerRead: recordsPerRead)) }

        func answer(_ request: FaultServer.Request) -> FaultServer.Action {
            let operation = request.header("X-Amz-Target")?.split(separator: ".").last.map(String.init) ?? ""
            let body = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] ?? [:]
            let (status, answer) = model.withLock { model -> (Int, Data) in
                do {
                    let answer = try model.perform(operation, body)
                    return (200, (try? JSONSerialization.data(withJSONObject: answer)) ?? Data("{}".utf8))
                } catch {
                    let failure = error as? Failure ?? Failure(type: "InternalFailure", message: "\(error)")
                    let json = ["__type": failure.type, "message": failure.message]
                    return (400, (try? JSONSerialization.data(withJSONObject: json)) ?? Data("{}".utf8))
                }
            }
            return .respond(
                status: status, headers: [("Content-Type", "application/x-amz-json-1.1")],
                body: String(decoding: answer, as: UTF8.self))
        }
    }

    fileprivate struct Failure: Error {
        var type: String
        var message: String
    }

    private struct StoredRecord {
        var sequenceNumber: String
        var partitionKey: String
        var data: String
        var arrival: Double
    }

    private struct Shard {
        var id: String
        var parent: String?
        var adjacentParent: String?
        var startingHashKey: UInt128
        var endingHashKey: UInt128
        var startingSequenceNumber: String
        var endingSequenceNumber: String?
        var records: [StoredRecord] = []

        var json: [String: Any] {
            var sequences: [String: Any] = ["StartingSequenceNumber": startingSequenceNumber]
            if let endingSequenceNumber { sequences["EndingSequenceNumber"] = endingSequenceNumber }
            var json: [String: Any] = [
                "ShardId": id, "SequenceNumberRange": sequences,
                "HashKeyRange": ["StartingHashKey": "\(startingHashKey)", "EndingHashKey": "\(endingHashKey)"],
            ]
            if let parent { json["ParentShardId"] = parent }
            if let adjacentParent { json["AdjacentParentShardId"] = adjacentParent }
            return json
        }
    }

    private struct Model {
        var streams: [String: [Shard]] = [:]
        var lastSequence: UInt64 = 0
        var lastShard = -1
        var reads: [String] = []
        let recordsPerRead: Int

        mutating func nextSequence() -> String {
            lastSequence += 1
            let digits = String(lastSequence)
            return String(repeating: "0", count: max(0, 21 - digits.count)) + digits
        }

        mutating func newShard(
            from start: UInt128, to end: UInt128, parent: String? = nil, adjacentParent: String? = nil
        ) -> Shard {
            lastShard += 1
            let number = String(lastShard)
            return Shard(
                id: "shardId-" + String(repeating: "0", count: max(0, 12 - number.count)) + number, parent: parent,
                adjacentParent: adjacentParent, startingHashKey: start, endingHashKey: end,
                startingSequenceNumber: nextSequence())
        }

        func shards(_ body: [String: Any]) throws -> [Shard] {
            let name = body["StreamName"] as? String ?? ""
            guard let shards = streams[name] else {
                throw Failure(type: "ResourceNotFoundException", message: "Stream \(name) not found")
            }
            return shards
        }

        func index(of shardID: String, in shards: [Shard]) throws -> Int {
            guard let index = shards.firstIndex(where: { $0.id == shardID }) else {
                throw Failure(type: "ResourceNotFoundException", message: "Shard \(shardID) not found")
            }
            return index
        }

        mutating func perform(_ operation: String, _ body: [String: Any]) throws -> [String: Any] {
            let name = body["StreamName"] as? String ?? ""
            switch operation {
            case "CreateStream":
                guard streams[name] == nil else {
                    throw Failure(type: "ResourceInUseException", message: "Stream \(name) exists")
                }
                let count = max(1, body["ShardCount"] as? Int ?? 1)
                let step = UInt128.max / UInt128(count)
                streams[name] = (0..<count).map { index in
                    let start = UInt128(index) * step
                    let end = index == count - 1 ? UInt128.max : start + step - 1
                    return newShard(from: start, to: end)
                }
                return [:]
            case "DeleteStream":
                _ = try shards(body)
                streams[name] = nil
                return [:]
            case "DescribeStreamSummary":
                let shards = try shards(body)
                return [
                    "StreamDescriptionSummary": [
                        "StreamName": name, "StreamStatus": "ACTIVE",
                        "OpenShardCount": shards.filter { $0.endingSequenceNumber == nil }.count,
                        "StreamARN": "arn:aws:kinesis:us-east-1:123456789012:stream/\(name)",
                    ]
                ]
            case "ListShards":
                return ["Shards": try shards(body).map(\.json)]
            case "PutRecord":
                let (shard, sequence) = try put(stream: name, body)
                return ["ShardId": shard, "SequenceNumber": sequence]
            case "PutRecords":
                let entries = try (body["Records"] as? [[String: Any]] ?? []).map { entry in
                    let (shard, sequence) = try put(stream: name, entry)
                    return ["ShardId": shard, "SequenceNumber": sequence]
                }
                return ["FailedRecordCount": 0, "Records": entries]
            case "GetShardIterator":
                return ["ShardIterator": try iterator(body)]
            case "GetRecords":
                return try records(body)
            case "SplitShard":
                var shards = try shards(body)
                let index = try index(of: body["ShardToSplit"] as? String ?? "", in: shards)
                guard shards[index].endingSequenceNumber == nil,
                    let split = UInt128(body["NewStartingHashKey"] as? String ?? ""),
                    split > shards[index].startingHashKey, split <= shards[index].endingHashKey
                else { throw Failure(type: "InvalidArgumentException", message: "cannot split there") }
                shards[index].endingSequenceNumber = shards[index].records.last?.sequenceNumber ?? nextSequence()
                let parent = shards[index]
                shards.append(newShard(from: parent.startingHashKey, to: split - 1, parent: parent.id))
                shards.append(newShard(from: split, to: parent.endingHashKey, parent: parent.id))
                streams[name] = shards
                return [:]
            case "MergeShards":
                var shards = try shards(body)
                let first = try index(of: body["ShardToMerge"] as? String ?? "", in: shards)
                let second = try index(of: body["AdjacentShardToMerge"] as? String ?? "", in: shards)
                let (low, high) = (shards[first], shards[second])
                guard low.endingSequenceNumber == nil, high.endingSequenceNumber == nil,
                    low.endingHashKey < UInt128.max, low.endingHashKey + 1 == high.startingHashKey
                else { throw Failure(type: "InvalidArgumentException", message: "shards are not adjacent and open") }
                for index in [first, second] {
                    shards[index].endingSequenceNumber = shards[index].records.last?.sequenceNumber ?? nextSequence()
                }
                shards.append(
                    newShard(from: low.startingHashKey, to: high.endingHashKey, parent: low.id, adjacentParent: high.id)
                )
                streams[name] = shards
                return [:]
            default:
                throw Failure(type: "UnknownOperationException", message: "\(operation) is not supported by the double")
            }
        }

        mutating func put(stream: String, _ entry: [String: Any]) throws -> (String, String) {
            let key = entry["PartitionKey"] as? String ?? ""
            let hash =
                (entry["ExplicitHashKey"] as? String).flatMap { UInt128($0) }
                ?? Insecure.MD5.hash(data: Data(key.utf8)).reduce(UInt128(0)) { $0 << 8 | UInt128($1) }
            guard
                let index = try shards(["StreamName": stream]).firstIndex(where: {
                    $0.endingSequenceNumber == nil && $0.startingHashKey <= hash && hash <= $0.endingHashKey
                })
            else { throw Failure(type: "InternalFailure", message: "no open shard holds hash key \(hash)") }
            let sequence = nextSequence()
            // In place: a copy of the stream's shards would copy every record held, on every put.
            streams[stream]![index].records.append(
                StoredRecord(
                    sequenceNumber: sequence, partitionKey: key, data: entry["Data"] as? String ?? "",
                    arrival: Date().timeIntervalSince1970))
            return (streams[stream]![index].id, sequence)
        }

        /// Iterators are `stream|shard|position`, the position being the index of the next record.
        func iterator(_ body: [String: Any]) throws -> String {
            let shards = try shards(body)
            let shardID = body["ShardId"] as? String ?? ""
            let shard = shards[try index(of: shardID, in: shards)]
            let sequence = body["StartingSequenceNumber"] as? String ?? ""
            let position: Int
            switch body["ShardIteratorType"] as? String ?? "" {
            case "TRIM_HORIZON": position = 0
            case "LATEST": position = shard.records.count
            case "AT_SEQUENCE_NUMBER":
                position = shard.records.firstIndex { $0.sequenceNumber >= sequence } ?? shard.records.count
            case "AFTER_SEQUENCE_NUMBER":
                position = shard.records.firstIndex { $0.sequenceNumber > sequence } ?? shard.records.count
            default: throw Failure(type: "InvalidArgumentException", message: "unsupported iterator type")
            }
            return "\(body["StreamName"] as? String ?? "")|\(shardID)|\(position)"
        }

        mutating func records(_ body: [String: Any]) throws -> [String: Any] {
            let parts = (body["ShardIterator"] as? String ?? "").split(separator: "|").map(String.init)
            guard parts.count == 3, let position = Int(parts[2]) else {
                throw Failure(type: "InvalidArgumentException", message: "bad shard iterator")
            }
            let shards = try shards(["StreamName": parts[0]])
            let shard = shards[try index(of: parts[1], in: shards)]
            reads.append(shard.id)
            let limit = min(recordsPerRead, max(1, body["Limit"] as? Int ?? 10_000))
            let end = min(shard.records.count, position + limit)
            let batch = shard.records[min(position, end)..<end]
            var answer: [String: Any] = [
                "Records": batch.map {
                    [
                        "SequenceNumber": $0.sequenceNumber, "PartitionKey": $0.partitionKey, "Data": $0.data,
                        "ApproximateArrivalTimestamp": $0.arrival,
                    ] as [String: Any]
                },
                "MillisBehindLatest": end < shard.records.count ? 1_000 : 0,
            ]
            if shard.endingSequenceNumber != nil && end == shard.records.count {
                // SHARD_END: no next iterator; the children are named.
                answer["ChildShards"] = shards.filter { $0.parent == shard.id || $0.adjacentParent == shard.id }.map {
                    ["ShardId": $0.id, "ParentShards": [$0.parent, $0.adjacentParent].compactMap { $0 }]
                        as [String: Any]
                }
            } else {
                answer["NextShardIterator"] = "\(parts[0])|\(shard.id)|\(end)"
            }
            return answer
        }
    }
}
