import ArgumentParser
import Foundation
import LakehouseCore

/// The `--env-file` option every example executable takes, and the loading of the settings it
/// names: a bad setting ends the program with exit status 64 and a message that names the
/// setting and where it came from, never a secret.
public struct SettingsOption: ParsableArguments {
    /// The `.env` file named by `--env-file`: `nil` (the flag absent) reads `./.env` if it exists, `""` reads no file,
    /// and any other path must exist.
    @Option(help: "A .env file to read (default: .env when it exists; '' reads none).")
    public var envFile: String?

    /// Creates the option with no file named, as ArgumentParser requires before it parses the command line.
    public init() {}

    /// The settings, from the environment and the `.env` file.
    ///
    /// - Parameter program: the executable's name, for the message.
    /// - Throws: `ExitCode(64)` after writing why to standard error, for a missing `--env-file`
    ///   that was named explicitly, a malformed file or an invalid setting.
    public func load(program: String) throws -> LakehouseConfiguration {
        let path: String?
        switch envFile {
        case nil: path = ".env"
        case ""?: path = nil
        case let named?:
            guard FileManager.default.fileExists(atPath: named) else {
                throw CommandFailure.usage(program, "--env-file \(TerminalText.escaped(named)) does not exist")
            }
            path = named
        }
        do {
            return try LakehouseConfiguration.load(environment: ProcessInfo.processInfo.environment, dotEnvPath: path)
        } catch let error as LakehouseError
            where error.code == .invalidConfiguration || error.code == .invalidDotEnvFile
        {
            throw CommandFailure.usage(program, error.message)
        }
    }
}

/// Ends an executable with a message on standard error and an exit status.
public enum CommandFailure {
    /// A bad flag or setting: writes `program: message` and returns the error that exits with
    /// status 64 (EX_USAGE).
    public static func usage(_ program: String, _ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("\(program): \(TerminalText.escaped(message))\n".utf8))
        return ExitCode(64)
    }
}
