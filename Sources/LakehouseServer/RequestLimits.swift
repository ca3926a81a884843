import Foundation
import Hummingbird
import LakehouseCore
import Synchronization

/// What one request may be, and how many the server takes: a target of at most 2,048 bytes
/// (414 beyond), no body (413: the server only reads), at most ``ServerConfiguration/rateLimit``
/// requests a second over the whole server (429 with `Retry-After` beyond a burst of as many),
/// and at most ``ServerConfiguration/maximumInFlight`` answered at once (503 with `Retry-After`).
/// `/healthz`, `/readyz` and `/metrics` are counted in flight but never rate-limited, so that a
/// flood of page requests does not make the process look dead to its supervisor.
struct RequestLimits<Context: RequestContext>: RouterMiddleware {
    static var maximumTargetLength: Int { 2048 }
    static var retryAfter: HTTPFields.Element.Name { .init("Retry-After")! }

    let bucket: TokenBucket?
    let inFlight: InFlightCount

    init(rate: Int, maximumInFlight: Int) {
        bucket = rate > 0 ? TokenBucket(rate: Double(rate), burst: Double(rate)) : nil
        inFlight = InFlightCount(limit: maximumInFlight)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        guard request.uri.description.utf8.count <= Self.maximumTargetLength else {
            throw HTTPError(.uriTooLong, message: "the request target is longer than \(Self.maximumTargetLength) bytes")
        }
        let length = request.headers[.contentLength].flatMap { Int($0) } ?? 0
        guard length == 0, request.headers[.transferEncoding] == nil else {
            throw HTTPError(.contentTooLarge, message: "this server only reads: requests carry no body")
        }
        let path = request.uri.path
        if let bucket, !["/healthz", "/readyz", "/metrics"].contains(path), !bucket.take() {
            throw HTTPError(
                .tooManyRequests, headers: retryLater,
                message: "more than \(Int(bucket.rate)) requests a second: slow down and try again")
        }
        guard inFlight.enter() else {
            throw HTTPError(
                .serviceUnavailable, headers: retryLater,
                message: "\(inFlight.limit) requests are being answered already: try again in a second")
        }
        defer { inFlight.leave() }
        return try await next(request, context)
    }

    private var retryLater: HTTPFields {
        var headers = HTTPFields()
        headers[Self.retryAfter] = "1"
        return headers
    }
}

/// A token bucket: `rate` tokens a second, holding at most `burst`.
final class TokenBucket: Sendable {
    let rate: Double
    let burst: Double
    private let state: Mutex<(tokens: Double, at: ContinuousClock.Instant)>

    init(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = burst
        state = Mutex((burst, .now))
    }

    /// Takes a token if there is one.
    func take() -> Bool {
        state.withLock { state in
            let now = ContinuousClock.now
            state = (min(burst, state.tokens + (now - state.at).inSeconds * rate), now)
            guard state.tokens >= 1 else { return false }
            state.tokens -= 1
            return true
        }
    }
}

/// How many requests are being answered, up to a limit.
final class InFlightCount: Sendable {
    let limit: Int
    private let count = Mutex(0)

    init(limit: Int) { self.limit = limit }

    /// Counts one more, unless the limit is reached.
    func enter() -> Bool {
        count.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    func leave() { count.withLock { $0 -= 1 } }
}
