import Logging
import PGLite

/// One PostgreSQL connection that a long-running process keeps under a name: opened on first
/// use, and opened again, on the next use, after it broke (the server restarted, failed over, or
/// the network dropped). Callers that fail with it call ``heal()``; the next ``current()``
/// reconnects. While the server is away, ``current()`` throws and ``waitingSince`` says since
/// when; a caller pauses between tries (``Pipeline`` doubles its pause up to a maximum).
actor HealingConnection {
    let name: String
    private let connect: @Sendable (String) async throws -> PGConnection
    private let logger: Logger
    private var connection: PGConnection?
    private var opening: Task<PGConnection, any Error>?
    /// When the last good connection was found broken, or the first try to open one failed;
    /// `nil` while connected.
    private(set) var waitingSince: ContinuousClock.Instant?

    init(name: String, logger: Logger, connect: @escaping @Sendable (String) async throws -> PGConnection) {
        self.name = name
        self.logger = logger
        self.connect = connect
    }

    /// The open connection, opening one if there is none (a single attempt, shared by the
    /// callers that ask meanwhile).
    ///
    /// - Throws: ``PGError`` when the server cannot be reached.
    func current() async throws -> PGConnection {
        if let connection { return connection }
        let task: Task<PGConnection, any Error>
        if let opening {
            task = opening
        } else {
            let connect = connect
            let name = name
            task = Task { try await connect(name) }
            opening = task
        }
        do {
            let opened = try await task.value
            if opening == task {
                opening = nil
                connection = opened
                if let waitingSince {
                    logger.notice(
                        "PostgreSQL reached again",
                        metadata: [
                            "pg.connection": "\(name)",
                            "waited.seconds": "\((ContinuousClock.now - waitingSince).inSeconds)",
                        ])
                    self.waitingSince = nil
                }
            }
            return connection ?? opened
        } catch {
            if opening == task { opening = nil }
            if waitingSince == nil {
                waitingSince = .now
                logger.warning(
                    "waiting for PostgreSQL", metadata: ["pg.connection": "\(name)", "error": "\(error)"])
            }
            throw error
        }
    }

    /// After a failure: closes the connection when it is broken, so that the next
    /// ``current()`` opens a new one; a connection that still works is kept (the failure was
    /// the statement's, not the connection's).
    func heal() async {
        guard let connection, !(await connection.isHealthy()) else { return }
        // Another caller may have replaced it while this one looked.
        guard self.connection === connection else { return }
        self.connection = nil
        if waitingSince == nil {
            waitingSince = .now
            logger.warning("PostgreSQL connection lost; reconnecting", metadata: ["pg.connection": "\(name)"])
        }
        await connection.close()
    }

    /// Closes the connection, if any, and one still being opened once it is open.
    func close() async {
        let connection = connection
        self.connection = nil
        await connection?.close()
        if let opening {
            self.opening = nil
            await (try? await opening.value)?.close()
        }
    }
}
