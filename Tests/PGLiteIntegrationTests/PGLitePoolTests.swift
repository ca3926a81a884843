import Foundation
import LakehouseTestSupport
import PGLite
import Testing

@Suite("PGLite pool")
struct PGLitePoolTests {
    let services: TestServices
    let logs = CapturedLogs()

    init() throws { services = try TestServices.require() }

    @Test("16 tasks share a pool of 4: at most 4 sessions, and no task's statements interleave with another's")
    func sharing() async throws {
        // The test is about sharing, not speed: on a loaded CI machine a task may wait long for
        // one of the 4 connections, so the acquire timeout is far above what any wait needs.
        let pool = PGPool(
            configuration: .init(
                connection: try .init(services.databaseURL), maximumConnections: 4, acquireTimeout: .seconds(300)),
            logger: logs.logger())
        let table = uniqueName("pgpool")
        try await pool.withConnection { try await $0.execute("CREATE TABLE \(table) (task int, txid bigint, pid int)") }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<16 {
                group.addTask {
                    try await pool.withConnection { connection in
                        try await connection.withTransaction { transaction in
                            for _ in 0..<5 {
                                try await transaction.query(
                                    "INSERT INTO \(table) SELECT $1, txid_current(), pg_backend_pid() FROM pg_sleep(0.005)",
                                    [Int32(task)])
                            }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let summary = try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT count(*) AS rows, count(DISTINCT pid) AS sessions,
                       (SELECT count(*) FROM (SELECT task FROM \(table) GROUP BY task
                                              HAVING count(DISTINCT txid) = 1 AND count(*) = 5) t) AS clean_tasks,
                       (SELECT count(*) FROM (SELECT txid FROM \(table) GROUP BY txid
                                              HAVING count(DISTINCT task) > 1) t) AS shared_transactions
                FROM \(table)
                """
            ).rows[0]
        }
        #expect(try summary.decode(Int.self, "rows") == 80)
        #expect(try summary.decode(Int.self, "sessions") <= 4)
        #expect(try summary.decode(Int.self, "clean_tasks") == 16, "each task's 5 rows in one transaction of its own")
        #expect(try summary.decode(Int.self, "shared_transactions") == 0)
        #expect(pool.openConnections <= 4)
        try await pool.withConnection { try await $0.execute("DROP TABLE \(table)") }
        await pool.close()
    }

    @Test("waiting longer than the acquire timeout is a clear error")
    func acquireTimeout() async throws {
        let pool = PGPool(
            configuration: .init(
                connection: try .init(services.databaseURL), maximumConnections: 1, acquireTimeout: .milliseconds(200)),
            logger: logs.logger())
        // The holder keeps the pool's only connection until the second acquire has failed.
        let (holding, done) = (Flag(), Flag())
        let holder = Task {
            try await pool.withConnection { connection in
                holding.set()
                try await eventually("the second acquire has timed out", timeout: .seconds(300), poll: .milliseconds(5))
                {
                    done.isSet
                }
                return try await connection.query("SELECT 1")
            }
        }
        try await eventually("the holder has the pool's only connection", poll: .milliseconds(5)) { holding.isSet }
        let error = await #expect(throws: PGError.self) { try await pool.withConnection { _ in } }
        done.set()
        #expect(error?.message.contains("no connection became free within") == true, "\(String(describing: error))")
        _ = try await holder.value
        try await pool.withConnection { try await $0.query("SELECT 1") }  // free again
        await pool.close()
    }

    @Test("after the server restarts, in-flight work fails clearly and later work succeeds")
    func serverRestart() async throws {
        try await PrivatePostgres.with { cluster in try await restartScenario(cluster) }
    }

    func restartScenario(_ cluster: PrivatePostgres) async throws {
        let pool = PGPool(
            configuration: .init(connection: try .init(cluster.databaseURL), maximumConnections: 2),
            logger: logs.logger())
        // Open both connections so that both sit idle across the restart.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<2 {
                group.addTask { _ = try await pool.withConnection { try await $0.query("SELECT pg_sleep(0.1)") } }
            }
            try await group.waitForAll()
        }
        #expect(pool.openConnections == 2)
        let inFlight = Task { try await pool.withConnection { try await $0.query("SELECT pg_sleep(30) AS in_flight") } }
        let watcher = try await PGConnection.connect(configuration: .init(cluster.databaseURL), logger: logs.logger())
        try await eventually("the server runs the in-flight query", poll: .milliseconds(20)) {
            let running = try await watcher.query(
                "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%AS in_flight' AND pid <> pg_backend_pid()"
            )
            return try running.rows[0].decode(Int64.self, at: 0) > 0
        }
        await watcher.close()
        try await cluster.restart()
        let error = await #expect(throws: PGError.self) { try await inFlight.value }
        #expect(error?.code == .connectionFailed, "\(String(describing: error))")
        for attempt in 0..<4 {
            let answer = try await pool.withConnection { try await $0.query("SELECT $1::int AS n", [Int32(attempt)]) }
            #expect(try answer.rows[0].decode(Int.self, "n") == attempt)
        }
        await pool.close()
    }
}
