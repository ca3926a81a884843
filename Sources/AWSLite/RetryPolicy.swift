/// When and how long to wait before sending a failed request again: exponential backoff with
/// full jitter, shared by every AWSLite client.
///
/// Retried: network failures, timeouts, HTTP 5xx and 429, and the throttling codes in
/// ``throttlingCodes``. Never retried: caller errors such as 400, 403 and 404.
public struct RetryPolicy: Sendable, Hashable {
    /// How many times a request is sent at most, the first time included. Default: 5.
    public var maximumAttempts: Int
    /// The backoff cap of the first retry; it doubles with every retry. Default: 50 ms.
    public var baseDelay: Duration
    /// The largest backoff cap. Default: 20 seconds.
    public var maximumDelay: Duration
    /// How long an operation may take, all its attempts and pauses included: no retry starts
    /// after it, and an attempt's timeout is cut to what is left. Default: 60 seconds; `nil`
    /// for no limit but ``maximumAttempts``.
    public var maximumElapsed: Duration?

    /// Error codes that mean "slow down" whatever the HTTP status.
    public static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "ProvisionedThroughputExceededException",
        "SlowDown", "RequestLimitExceeded", "RequestThrottled", "RequestThrottledException",
        "TooManyRequestsException", "LimitExceededException", "BandwidthLimitExceeded",
    ]

    /// Creates a policy; every parameter defaults as its property documents.
    public init(
        maximumAttempts: Int = 5, baseDelay: Duration = .milliseconds(50), maximumDelay: Duration = .seconds(20),
        maximumElapsed: Duration? = .seconds(60)
    ) {
        self.maximumAttempts = max(1, maximumAttempts)
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
        self.maximumElapsed = maximumElapsed
    }

    /// A policy that sends every request once.
    public static let never = RetryPolicy(maximumAttempts: 1)

    /// Whether `error` is worth another attempt.
    public func isRetryable(_ error: AWSError) -> Bool {
        if [.networkFailure, .timeout].contains(error.code) { return true }
        if Self.throttlingCodes.contains(error.code.rawValue) { return true }
        guard let status = error.httpStatus else { return false }
        return status >= 500 || status == 429
    }

    /// How long to wait before retry number `retry` (1 for the first retry): a random duration
    /// between zero and `min(maximumDelay, baseDelay × 2^(retry-1))` ("full jitter").
    public func delay(beforeRetry retry: Int) -> Duration {
        let exponent = min(max(retry - 1, 0), 30)
        let cap = min(maximumDelay, baseDelay * (1 << exponent))
        let capNanoseconds = max(0, cap.nanoseconds)
        return .nanoseconds(Int64.random(in: 0...capNanoseconds))
    }
}

extension Duration {
    /// The duration in whole nanoseconds, saturating.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : product &+ attoseconds / 1_000_000_000
    }
}
