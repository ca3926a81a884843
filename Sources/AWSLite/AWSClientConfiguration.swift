import Foundation

/// Everything an AWS client needs to reach and sign for one service: credentials, region,
/// endpoint, transport and retry settings.
///
/// Build one with ``resolve(service:credentials:region:endpoint:profile:environment:)``, which
/// looks where the AWS SDKs look, or fill it in yourself.
public struct AWSClientConfiguration: Sendable {
    /// The credentials requests are signed with.
    public var credentials: AWSCredentials
    /// The region, for example `eu-west-1`.
    public var region: String
    /// A custom endpoint (`http://127.0.0.1:5000`, LocalStack, an S3-compatible store), or `nil`
    /// for the service's AWS endpoint in ``region``.
    public var endpoint: String?
    /// Timeouts and transport settings. Default: ``HTTPClient/Configuration/init(connectTimeout:requestTimeout:verifyTLS:userAgent:maximumIdleHandles:)``'s defaults.
    public var http: HTTPClient.Configuration
    /// When and how failed requests are retried. Default: ``RetryPolicy/init(maximumAttempts:baseDelay:maximumDelay:)``'s defaults.
    public var retry: RetryPolicy

    /// Creates a configuration from explicit values.
    public init(
        credentials: AWSCredentials, region: String, endpoint: String? = nil,
        http: HTTPClient.Configuration = HTTPClient.Configuration(), retry: RetryPolicy = RetryPolicy()
    ) {
        self.credentials = credentials
        self.region = region
        self.endpoint = endpoint
        self.http = http
        self.retry = retry
    }

    /// Checks that `region` is a region name: 1 to 64 lower-case letters, digits and `-`.
    ///
    /// - Throws: ``AWSError`` with ``AWSError/Code/invalidConfiguration``, showing control
    ///   characters as escapes.
    public static func checkRegion(_ region: String) throws {
        let allowed = region.utf8.allSatisfy {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                || $0 == UInt8(ascii: "-")
        }
        guard allowed, (1...64).contains(region.utf8.count) else {
            throw AWSError(
                code: .invalidConfiguration,
                message:
                    "the region \"\(region.unicodeScalars.map { $0.escaped(asASCII: true) }.joined().prefix(80))\" "
                    + "is not a region name such as us-east-1 (lower-case letters, digits and '-')")
        }
    }

    /// Checks that `endpoint` is an `http://` or `https://` URL with a host and neither
    /// credentials nor white space or control characters in it.
    ///
    /// - Throws: ``AWSError`` with ``AWSError/Code/invalidConfiguration``; the message never
    ///   shows a user name or password the URL held.
    public static func checkEndpoint(_ endpoint: String) throws {
        let shown = redactedEndpoint(endpoint)
        guard endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://") else {
            throw AWSError(
                code: .invalidConfiguration, message: "the endpoint \"\(shown)\" is not an http:// or https:// URL")
        }
        guard !endpoint.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) else {
            throw AWSError(
                code: .invalidConfiguration,
                message: "the endpoint \"\(shown)\" holds white space or a control character")
        }
        // An endpoint has no use for "@": where it stands, it is user information (a password may
        // hold "/", "?" or "#" too).
        guard !endpoint.contains("@") else {
            throw AWSError(
                code: .invalidConfiguration,
                message: "the endpoint \"\(shown)\" holds a user name or password; AWS endpoints take none "
                    + "(credentials go in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)")
        }
        let authority = endpoint.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        guard authority.count >= 3, !authority[2].isEmpty else {
            throw AWSError(code: .invalidConfiguration, message: "the endpoint \"\(shown)\" has no host")
        }
    }

    /// `endpoint` with any user information (`user:password@`) replaced by `***@`, and control
    /// characters escaped: safe to print.
    public static func redactedEndpoint(_ endpoint: String) -> String {
        var text = endpoint
        // Everything up to the last "@" goes, whatever it holds ("/", "?" and "#" included).
        let start = text.range(of: "://")?.upperBound ?? text.startIndex
        let rest = text[start...]
        if let at = rest.lastIndex(of: "@") {
            text = String(text[..<start]) + "***" + String(rest[at...])
        }
        return text.unicodeScalars.map { $0.escaped(asASCII: false) }.joined()
    }

    /// The service a configuration is resolved for; it selects the per-service endpoint variable.
    public struct Service: Sendable, Hashable {
        /// The SigV4 signing name (`s3`, `kinesis`).
        public let signingName: String
        /// The suffix of `AWS_ENDPOINT_URL_<ID>` and the `<id>` of `endpoint_url` in a profile.
        public let endpointID: String

        /// Amazon S3.
        public static let s3 = Service(signingName: "s3", endpointID: "S3")
        /// Amazon Kinesis Data Streams.
        public static let kinesis = Service(signingName: "kinesis", endpointID: "KINESIS")
    }

    /// Resolves a configuration the way the AWS SDKs do.
    ///
    /// - Credentials: `credentials` if given; else `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY`
    ///   (+ `AWS_SESSION_TOKEN`); else the profile (`profile`, else `AWS_PROFILE`, else `default`)
    ///   in the credentials file, then the config file.
    /// - Region: `region` if given; else `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`.
    /// - Endpoint: `endpoint` if given; else `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL_KINESIS`,
    ///   then `AWS_ENDPOINT_URL`; else the service's AWS endpoint.
    ///
    /// - Parameter environment: the variables to read; default the process environment.
    /// - Throws: ``AWSError`` with ``AWSError/Code/invalidConfiguration`` naming every place it
    ///   looked when no credentials or no region are found, or when a named profile does not exist.
    public static func resolve(
        service: Service, credentials: AWSCredentials? = nil, region: String? = nil, endpoint: String? = nil,
        profile: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> AWSClientConfiguration {
        func env(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let profileName = profile ?? env("AWS_PROFILE") ?? "default"
        let files = try AWSSharedConfigFiles(environment: environment)
        let profileWasNamed = profile != nil || env("AWS_PROFILE") != nil
        let where_ = "[\(profileName)] in \(files.credentialsPath) and \(files.configPath)"

        let resolvedCredentials: AWSCredentials
        if let credentials {
            resolvedCredentials = credentials
        } else if let key = env("AWS_ACCESS_KEY_ID"), let secret = env("AWS_SECRET_ACCESS_KEY") {
            resolvedCredentials = AWSCredentials(
                accessKeyID: key, secretAccessKey: secret, sessionToken: env("AWS_SESSION_TOKEN"))
        } else if let key = files.value("aws_access_key_id", profile: profileName),
            let secret = files.value("aws_secret_access_key", profile: profileName)
        {
            resolvedCredentials = AWSCredentials(
                accessKeyID: key, secretAccessKey: secret,
                sessionToken: files.value("aws_session_token", profile: profileName))
        } else if profileWasNamed && !files.hasProfile(profileName) {
            throw AWSError(
                code: .invalidConfiguration,
                message: "AWS profile \"\(profileName)\" is not in \(files.credentialsPath) or \(files.configPath)")
        } else {
            throw AWSError(
                code: .invalidConfiguration,
                message: "no AWS credentials found: looked at explicit credentials, AWS_ACCESS_KEY_ID and "
                    + "AWS_SECRET_ACCESS_KEY, and profile \(where_); set one of them")
        }

        guard
            let resolvedRegion = region ?? env("AWS_REGION") ?? env("AWS_DEFAULT_REGION")
                ?? files.value("region", profile: profileName)
        else {
            throw AWSError(
                code: .invalidConfiguration,
                message: "no AWS region found: looked at the explicit region, AWS_REGION, AWS_DEFAULT_REGION and "
                    + "the region of profile \(where_); set one of them (for example AWS_REGION=us-east-1)")
        }
        let resolvedEndpoint =
            endpoint ?? env("AWS_ENDPOINT_URL_\(service.endpointID)") ?? env("AWS_ENDPOINT_URL")
            ?? files.value("endpoint_url", profile: profileName)
        if let resolvedEndpoint { try checkEndpoint(resolvedEndpoint) }
        try checkRegion(resolvedRegion)
        return AWSClientConfiguration(
            credentials: resolvedCredentials, region: resolvedRegion,
            endpoint: resolvedEndpoint.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 })
    }
}
