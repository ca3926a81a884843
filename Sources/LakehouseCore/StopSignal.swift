import Dispatch
import Foundation
import Synchronization

/// Asks a running job (``IngestJob``, ``SilverJob``) to stop at its next safe point: ingest
/// flushes and checkpoints every shard, silver finishes the batch in hand.
public final class StopSignal: Sendable {
    private let flag = Atomic<Bool>(false)

    public init() {}

    /// Asks the job to stop.
    public func stop() { flag.store(true, ordering: .relaxed) }

    /// Whether ``stop()`` was called.
    public var isStopped: Bool { flag.load(ordering: .relaxed) }

    /// Waits `duration`, or less when ``stop()`` is called meanwhile (looking every 100 ms).
    public func sleep(for duration: Duration) async {
        let clock = ContinuousClock()
        let deadline = clock.now + duration
        while !isStopped, clock.now < deadline {
            try? await Task.sleep(for: min(.milliseconds(100), deadline - clock.now))
        }
    }
}

extension StopSignal {
    /// Signals `stop` on SIGINT or SIGTERM (after writing `notice` to standard error), for the
    /// executables; the default actions of both signals are replaced until the handlers are
    /// cancelled.
    ///
    /// - Returns: the handlers; keep them, and cancel them when the job is done.
    public func stopOnInterrupt(notice: String) -> [any DispatchSourceSignal] {
        // A process started from a thread that blocks these signals inherits the block: unblock
        // them, so that they reach the handlers.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
        return [SIGINT, SIGTERM].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [self] in
                FileHandle.standardError.write(Data((notice + "\n").utf8))
                stop()
            }
            source.resume()
            return source
        }
    }
}
