import AWSLite
import Foundation
import LakehouseCore
import LakehouseTestSupport
import PGLite
import Testing

/// Two silver jobs on the same bronze, Delta tables and database at once.
@Suite("Silver: two writers racing on the same tables never lose or duplicate a commit")
struct SilverConcurrencyTests {
    /// Lets `parties` tasks go on only once all of them have arrived.
    actor Rendezvous {
        let parties: Int
        private var waiting: [CheckedContinuation<Void, Never>] = []
        init(parties: Int) { self.parties = parties }

        func arrive() async {
            if waiting.count + 1 == parties {
                waiting.forEach { $0.resume() }
                waiting.removeAll()
                return
            }
            await withCheckedContinuation { waiting.append($0) }
        }
    }

    @Test(
        "two jobs reach the first commit together (put-if-absent: one wins, the other sees its transaction) and race through the backlog; so do two silver processes; each result equals one job alone"
    )
    func racingJobs() async throws {
        let simulation = SimulationConfiguration(stores: 2, products: 15, days: 2, seed: 23, dirtyRate: 0.02)
        let objects = SilverFixture.bronzeObjects(simulation, perObject: 50)
        let reference = try await SilverFixture.make("silver-one")
        let shared = try await SilverFixture.make("silver-two")
        try await reference.putBronze(objects)
        try await shared.putBronze(objects)
        #expect(try await reference.runSilver(["--once", "--objects-per-batch", "2"]) == 0)
        let expected = try await reference.state()

        let services = try TestServices.require()
        let second = try await PGConnection.connect(
            configuration: .init(services.databaseURL), logger: shared.logs.logger())
        try await second.execute("SET search_path TO \(shared.base.schema)")
        var configuration = SilverJob.Configuration(
            bronzeBucket: shared.base.bucket, silverBucket: shared.silverBucket)
        configuration.objectsPerBatch = 2
        let rendezvous = Rendezvous(parties: 2)
        let hook: SilverJob.FaultHook = { point, batch in
            if point == .afterDataFiles && batch == 1 { await rendezvous.arrive() }
        }
        let logs = [CapturedLogs(), CapturedLogs()]
        let jobs = [shared.base.database, second].enumerated().map { index, connection in
            SilverJob(
                s3: shared.base.s3, store: SilverStore(connection: connection), configuration: configuration,
                logger: logs[index].logger(), faultHook: hook, objectHook: nil)
        }
        async let first = jobs[0].runOnce()
        async let other = jobs[1].runOnce()
        let reports = try await [first, other]

        // Each batch was loaded by exactly one job, and all of them were.
        #expect(reports[0].batches + reports[1].batches == expected.batches.count)
        #expect(
            reports[0].counts.input + reports[1].counts.input
                == objects.reduce(0) { $0 + BronzeBatch.decodeEach($1.body).count })
        // Batch 1: both wrote its files; PostgreSQL's claim on the batch let one of them commit
        // it to Delta and PostgreSQL, and the other found it loaded.
        #expect(logs.contains { $0.contains("silver batch already loaded by another run") })
        let state = try await shared.state()
        #expect(state == expected, "two jobs: \(state); one: \(expected)")
        // One commit per batch and table: nothing duplicated.
        #expect(state.salesVersion == Int64(expected.batches.count - 1))

        await second.close()
        try await shared.tearDown()

        // Two `silver` processes started together on one more copy of the bronze.
        let processes = try await SilverFixture.make("silver-procs")
        try await processes.putBronze(objects)
        let children = try (0..<2).map { _ in try processes.silver(["--once", "--objects-per-batch", "2"]) }
        for child in children { #expect(await child.waitForExit(timeout: .seconds(300)) == 0) }
        let raced = try await processes.state()
        #expect(raced == expected, "two processes: \(raced); one: \(expected)")
        try await processes.tearDown()
        try await reference.tearDown()
    }
}
