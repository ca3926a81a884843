import Dispatch
import Foundation
import Synchronization

/// Asks a running job (``IngestJob``, ``SilverJob``, ``Pipeline``) to stop at its next safe
/// point: ingest flushes and checkpoints every shard, silver finishes the batch in hand.
///
/// Waiting on it costs nothing: ``sleep(for:)`` and ``interruptible(_:)`` are woken by
/// ``stop()`` itself, not by polling. Cancelling the task that waits ends the wait too.
public final class StopSignal: Sendable {
    private let raised = WakeSignal()

    /// A signal not yet stopped.
    public init() {}

    /// Asks the job to stop, waking whatever waits on the signal.
    public func stop() { raised.raise() }

    /// Whether ``stop()`` was called.
    public var isStopped: Bool { raised.isRaised }

    /// Waits until ``stop()`` is called (at once if it was) or the task is cancelled.
    public func wait() async { await raised.wait() }

    /// Runs `operation`, cancelling it when ``stop()`` is called meanwhile: for calls that may
    /// wait long on a service that does not answer, such as a read of a stream, so that stopping
    /// does not wait for their timeouts.
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
                await self.wait()
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

    /// Waits `duration`, or less when ``stop()`` is called meanwhile or the task is cancelled.
    public func sleep(for duration: Duration) async {
        await WakeSignal.first(of: [raised], timeout: duration)
    }

    /// Waits until `other` is raised, ``stop()`` is called, or `timeout` passes.
    ///
    /// - Returns: whether `other` was raised.
    @discardableResult
    func sleep(for timeout: Duration, orUntil other: WakeSignal) async -> Bool {
        await WakeSignal.first(of: [other, raised], timeout: timeout)
        return other.isRaised
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
