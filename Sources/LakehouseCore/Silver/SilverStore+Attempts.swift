import PGLite

/// Tries of silver batches and of their bronze objects (`silver_attempt`), counted before each
/// try and kept when it fails or the process dies in it: what ``SilverJob`` uses to tell a
/// poison object (one that fails, or kills the process, every time it is read) from a passing
/// failure.
extension SilverStore {
    /// The item of batch `number` in `silver_attempt`.
    static func attemptItem(batch number: Int64) -> String { "batch:\(number)" }

    /// Counts a new try of `item` (a batch item or a bronze key); returns the tries so far, this
    /// one included. Committed at once, so a try the process dies in still counts.
    func beginAttempt(_ item: String) async throws -> Int {
        let result = try await connection.query(
            """
            INSERT INTO silver_attempt (item, attempts) VALUES ($1, 1)
            ON CONFLICT (item) DO UPDATE SET attempts = silver_attempt.attempts + 1, updated_at = now()
            RETURNING attempts
            """, [item])
        return Int(try result.rows[0].decode(Int32.self, at: 0))
    }

    /// The tries of `item` that did not succeed, and the last error recorded.
    func failedAttempts(_ item: String) async throws -> (count: Int, lastError: String?) {
        let result = try await connection.query(
            "SELECT attempts, last_error FROM silver_attempt WHERE item = $1", [item])
        guard let row = result.rows.first else { return (0, nil) }
        return (Int(try row.decode(Int32.self, at: 0)), try row.decode(String?.self, at: 1))
    }

    /// Records why the current try of `item` failed.
    func recordAttemptError(_ item: String, _ error: String) async throws {
        _ = try await connection.query(
            "UPDATE silver_attempt SET last_error = $2, updated_at = now() WHERE item = $1",
            [item, String(error.prefix(2000))])
    }

    /// Forgets the tries of `items` (they succeeded).
    func clearAttempts(_ items: [String]) async throws {
        guard !items.isEmpty else { return }
        _ = try await connection.query("DELETE FROM silver_attempt WHERE item = ANY($1)", [items])
    }
}
