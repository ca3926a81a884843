import AWSLite
import Foundation
import LakehouseCore
import LakehouseTestSupport
import PGLite
import Testing

/// Resharding needs a Kinesis that closes parents: moto's SplitShard moves the parent's records
/// into the children and keeps routing puts to the parent, so these tests run against
/// ``KinesisDouble`` (with bronze in moto and checkpoints in PostgreSQL, as ever).
@Suite("Ingest across resharding: nothing lost, parents read before their children")
struct IngestReshardTests {
    /// One record sent: its payload, partition key and where Kinesis put it.
    struct Sent: Hashable {
        var payload: [UInt8]
        var key: String
        var shardID: String
        var sequenceNumber: String
    }

    /// Puts `range` records, keys spread over 8 stores, in batches of 25.
    static func send(_ range: Range<Int>, to fixture: IngestFixture, pause: Duration = .zero) async throws -> [Sent] {
        var sent: [Sent] = []
        for start in stride(from: range.lowerBound, to: range.upperBound, by: 25) {
            let inputs = (start..<min(start + 25, range.upperBound)).map {
                KinesisRecordInput(data: Array(#"{"record":\#($0)}"#.utf8), partitionKey: "store-\($0 % 8)")
            }
            let result = try await fixture.kinesis.putRecords(stream: fixture.stream, records: inputs)
            #expect(result.failed.isEmpty)
            for (input, outcome) in zip(inputs, result.results) {
                let outcome = try #require(outcome)
                sent.append(
                    Sent(
                        payload: input.data, key: input.partitionKey, shardID: outcome.shardID,
                        sequenceNumber: outcome.sequenceNumber))
            }
            // Pacing the traffic over the reshard, not waiting for anything.
            if pause > .zero { try await Task.sleep(for: pause) }
        }
        return sent
    }

    /// Splits `shardID` at the middle of its hash key range and returns the two children.
    static func split(_ shardID: String, in fixture: IngestFixture) async throws -> [String] {
        let shard = try #require(try await fixture.kinesis.listShards(fixture.stream).first { $0.shardID == shardID })
        let start = try #require(UInt128(shard.startingHashKey))
        let end = try #require(UInt128(shard.endingHashKey))
        try await fixture.kinesis.splitShard(
            fixture.stream, shardID: shardID, newStartingHashKey: "\(start + (end - start) / 2 + 1)")
        return try await fixture.kinesis.listShards(fixture.stream).filter { $0.parentShardID == shardID }.map(
            \.shardID)
    }

    /// The bronze objects in the order the job wrote them (from its debug log), and their lines.
    static func bronzeInWriteOrder(_ fixture: IngestFixture, logs: CapturedLogs) async throws -> [(
        shardID: String, lines: [BronzeBatch.Line]
    )] {
        let written = logs.all.filter { $0.contains("bronze object written") }
        return try await written.asyncMap { line in
            let fields = line.split(separator: " ")
            let key = try #require(fields.first { $0.hasPrefix("s3.key=") }).dropFirst("s3.key=".count)
            let shard = try #require(fields.first { $0.hasPrefix("kinesis.shard=") }).dropFirst("kinesis.shard=".count)
            let body = try await fixture.s3.getObject(bucket: fixture.bucket, key: String(key)).body
            return (String(shard), try BronzeBatch.decode(body))
        }
    }

    /// Every record sent is in bronze exactly once, on the shard Kinesis named; each store's
    /// records come out in the order they went in, across parents and children.
    static func expectComplete(_ objects: [(shardID: String, lines: [BronzeBatch.Line])], sent: [Sent]) {
        let lines = objects.flatMap(\.lines)
        #expect(lines.count == sent.count)
        #expect(
            Set(
                lines.map {
                    Sent(
                        payload: $0.payload, key: $0.partitionKey, shardID: $0.shardID,
                        sequenceNumber: $0.sequenceNumber)
                }) == Set(sent))
        for store in 0..<8 {
            let key = "store-\(store)"
            #expect(
                lines.filter { $0.partitionKey == key }.map { String(decoding: $0.payload, as: UTF8.self) }
                    == sent.filter { $0.key == key }.map { String(decoding: $0.payload, as: UTF8.self) },
                "store \(store)'s records are out of order in bronze")
        }
    }

    /// Every read of a parent came before any read of its children, and every object of a parent
    /// was written before any object of its children.
    static func expectParentsFirst(
        _ objects: [(shardID: String, lines: [BronzeBatch.Line])], reads: [String], shards: [KinesisShard]
    ) {
        for shard in shards {
            guard let firstRead = reads.firstIndex(of: shard.shardID) else { continue }
            for parent in [shard.parentShardID, shard.adjacentParentShardID].compactMap({ $0 }) {
                let lastRead = reads.lastIndex(of: parent)
                #expect((lastRead ?? .max) < firstRead, "\(shard.shardID) was read before its parent \(parent) ended")
            }
        }
        for shard in shards {
            guard let firstOfChild = objects.firstIndex(where: { $0.shardID == shard.shardID }) else { continue }
            for parent in [shard.parentShardID, shard.adjacentParentShardID].compactMap({ $0 }) {
                let lastOfParent = objects.lastIndex { $0.shardID == parent }
                #expect(lastOfParent != nil, "parent \(parent) of \(shard.shardID) wrote nothing")
                #expect((lastOfParent ?? .max) < firstOfChild, "\(shard.shardID) was read before its parent \(parent)")
            }
        }
    }

    @Test("a split and then a merge while the job runs: every record once, each store in order, parents first")
    func reshardWhileRunning() async throws {
        let double = try KinesisDouble(recordsPerRead: 40)
        defer { double.stop() }
        let logs = CapturedLogs()
        let fixture = try await IngestFixture.make("reshard-live", shards: 2, kinesisEndpoint: double.endpoint)
        var configuration = IngestJob.Configuration(stream: fixture.stream, bucket: fixture.bucket)
        configuration.flushRecords = 40
        configuration.flushAge = .milliseconds(300)
        configuration.idlePause = .milliseconds(100)
        let job = IngestJob(
            kinesis: fixture.kinesis, s3: fixture.s3, checkpoints: CheckpointStore(connection: fixture.database),
            configuration: configuration, logger: logs.logger(level: .debug))
        let stop = StopSignal()
        let running = Task { try await job.run(stop: stop) }

        var sent = try await Self.send(0..<600, to: fixture, pause: .milliseconds(20))
        let children = try await Self.split("shardId-000000000000", in: fixture)
        #expect(children.count == 2)
        sent += try await Self.send(600..<1_200, to: fixture, pause: .milliseconds(20))
        try await fixture.kinesis.mergeShards(fixture.stream, shardID: children[0], adjacentShardID: children[1])
        sent += try await Self.send(1_200..<1_800, to: fixture, pause: .milliseconds(20))
        let shards = try await fixture.kinesis.listShards(fixture.stream)
        #expect(shards.count == 5)
        #expect(Set(sent.map(\.shardID)).count == 5, "every generation of shard took records")

        // Wait until each shard's checkpoint is at the last record sent to it, then stop.
        let checkpoints = CheckpointStore(connection: fixture.database)
        let last = Dictionary(sent.map { ($0.shardID, $0.sequenceNumber) }) { _, later in later }
        try await eventually("every shard's checkpoint reaches its last record", poll: .milliseconds(200)) {
            let saved = try await checkpoints.load(stream: fixture.stream)
            return last.allSatisfy { saved[$0.key]?.sequenceNumber == $0.value }
        }
        stop.stop()
        let report = try await running.value
        #expect(report.records == sent.count)

        let objects = try await Self.bronzeInWriteOrder(fixture, logs: logs)
        Self.expectComplete(objects, sent: sent)
        Self.expectParentsFirst(objects, reads: double.reads, shards: shards)
        let saved = try await checkpoints.load(stream: fixture.stream)
        #expect(
            Set(saved.values.filter(\.shardEnded).map(\.shardID))
                == Set(shards.filter { $0.endingSequenceNumber != nil }.map(\.shardID)))
        let (_, keys) = try await fixture.bronze()
        try await fixture.tearDown(keys: keys)
    }

    @Test(
        "a backlog over closed parents and their children: read parents first; a rerun never reads an ended shard again"
    )
    func reshardedBacklog() async throws {
        let double = try KinesisDouble(recordsPerRead: 40)
        defer { double.stop() }
        let logs = CapturedLogs()
        let fixture = try await IngestFixture.make("reshard-backlog", shards: 1, kinesisEndpoint: double.endpoint)
        var sent = try await Self.send(0..<300, to: fixture)
        let children = try await Self.split("shardId-000000000000", in: fixture)
        sent += try await Self.send(300..<600, to: fixture)
        _ = try await Self.split(children[1], in: fixture)
        sent += try await Self.send(600..<900, to: fixture)
        let shards = try await fixture.kinesis.listShards(fixture.stream)
        #expect(shards.count == 5)

        var configuration = IngestJob.Configuration(stream: fixture.stream, bucket: fixture.bucket)
        configuration.flushRecords = 50
        configuration.untilCaughtUp = true
        let job = IngestJob(
            kinesis: fixture.kinesis, s3: fixture.s3, checkpoints: CheckpointStore(connection: fixture.database),
            configuration: configuration, logger: logs.logger(level: .debug))
        let report = try await job.run()
        #expect(report.records == sent.count)
        let objects = try await Self.bronzeInWriteOrder(fixture, logs: logs)
        Self.expectComplete(objects, sent: sent)
        Self.expectParentsFirst(objects, reads: double.reads, shards: shards)

        // The ended shards are done for good: a rerun reads only the open ones, and finds nothing.
        let readsBefore = double.reads.count
        let again = try await job.run()
        #expect(again.records == 0)
        let rereads = Set(double.reads.dropFirst(readsBefore))
        #expect(rereads == Set(shards.filter { $0.endingSequenceNumber == nil }.map(\.shardID)))
        let (_, keys) = try await fixture.bronze()
        try await fixture.tearDown(keys: keys)
    }
}

extension Array {
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
