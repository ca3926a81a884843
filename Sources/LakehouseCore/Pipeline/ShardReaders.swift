import Synchronization

/// The shard readers a ``Pipeline`` process runs, shared between the readers' tasks and the
/// coordinator (``ShardCoordinator``): which run, how far behind each last read was, and how each one ended.
final class ShardReaders: Sendable {
    /// How a reader ended.
    enum Ending: Sendable {
        /// Read to its end (a closed parent): the lease can go.
        case ended
        /// Drained (with `untilCaughtUp`), or stopped.
        case stopped
        /// Its lease went to another process.
        case leaseLost
        /// It failed after AWSLite's retries; the coordinator starts it again after a pause, which
        /// grows while the reader fails without writing anything in between.
        case failed(String, progressed: Bool)
    }

    struct Running: Sendable {
        var stop: StopSignal
        var run: Int64
        var records = 0
        var objects = 0
    }

    private struct State: Sendable {
        var running: [String: Running] = [:]
        var endings: [(String, Ending)] = []
        var lags: [String: Int64] = [:]
        var records = 0
        var objects = 0
    }

    private let state = Mutex(State())
    /// Raised when a reader ends, so that the coordinator looks at once.
    let changed = WakeSignal()

    func started(_ shard: String, stop: StopSignal, run: Int64) {
        state.withLock { $0.running[shard] = Running(stop: stop, run: run) }
    }

    func flushed(_ shard: String, records: Int) {
        PipelineMetrics.flushed(shard: shard, records: records)
        state.withLock { state in
            state.running[shard]?.records += records
            state.running[shard]?.objects += 1
            state.records += records
            state.objects += 1
        }
    }

    func read(_ shard: String, millisBehindLatest: Int64?) {
        guard let lag = millisBehindLatest else { return }
        PipelineMetrics.lag(shard: shard, milliseconds: lag)
        state.withLock { $0.lags[shard] = lag }
    }

    func ended(_ shard: String, _ ending: Ending) {
        state.withLock { state in
            state.running[shard] = nil
            state.lags[shard] = nil
            state.endings.append((shard, ending))
        }
        changed.raise()
    }

    /// The endings since the last call.
    func takeEndings() -> [(String, Ending)] {
        state.withLock { state in
            defer { state.endings = [] }
            return state.endings
        }
    }

    var running: [String: Running] { state.withLock { $0.running } }
    var lags: [String: Int64] { state.withLock { $0.lags } }
    var totals: (records: Int, objects: Int) { state.withLock { ($0.records, $0.objects) } }

    /// Asks the readers of `shards` to stop (flushing and checkpointing first).
    func stop(_ shards: some Sequence<String>) {
        let signals = state.withLock { state in shards.compactMap { state.running[$0]?.stop } }
        signals.forEach { $0.stop() }
    }

    func stopAll() { stop(running.keys) }
}

/// A count shared between tasks.
final class SharedCount: Sendable {
    private let value = Atomic<Int>(0)

    func add(_ amount: Int) { value.add(amount, ordering: .relaxed) }

    var count: Int { value.load(ordering: .relaxed) }
}
