#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The addresses of the services that `make services` starts, from the environment
/// (`LAKEHOUSE_TEST_DATABASE_URL`, `LAKEHOUSE_TEST_AWS_ENDPOINT`) or else from `.services/env`.
/// A test that needs them fails, never skips, when they are absent.
public struct TestServices: Sendable {
    /// The shared PostgreSQL server's URL (`postgresql://…`, from `LAKEHOUSE_TEST_DATABASE_URL`); it holds the
    /// password, so tests never print it.
    public let databaseURL: String
    /// The base URL of the local server standing in for S3 and Kinesis (`http://127.0.0.1:<port>`, from
    /// `LAKEHOUSE_TEST_AWS_ENDPOINT`).
    public let awsEndpoint: String
    /// Every setting of the file and the environment (the environment wins).
    public let values: [String: String]

    /// The repository's root.
    public static let repositoryRoot = RepositoryPaths.root

    /// Where `make services` writes the services' addresses: `.services/env` under ``repositoryRoot``.
    public static let envFilePath = repositoryRoot + "/.services/env"

    /// The services' addresses.
    ///
    /// - Throws: ``TestServicesMissing`` naming `make services` when neither the environment nor
    ///   the file has them.
    public static func require() throws -> TestServices {
        let values = (ServicesFile.read(envFilePath) ?? [:]).merging(ProcessEnvironment.current) { $1 }
        func value(_ name: String) throws -> String {
            guard let value = values[name], !value.isEmpty else {
                throw TestServicesMissing(
                    message: "\(name) is not set and \(envFilePath) is missing: run `make services` first")
            }
            return value
        }
        return TestServices(
            databaseURL: try value("LAKEHOUSE_TEST_DATABASE_URL"),
            awsEndpoint: try value("LAKEHOUSE_TEST_AWS_ENDPOINT"),
            values: values)
    }

    /// Whether scale tests run at full size (`make test-full` sets `LAKEHOUSE_TEST_SCALE=full`);
    /// `make test` runs them smaller, still crossing every boundary they test.
    public static var fullScale: Bool { ProcessEnvironment.current["LAKEHOUSE_TEST_SCALE"] == "full" }
}

/// The services a test needs are not running.
public struct TestServicesMissing: Error, CustomStringConvertible {
    /// What is missing, or which `services.sh` command failed; for a missing setting, also the command that
    /// provides it (`make services`).
    public let message: String
    /// The ``message``, as a test failure prints it.
    public var description: String { message }
}

/// The `KEY=VALUE` files `scripts/services.sh` writes (`.services/env`, a private cluster's
/// `env`): one setting a line, `#` comments, no quoting.
enum ServicesFile {
    /// The file's settings; nil when it cannot be read.
    public static func read(_ path: String) -> [String: String]? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var text: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            text += buffer[0..<count]
        }
        var values: [String: String] = [:]
        for line in String(decoding: text, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            values[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return values
    }
}

/// The process environment as a dictionary, without Foundation.
enum ProcessEnvironment {
    /// A fresh snapshot of the variables, read from `environ` on every call, so it sees changes made with `setenv`.
    public static var current: [String: String] {
        var result: [String: String] = [:]
        var cursor = environ
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            cursor += 1
        }
        return result
    }
}

/// A name no other test (or earlier run) uses, for schemas, tables, buckets and streams a test
/// owns.
public func uniqueName(_ prefix: String) -> String {
    "\(prefix)_\(String(UInt64.random(in: 0...UInt64.max), radix: 16))"
}
