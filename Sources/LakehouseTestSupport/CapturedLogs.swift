import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A log handler that keeps every line, so a test can assert on what was (and was not) logged.
public final class CapturedLogs: Sendable {
    private let lines = Mutex<[(micros: Int64, line: String)]>([])

    /// Creates an empty capture.
    public init() {}

    /// A logger at `level` whose lines go to this capture.
    public func logger(label: String = "test", level: Logger.Level = .trace) -> Logger {
        var logger = Logger(label: label) { _ in Handler(capture: self) }
        logger.logLevel = level
        return logger
    }

    /// Every line so far: the level, the message, then each metadata `key=value`.
    public var all: [String] { lines.withLock { $0.map(\.line) } }

    /// Every line so far with the wall-clock time it was logged (microseconds since 1970).
    public var timed: [(micros: Int64, line: String)] { lines.withLock { $0 } }

    /// Whether any line contains `text`.
    public func contains(_ text: String) -> Bool { all.contains { $0.contains(text) } }

    fileprivate func append(_ line: String) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let micros = Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
        lines.withLock { $0.append((micros, line)) }
    }

    private struct Handler: LogHandler {
        let capture: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
            let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            capture.append(([event.level.rawValue, "\(event.message)"] + fields).joined(separator: " "))
        }
    }
}
