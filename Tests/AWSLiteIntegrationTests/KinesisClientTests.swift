import AWSLite
import Foundation
import LakehouseTestSupport
import Testing

@Suite("KinesisClient against moto")
struct KinesisClientTests {
    let services: TestServices
    let logs = CapturedLogs()
    let client: KinesisClient
    let stream = uniqueName("stream")

    init() throws {
        services = try TestServices.require()
        client = KinesisClient(configuration: services.awsConfiguration, logger: logs.logger())
    }

    /// Reads a shard from `position` until a call returns nothing new.
    func readShard(_ shardID: String, from position: KinesisShardIteratorPosition = .trimHorizon) async throws
        -> [KinesisRecord]
    {
        var iterator: String? = try await client.getShardIterator(stream: stream, shardID: shardID, position: position)
        var records: [KinesisRecord] = []
        while let current = iterator {
            let result = try await client.getRecords(shardIterator: current, limit: 300)
            records += result.records
            if result.records.isEmpty { break }
            iterator = result.nextShardIterator
        }
        return records
    }

    @Test("stream lifecycle: create (twice), wait until active, describe, list shards, delete")
    func lifecycle() async throws {
        try await client.createStream(stream, shardCount: 2)
        try await client.createStream(stream, shardCount: 2)
        try await client.waitUntilActive(stream)
        let summary = try await client.describeStreamSummary(stream)
        #expect(summary.status == "ACTIVE")
        #expect(summary.openShardCount == 2)
        #expect(summary.arn.contains(stream))
        let shards = try await client.listShards(stream)
        #expect(shards.count == 2)
        #expect(shards.allSatisfy { $0.endingSequenceNumber == nil && !$0.startingHashKey.isEmpty })
        try await client.deleteStream(stream)
        let error = try await #require(throws: AWSError.self) { try await client.describeStreamSummary(stream) }
        #expect(error.code.rawValue == "ResourceNotFoundException")
        #expect(error.httpStatus == 400)
    }

    @Test("2,000 records over 2 shards read back complete, byte for byte, in order per shard")
    func putAndReadBack() async throws {
        try await client.createStream(stream, shardCount: 2)
        try await client.waitUntilActive(stream)
        let records = (0..<2000).map { index in
            KinesisRecordInput(
                data: Array("{\"n\":\(index),\"text\":\"Grüße \\\"quoted\\\"\"}".utf8) + [0, 255],
                partitionKey: "STORE_\(index % 7)")
        }
        let result = try await client.putRecords(stream: stream, records: records)
        #expect(result.failed.isEmpty)
        #expect(result.results.allSatisfy { $0 != nil })

        var read: [KinesisRecord] = []
        var shardsUsed = 0
        for shard in try await client.listShards(stream) {
            let fromShard = try await readShard(shard.shardID)
            if !fromShard.isEmpty { shardsUsed += 1 }
            let sequences = fromShard.map(\.sequenceNumber)
            #expect(zip(sequences, sequences.dropFirst()).allSatisfy { KinesisSequenceNumber.precedes($0, $1) })
            read += fromShard
        }
        #expect(shardsUsed == 2)
        #expect(read.count == records.count)
        // Per partition key, records arrive in the order they were put.
        for key in Set(records.map(\.partitionKey)) {
            let sent = records.filter { $0.partitionKey == key }.map(\.data)
            let received = read.filter { $0.partitionKey == key }.map(\.data)
            #expect(sent == received, "order or content differs for \(key)")
        }
        try await client.deleteStream(stream)
    }

    @Test(
        "iterators start at or after a sequence number, at a timestamp or at the latest; putRecord lands where it says")
    func iterators() async throws {
        try await client.createStream(stream, shardCount: 1)
        try await client.waitUntilActive(stream)
        var placed: [KinesisPutResult] = []
        for index in 0..<5 {
            placed.append(
                try await client.putRecord(stream: stream, record: .init(data: [UInt8(index)], partitionKey: "k")))
        }
        let shard = placed[0].shardID
        #expect(
            try await readShard(shard, from: .atSequenceNumber(placed[2].sequenceNumber)).map(\.data) == [
                [2], [3], [4],
            ])
        #expect(
            try await readShard(shard, from: .afterSequenceNumber(placed[2].sequenceNumber)).map(\.data) == [[3], [4]])
        let latest = try await client.getShardIterator(stream: stream, shardID: shard, position: .latest)
        let nothingNew = try await client.getRecords(shardIterator: latest)
        #expect(nothingNew.records.isEmpty)
        #expect(nothingNew.millisBehindLatest != nil)
        #expect(try await readShard(shard, from: .atTimestamp(0)).map(\.data) == [[0], [1], [2], [3], [4]])
        let future = Date().timeIntervalSince1970 + 3600
        #expect(try await readShard(shard, from: .atTimestamp(future)).isEmpty)
        try await client.deleteStream(stream)
    }

    @Test("a split closes the parent and opens two children that name it")
    func split() async throws {
        try await client.createStream(stream, shardCount: 1)
        try await client.waitUntilActive(stream)
        let parent = try #require(try await client.listShards(stream).first)
        _ = try await client.putRecord(stream: stream, record: .init(data: [1], partitionKey: "before"))
        try await client.splitShard(
            stream, shardID: parent.shardID, newStartingHashKey: "170141183460469231731687303715884105728")
        try await client.waitUntilActive(stream)
        let shards = try await client.listShards(stream)
        #expect(shards.count == 3)
        #expect(shards.first { $0.shardID == parent.shardID }?.endingSequenceNumber != nil)
        #expect(shards.filter { $0.parentShardID == parent.shardID }.count == 2)
        #expect(try await readShard(parent.shardID).map(\.data) == [[1]])
        try await client.deleteStream(stream)
    }
}
