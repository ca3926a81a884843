import Foundation

/// A long-lived peer process (a Python script) that answers one line per command, so that a
/// comparison can alternate our side and the peer's within one run.
public final class PeerProcess {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var pending: [UInt8] = []

    /// The peer's first line (for example `ready boto3=1.43.11 botocore=1.43.11`).
    public private(set) var greeting = ""

    /// Starts `executable arguments…` and reads its greeting.
    ///
    /// - Throws: ``PeerError`` when it cannot start or closes its output before greeting.
    public init(executable: String, arguments: [String], environment: [String: String] = [:]) throws {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw PeerError(message: "\(executable) is not an executable file (run `make deps` first)")
        }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        greeting = try readLine()
    }

    /// Sends `command` and returns the peer's one-line answer.
    public func ask(_ command: String) throws -> String {
        input.fileHandleForWriting.write(Data((command + "\n").utf8))
        return try readLine()
    }

    /// Sends `quit` and waits for the peer to exit.
    public func finish() {
        input.fileHandleForWriting.write(Data("quit\n".utf8))
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    private func readLine() throws -> String {
        while true {
            if let newline = pending.firstIndex(of: 10) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                return line
            }
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else {
                throw PeerError(message: "the peer exited without answering (see its error output above)")
            }
            pending.append(contentsOf: chunk)
        }
    }
}

/// The peer failed.
public struct PeerError: Error, CustomStringConvertible {
    /// What went wrong.
    public let message: String
    /// Creates an error.
    public init(message: String) { self.message = message }
    public var description: String { message }
}
