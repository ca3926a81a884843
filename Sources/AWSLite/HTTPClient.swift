import Dispatch
import Logging
import Synchronization

/// Sends HTTP requests through libcurl, reusing connections between requests.
///
/// libcurl blocks, so each request runs on a serial dispatch queue of its own, never on Swift's
/// cooperative thread pool nor on the few threads Dispatch gives all concurrent queues (a
/// serial queue gets a thread even when those are busy: a process with many requests in flight
/// does not make each wait for the others). Requests from several tasks run concurrently, each
/// on its own easy handle; idle handles (and their open connections) are kept for the next request, up to
/// ``Configuration/maximumIdleHandles``. `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` are honoured
/// by libcurl itself.
public final class HTTPClient: Sendable {
    /// Timeouts and transport settings.
    public struct Configuration: Sendable {
        /// How long to wait for a TCP (and TLS) connection. Default: 10 seconds.
        public var connectTimeout: Duration
        /// How long a whole request may take, connection included. Default: 60 seconds.
        public var requestTimeout: Duration
        /// How long a request may go without a byte sent or received before it fails as timed out
        /// (an endpoint that accepts connections and never answers). Default: 15 seconds;
        /// libcurl counts it in whole seconds, at least 1.
        public var stallTimeout: Duration
        /// Whether to verify the server's TLS certificate and host name. Default: `true`.
        /// Turn it off only for a local endpoint with a self-signed certificate.
        public var verifyTLS: Bool
        /// The `User-Agent` header. Default: `AWSLite/<version>`.
        public var userAgent: String
        /// How many idle handles (each with its open connections) to keep. Default: 16.
        public var maximumIdleHandles: Int

        /// Creates a configuration; every parameter defaults as its property documents.
        public init(
            connectTimeout: Duration = .seconds(10),
            requestTimeout: Duration = .seconds(60),
            stallTimeout: Duration = .seconds(15),
            verifyTLS: Bool = true,
            userAgent: String = "AWSLite/\(AWSLite.version)",
            maximumIdleHandles: Int = 16
        ) {
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
            self.stallTimeout = stallTimeout
            self.verifyTLS = verifyTLS
            self.userAgent = userAgent
            self.maximumIdleHandles = maximumIdleHandles
        }
    }

    /// The settings this client was made with.
    public let configuration: Configuration
    private let logger: Logger
    private let idleHandles = Mutex<[CurlEasyHandle]>([])

    /// Creates a client.
    ///
    /// - Parameters:
    ///   - configuration: timeouts and transport settings.
    ///   - logger: receives one debug line per request (method, URL without its query string,
    ///     status, duration) under `http.*` metadata keys; never headers or bodies.
    public init(configuration: Configuration = Configuration(), logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Sends `request` and returns the response, whatever its status.
    ///
    /// - Throws: ``AWSError`` with ``AWSError/Code/networkFailure``, ``AWSError/Code/timeout``,
    ///   ``AWSError/Code/invalidRequest`` or ``AWSError/Code/transportFailure`` when no complete
    ///   response arrived. An HTTP error status is returned, not thrown.
    public func execute(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await execute(request, file: nil)
    }

    /// Sends `request`, writing a 2xx body to `file` as it arrives (the returned body is empty);
    /// an error response's body is returned in memory as usual.
    ///
    /// - Parameter deadline: when the request must be over, whatever ``Configuration/requestTimeout``
    ///   allows (the end of an operation's time, retries included).
    func execute(
        _ request: HTTPRequest, file: ResponseFile?, deadline: ContinuousClock.Instant? = nil
    ) async throws -> HTTPResponse {
        let clock = ContinuousClock()
        let start = clock.now
        var settings = self.configuration
        if let deadline {
            settings.requestTimeout = max(.milliseconds(1), min(settings.requestTimeout, deadline - start))
        }
        let configuration = settings
        let cancel = CancelFlag()
        do {
            // A cancelled task abandons its request within a second (libcurl's progress callback).
            let response: HTTPResponse = try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    DispatchQueue(label: "AWSLite.HTTPClient.request").async {
                        continuation.resume(
                            with: Result {
                                try self.perform(request, configuration: configuration, file: file, cancel: cancel)
                            })
                    }
                }
            } onCancel: {
                cancel.raise()
            }
            logger.debug(
                "HTTP request finished",
                metadata: [
                    "http.method": "\(request.method)", "http.url": "\(request.redactedURL)",
                    "http.status": "\(response.status)", "http.duration_ms": "\((clock.now - start).milliseconds)",
                ])
            return response
        } catch {
            logger.debug(
                "HTTP request failed",
                metadata: [
                    "http.method": "\(request.method)", "http.url": "\(request.redactedURL)",
                    "http.error": "\(error)",
                ])
            throw error
        }
    }

    /// Runs on the request's queue: borrows an idle handle (or makes one), performs, and returns the handle.
    private func perform(
        _ request: HTTPRequest, configuration: Configuration, file: ResponseFile?, cancel: CancelFlag
    ) throws -> HTTPResponse {
        guard let handle = idleHandles.withLock({ $0.popLast() }) ?? CurlEasyHandle() else {
            throw AWSError(
                code: .transportFailure, message: "libcurl could not create a handle (out of memory?)",
                operation: request.method)
        }
        let response = try handle.perform(request, configuration: configuration, file: file, cancel: cancel)
        // A handle whose request failed may hold a broken connection; only successful ones go back.
        idleHandles.withLock { idle in
            if idle.count < configuration.maximumIdleHandles { idle.append(handle) }
        }
        return response
    }
}
