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

    /// Runs `operation`, cancelling it when ``stop()`` is called meanwhile (looked for every
    /// 100 ms): for calls that may wait long on a service that does not answer, such as a read
    /// of a stream, so that stopping does not wait for their timeouts.
    ///
    /// - Returns: what `operation` returned, or `nil` when the signal came first (the operation
    ///   was cancelled and has ended: AWSLite calls end within a second; an operation that does
    ///   not heed cancellation is waited for).
    /// - Throws: what `operation` threw, if it ended before the signal.
    public func interruptible<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T? {
        if isStopped { return nil }
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                while !self.isStopped { try await Task.sleep(for: .milliseconds(100)) }
                return nil
            }
            defer { group.cancelAll() }
            do {
                guard let first = try await group.next() else { return nil }
                return first
            } catch  where isStopped {
                return nil
            }
        }
    }

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
    /// executables; a second signal ends the process at once (exit status 128 + the signal),
    /// without waiting for the job to drain. The default actions of both signals are replaced
    /// until the handlers are cancelled.
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
        let received = SignalsReceived()
        return [SIGINT, SIGTERM].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [self] in
                if received.count.add(1, ordering: .relaxed).newValue > 1 {
                    FileHandle.standardError.write(Data("stopping at once, without draining\n".utf8))
                    _exit(128 + signalNumber)
                }
                FileHandle.standardError.write(Data((notice + " (signal again to stop at once)\n").utf8))
                stop()
            }
            source.resume()
            return source
        }
    }
}

/// How many interrupting signals a process has received.
private final class SignalsReceived: Sendable {
    let count = Atomic<Int>(0)
}
