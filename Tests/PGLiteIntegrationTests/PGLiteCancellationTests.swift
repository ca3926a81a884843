import Foundation
import LakehouseTestSupport
import PGLite
import Testing

/// Cancelling a task cancels its statement on the server (`PQcancel`), and the connection, its
/// transactions and its locks are left as they should be.
@Suite("PGLite cancellation")
struct PGLiteCancellationTests {
    let services: TestServices
    let logs = CapturedLogs()

    init() throws { services = try TestServices.require() }

    func connect(_ name: String) async throws -> PGConnection {
        var configuration = try PGConnection.Configuration(services.databaseURL)
        configuration.applicationName = name
        return try await PGConnection.connect(configuration: configuration, logger: logs.logger())
    }

    /// Whether a session of `application` is running a statement that contains `text`.
    func isRunning(_ application: String, _ text: String, on watcher: PGConnection) async throws -> Bool {
        try await watcher.query(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND state = 'active' AND query LIKE $2",
            [application, "%\(text)%"]
        ).rows[0].decode(Int.self, at: 0) > 0
    }

    @Test("a cancelled pg_sleep(600) ends with .cancelled, and the connection answers the next statement")
    func cancelsAStatement() async throws {
        let name = uniqueName("pgcancel")
        let connection = try await connect(name)
        let watcher = try await connect(name + "-watch")
        let sleeper = Task { try await connection.query("SELECT pg_sleep(600)") }
        try await eventually("pg_sleep is running on the server", timeout: .seconds(30)) {
            try await isRunning(name, "pg_sleep", on: watcher)
        }
        sleeper.cancel()
        let outcome = await sleeper.result
        #expect(throws: PGError.self) { try outcome.get() }
        if case .failure(let error as PGError) = outcome {
            #expect(error.code == .cancelled, "\(error)")
            #expect(error.sqlState == "57014", "the server's query_canceled: \(error)")
        }
        #expect(try await !isRunning(name, "pg_sleep", on: watcher))
        #expect(try await connection.query("SELECT 41 + 1").rows[0].decode(Int.self, at: 0) == 42)
        await connection.close()
        await watcher.close()
    }

    @Test("a task cancelled inside a transaction waiting on a lock: rolled back, nothing committed, the lock free")
    func cancelledTransaction() async throws {
        let name = uniqueName("pgcanceltx")
        let table = uniqueName("pgcanceltx")
        let holder = try await connect(name + "-holder")
        let connection = try await connect(name)
        let watcher = try await connect(name + "-watch")
        try await holder.execute("CREATE TABLE \(table) (id bigint PRIMARY KEY)")
        let key = Int64.random(in: 1...Int64.max)
        try await holder.query("SELECT pg_advisory_lock($1)", [key])
        let waiter = Task {
            try await connection.withTransaction { transaction in
                try await transaction.query("INSERT INTO \(table) VALUES (1)")
                try await transaction.query("SELECT pg_advisory_xact_lock($1)", [key])
                try await transaction.query("INSERT INTO \(table) VALUES (2)")
            }
        }
        try await eventually("the transaction waits for the lock", timeout: .seconds(30)) {
            try await isRunning(name, "pg_advisory_xact_lock", on: watcher)
        }
        waiter.cancel()
        let outcome = await waiter.result
        if case .failure(let error as PGError) = outcome {
            #expect(error.code == .cancelled, "\(error)")
        } else {
            Issue.record("the transaction should have failed with .cancelled: \(outcome)")
        }
        let rows = try await watcher.query("SELECT count(*) FROM \(table)").rows[0].decode(Int.self, at: 0)
        #expect(rows == 0, "the insert before the wait was rolled back")
        #expect(await connection.isHealthy(), "the connection is idle again, outside any transaction")
        try await holder.query("SELECT pg_advisory_unlock($1)", [key])
        try await holder.execute("DROP TABLE \(table)")
        for each in [holder, connection, watcher] { await each.close() }
    }

    @Test("an already-cancelled task does not send its statement, but a session lock it holds is still released")
    func cancelledBeforeSending() async throws {
        let name = uniqueName("pgcancelled")
        let connection = try await connect(name)
        let watcher = try await connect(name + "-watch")
        let key = Int64.random(in: 1...Int64.max)
        let started = Flag()
        let task = Task {
            try await connection.withAdvisoryLock(key) { locked in
                started.set()
                // Ends when the test cancels the task (the wait then throws CancellationError).
                _ = try? await eventually("the test cancels the task", timeout: .seconds(30)) { Task.isCancelled }
                // Cancelled now: this statement is refused before it is sent.
                return try await locked.query("SELECT 1")
            }
        }
        try await eventually("the lock is held", timeout: .seconds(30)) { started.isSet }
        task.cancel()
        let outcome = await task.result
        if case .failure(let error as PGError) = outcome {
            #expect(error.code == .cancelled, "\(error)")
        } else {
            Issue.record("the statement should have been refused with .cancelled: \(outcome)")
        }
        let free = try await watcher.query("SELECT pg_try_advisory_lock($1)", [key]).rows[0].decode(Bool.self, at: 0)
        #expect(free, "the cancelled block released its session lock")
        await connection.close()
        await watcher.close()
    }

    @Test("a lock wait with a timeout gives up with 55P03 without running the block, and leaves lock_timeout as it was")
    func lockTimeout() async throws {
        let name = uniqueName("pglocktimeout")
        let holder = try await connect(name + "-holder")
        let connection = try await connect(name)
        let key = Int64.random(in: 1...Int64.max)
        try await holder.query("SELECT pg_advisory_lock($1)", [key])
        let ran = Flag()
        for scope in [PGAdvisoryLockScope.session, .transaction] {
            let error = await #expect(throws: PGError.self) {
                try await connection.withAdvisoryLock(key, scope: scope, timeout: .milliseconds(200)) { _ in ran.set() }
            }
            #expect(error?.sqlState == "55P03", "\(String(describing: error))")
            #expect(try await connection.query("SHOW lock_timeout").rows[0].decode(String.self, at: 0) == "0")
        }
        #expect(!ran.isSet, "the block does not run without the lock")
        try await holder.query("SELECT pg_advisory_unlock($1)", [key])
        // Free now: taken at once, with the same timeout.
        let value = try await connection.withAdvisoryLock(key, timeout: .milliseconds(200)) { _ in 7 }
        #expect(value == 7)
        await holder.close()
        await connection.close()
    }
}
