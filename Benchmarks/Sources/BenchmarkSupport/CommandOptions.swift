import Foundation
import LakehouseTestSupport

/// `--name value` options of the comparison executables, with defaults.
public enum CommandOptions {
    /// The repository's root (the comparisons run from a checkout: they read `.venv` and
    /// `Benchmarks/peers`).
    public static let repository = URL(fileURLWithPath: RepositoryPaths.root)

    /// `defaults` overridden by the command line; exits with status 2 and `usage` on an unknown
    /// option or a missing value.
    public static func parse(defaults: [String: String], usage: String) -> [String: String] {
        var options = defaults
        var arguments = CommandLine.arguments.dropFirst()
        while let name = arguments.popFirst() {
            guard options[name] != nil, let value = arguments.popFirst() else { fail("usage: \(usage)") }
            options[name] = value
        }
        return options
    }

    /// Prints `message` to standard error and exits with status 2.
    public static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        exit(2)
    }

    /// The project's Python, where `make deps` installs the peers' packages.
    public static var python: String { RepositoryPaths.python }
}
