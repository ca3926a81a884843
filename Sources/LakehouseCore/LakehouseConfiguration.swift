import AWSLite
import Foundation
import PGLite

/// Where the pipeline's services are and what its resources are called.
///
/// Every setting has an environment variable name (DESIGN.md, "Services"). ``load(environment:dotEnvPath:overrides:)``
/// reads them with this precedence, highest first: `overrides` (command-line flags), the process
/// environment, the `.env` file, then the defaults documented on each property.
public struct LakehouseConfiguration: Sendable, Hashable, CustomStringConvertible {
    /// AWS settings. Credentials left `nil` are resolved later by AWSLite's credential chain.
    public struct AWS: Sendable, Hashable {
        /// `AWS_ENDPOINT_URL`: a custom endpoint such as moto or LocalStack; `nil` for real AWS.
        public var endpointURL: String?
        /// `AWS_REGION`, else `AWS_DEFAULT_REGION`; `nil` leaves it to the AWS profile.
        public var region: String?
        /// `AWS_ACCESS_KEY_ID`.
        public var accessKeyID: String?
        /// `AWS_SECRET_ACCESS_KEY`; never printed.
        public var secretAccessKey: String?
        /// `AWS_SESSION_TOKEN`; never printed.
        public var sessionToken: String?
        /// `AWS_PROFILE`: the shared-config profile to use.
        public var profile: String?
        /// `LAKEHOUSE_AWS_CONNECT_TIMEOUT`: seconds to wait for a connection. Default: 10.
        public var connectTimeout: Duration = .seconds(10)
        /// `LAKEHOUSE_AWS_STALL_TIMEOUT`: seconds a request may go without a byte moving (an
        /// endpoint that accepts connections and never answers). Default: 15.
        public var stallTimeout: Duration = .seconds(15)
        /// `LAKEHOUSE_AWS_TIMEOUT`: seconds an S3 or Kinesis call may take, its retries
        /// included. Default: 60.
        public var timeout: Duration = .seconds(60)
    }

    /// The S3 buckets of the three layers.
    public struct Buckets: Sendable, Hashable {
        /// `S3_BUCKET_BRONZE`. Default: `lakehouse-bronze`.
        public var bronze: String
        /// `S3_BUCKET_SILVER`. Default: `lakehouse-silver`.
        public var silver: String
        /// `S3_BUCKET_GOLD`. Default: `lakehouse-gold`.
        public var gold: String
    }

    /// AWS endpoint, region and credentials.
    public var aws: AWS
    /// The bronze, silver and gold buckets.
    public var buckets: Buckets
    /// `KINESIS_STREAM`: the stream the point-of-sale events arrive on. Default: `lakehouse-sales`.
    public var kinesisStream: String
    /// `DATABASE_URL`, else a URL made from `POSTGRES_HOST` (default `127.0.0.1`), `POSTGRES_PORT`
    /// (default `5432`), `POSTGRES_USER` (default `postgres`), `POSTGRES_PASSWORD` (default none)
    /// and `POSTGRES_DB` (default `postgres`). A `DATABASE_URL` from any source wins over
    /// `POSTGRES_*`. Holds the password: print ``description`` instead.
    public var database: PGConnectionString

    /// The environment variable names this configuration reads.
    public static let variableNames = [
        "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN", "AWS_PROFILE", "S3_BUCKET_BRONZE", "S3_BUCKET_SILVER", "S3_BUCKET_GOLD",
        "KINESIS_STREAM", "DATABASE_URL", "POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_USER",
        "POSTGRES_PASSWORD", "POSTGRES_DB", "LAKEHOUSE_AWS_CONNECT_TIMEOUT", "LAKEHOUSE_AWS_STALL_TIMEOUT",
        "LAKEHOUSE_AWS_TIMEOUT",
    ]

    /// The settings whose values are never printed, not even in an error about them.
    static let secretNames: Set<String> = [
        "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "POSTGRES_PASSWORD", "DATABASE_URL",
    ]

    /// Reads the configuration from flags, the environment and a `.env` file.
    ///
    /// - Parameters:
    ///   - environment: the process environment (pass `ProcessInfo.processInfo.environment`).
    ///   - dotEnvPath: a `.env` file to read if it exists; `nil` reads none. Default: `.env` in
    ///     the working directory.
    ///   - overrides: values from command-line flags, keyed by variable name; they win over all.
    /// - Throws: ``LakehouseError`` with ``LakehouseError/Code/invalidConfiguration`` naming the
    ///   variable, where its value came from and what is wrong with it; or
    ///   ``LakehouseError/Code/invalidDotEnvFile`` for a malformed `.env` file.
    public static func load(
        environment: [String: String], dotEnvPath: String? = ".env", overrides: [String: String] = [:]
    ) throws -> LakehouseConfiguration {
        var settings = SettingSources()
        if let dotEnvPath, let file = try DotEnvFile.load(path: dotEnvPath) {
            for entry in file.entries where variableNames.contains(entry.key) {
                settings.set(entry.key, entry.value, source: "\(dotEnvPath) line \(entry.line)")
            }
        }
        for name in variableNames {
            if let value = environment[name] { settings.set(name, value, source: "the environment") }
        }
        for (name, value) in overrides {
            guard variableNames.contains(name) else {
                throw LakehouseError(
                    code: .invalidConfiguration,
                    message: "\(name) is not a setting; the settings are \(variableNames.joined(separator: ", "))")
            }
            settings.set(name, value, source: "a command-line flag")
        }
        return try LakehouseConfiguration(settings)
    }

    private init(_ settings: SettingSources) throws {
        try settings.refuseEmpty([
            "S3_BUCKET_BRONZE", "S3_BUCKET_SILVER", "S3_BUCKET_GOLD", "KINESIS_STREAM", "DATABASE_URL",
            "POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_USER", "POSTGRES_DB", "LAKEHOUSE_AWS_CONNECT_TIMEOUT",
            "LAKEHOUSE_AWS_STALL_TIMEOUT", "LAKEHOUSE_AWS_TIMEOUT",
        ])
        let endpoint = settings["AWS_ENDPOINT_URL"]
        if let endpoint {
            do { try AWSClientConfiguration.checkEndpoint(endpoint) } catch let error as AWSError {
                throw settings.invalid("AWS_ENDPOINT_URL", "is not usable: \(error.message)")
            }
        }
        for name in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
            guard let region = settings[name] else { continue }
            do { try AWSClientConfiguration.checkRegion(region) } catch {
                throw settings.invalid(
                    name, "is not a region name such as us-east-1 (lower-case letters, digits and '-')")
            }
        }
        aws = AWS(
            endpointURL: endpoint,
            region: settings["AWS_REGION"] ?? settings["AWS_DEFAULT_REGION"],
            accessKeyID: settings["AWS_ACCESS_KEY_ID"],
            secretAccessKey: settings["AWS_SECRET_ACCESS_KEY"],
            sessionToken: settings["AWS_SESSION_TOKEN"],
            profile: settings["AWS_PROFILE"],
            connectTimeout: try settings.seconds("LAKEHOUSE_AWS_CONNECT_TIMEOUT", default: 10),
            stallTimeout: try settings.seconds("LAKEHOUSE_AWS_STALL_TIMEOUT", default: 15),
            timeout: try settings.seconds("LAKEHOUSE_AWS_TIMEOUT", default: 60)
        )
        buckets = Buckets(
            bronze: try settings.bucket("S3_BUCKET_BRONZE", default: "lakehouse-bronze"),
            silver: try settings.bucket("S3_BUCKET_SILVER", default: "lakehouse-silver"),
            gold: try settings.bucket("S3_BUCKET_GOLD", default: "lakehouse-gold")
        )
        let stream = settings["KINESIS_STREAM"] ?? "lakehouse-sales"
        guard (1...128).contains(stream.utf8.count), stream.utf8.allSatisfy(Self.isStreamNameByte) else {
            throw settings.invalid("KINESIS_STREAM", "must be 1 to 128 characters of a-z, A-Z, 0-9, '_', '-', '.'")
        }
        kinesisStream = stream
        database = try settings.database()
    }

    /// The settings with secrets masked: safe to print and log.
    public var description: String {
        let secret: (String?) -> String = { $0 == nil ? "(unset)" : "***" }
        return [
            "AWS_ENDPOINT_URL=\(aws.endpointURL.map(AWSClientConfiguration.redactedEndpoint) ?? "(AWS default)")",
            "AWS_REGION=\(aws.region ?? "(from profile)")",
            "AWS_ACCESS_KEY_ID=\(aws.accessKeyID ?? "(from credential chain)")",
            "AWS_SECRET_ACCESS_KEY=\(secret(aws.secretAccessKey))",
            "AWS_SESSION_TOKEN=\(secret(aws.sessionToken))",
            "AWS_PROFILE=\(aws.profile ?? "(default)")",
            "S3_BUCKET_BRONZE=\(buckets.bronze)", "S3_BUCKET_SILVER=\(buckets.silver)",
            "S3_BUCKET_GOLD=\(buckets.gold)",
            "KINESIS_STREAM=\(kinesisStream)",
            "DATABASE=\(database)",
        ].joined(separator: "\n")
    }

    private static func isStreamNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."):
            true
        default: false
        }
    }
}

/// Settings by variable name, each with the source it came from, for error messages.
private struct SettingSources {
    private var values: [String: (value: String, source: String)] = [:]

    mutating func set(_ name: String, _ value: String, source: String) { values[name] = (value, source) }

    /// The value of `name`; an empty value counts as unset, as the AWS SDKs treat it.
    subscript(name: String) -> String? {
        guard let value = values[name]?.value, !value.isEmpty else { return nil }
        return value
    }

    /// An error naming the setting, where its value came from and the value itself, unless it
    /// may hold a secret (then it is not shown; an endpoint is shown without user information);
    /// control characters are shown as escapes.
    func invalid(_ name: String, _ reason: String) -> LakehouseError {
        let origin = values[name].map { entry -> String in
            if LakehouseConfiguration.secretNames.contains(name) {
                return " (from \(entry.source); its value is not shown, as it may hold a password)"
            }
            let shown =
                name.hasPrefix("AWS_ENDPOINT_URL")
                ? AWSClientConfiguration.redactedEndpoint(entry.value)
                : entry.value.unicodeScalars.map { $0.escaped(asASCII: false) }.joined()
            return " (\"\(shown.prefix(200))\" from \(entry.source))"
        }
        return LakehouseError(code: .invalidConfiguration, message: "\(name)\(origin ?? "") \(reason)")
    }

    /// Refuses settings of `names` that are set but empty: an empty name or URL is a mistake,
    /// not a request for the default.
    func refuseEmpty(_ names: [String]) throws {
        for name in names where values[name].map({ $0.value.trimmingCharacters(in: .whitespaces).isEmpty }) == true {
            throw invalid(name, "is empty; give a value, or unset it for the default")
        }
    }

    /// A number of seconds from 0.1 to 3,600.
    func seconds(_ name: String, default defaultValue: Double) throws -> Duration {
        guard let text = self[name] else { return .milliseconds(Int(defaultValue * 1000)) }
        guard let value = Double(text), value.isFinite, (0.1...3600).contains(value) else {
            throw invalid(name, "must be a number of seconds from 0.1 to 3600")
        }
        return .milliseconds(Int(value * 1000))
    }

    /// A bucket name checked against S3's rules for new buckets.
    func bucket(_ name: String, default defaultValue: String) throws -> String {
        let bucket = self[name] ?? defaultValue
        let bytes = Array(bucket.utf8)
        let allowed = bytes.allSatisfy {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".")
        }
        let edgesAlphanumeric = [bytes.first, bytes.last].allSatisfy {
            guard let byte = $0 else { return false }
            return byte != UInt8(ascii: "-") && byte != UInt8(ascii: ".")
        }
        guard (3...63).contains(bytes.count), allowed, edgesAlphanumeric else {
            throw invalid(
                name,
                "is not a valid S3 bucket name: 3 to 63 characters of a-z, 0-9, '-' and '.', "
                    + "starting and ending with a letter or digit")
        }
        return bucket
    }

    /// `DATABASE_URL`, else a URL made from the `POSTGRES_*` settings.
    func database() throws -> PGConnectionString {
        if let url = self["DATABASE_URL"] {
            do { return try PGConnectionString(url) } catch let error as PGError {
                throw invalid("DATABASE_URL", "is not a PostgreSQL connection string: \(error.message)")
            }
        }
        let port = self["POSTGRES_PORT"] ?? "5432"
        guard let portNumber = Int(port), (1...65535).contains(portNumber) else {
            throw invalid("POSTGRES_PORT", "must be a port number from 1 to 65535")
        }
        var url = "postgresql://" + Self.percentEncoded(self["POSTGRES_USER"] ?? "postgres")
        if let password = self["POSTGRES_PASSWORD"] { url += ":" + Self.percentEncoded(password) }
        let host = self["POSTGRES_HOST"] ?? "127.0.0.1"
        url += "@" + (host.contains(":") ? "[\(host)]" : Self.percentEncoded(host))
        url += ":\(portNumber)/" + Self.percentEncoded(self["POSTGRES_DB"] ?? "postgres")
        do { return try PGConnectionString(url) } catch let error as PGError {
            throw LakehouseError(code: .invalidConfiguration, message: "POSTGRES_* settings: \(error.message)")
        }
    }

    /// Percent-encodes everything but RFC 3986's unreserved characters, as URL user info,
    /// host and path segments need.
    static func percentEncoded(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                encoded += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]], as: UTF8.self)
            }
        }
        return encoded
    }
}
