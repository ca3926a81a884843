import ServiceLifecycle

/// A LakehouseCore job that runs until stopped (``Pipeline``, silver or gold on a schedule) as a
/// swift-service-lifecycle `Service`, to run in a `ServiceGroup` beside a service's own parts.
///
/// A graceful shutdown (the group's SIGTERM or SIGINT, or another service ending) signals the
/// job's ``StopSignal``: it drains as it does on `stop` (the pipeline flushes, checkpoints and
/// releases its leases; silver finishes its batch; gold its refresh), then `finished` receives
/// its report. Cancellation cancels it: calls in flight are abandoned and nothing read is lost.
///
/// Make one with ``Pipeline/service(finished:)``, ``SilverJob/service(every:onBatch:finished:)``
/// or ``GoldJob/service(every:onRefresh:)``.
public struct JobService<Report: Sendable>: Service {
    private let body: @Sendable (StopSignal) async throws -> Report
    private let finished: @Sendable (Report) -> Void

    /// A service that runs `body` with a stop signal that a graceful shutdown raises, and hands
    /// what it returns to `finished`.
    public init(
        _ body: @escaping @Sendable (StopSignal) async throws -> Report,
        finished: @escaping @Sendable (Report) -> Void = { _ in }
    ) {
        self.body = body
        self.finished = finished
    }

    /// Runs the job until it ends, is stopped by a graceful shutdown, or is cancelled.
    ///
    /// - Throws: what the job throws.
    public func run() async throws {
        let stop = StopSignal()
        let report = try await withGracefulShutdownHandler {
            try await body(stop)
        } onGracefulShutdown: {
            stop.stop()
        }
        finished(report)
    }
}

extension Pipeline {
    /// The pipeline as a `Service`: ``run(stop:)`` until a graceful shutdown, which drains it.
    ///
    /// - Parameter finished: receives the run's report once it has drained.
    public func service(finished: @escaping @Sendable (Report) -> Void = { _ in }) -> JobService<Report> {
        JobService({ stop in try await run(stop: stop) }, finished: finished)
    }
}

extension SilverJob {
    /// Silver on a schedule as a `Service`: ``run(every:stop:onBatch:)`` until a graceful
    /// shutdown, which lets the batch in hand finish.
    ///
    /// - Parameter finished: receives the total over every batch.
    public func service(
        every interval: Duration, onBatch: @escaping @Sendable (Int64, SilverStore.BatchCounts) -> Void = { _, _ in },
        finished: @escaping @Sendable (Report) -> Void = { _ in }
    ) -> JobService<Report> {
        JobService({ stop in try await run(every: interval, stop: stop, onBatch: onBatch) }, finished: finished)
    }
}

extension GoldJob {
    /// Gold on a schedule as a `Service`: ``refresh(every:stop:onRefresh:)`` until a graceful
    /// shutdown, which lets the refresh in hand finish.
    public func service(every interval: Duration, onRefresh: @escaping @Sendable (Report) -> Void = { _ in })
        -> JobService<Int>
    {
        JobService { stop in try await refresh(every: interval, stop: stop, onRefresh: onRefresh) }
    }
}
