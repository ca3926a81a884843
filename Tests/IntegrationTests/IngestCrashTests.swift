import AWSLite
import Foundation
import LakehouseCore
import LakehouseTestSupport
import PGLite
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The `ingest` executable killed with SIGKILL at random moments while the producer sends, then
/// restarted: at the end every record sent is in bronze (duplicates only from replayed batches);
/// and SIGTERM makes it flush, checkpoint and exit 0.
@Suite("Ingest survives kill -9 and stops cleanly on SIGTERM")
struct IngestCrashTests {
    @Test("kill -9 at random moments while the producer runs, restart: nothing lost", .tags(.scale))
    func killNine() async throws {
        let setup = try await IngestFixture.make("crash")
        let logs = CapturedLogs()
        var simulation = SimulationConfiguration()
        simulation.stores = 4
        simulation.products = 20
        simulation.days = TestServices.fullScale ? 6 : 2
        var expected: [[UInt8]] = []
        var replay = StoreSimulator(configuration: simulation)
        while let day = replay.nextDay() { expected += day.map(\.payload) }
        let kills = TestServices.fullScale ? 10 : 3
        // The producer sends over about as long as the kills take.
        var configuration = EventProducer.Configuration(stream: setup.stream)
        configuration.recordsPerCall = 100
        configuration.targetRate = Double(expected.count) / (Double(kills) * 0.9)
        let producer = EventProducer(kinesis: setup.kinesis, configuration: configuration, logger: logs.logger())
        let sending = Task {
            var simulator = StoreSimulator(configuration: simulation)
            return try await producer.run(&simulator) { _ in }
        }
        var random = SeededRandom(seed: 11)
        for _ in 0..<kills {
            let child = try setup.ingest(["--flush-records", "150", "--flush-seconds", "0.3"])
            // A crash at a random moment (not a wait for anything).
            try await Task.sleep(for: .milliseconds(Int(random.uniform(400...1400))))
            #expect(await child.stop())  // SIGKILL
        }
        let sent = try await sending.value
        #expect(sent.sent == expected.count)
        let last = try setup.ingest(["--until-caught-up", "--flush-records", "150"])
        #expect(await last.waitForExit(timeout: .seconds(120)) == 0)

        let (lines, keys) = try await setup.bronze()
        var remaining: [[UInt8]: Int] = [:]
        for payload in expected { remaining[payload, default: 0] += 1 }
        var replayed = 0
        var seen = Set<String>()
        for line in lines {
            let id = line.shardID + "/" + line.sequenceNumber
            if !seen.insert(id).inserted {
                replayed += 1  // a record of a batch written again after a crash
                continue
            }
            remaining[line.payload, default: 0] -= 1
        }
        #expect(remaining.values.allSatisfy { $0 == 0 }, "records missing or unexpected in bronze")
        #expect(lines.count == expected.count + replayed)
        try await setup.tearDown(keys: keys)
    }

    @Test("SIGTERM: the running ingest flushes, checkpoints and exits 0")
    func sigterm() async throws {
        let setup = try await IngestFixture.make("sigterm")
        let logs = CapturedLogs()
        var simulation = SimulationConfiguration()
        simulation.stores = 2
        simulation.products = 10
        simulation.days = 1
        var simulator = StoreSimulator(configuration: simulation)
        let sent = try await EventProducer(
            kinesis: setup.kinesis, configuration: .init(stream: setup.stream), logger: logs.logger()
        ).run(&simulator) { _ in }
        // Large flush limits: only the stop makes it write. It is stopped once it has read every
        // shard to its end (it says so, once a shard).
        let output = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("ingest") + ".out").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let child = try setup.ingest(["--flush-records", "1000000", "--flush-seconds", "600"], outputPath: output)
        let shards = try await setup.kinesis.listShards(setup.stream).count
        try await eventually("ingest catches up with every shard", poll: .milliseconds(100)) {
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            return text.components(separatedBy: "caught up with the shard").count - 1 >= shards
        }
        #expect(try await setup.bronze().lines.isEmpty, "nothing is written before the stop")
        child.send(signal: SIGTERM)
        #expect(await child.waitForExit(timeout: .seconds(60)) == 0)
        let (lines, keys) = try await setup.bronze()
        #expect(lines.count == sent.sent)
        let checkpoints = try await CheckpointStore(connection: setup.database).load(stream: setup.stream)
        #expect(checkpoints.values.reduce(0) { $0 + $1.records } == sent.sent)
        try await setup.tearDown(keys: keys)
    }
}
