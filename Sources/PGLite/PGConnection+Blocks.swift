/// How a transaction sees the work of concurrent ones (`BEGIN ISOLATION LEVEL …`).
public enum PGIsolationLevel: String, Sendable {
    /// Each statement sees what was committed before it began; PostgreSQL's default, and the default of
    /// ``PGConnection/withTransaction(isolation:_:)``.
    case readCommitted = "READ COMMITTED"
    /// Every statement sees one snapshot, taken at the first; updating a row a concurrent transaction changed fails
    /// with SQLSTATE `40001`, and the caller retries.
    case repeatableRead = "REPEATABLE READ"
    /// As if transactions ran one at a time; any that cannot be ordered so fails with SQLSTATE `40001`, and the
    /// caller retries.
    case serializable = "SERIALIZABLE"
}

/// How long an advisory lock is held.
public enum PGAdvisoryLockScope: Sendable {
    /// Until released at the end of the block (`pg_advisory_lock` / `pg_advisory_unlock`).
    case session
    /// Until the transaction the block runs in ends (`pg_advisory_xact_lock`).
    case transaction
}

extension PGConnection {
    /// Runs `body` in a transaction: commits when it returns, rolls back when it throws.
    ///
    /// The connection is held for the whole block: other tasks' calls wait until it ends.
    ///
    /// - Parameters:
    ///   - isolation: the isolation level. Default: read committed.
    ///   - body: the work; it receives this connection.
    /// - Returns: what `body` returns, once committed.
    /// - Throws: what `body` throws (after rolling back), or a ``PGError`` from BEGIN or COMMIT;
    ///   a COMMIT the server turned into a rollback (because a statement in the transaction
    ///   failed and the error was caught) is a ``PGError/Code/statementFailed`` error.
    @discardableResult
    public func withTransaction<T>(
        isolation: PGIsolationLevel = .readCommitted, _ body: (PGConnection) async throws -> T
    ) async throws -> T {
        try await exclusive {
            try await execute("BEGIN ISOLATION LEVEL \(isolation.rawValue)")
            let value: T
            do {
                value = try await body(self)
            } catch {
                do { try await cleanUp { try await execute("ROLLBACK") } } catch let rollback as PGError {
                    logger.warning("ROLLBACK failed", metadata: ["pg.error": "\(rollback)"])
                }
                throw error
            }
            let commit: PGQueryResult
            do {
                commit = try await execute("COMMIT")
            } catch {
                // Not sent (the task was cancelled) or lost: leave no transaction open.
                _ = try? await cleanUp { try await execute("ROLLBACK") }
                throw error
            }
            if commit.commandTag == "ROLLBACK" {
                throw PGError(
                    code: .statementFailed,
                    message: "the transaction was rolled back at COMMIT because a statement in it failed")
            }
            return value
        }
    }

    /// Runs `body` holding the advisory lock `key`, waiting for it if another session holds it.
    ///
    /// - Parameters:
    ///   - key: the lock's key, shared by every process that coordinates on it.
    ///   - scope: ``PGAdvisoryLockScope/session`` (default) releases the lock when the block
    ///     ends; ``PGAdvisoryLockScope/transaction`` runs the block in a transaction
    ///     (``withTransaction(isolation:_:)``) and the lock ends with it.
    ///   - timeout: how long to wait for the lock (default: as long as it takes). Only the wait is
    ///     bounded (the server's `lock_timeout`, set for it and reset after), not `body`.
    /// - Throws: what `body` throws; a ``PGError`` with SQLSTATE `55P03` (`lock_not_available`)
    ///   when `timeout` passed first, without running `body`.
    @discardableResult
    public func withAdvisoryLock<T>(
        _ key: Int64, scope: PGAdvisoryLockScope = .session, timeout: Duration? = nil,
        _ body: (PGConnection) async throws -> T
    ) async throws -> T {
        switch scope {
        case .transaction:
            return try await withTransaction { connection in
                try await connection.waitForLock("SELECT pg_advisory_xact_lock($1)", key, timeout: timeout, local: true)
                return try await body(connection)
            }
        case .session:
            return try await exclusive {
                try await waitForLock("SELECT pg_advisory_lock($1)", key, timeout: timeout, local: false)
                return try await holdingSessionLock(key, body)
            }
        }
    }

    /// Runs the lock statement `sql` for `key`, waiting at most `timeout` (`lock_timeout`, for
    /// the transaction with `local`, and reset after the wait however it ends).
    private func waitForLock(_ sql: String, _ key: Int64, timeout: Duration?, local: Bool) async throws {
        guard let timeout else {
            try await query(sql, [key])
            return
        }
        let scope = local ? "SET LOCAL" : "SET"
        let milliseconds = max(
            1, timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        try await execute("\(scope) lock_timeout = \(milliseconds)")
        do {
            try await query(sql, [key])
        } catch {
            if !local { _ = try? await cleanUp { try await execute("RESET lock_timeout") } }
            throw error
        }
        try await cleanUp { _ = try await execute(local ? "SET LOCAL lock_timeout TO DEFAULT" : "RESET lock_timeout") }
    }

    /// Runs `body` holding the session advisory lock `key` if no other session holds it
    /// (`pg_try_advisory_lock`), and returns `nil` at once, without running `body`, if one does.
    ///
    /// The lock is released when the block ends, or by the server when the session ends (a
    /// process that dies does not keep it). The connection is held for the whole block.
    ///
    /// - Parameters:
    ///   - key: the lock's key, shared by every process that coordinates on it.
    ///   - body: the work; it receives this connection.
    /// - Returns: what `body` returns, or `nil` when the lock was held elsewhere.
    /// - Throws: what `body` throws (after releasing the lock), or a ``PGError``.
    public func withTryAdvisoryLock<T>(_ key: Int64, _ body: (PGConnection) async throws -> T) async throws -> T? {
        try await exclusive {
            let taken = try await query("SELECT pg_try_advisory_lock($1)", [key]).rows[0].decode(Bool.self, at: 0)
            guard taken else { return nil }
            return try await holdingSessionLock(key, body)
        }
    }

    /// Runs `body` with the session lock `key` taken, and releases it however `body` ends.
    private func holdingSessionLock<T>(_ key: Int64, _ body: (PGConnection) async throws -> T) async throws -> T {
        let value: T
        do {
            value = try await body(self)
        } catch {
            _ = try? await cleanUp { try await query("SELECT pg_advisory_unlock($1)", [key]) }
            throw error
        }
        try await cleanUp { _ = try await query("SELECT pg_advisory_unlock($1)", [key]) }
        return value
    }
}
