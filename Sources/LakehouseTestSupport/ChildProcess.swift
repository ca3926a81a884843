import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A helper program a test starts (a server of its own, a certificate tool) and is sure to end.
///
/// Stopping uses SIGKILL, because a child spawned from a Swift concurrency thread inherits that
/// thread's blocked SIGTERM, and reaps with `waitpid` polling: `Process.waitUntilExit()` can block
/// a cooperative thread forever, and `isRunning` is not reliably updated on Linux.
public final class ChildProcess: @unchecked Sendable {
    // Safety: `process` is configured and started in `init`, then only read.
    private let process = Process()

    /// Starts `executable` with `arguments`; its output is discarded, or written to files.
    ///
    /// - Parameters:
    ///   - environment: extra variables on top of this process's environment.
    ///   - outputPath: a file for its standard output and error (created or truncated);
    ///     `nil` discards them.
    public init(
        executable: String, arguments: [String], environment: [String: String] = [:], outputPath: String? = nil
    ) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if let outputPath {
            _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
            let file = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
            process.standardOutput = file
            process.standardError = file
        } else {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
    }

    /// Runs `executable` to completion, at most `timeout`; returns its exit status.
    ///
    /// - Parameter environment: extra variables on top of this process's environment.
    public static func run(
        _ executable: String, _ arguments: [String], timeout: Duration = .seconds(30),
        environment: [String: String] = [:]
    ) async throws -> Int32 {
        let child = try ChildProcess(executable: executable, arguments: arguments, environment: environment)
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if let status = child.reap() { return status }
            try await Task.sleep(for: .milliseconds(20))
        }
        await child.stop()
        throw ChildProcessTimeout(executable: executable, timeout: timeout)
    }

    /// Runs `executable` to completion, at most `timeout`, with its standard output and error
    /// going to scratch files; returns its exit status and what it wrote to each.
    public static func output(
        _ executable: String, _ arguments: [String], timeout: Duration = .seconds(120),
        environment: [String: String] = [:]
    ) async throws -> (status: Int32, output: String, errors: String) {
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("child-\(getpid())-\(UInt64.random(in: 0...UInt64.max))").path
        defer {
            try? FileManager.default.removeItem(atPath: scratch + ".out")
            try? FileManager.default.removeItem(atPath: scratch + ".err")
        }
        let quoted = ([executable] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let status = try await run(
            "/bin/sh", ["-c", quoted.joined(separator: " ") + " > '\(scratch).out' 2> '\(scratch).err'"],
            timeout: timeout, environment: environment)
        return (
            status, (try? String(contentsOfFile: scratch + ".out", encoding: .utf8)) ?? "",
            (try? String(contentsOfFile: scratch + ".err", encoding: .utf8)) ?? ""
        )
    }

    /// The exit status once the child has ended (reaping it; 128 + the signal when a signal
    /// ended it), else `nil`.
    private func reap() -> Int32? {
        var status: Int32 = 0
        let pid = process.processIdentifier
        let reaped = waitpid(pid, &status, WNOHANG)
        if reaped == pid {
            // Ended by a signal: 128 + the signal, as shells report it (137 for SIGKILL).
            let signal = status & 0x7F
            return signal != 0 && signal != 0x7F ? 128 + signal : (status >> 8) & 0xFF
        }
        // Foundation's own monitor may have reaped it first; then it holds the status.
        if reaped == -1 && errno == ECHILD {
            guard !process.isRunning else { return nil }
            return process.terminationReason == .uncaughtSignal
                ? 128 + process.terminationStatus : process.terminationStatus
        }
        return nil
    }

    /// Sends `signal` (SIGTERM, SIGINT…) to the child.
    public func send(signal number: Int32) {
        guard process.processIdentifier > 0 else { return }
        kill(process.processIdentifier, number)
    }

    /// Waits for the child to end, at most `timeout`; returns its exit status, or `nil` if it is
    /// still running.
    public func waitForExit(timeout: Duration) async -> Int32? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if let status = reap() { return status }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// Kills the child and reaps it, waiting at most 5 seconds; returns whether it is gone.
    @discardableResult
    public func stop() async -> Bool {
        guard process.processIdentifier > 0 else { return true }
        kill(process.processIdentifier, SIGKILL)
        for _ in 0..<100 {
            if reap() != nil { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    deinit { kill(process.processIdentifier, SIGKILL) }
}

/// A helper program did not finish in time (it was killed).
public struct ChildProcessTimeout: Error, CustomStringConvertible {
    /// The path of the program that overran, as passed to ``ChildProcess/run(_:_:timeout:environment:)``
    /// (`/bin/sh` when ``ChildProcess/output(_:_:timeout:environment:)`` started it).
    public let executable: String
    /// How long the program was given before it was killed with SIGKILL.
    public let timeout: Duration
    /// The program and its time limit, as a test failure prints them.
    public var description: String { "\(executable) did not finish within \(timeout); it was killed" }
}
