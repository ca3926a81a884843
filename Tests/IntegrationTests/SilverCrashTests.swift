import AWSLite
import DeltaLite
import Foundation
import LakehouseCore
import LakehouseTestSupport
import PGLite
import Testing

/// The `silver` executable killed with SIGKILL at each point of a batch (LAKEHOUSE_CRASH_AT),
/// rerun, and compared with a run that never crashed over the same bronze.
@Suite("Silver survives kill -9 at each point of a batch, exactly once", .tags(.scale))
struct SilverCrashTests {
    static let arguments = ["--once", "--objects-per-batch", "2"]

    /// The simulation's bronze objects in two fixtures: a reference that silver ran over
    /// without crashes (two objects a batch), and one for the test to crash; and the
    /// reference's state.
    static func twoWorlds(_ name: String, minimumObjects: Int) async throws
        -> (
            objects: [(key: String, body: [UInt8])], reference: SilverFixture, crashed: SilverFixture,
            expected: SilverFixture.State
        )
    {
        let objects = SilverFixture.bronzeObjects(simulation, perObject: TestServices.fullScale ? 400 : 60)
        try #require(objects.count >= minimumObjects, "the simulation gives \(objects.count) bronze objects")
        let reference = try await SilverFixture.make(name + "-ref")
        let crashed = try await SilverFixture.make(name)
        try await reference.putBronze(objects)
        try await crashed.putBronze(objects)
        #expect(try await reference.runSilver(arguments) == 0)
        return (objects, reference, crashed, try await reference.state())
    }

    static var simulation: SimulationConfiguration {
        TestServices.fullScale
            ? SimulationConfiguration(stores: 4, products: 40, days: 4, seed: 11, dirtyRate: 0.02)
            : SimulationConfiguration(stores: 2, products: 15, days: 3, seed: 11, dirtyRate: 0.02)
    }

    @Test(
        "kill -9 after the Parquet files, between the two Delta commits, after them and inside the PostgreSQL transaction; reruns equal a run without crashes"
    )
    func crashAtEachPoint() async throws {
        let (objects, reference, crashed, expected) = try await Self.twoWorlds("silver-crash", minimumObjects: 9)
        #expect(expected.batches.count == (objects.count + 1) / 2)

        // Between the two commits is a point only for a batch that quarantined something: the
        // first such batch from 2 on, with two more after it.
        let withQuarantine = try #require(
            (2...Int64(expected.batches.count - 2)).first { batch in
                expected.batches.contains {
                    $0.contains("\"batch_id\": \"batch-\(batch)\"") && !$0.contains("\"quarantined\": 0")
                }
            }, "no batch from 2 to \(expected.batches.count - 2) quarantined anything")
        let points: [(SilverJob.FaultPoint, Int64)] = [
            (.afterDataFiles, 1), (.afterSalesCommit, withQuarantine), (.afterDeltaCommit, withQuarantine + 1),
            (.insidePostgresTransaction, withQuarantine + 2),
        ]
        for (point, batch) in points {
            let status = try await crashed.runSilver(
                Self.arguments, environment: ["LAKEHOUSE_CRASH_AT": "\(point.rawValue):\(batch)"],
                program: SilverFixture.withFaults)
            #expect(status == 128 + SIGKILL, "silver should have been killed at \(point.rawValue) of batch \(batch)")
            // The crash left the batch half done, where the point says.
            #expect(try await crashed.batchCount() == batch - 1)
            let sales = try await crashed.log(SilverTable.root).snapshot()
            let committed = sales?.transactions["silver"] ?? 0
            switch point {
            case .afterDataFiles:
                #expect(committed == batch - 1)
                var files = 0
                for try await page in crashed.base.s3.listObjectsV2(
                    bucket: crashed.silverBucket, prefix: SilverTable.root)
                {
                    files += page.objects.count { $0.key.contains("part-\(batch)") }
                }
                #expect(files > 0, "the Parquet files of batch \(batch) should be on S3")
            case .afterSalesCommit:
                #expect(committed == batch)
                // The quarantine table's commit is still to come (the batch has quarantined records).
                let quarantine = try await crashed.log(SilverTable.quarantineRoot).snapshot()
                #expect((quarantine?.transactions["silver"] ?? 0) < batch)
                let row = try #require(expected.batches.first { $0.contains("\"batch_id\": \"batch-\(batch)\"") })
                try #require(
                    !row.contains("\"quarantined\": 0"), "batch \(batch) should have quarantined records: \(row)")
            case .afterDeltaCommit, .insidePostgresTransaction:
                #expect(committed == batch)
            }
        }
        #expect(try await crashed.runSilver(Self.arguments) == 0)
        let recovered = try await crashed.state()
        #expect(recovered == expected, "after the crashes: \(recovered); without: \(expected)")
        #expect(recovered.silver == expected.silver)
        #expect(recovered.quarantine == expected.quarantine)
        #expect(recovered.batches == expected.batches)

        // delta-rs reads the same rows from both tables.
        let services = try TestServices.require()
        let left = try await DeltaRS.read(endpoint: services.awsEndpoint, uri: "s3://\(reference.silverBucket)/sales")
        let right = try await DeltaRS.read(endpoint: services.awsEndpoint, uri: "s3://\(crashed.silverBucket)/sales")
        let leftRows = (left["rows"] as? [[String: Any]]) ?? []
        let rightRows = (right["rows"] as? [[String: Any]]) ?? []
        #expect(leftRows.count == expected.silver.count)
        #expect(NSArray(array: leftRows).isEqual(to: rightRows))

        try await Self.expectSinksAgree(crashed, reference: reference)

        // Reprocessing the same bronze changes nothing.
        #expect(try await crashed.runSilver(Self.arguments) == 0)
        #expect(try await crashed.state() == expected)

        try await reference.tearDown()
        try await crashed.tearDown()
    }

    @Test(
        "a kill after a batch's Delta commit, then kills while its objects would be re-read: PostgreSQL takes what Delta holds, no record is valid in one sink and quarantined in the other"
    )
    func crashThenPoisonReread() async throws {
        let (objects, reference, crashed, expected) = try await Self.twoWorlds("silver-reread", minimumObjects: 6)

        // Batch 2 (objects 2 and 3) is committed to Delta, then the process dies.
        let status = try await crashed.runSilver(
            Self.arguments, environment: ["LAKEHOUSE_CRASH_AT": "after-delta-commit:2"],
            program: SilverFixture.withFaults)
        #expect(status == 128 + SIGKILL)
        // Every later run would die cleaning object 2 (an OOM loop, say). Delta holds batch 2
        // already, so it is not cleaned again: the first rerun loads it from Delta and finishes.
        let crashOnObject = ["LAKEHOUSE_CRASH_ON_OBJECT": objects[2].key]
        #expect(
            try await crashed.runSilver(Self.arguments, environment: crashOnObject, program: SilverFixture.withFaults)
                == 0)
        #expect(try await crashed.state() == expected)
        try await Self.expectSinksAgree(crashed, reference: reference)
        try await reference.tearDown()
        try await crashed.tearDown()
    }

    @Test("the shipped silver cannot be told by its environment to kill itself: the crash settings change nothing")
    func shippedSilverIgnoresFaultSettings() async throws {
        let (objects, reference, crashed, expected) = try await Self.twoWorlds("silver-shipped", minimumObjects: 2)
        let faults = ["LAKEHOUSE_CRASH_AT": "after-delta-commit:1", "LAKEHOUSE_CRASH_ON_OBJECT": objects[0].key]
        #expect(try await crashed.runSilver(Self.arguments, environment: faults) == 0)
        #expect(try await crashed.state() == expected)
        try await reference.tearDown()
        try await crashed.tearDown()
    }

    @Test(
        "an object that kills every try before any commit is quarantined whole in both sinks alike; the rest equals a run without it"
    )
    func poisonBeforeCommit() async throws {
        let objects = SilverFixture.bronzeObjects(Self.simulation, perObject: TestServices.fullScale ? 400 : 60)
        try #require(objects.count >= 6, "the simulation gives \(objects.count) bronze objects")
        let poison = objects[2].key
        let crashed = try await SilverFixture.make("silver-poison")
        try await crashed.putBronze(objects)
        let crashOnObject = ["LAKEHOUSE_CRASH_ON_OBJECT": poison]
        // The batch's first try, then three tries of the object alone (poisonAttempts = 3).
        for attempt in 1...4 {
            let status = try await crashed.runSilver(
                Self.arguments, environment: crashOnObject, program: SilverFixture.withFaults)
            #expect(status == 128 + SIGKILL, "try \(attempt) should have died on the object")
        }
        #expect(
            try await crashed.runSilver(Self.arguments, environment: crashOnObject, program: SilverFixture.withFaults)
                == 0)
        let lines = objects[2].body.split(separator: UInt8(ascii: "\n")).count
        let reasons = try await crashed.base.database.query(
            "SELECT reason, count(*) FROM sales_quarantine WHERE bronze_key = $1 GROUP BY 1", [poison])
        #expect(
            try reasons.rows.map { "\(try $0.decode(String.self, at: 0)) \(try $0.decode(Int64.self, at: 1))" } == [
                "poison:object \(lines)"
            ])
        // Silver without the object: what a run over the other objects gives.
        let reference = try await SilverFixture.make("silver-ref3")
        try await reference.putBronze(objects.enumerated().filter { $0.offset != 2 }.map(\.element))
        #expect(try await reference.runSilver(["--once", "--objects-per-batch", "64"]) == 0)
        let mine = try await PipelineFixture.state(of: crashed.base.database).filter { $0.hasPrefix("silver ") }
        let theirs = try await PipelineFixture.state(of: reference.base.database).filter { $0.hasPrefix("silver ") }
        #expect(mine.count > 100)
        #expect(mine == theirs)
        try await Self.expectSinksAgree(crashed, reference: nil)
        try await reference.tearDown()
        try await crashed.tearDown()
    }

    /// Delta and PostgreSQL hold the same rows in both tables (as delta-rs reads Delta); with a
    /// reference, gold refreshed over each equals the other's.
    static func expectSinksAgree(_ fixture: SilverFixture, reference: SilverFixture?) async throws {
        let services = try TestServices.require()
        let database = fixture.base.database
        func keys(_ rows: [[String: Any]], _ names: [String]) -> [String] {
            rows.map { row in names.map { "\(row[$0] ?? "nil")" }.joined(separator: "|") }.sorted()
        }
        let sales = try await DeltaRS.read(endpoint: services.awsEndpoint, uri: "s3://\(fixture.silverBucket)/sales")
        let deltaSales = keys(
            (sales["rows"] as? [[String: Any]]) ?? [], ["transaction_id", "product_id", "event_type"])
        let pgSales = try await database.query(
            "SELECT transaction_id || '|' || product_id || '|' || event_type FROM sales_silver ORDER BY 1"
        ).rows.map { try $0.decode(String.self, at: 0) }
        #expect(
            deltaSales == pgSales.sorted(), "Delta holds \(deltaSales.count) silver rows, PostgreSQL \(pgSales.count)")
        let quarantine = try await DeltaRS.read(
            endpoint: services.awsEndpoint, uri: "s3://\(fixture.silverBucket)/quarantine")
        let deltaQuarantine = keys(
            (quarantine["rows"] as? [[String: Any]]) ?? [], ["bronze_key", "bronze_line", "reason"])
        let pgQuarantine = try await database.query(
            "SELECT bronze_key || '|' || bronze_line || '|' || reason FROM sales_quarantine ORDER BY 1"
        ).rows.map { try $0.decode(String.self, at: 0) }
        #expect(
            deltaQuarantine == pgQuarantine.sorted(),
            "Delta quarantines \(deltaQuarantine.count) records, PostgreSQL \(pgQuarantine.count)")
        guard let reference else { return }
        for side in [fixture, reference] {
            _ = try await GoldJob(connection: side.base.database, logger: side.logs.logger()).refresh()
        }
        let mine = try await PipelineFixture.state(of: database)
        let theirs = try await PipelineFixture.state(of: reference.base.database)
        #expect(mine.count > 100)
        #expect(mine == theirs, "gold differs from the run without crashes")
    }
}
