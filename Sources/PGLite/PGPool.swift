import Logging
import Synchronization

/// A bounded pool of connections to one PostgreSQL server.
///
/// ``withConnection(_:)`` lends a connection for the length of a block. Connections are opened
/// lazily up to ``Configuration/maximumConnections``; when all are busy, callers wait in order,
/// up to ``Configuration/acquireTimeout``. Before a connection is lent again it is checked:
/// one the server closed (a restart, an idle timeout) is replaced by a new one, so work after a
/// restart succeeds; work that was running when the server went away fails with
/// ``PGError/Code/connectionFailed``.
public final class PGPool: Sendable {
    /// How the pool opens and lends connections.
    public struct Configuration: Sendable {
        /// How each connection is opened.
        public var connection: PGConnection.Configuration
        /// The most connections open at once. Default: 10.
        public var maximumConnections: Int
        /// How long ``withConnection(_:)`` waits for a free connection. Default: 10 seconds.
        public var acquireTimeout: Duration
        /// A connection idle for longer is pinged (`SELECT 1`) before it is lent. Default: 30 s.
        public var pingAfterIdle: Duration

        /// Creates a configuration; every parameter but `connection` defaults as documented.
        public init(
            connection: PGConnection.Configuration, maximumConnections: Int = 10,
            acquireTimeout: Duration = .seconds(10), pingAfterIdle: Duration = .seconds(30)
        ) {
            self.connection = connection
            self.maximumConnections = max(1, maximumConnections)
            self.acquireTimeout = acquireTimeout
            self.pingAfterIdle = pingAfterIdle
        }
    }

    private enum Lease {
        /// A connection to lend; `idleSince` is when it went idle, `nil` if handed over directly.
        case connection(PGConnection, idleSince: ContinuousClock.Instant?)
        /// The waiter may open a new connection in a slot someone gave up.
        case slot
    }

    private struct Idle {
        let connection: PGConnection
        let since: ContinuousClock.Instant
    }

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Lease, any Error>
    }

    private struct State {
        var idle: [Idle] = []
        var open = 0
        var waiters: [Waiter] = []
        var nextWaiter: UInt64 = 0
        var closed = false
    }

    /// The settings the pool was made with.
    public let configuration: Configuration
    private let logger: Logger
    private let state = Mutex(State())

    /// Creates a pool; no connection is opened until one is needed.
    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Connections open now (idle or lent).
    public var openConnections: Int { state.withLock { $0.open } }

    /// Runs `body` with a connection of the pool, returning the connection afterwards.
    ///
    /// - Throws: ``PGError`` with ``PGError/Code/connectionFailed`` when no connection could be
    ///   opened, or when none became free within ``Configuration/acquireTimeout`` (the message
    ///   says which); what `body` throws.
    @discardableResult
    public func withConnection<T>(_ body: (PGConnection) async throws -> T) async throws -> T {
        let connection = try await acquire()
        do {
            let value = try await body(connection)
            await release(connection)
            return value
        } catch {
            await release(connection)
            throw error
        }
    }

    /// Closes idle connections and refuses new work; lent connections close when returned.
    public func close() async {
        let (idle, waiters) = state.withLock { state -> ([Idle], [Waiter]) in
            state.closed = true
            defer {
                state.open -= state.idle.count
                state.idle = []
                state.waiters = []
            }
            return (state.idle, state.waiters)
        }
        for waiter in waiters { waiter.continuation.resume(throwing: Self.closedError) }
        for entry in idle { await entry.connection.close() }
    }

    private static let closedError = PGError(code: .connectionClosed, message: "the pool was closed")

    // MARK: Lending

    private func acquire() async throws -> PGConnection {
        switch try await reserve() {
        case .slot:
            return try await openInSlot()
        case .connection(let connection, let idleSince):
            if await check(connection, idleSince: idleSince) { return connection }
            // Its slot stays reserved: open the replacement in it.
            logger.info("replacing a broken PostgreSQL connection")
            await connection.close()
            return try await openInSlot()
        }
    }

    /// An idle connection, a free slot, or a wait for one of them.
    private func reserve() async throws -> Lease {
        enum Immediate {
            case lease(Lease)
            case wait(UInt64)
            case closed
        }
        return try await withCheckedThrowingContinuation { continuation in
            let immediate = state.withLock { state -> Immediate in
                if state.closed { return .closed }
                if let entry = state.idle.popLast() {
                    return .lease(.connection(entry.connection, idleSince: entry.since))
                }
                if state.open < configuration.maximumConnections {
                    state.open += 1
                    return .lease(.slot)
                }
                state.nextWaiter += 1
                state.waiters.append(Waiter(id: state.nextWaiter, continuation: continuation))
                return .wait(state.nextWaiter)
            }
            switch immediate {
            case .closed: continuation.resume(throwing: Self.closedError)
            case .lease(let lease): continuation.resume(returning: lease)
            case .wait(let id):
                let timeout = configuration.acquireTimeout
                Task { [weak self] in
                    try? await Task.sleep(for: timeout)
                    self?.expire(waiter: id)
                }
            }
        }
    }

    private func expire(waiter id: UInt64) {
        let waiter = state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume(
            throwing: PGError(
                code: .connectionFailed,
                message: "no connection became free within \(configuration.acquireTimeout) "
                    + "(\(configuration.maximumConnections) in use); raise maximumConnections or acquireTimeout"))
    }

    /// Opens a connection in a reserved slot; gives the slot back if that fails.
    private func openInSlot() async throws -> PGConnection {
        do {
            return try await PGConnection.connect(configuration: configuration.connection, logger: logger)
        } catch {
            giveBackSlot()
            throw error
        }
    }

    /// Whether a connection about to be lent works: open and idle, and answering a ping if it
    /// sat idle long.
    private func check(_ connection: PGConnection, idleSince: ContinuousClock.Instant?) async -> Bool {
        guard await connection.isHealthy() else { return false }
        if let idleSince, ContinuousClock().now - idleSince > configuration.pingAfterIdle {
            return (try? await connection.query("SELECT 1")) != nil
        }
        return true
    }

    private func release(_ connection: PGConnection) async {
        await connection.cleanUp { await releaseCleaned(connection) }
    }

    /// ``release(_:)``'s work, run as clean-up so that a cancelled borrower's connection is still
    /// checked, rolled back and kept.
    private func releaseCleaned(_ connection: PGConnection) async {
        var healthy = await connection.isHealthy()
        if !healthy, await connection.isOpenAndConnected() {
            // Left inside a transaction (a cancelled block): roll back and keep it if that works.
            let rolledBack = (try? await connection.execute("ROLLBACK")) != nil
            healthy = rolledBack ? await connection.isHealthy() : false
        }
        guard healthy else {
            await connection.close()
            giveBackSlot()
            return
        }
        enum Destination {
            case waiter(Waiter)
            case idle
            case closedPool
        }
        let destination = state.withLock { state -> Destination in
            if state.closed { return .closedPool }
            if !state.waiters.isEmpty { return .waiter(state.waiters.removeFirst()) }
            state.idle.append(Idle(connection: connection, since: ContinuousClock().now))
            return .idle
        }
        switch destination {
        case .waiter(let waiter): waiter.continuation.resume(returning: .connection(connection, idleSince: nil))
        case .idle: break
        case .closedPool:
            await connection.close()
            giveBackSlot()
        }
    }

    /// A slot was freed (a connection closed or never opened): a waiter may open one in it.
    private func giveBackSlot() {
        let waiter = state.withLock { state -> Waiter? in
            if !state.waiters.isEmpty && !state.closed { return state.waiters.removeFirst() }
            state.open -= 1
            return nil
        }
        waiter?.continuation.resume(returning: .slot)
    }
}
