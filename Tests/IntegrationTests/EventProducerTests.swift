import AWSLite
import Foundation
import LakehouseCore
import LakehouseTestSupport
import Testing

@Suite("The producer puts every simulated record to Kinesis, partitioned by store")
struct EventProducerTests {
    /// Every record of every shard of `stream`, from the trim horizon, in shard order.
    static func readAll(_ kinesis: KinesisClient, _ stream: String) async throws -> [String: [KinesisRecord]] {
        var byShard: [String: [KinesisRecord]] = [:]
        for shard in try await kinesis.listShards(stream) {
            var iterator: String? = try await kinesis.getShardIterator(
                stream: stream, shardID: shard.shardID, position: .trimHorizon)
            while let current = iterator {
                let batch = try await kinesis.getRecords(shardIterator: current)
                byShard[shard.shardID, default: []] += batch.records
                if batch.records.isEmpty && (batch.millisBehindLatest ?? 0) == 0 { break }
                iterator = batch.nextShardIterator
            }
        }
        return byShard
    }

    @Test("simulated time: every record arrives byte for byte, each store on one shard in order; progress adds up")
    func simulatedTime() async throws {
        let services = try TestServices.require()
        let logs = CapturedLogs()
        let kinesis = KinesisClient(configuration: services.awsConfiguration, logger: logs.logger())
        let stream = "producer-\(UUID().uuidString.prefix(8))"
        try await kinesis.createStream(stream, shardCount: 2)
        try await kinesis.waitUntilActive(stream)
        var simulation = SimulationConfiguration()
        simulation.stores = 3
        simulation.products = 12
        simulation.days = 2
        simulation.dirtyRate = 0.05
        var simulator = StoreSimulator(configuration: simulation)
        var expected: [SimulatedRecord] = []
        var replay = StoreSimulator(configuration: simulation)
        while let day = replay.nextDay() { expected += day }
        final class Reports: @unchecked Sendable { var count = 0 }
        let reports = Reports()
        let producer = EventProducer(
            kinesis: kinesis, configuration: .init(stream: stream), logger: logs.logger())
        let progress = try await producer.run(&simulator) { _ in reports.count += 1 }
        #expect(progress.sent == expected.count)
        #expect(progress.failed == 0)
        #expect(reports.count >= 1)
        #expect(simulator.truth.recordCount == expected.count)

        let byShard = try await Self.readAll(kinesis, stream)
        let received = byShard.values.flatMap { $0 }
        #expect(received.count == expected.count)
        #expect(
            received.map(\.data).sorted { $0.lexicographicallyPrecedes($1) }
                == expected.map(\.payload).sorted { $0.lexicographicallyPrecedes($1) })
        // One store's records all on one shard, in the order they were sent.
        for store in simulator.catalog.stores.map(\.id) {
            let shards = byShard.filter { $0.value.contains { $0.partitionKey == store } }
            #expect(shards.count == 1, "\(store)")
            let sent = expected.filter { $0.partitionKey == store }.map(\.payload)
            #expect(shards.first?.value.filter { $0.partitionKey == store }.map(\.data) == sent)
        }
        try await kinesis.deleteStream(stream)
    }

    @Test("real time: records are stamped with the time they are sent, at about the target rate")
    func realTime() async throws {
        let services = try TestServices.require()
        let logs = CapturedLogs()
        let kinesis = KinesisClient(configuration: services.awsConfiguration, logger: logs.logger())
        let stream = "producer-rt-\(UUID().uuidString.prefix(8))"
        try await kinesis.createStream(stream, shardCount: 1)
        try await kinesis.waitUntilActive(stream)
        var simulation = SimulationConfiguration()
        simulation.stores = 1
        simulation.products = 5
        simulation.days = 1
        var simulator = StoreSimulator(configuration: simulation)
        var configuration = EventProducer.Configuration(stream: stream)
        configuration.realTime = true
        configuration.recordsPerCall = 50
        let before = EventProducerTestsClock.nowMicros()
        let count = {
            var copy = StoreSimulator(configuration: simulation); var n = 0;
            while let d = copy.nextDay() { n += d.count }; return n
        }()
        configuration.targetRate = Double(count) / 2  // about 2 seconds
        let progress = try await EventProducer(kinesis: kinesis, configuration: configuration, logger: logs.logger())
            .run(&simulator) { _ in }
        let after = EventProducerTestsClock.nowMicros()
        #expect(progress.sent == count)
        #expect(progress.seconds >= 1.5)
        let records = try await Self.readAll(kinesis, stream).values.flatMap { $0 }
        #expect(records.count == count)
        for record in records {
            let event = try EventJSON.decode(record.data)
            let stamped = try #require(EventTimestamp.parse(event.timestamp))
            #expect(stamped >= before && stamped <= after, "\(event.timestamp)")
        }
        try await kinesis.deleteStream(stream)
    }
}

enum EventProducerTestsClock {
    static func nowMicros() -> Int64 { Int64(Date().timeIntervalSince1970 * 1_000_000) }
}
