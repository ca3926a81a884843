/// An error raised by AWSLite: a failure to reach the endpoint, a timeout, or an error that the
/// service returned.
///
/// ``code`` is the service's own error code when the service sent one (`NoSuchBucket`,
/// `ThrottlingException`), or one of the client-side codes below. Errors never contain secret
/// keys, session tokens, signatures or URL query strings.
public struct AWSError: Error, Sendable, Hashable, CustomStringConvertible {
    /// An error code: the service's (any string it sends) or one of the client-side codes.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        /// The code as text, exactly as the service sent it for service errors.
        public let rawValue: String

        /// Creates a code from its text.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The endpoint could not be reached, or the connection broke before a full response.
        public static let networkFailure = Code(rawValue: "NetworkFailure")
        /// The connect or request timeout passed.
        public static let timeout = Code(rawValue: "Timeout")
        /// The request could not be sent as given (for example a malformed URL).
        public static let invalidRequest = Code(rawValue: "InvalidRequest")
        /// libcurl failed in a way none of the other codes describes.
        public static let transportFailure = Code(rawValue: "TransportFailure")
        /// Credentials, region or endpoint are missing or unusable; the message says where it looked.
        public static let invalidConfiguration = Code(rawValue: "InvalidConfiguration")
        /// The service's response could not be understood (malformed XML or JSON, missing fields).
        public static let invalidResponse = Code(rawValue: "InvalidResponse")
        /// A conditional request's precondition did not hold (HTTP 412), for example
        /// `If-None-Match: *` on a key that exists.
        public static let preconditionFailed = Code(rawValue: "PreconditionFailed")
        /// The server's TLS certificate or host name could not be verified.
        public static let tlsVerificationFailed = Code(rawValue: "TLSVerificationFailed")
        /// A local file could not be read, created or written (missing, no permission, disk full).
        public static let localFileFailure = Code(rawValue: "LocalFileFailure")
        /// The task that sent the request was cancelled; the request was abandoned (libcurl
        /// notices within a second, even while the server sends nothing).
        public static let cancelled = Code(rawValue: "Cancelled")

        /// The code's text, as ``AWSError/description`` prints it.
        public var description: String { rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// A human-readable explanation: what failed, on what, and what to do.
    public var message: String
    /// The HTTP status of the response, when there was one.
    public var httpStatus: Int?
    /// The service's request id, when it sent one (quote it to AWS support).
    public var requestID: String?
    /// The operation that failed (`GetObject`, `PutRecords`, or `GET` for a raw HTTP call).
    public var operation: String?

    /// Creates an error.
    public init(
        code: Code, message: String, httpStatus: Int? = nil, requestID: String? = nil, operation: String? = nil
    ) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.requestID = requestID
        self.operation = operation
    }

    /// The code, operation, HTTP status, message and request id on one line, as logs print it.
    public var description: String {
        var text = "AWSError.\(code)"
        if let operation { text += " in \(operation)" }
        if let httpStatus { text += " (HTTP \(httpStatus))" }
        text += ": \(message)"
        if let requestID { text += " [request id \(requestID)]" }
        return text
    }
}
