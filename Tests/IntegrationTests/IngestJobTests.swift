import AWSLite
import Foundation
import LakehouseCore
import LakehouseTestSupport
import PGLite
import Testing

@Suite("Ingest: every record of every shard lands in bronze, byte for byte, and is checkpointed")
struct IngestJobTests {
    @Test("simulated events and a boto3 record in the original format: all in bronze; a rerun adds nothing")
    func ingestsEverything() async throws {
        let services = try TestServices.require()
        let logs = CapturedLogs()
        let fixture = try await IngestFixture.make("ingest")
        let (stream, bucket, kinesis, s3, database) = (
            fixture.stream, fixture.bucket, fixture.kinesis, fixture.s3, fixture.database
        )

        var simulation = SimulationConfiguration()
        simulation.stores = 4
        simulation.products = 15
        simulation.days = 2
        simulation.dirtyRate = 0.05
        var simulator = StoreSimulator(configuration: simulation)
        var expected: [[UInt8]] = []
        var replay = StoreSimulator(configuration: simulation)
        while let day = replay.nextDay() { expected += day.map(\.payload) }
        try await EventProducer(kinesis: kinesis, configuration: .init(stream: stream), logger: logs.logger())
            .run(&simulator) { _ in }
        // A record in the original producer's exact format, sent by boto3.
        let (status, output, _) = try await ChildProcess.output(
            RepositoryPaths.python,
            ["\(RepositoryPaths.root)/Tests/Interop/boto3_original_record.py", services.awsEndpoint, stream])
        #expect(status == 0)
        let original = Array(output.trimmingCharacters(in: .newlines).utf8)
        expected.append(original)

        var configuration = IngestJob.Configuration(stream: stream, bucket: bucket)
        configuration.untilCaughtUp = true
        configuration.flushRecords = 400
        let job = IngestJob(
            kinesis: kinesis, s3: s3, checkpoints: CheckpointStore(connection: database), configuration: configuration,
            logger: logs.logger())
        let report = try await job.run()
        #expect(report.records == expected.count)
        #expect(report.objects >= expected.count / 400)

        let (lines, keys) = try await fixture.bronze()
        #expect(keys.count == report.objects)
        #expect(keys.allSatisfy { $0.hasPrefix("sales_data/year=") && $0.hasSuffix(".jsonl") })
        #expect(
            lines.map(\.payload).sorted { $0.lexicographicallyPrecedes($1) }
                == expected.sorted { $0.lexicographicallyPrecedes($1) })
        #expect(Set(lines.map { $0.shardID + "/" + $0.sequenceNumber }).count == lines.count)
        let parsed = try EventJSON.decode(try #require(lines.first { $0.payload == original }).payload)
        #expect(parsed.eventType == .sale)
        #expect(parsed.unitPriceCents == 129)
        #expect(EventTimestamp.parse(parsed.timestamp) != nil)

        let saved = try await CheckpointStore(connection: database).load(stream: stream)
        #expect(saved.count == 2)
        #expect(saved.values.reduce(0) { $0 + $1.records } > 0)
        // A second run starts after the checkpoints: nothing is read again.
        let again = try await job.run()
        #expect(again.records == 0)
        #expect(again.objects == 0)

        try await fixture.tearDown(keys: keys)
    }
}

@Suite("Ingest flush limits")
struct IngestFlushLimitTests {
    @Test("objects hold at most --flush-records records and --flush-mib bytes of payload, however many a read returns")
    func exactLimits() async throws {
        let logs = CapturedLogs()
        let fixture = try await IngestFixture.make("flush-limits", shards: 1)
        var simulator = StoreSimulator(
            configuration: SimulationConfiguration(stores: 6, products: 40, days: 3, seed: 9, dirtyRate: 0))
        let sent = try await PipelineFixture.send(
            days: 3, of: &simulator, to: [fixture.stream], kinesis: fixture.kinesis)
        try #require(sent.count > 1_000, "the simulation sent \(sent.count) records")
        for (records, bytes) in [(400, 1 << 30), (10_000, 30_000)] {
            let bucket = fixture.bucket + "-\(records)"
            try await fixture.s3.createBucket(bucket)
            var configuration = IngestJob.Configuration(stream: fixture.stream, bucket: bucket)
            configuration.untilCaughtUp = true
            configuration.flushRecords = records
            configuration.flushBytes = bytes
            // No checkpoints: each run reads the whole shard.
            try await fixture.database.execute("DELETE FROM ingest_checkpoints")
            let report = try await IngestJob(
                kinesis: fixture.kinesis, s3: fixture.s3, checkpoints: CheckpointStore(connection: fixture.database),
                configuration: configuration, logger: logs.logger()
            ).run()
            #expect(report.records == sent.count)
            var sizes: [(records: Int, bytes: Int)] = []
            for try await page in fixture.s3.listObjectsV2(bucket: bucket) {
                for object in page.objects {
                    let lines = try BronzeBatch.decode(
                        try await fixture.s3.getObject(bucket: bucket, key: object.key).body)
                    sizes.append((lines.count, lines.reduce(0) { $0 + $1.payload.count }))
                    try await fixture.s3.deleteObject(bucket: bucket, key: object.key)
                }
            }
            try await fixture.s3.deleteBucket(bucket)
            #expect(sizes.reduce(0) { $0 + $1.records } == sent.count)
            #expect(sizes.allSatisfy { $0.records <= records && $0.bytes <= bytes }, "\(sizes.prefix(10))")
            // The limit is what fills objects: all but the last reach it, or would pass it with one more record.
            let full = sizes.filter { $0.records == records || $0.bytes > bytes - 400 }
            #expect(full.count >= sizes.count - 1, "limits \(records)/\(bytes): \(sizes.prefix(10))")
        }
        try await fixture.tearDown(keys: [])
    }
}

@Suite("Ingest at volume")
struct IngestVolumeTests {
    @Test(
        "50,000 events over 4 shards (10,000 in make test): bronze holds every record, byte for byte, with metadata",
        .tags(.scale))
    func volume() async throws {
        let logs = CapturedLogs()
        let count = TestServices.fullScale ? 50_000 : 10_000
        let fixture = try await IngestFixture.make("volume", shards: 4)
        let (stream, bucket, kinesis, s3, database) = (
            fixture.stream, fixture.bucket, fixture.kinesis, fixture.s3, fixture.database
        )

        var simulation = SimulationConfiguration()
        simulation.stores = 8
        simulation.products = 60
        simulation.days = 60
        simulation.dirtyRate = 0.02
        var simulator = StoreSimulator(configuration: simulation)
        var records: [SimulatedRecord] = []
        while records.count < count, let day = simulator.nextDay() { records += day }
        records = Array(records.prefix(count))
        #expect(records.count == count)
        let put = try await kinesis.putRecords(
            stream: stream, records: records.map { KinesisRecordInput(data: $0.payload, partitionKey: $0.partitionKey) }
        )
        #expect(put.failed.isEmpty)

        var configuration = IngestJob.Configuration(stream: stream, bucket: bucket)
        configuration.untilCaughtUp = true
        configuration.flushRecords = 2_000
        let report = try await IngestJob(
            kinesis: kinesis, s3: s3, checkpoints: CheckpointStore(connection: database), configuration: configuration,
            logger: logs.logger()
        ).run()
        #expect(report.records == count)
        #expect(report.shards == 4)

        let (lines, keys) = try await fixture.bronze()
        #expect(lines.count == count)
        // Each record put landed where Kinesis said, with its partition key, byte for byte.
        // (Sequence numbers are unique within a shard only.)
        var landed: [String: (key: String, data: [UInt8])] = [:]
        for (record, result) in zip(records, put.results) {
            if let result {
                landed[result.shardID + "/" + result.sequenceNumber] = (record.partitionKey, record.payload)
            }
        }
        var matched = 0
        for line in lines {
            guard let sent = landed[line.shardID + "/" + line.sequenceNumber] else { continue }
            if sent.key == line.partitionKey && sent.data == line.payload { matched += 1 }
        }
        #expect(matched == count)
        #expect(Set(lines.map(\.shardID)).count == 4)

        try await fixture.tearDown(keys: keys)
    }
}
