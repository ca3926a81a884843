import AWSLite
import DeltaLite
import Foundation
import LakehouseCore
import LakehouseTestSupport
import PGLite
import Testing

@Suite("Silver job: bronze to Delta and PostgreSQL, reconciled with the simulator, exactly once")
struct SilverJobTests {
    @Test(
        "2% dirty data: input = silver + quarantine + duplicates; silver is the simulator's clean events; a rerun changes nothing"
    )
    func reconciliation() async throws {
        let services = try TestServices.require()
        let logs = CapturedLogs()
        let fixture = try await IngestFixture.make("silver-rec", shards: 2)
        let silverBucket = fixture.bucket.replacingOccurrences(of: "-bronze-", with: "-silver-")
        try await fixture.s3.createBucket(silverBucket)

        let simulation = SimulationConfiguration(stores: 3, products: 20, days: 3, seed: 5, dirtyRate: 0.02)
        var simulator = StoreSimulator(configuration: simulation)
        try await EventProducer(
            kinesis: fixture.kinesis, configuration: .init(stream: fixture.stream), logger: logs.logger()
        )
        .run(&simulator) { _ in }
        var ingest = IngestJob.Configuration(stream: fixture.stream, bucket: fixture.bucket)
        ingest.untilCaughtUp = true
        ingest.flushRecords = 700
        let ingested = try await IngestJob(
            kinesis: fixture.kinesis, s3: fixture.s3, checkpoints: CheckpointStore(connection: fixture.database),
            configuration: ingest, logger: logs.logger()
        ).run()

        var configuration = SilverJob.Configuration(bronzeBucket: fixture.bucket, silverBucket: silverBucket)
        configuration.objectsPerBatch = 1
        let job = SilverJob(
            s3: fixture.s3, store: SilverStore(connection: fixture.database), configuration: configuration,
            logger: logs.logger())
        // Ingest registered every object it wrote: the registry and a listing plan the same batches.
        let fromRegistry = try await job.pendingBatches(from: .registry)
        #expect(fromRegistry.count == ingested.objects)
        #expect(fromRegistry == (try await job.pendingBatches(from: .listing)))
        configuration.objectsPerBatch = 3
        let wider = SilverJob(
            s3: fixture.s3, store: SilverStore(connection: fixture.database), configuration: configuration,
            logger: logs.logger())
        #expect(try await wider.pendingBatches(from: .registry) == (try await wider.pendingBatches(from: .listing)))
        let report = try await job.runOnce()
        #expect(report.batches == ingested.objects)
        #expect(try await job.pendingBatches(from: .registry).isEmpty)
        #expect(try await job.pendingBatches(from: .listing).isEmpty)
        #expect(try await BronzeRegistry(connection: fixture.database).pendingCount() == 0)
        #expect(report.batches >= 2)
        #expect(report.counts.objects == ingested.objects)
        #expect(report.counts.input == ingested.records)
        #expect(report.counts.input == report.counts.valid + report.counts.quarantined + report.counts.duplicates)

        // What the simulator sent, by kind: the clean events are silver; the invalid ones are quarantined.
        var replay = StoreSimulator(configuration: simulation)
        var expected: Set<String> = []
        var invalid = 0
        var duplicates = 0
        while let day = replay.nextDay() {
            for record in day {
                if record.kind.isInvalid {
                    invalid += 1
                } else if record.kind == .duplicate {
                    duplicates += 1
                } else {
                    let event = try SilverRules.clean(record.payload).get()
                    expected.insert(
                        "\(event.transactionID)|\(event.productID)|\(event.eventType.rawValue)|\(event.quantity)|\(event.eventTime)"
                    )
                }
            }
        }
        #expect(report.counts.quarantined == invalid)
        #expect(report.counts.duplicates == duplicates)
        #expect(report.counts.valid == expected.count)
        let silver = try await fixture.database.query(
            """
            SELECT transaction_id || '|' || product_id || '|' || event_type || '|' || quantity || '|'
                   || (extract(epoch FROM event_time) * 1000000)::bigint FROM sales_silver
            """)
        #expect(Set(try silver.rows.map { try $0.decode(String.self, at: 0) }) == expected)
        let quarantined = try await fixture.database.query("SELECT count(*) FROM sales_quarantine")
        #expect(try quarantined.rows[0].decode(Int64.self, at: 0) == Int64(invalid))

        // delta-rs reads the same rows from the Delta table.
        let read = try await DeltaRS.read(endpoint: services.awsEndpoint, uri: "s3://\(silverBucket)/sales")
        let rows = (read["rows"] as? [[String: Any]]) ?? []
        #expect(rows.count == expected.count)
        let keys = Set(rows.map { "\($0["transaction_id"] ?? "")|\($0["product_id"] ?? "")|\($0["event_type"] ?? "")" })
        #expect(keys == Set(expected.map { $0.split(separator: "|").prefix(3).joined(separator: "|") }))

        // pyarrow reads every data file of both tables, every value.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "silver-files-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var paths: [String] = []
        for try await page in fixture.s3.listObjectsV2(bucket: silverBucket) {
            for object in page.objects where object.key.hasSuffix(".parquet") && !object.key.contains("_delta_log/") {
                let path = directory.appendingPathComponent("\(paths.count).parquet").path
                try Data(try await fixture.s3.getObject(bucket: silverBucket, key: object.key).body)
                    .write(to: URL(fileURLWithPath: path))
                paths.append(path)
            }
        }
        #expect(paths.count >= 2)
        let pyarrow = try await ChildProcess.output(
            RepositoryPaths.python, [RepositoryPaths.root + "/Tests/Interop/parquet_files.py"] + paths)
        #expect(pyarrow.status == 0, "pyarrow could not read a data file: \(pyarrow.errors)")
        let files =
            (try JSONSerialization.jsonObject(with: Data(pyarrow.output.utf8)) as? [String: [String: Any]]) ?? [:]
        #expect(files.count == paths.count)
        #expect(files.values.reduce(0) { $0 + (($1["rows"] as? Int) ?? 0) } == expected.count + invalid)

        // A rerun over processed bronze changes nothing.
        let log = DeltaLog(s3: fixture.s3, bucket: silverBucket, root: SilverTable.root, logger: logs.logger())
        let version = try await log.snapshot()?.version
        let again = try await job.runOnce()
        #expect(again.batches == 0)
        #expect(try await log.snapshot()?.version == version)
        let count = try await fixture.database.query("SELECT count(*) FROM sales_silver")
        #expect(try count.rows[0].decode(Int64.self, at: 0) == Int64(expected.count))

        let (_, keysToDelete) = try await fixture.bronze()
        try await fixture.tearDown(keys: keysToDelete)
    }

    @Test(
        "without --once silver keeps polling: a second wave of bronze is processed by the same process; SIGTERM stops it cleanly"
    )
    func continuousPolling() async throws {
        let simulation = SimulationConfiguration(stores: 2, products: 10, days: 2, seed: 31, dirtyRate: 0.02)
        let objects = SilverFixture.bronzeObjects(simulation, perObject: 40)
        try #require(objects.count >= 4)
        let fixture = try await SilverFixture.make("silver-poll")
        let half = objects.count / 2
        try await fixture.putBronze(Array(objects[..<half]))
        let child = try fixture.silver(["--poll-seconds", "0.5", "--objects-per-batch", "1"])

        func waitForBatches(_ count: Int) async throws {
            try await eventually("silver loads \(count) batches", timeout: .seconds(120), poll: .milliseconds(200)) {
                try await fixture.batchCount() >= Int64(count)
            }
        }
        try await waitForBatches(half)
        #expect(try await fixture.batchCount() == Int64(half))
        try await fixture.putBronze(Array(objects[half...]))
        try await waitForBatches(objects.count)
        #expect(try await fixture.batchCount() == Int64(objects.count))
        child.send(signal: SIGTERM)
        #expect(await child.waitForExit(timeout: .seconds(60)) == 0)

        let records = objects.reduce(0) { $0 + BronzeBatch.decodeEach($1.body).count }
        let totals = try await fixture.base.database.query(
            "SELECT sum(input)::bigint, sum(valid)::bigint FROM silver_batches")
        #expect(try totals.rows[0].decode(Int64.self, at: 0) == Int64(records))
        let silverRows = try await fixture.base.database.query("SELECT count(*) FROM sales_silver")
        #expect(try silverRows.rows[0].decode(Int64.self, at: 0) == totals.rows[0].decode(Int64.self, at: 1))
        try await fixture.tearDown()
    }

    @Test("bad bronze never stops a batch: an object that is not JSON lines, an empty object, a 10 MiB line")
    func badBronze() async throws {
        let logs = CapturedLogs()
        let fixture = try await IngestFixture.make("silver-bad", shards: 1)
        let silverBucket = fixture.bucket.replacingOccurrences(of: "-bronze-", with: "-silver-")
        try await fixture.s3.createBucket(silverBucket)
        var simulator = StoreSimulator(configuration: SimulationConfiguration(stores: 1, products: 5, days: 1))
        let firstDay = simulator.nextDay()
        let day = try #require(firstDay)
        let records = day.enumerated().map { index, record in
            KinesisRecord(
                data: record.payload, partitionKey: record.partitionKey, sequenceNumber: String(index + 1),
                approximateArrivalTimestamp: 1_767_600_000)
        }
        let good = BronzeBatch(stream: fixture.stream, shardID: "shardId-000000000000", records: records)
        let huge = [UInt8](repeating: UInt8(ascii: "x"), count: 10 << 20)
        let objects: [(String, [UInt8])] = [
            ("sales_data/year=2026/month=01/day=05/a-garbage.jsonl", Array("this is not JSON\n\u{1}\u{2}\u{3}".utf8)),
            ("sales_data/year=2026/month=01/day=05/b-empty.jsonl", []),
            ("sales_data/year=2026/month=01/day=05/c-huge.jsonl", huge + [10]),
            (good.key, good.encoded()),
        ]
        for (key, body) in objects { try await fixture.s3.putObject(bucket: fixture.bucket, key: key, body: body) }

        // Objects put in by hand are not in the registry: silver finds them by listing (a repair).
        var configuration = SilverJob.Configuration(bronzeBucket: fixture.bucket, silverBucket: silverBucket)
        configuration.source = .listing
        let job = SilverJob(
            s3: fixture.s3, store: SilverStore(connection: fixture.database), configuration: configuration,
            logger: logs.logger())
        let report = try await job.runOnce()
        #expect(report.batches == 1)
        #expect(report.counts.objects == 4)
        #expect(report.counts.input == 2 + 0 + 1 + records.count)
        #expect(report.counts.quarantined == 3)
        #expect(report.counts.valid == records.count)
        #expect(logs.contains("empty bronze object"))
        let quarantine = try await fixture.database.query(
            "SELECT bronze_key, reason, length(payload) FROM sales_quarantine ORDER BY bronze_key, bronze_line")
        #expect(
            try quarantine.rows.map { try $0.decode(String.self, at: 1) }
                == Array(repeating: "malformed:json", count: 3))
        #expect(try quarantine.rows[2].decode(Int32.self, at: 2) == Int32(huge.count))
        let silver = try await fixture.database.query("SELECT count(*) FROM sales_silver")
        #expect(try silver.rows[0].decode(Int64.self, at: 0) == Int64(records.count))

        for try await page in fixture.s3.listObjectsV2(bucket: silverBucket) {
            for object in page.objects { try await fixture.s3.deleteObject(bucket: silverBucket, key: object.key) }
        }
        try await fixture.s3.deleteBucket(silverBucket)
        try await fixture.tearDown(keys: objects.map(\.0))
    }
}
