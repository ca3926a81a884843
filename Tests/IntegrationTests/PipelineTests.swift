import AWSLite
import DeltaLite
import Foundation
import LakehouseCore
import LakehouseTestSupport
import PGLite
import Testing

/// `lakehouse run` as its users run it: real processes on moto's Kinesis and S3 and PostgreSQL,
/// killed with SIGKILL where the test says.
@Suite("lakehouse run: leases, failover, poison objects, backfill", .serialized)
struct PipelineTests {
    /// Natural keys of the valid records among `records`.
    static func keys(_ records: [SimulatedRecord]) -> Set<String> {
        Set(
            records.filter { !$0.kind.isInvalid }.map {
                "\($0.event.transactionID)|\($0.event.productID)|\($0.event.eventType.rawValue)"
            })
    }

    @Test(
        "two processes share an 8-shard stream; after kill -9 of one the other takes its shards within the failover time; nothing is lost and gold equals a single-process run",
        .tags(.scale)
    )
    func failover() async throws {
        let simulation =
            TestServices.fullScale
            ? SimulationConfiguration(stores: 24, products: 30, days: 9, seed: 23, dirtyRate: 0)
            : SimulationConfiguration(stores: 16, products: 12, days: 6, seed: 23, dirtyRate: 0)
        let pair = try await PipelineFixture.make("pipe-pair", shards: 8)
        let single = try await PipelineFixture.make("pipe-one", shards: 8)
        let streams = [pair.base.stream, single.base.stream]
        var simulator = StoreSimulator(configuration: simulation)
        var sent = try await PipelineFixture.send(days: 2, of: &simulator, to: streams, kinesis: pair.base.kinesis)

        let suffix = pair.base.schema.suffix(8)
        let (first, second) = ("A-\(suffix)", "B-\(suffix)")
        let arguments = ["run", "--poll-seconds", "1", "--failover-seconds", "10"]
        let a = try pair.lakehouse(arguments + ["--worker", first])
        try await eventually("A holds all 8 shards", poll: .milliseconds(250)) {
            try await pair.leasesByOwner() == [first: 8]
        }
        let b = try pair.lakehouse(arguments + ["--worker", second])
        // Each takes about half: B steals from A, one lease at a time, until both hold 4.
        let balanced = try? await eventually("the leases balance", poll: .milliseconds(250)) {
            let owners = try await pair.leasesByOwner()
            return owners[first] == 4 && owners[second] == 4
        }
        let shares = try await pair.leasesByOwner()
        #expect(balanced != nil, "leases never balanced: \(shares)")
        let before = try await pair.checkpointsOwned(by: first)
        sent += try await PipelineFixture.send(days: 2, of: &simulator, to: streams, kinesis: pair.base.kinesis)
        // A takes part before it dies: some of the new records go through its shards, and it
        // has cleaned a silver batch.
        try await eventually("A checkpoints more records and runs silver", poll: .milliseconds(250)) {
            let now = try await pair.checkpointsOwned(by: first)
            let silver = try await pair.count(
                "SELECT count(*) FROM pipeline_run WHERE stage = 'silver' AND worker_id = $1", [first])
            return silver > 0 && now.contains { before[$0.key] != $0.value }
        }

        a.send(signal: SIGKILL)
        _ = await a.waitForExit(timeout: .seconds(10))
        let takeover = try? await eventually("B holds all 8 shards", timeout: .seconds(30), poll: .milliseconds(250)) {
            try await pair.leasesByOwner() == [second: 8]
        }
        let owners = try await pair.leasesByOwner()
        let failover = try #require(takeover, "B never held all 8 shards: \(owners)")
        #expect(failover <= .seconds(10), "B took A's shards after \(failover); the failover time is 10 s")
        sent += try await PipelineFixture.send(days: 10, of: &simulator, to: streams, kinesis: pair.base.kinesis)

        // Nothing lost: every valid record reaches gold, once.
        let expected = Self.keys(sent)
        let caughtUp = try? await eventually("gold holds every event", timeout: .seconds(180), poll: .milliseconds(250))
        {
            try await pair.count("SELECT count(*) FROM fact_stock_movement") == Int64(expected.count)
        }
        let inGold = try await pair.count("SELECT count(*) FROM fact_stock_movement")
        #expect(caughtUp != nil, "gold holds \(inGold) of \(expected.count) events")
        b.send(signal: SIGTERM)
        #expect(await b.waitForExit(timeout: .seconds(60)) == 0, "B should drain and exit 0 on SIGTERM")
        let held = try await pair.count("SELECT count(*) FROM shard_lease WHERE owner IS NOT NULL")
        #expect(held == 0, "B releases its leases when it stops")

        // A's unfinished runs are marked abandoned; every stage has succeeded runs.
        #expect(
            try await pair.count(
                "SELECT count(*) FROM pipeline_run WHERE worker_id = $1 AND status = 'abandoned'", [first]) > 0)
        #expect(try await pair.count("SELECT count(*) FROM pipeline_run WHERE status = 'running'") == 0)
        for stage in ["ingest", "silver", "gold"] {
            #expect(
                try await pair.count(
                    "SELECT count(*) FROM pipeline_run WHERE stage = $1 AND status = 'succeeded'", [stage]) > 0,
                "no succeeded \(stage) run")
        }
        #expect(
            try await pair.count(
                "SELECT count(DISTINCT worker_id) FROM pipeline_run WHERE stage = 'ingest' AND rows_in > 0") == 2,
            "both processes ingested")
        // Silver's claim: no two silver runs of different processes overlap in time.
        #expect(
            try await pair.count(
                """
                SELECT count(*) FROM pipeline_run x JOIN pipeline_run y
                    ON x.stage = 'silver' AND y.stage = 'silver' AND x.worker_id < y.worker_id
                   AND x.started_at < y.ended_at AND y.started_at < x.ended_at
                """) == 0)
        #expect(try await pair.count("SELECT count(DISTINCT worker_id) FROM pipeline_run WHERE stage = 'silver'") == 2)

        // The single-process world, fed the same records.
        let one = try await single.run(["run", "--until-caught-up"])
        #expect(one.status == 0, "\(one.errors.suffix(2000))")
        let pairState = try await pair.state()
        let singleState = try await single.state()
        #expect(pairState.count > 1000)
        #expect(pairState == singleState)
        if pairState != singleState {
            let left = Set(pairState)
            let right = Set(singleState)
            Issue.record(
                "only with two processes: \(left.subtracting(right).sorted().prefix(5)); only with one: \(right.subtracting(left).sorted().prefix(5))"
            )
        }

        // `lakehouse status` shows the shards, the runs and gold's freshness.
        let status = try await pair.run(["status"])
        #expect(status.status == 0)
        #expect(status.output.contains("shardId-000000000007"))
        #expect(status.output.contains("last gold runs:"))
        #expect(status.output.contains("gold freshness: newest event"))
        #expect(status.output.contains(second))
        // A, killed, is told apart from a process that is only cut off from PostgreSQL.
        #expect(
            status.output.split(separator: "\n").contains { $0.contains(first) && $0.contains("dead: no process") },
            "\(status.output)")

        try await pair.tearDown()
        try await single.tearDown()
    }

    @Test(
        "a bronze object that kills the process while silver cleans it is quarantined whole after its tries, each line kept; the pipeline goes on; a backfill of processed days changes nothing"
    )
    func poisonAndBackfill() async throws {
        let fixture = try await PipelineFixture.make("pipe-poison", shards: 2)
        var simulator = StoreSimulator(
            configuration: SimulationConfiguration(stores: 3, products: 10, days: 3, seed: 29, dirtyRate: 0))
        let sent = try await PipelineFixture.send(
            days: 3, of: &simulator, to: [fixture.base.stream], kinesis: fixture.base.kinesis)
        // The poison: a bronze object of a day of its own, 40 records of another simulation.
        var other = StoreSimulator(
            configuration: SimulationConfiguration(stores: 1, products: 5, days: 2, seed: 31, dirtyRate: 0))
        let poisonBatch = try #require(other.bronzeBatches(recordsPerObject: 40, limit: 40).first)
        let poisonKey = "sales_data/year=2020/month=01/day=01/shardId-poison-1-40.jsonl"
        let poisonBody = poisonBatch.encoded()
        let stored = try await fixture.base.s3.putObject(bucket: fixture.base.bucket, key: poisonKey, body: poisonBody)
        let storedETag: String? = if case .stored(let eTag) = stored { eTag } else { nil }
        let poisonETag = try #require(storedETag, "the poison object was not stored")
        try await BronzeRegistry(connection: fixture.database).register(
            [BronzeObject(key: poisonKey, eTag: poisonETag, size: poisonBody.count)], stream: fixture.base.stream,
            shardID: "poison", records: 40)

        var crashes = 0
        var finished = false
        for _ in 1...8 {
            // Maintenance every 0.3 s: compaction and vacuum run while silver writes and crashes.
            let result = try await fixture.run(
                ["run", "--until-caught-up", "--maintenance-minutes", "0.005"],
                environment: ["LAKEHOUSE_CRASH_ON_OBJECT": "shardId-poison"], program: PipelineFixture.withFaults)
            if result.status == 128 + SIGKILL {
                crashes += 1
                continue
            }
            #expect(result.status == 0, "\(result.errors.suffix(2000))")
            finished = true
            break
        }
        #expect(finished, "lakehouse run never got past the poison object")
        // One crash on the batch's first try, then one per try of the object on its own (3).
        #expect(crashes == 1 + SilverJob.Configuration(bronzeBucket: "", silverBucket: "").poisonAttempts)

        let quarantined = try await fixture.database.query(
            "SELECT bronze_line, reason, payload FROM sales_quarantine WHERE bronze_key = $1 ORDER BY bronze_line",
            [poisonKey])
        #expect(quarantined.rows.count == 40, "each of the poison object's lines is quarantined")
        for row in quarantined.rows {
            #expect(try row.decode(String.self, at: 1) == "poison:object")
        }
        let lines = poisonBatch.encoded().split(separator: UInt8(ascii: "\n")).map { Array($0) }
        if let first = quarantined.rows.first {
            #expect(try first.decode(PGBytes.self, at: 2).bytes == lines[0], "the raw bronze line is kept")
        }
        // Everything else reached gold.
        let expected = Self.keys(sent)
        #expect(try await fixture.count("SELECT count(*) FROM fact_stock_movement") == Int64(expected.count))
        #expect(try await fixture.count("SELECT count(*) FROM silver_attempt") == 0)

        // Backfill of the days already processed: no batch, no change; with --force every
        // object is read again and its rows count as duplicates: still no change.
        let before = try await fixture.state()
        let batchesBefore = try await fixture.count("SELECT count(*) FROM silver_batches")
        let days = try await fixture.database.query(
            """
            SELECT DISTINCT substring(bronze_key FROM 'year=(\\d+)/month=(\\d+)/day=(\\d+)') FROM silver_manifest
            """)
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        let today = day.string(from: Date())
        #expect(days.rows.count >= 1)
        let plain = try await fixture.run(["backfill", "--from", today, "--to", today])
        #expect(plain.status == 0, "\(plain.errors.suffix(2000))")
        #expect(plain.output.contains("silver: 0 batches"), "\(plain.output)")
        #expect(try await fixture.count("SELECT count(*) FROM silver_batches") == batchesBefore)
        #expect(try await fixture.state() == before)

        let forced = try await fixture.run(["backfill", "--from", today, "--to", today, "--force"])
        #expect(forced.status == 0, "\(forced.errors.suffix(2000))")
        #expect(forced.output.contains("valid 0 + quarantined 0 + duplicates \(expected.count)"), "\(forced.output)")
        #expect(try await fixture.state() == before)
        #expect(
            try await fixture.count(
                "SELECT count(*) FROM pipeline_run WHERE stage = 'backfill' AND status = 'succeeded'")
                == 2)

        // Maintenance ran on its schedule within `lakehouse run`, and runs on demand: the
        // tables are compacted, PostgreSQL is as it was, and every run is in the history.
        #expect(try await fixture.count("SELECT count(*) FROM pipeline_run WHERE stage = 'maintenance'") >= 1)
        let maintained = try await fixture.run(["maintain", "--target-file-mib", "64"])
        #expect(maintained.status == 0, "\(maintained.errors.suffix(2000))")
        #expect(maintained.output.contains("sales/: "), "\(maintained.output)")
        #expect(maintained.output.contains("quarantine/: "), "\(maintained.output)")
        #expect(try await fixture.state() == before)
        let snapshot = try #require(
            try await DeltaLog(
                s3: fixture.base.s3, bucket: fixture.silverBucket, root: SilverTable.root,
                logger: fixture.logs.logger()
            ).snapshot())
        let perDay = Dictionary(grouping: snapshot.files.values) { $0.partitionValues["event_date"] ?? nil }
        #expect(perDay.values.allSatisfy { $0.count == 1 }, "one file per day: \(perDay.mapValues(\.count))")
        #expect(
            try await fixture.count(
                "SELECT count(*) FROM pipeline_run WHERE stage = 'maintenance' AND status <> 'succeeded'") == 0)

        try await fixture.tearDown()
    }

    @Test("lakehouse demo --live provisions, reports freshness and alerts while events flow, and drains on SIGINT")
    func liveDemo() async throws {
        let fixture = try await PipelineFixture.make("pipe-live", shards: 2)
        let goldBucket = fixture.base.bucket.replacingOccurrences(of: "-bronze-", with: "-gold-")
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("live-\(UUID().uuidString).out").path
        // Through the shell only to keep its output: ChildProcess discards it.
        let demo = try ChildProcess(
            executable: "/bin/sh",
            arguments: [
                "-c",
                "exec '\(PipelineFixture.executable)' demo --live --rate 100 --stores 4 --products 10 --shards 2 --every 2 --env-file '' > '\(output)' 2>&1",
            ],
            environment: fixture.environment.merging(["S3_BUCKET_GOLD": goldBucket]) { $1 })
        // Three reports, one of them with a freshness figure and both shards held.
        try await eventually(
            "three reports, one with a freshness figure", timeout: .seconds(120), poll: .milliseconds(250)
        ) {
            let reports = ((try? String(contentsOfFile: output, encoding: .utf8)) ?? "").split(separator: "\n")
                .filter { $0.contains("gold freshness") }
            let inGold = (try? await fixture.count("SELECT count(*) FROM fact_stock_movement")) ?? 0
            return reports.count >= 3 && reports.contains { $0.contains(" s; 2/2 shards held") } && inGold > 500
        }
        demo.send(signal: SIGINT)
        let status = await demo.waitForExit(timeout: .seconds(60))
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: output)
        #expect(status == 0, "\(text.suffix(2000))")
        let reports = text.split(separator: "\n").filter { $0.contains("gold freshness") }
        #expect(reports.count >= 3, "\(text.suffix(2000))")
        #expect(
            reports.contains { $0.contains(" s; 2/2 shards held") }, "a report with a freshness figure: \(reports)")
        #expect(text.contains("lakehouse run: ingest"), "the drained pipeline's report: \(text.suffix(500))")
        let inGold = try await fixture.count("SELECT count(*) FROM fact_stock_movement")
        let inSilver = try await fixture.count("SELECT count(*) FROM sales_silver")
        #expect(inGold > 500)
        #expect(inGold == inSilver, "the drain takes everything sent into gold")
        for try await page in fixture.base.s3.listObjectsV2(bucket: goldBucket) {
            for object in page.objects { try await fixture.base.s3.deleteObject(bucket: goldBucket, key: object.key) }
        }
        try await fixture.base.s3.deleteBucket(goldBucket)
        try await fixture.tearDown()
    }
}
