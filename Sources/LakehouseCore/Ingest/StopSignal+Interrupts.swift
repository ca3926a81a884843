import Dispatch
import Foundation

extension IngestJob.StopSignal {
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
