import Crypto
import Foundation
import Hummingbird
import Logging
import PGLite

/// Requires the token: `Authorization: Bearer <token>`, or HTTP basic authentication with the
/// token as the password (what a browser sends for a page); anything else is a 401 that says
/// what to send, with `challenge` as `WWW-Authenticate`. The comparison takes the same time
/// whatever the bytes, so the token cannot be guessed a byte at a time.
struct BearerToken<Context: RequestContext>: RouterMiddleware {
    let token: String
    /// `Bearer` for the API; `Basic realm="lakehouse"` for pages, so that a browser asks.
    var challenge = "Bearer"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        guard let given = request.headers[.authorization].flatMap(Self.presented),
            Self.equal(given, Array(token.utf8))
        else {
            var headers = HTTPFields()
            headers[.wwwAuthenticate] = challenge
            throw HTTPError(
                .unauthorized, headers: headers,
                message: "this server needs its token: send Authorization: Bearer <token>")
        }
        return try await next(request, context)
    }

    /// The token an `Authorization` value presents: a bearer token, or a basic password.
    static func presented(_ value: String) -> [UInt8]? {
        if value.hasPrefix("Bearer ") { return Array(value.utf8.dropFirst("Bearer ".utf8.count)) }
        guard value.hasPrefix("Basic "), let decoded = Data(base64Encoded: String(value.dropFirst("Basic ".count))),
            let colon = decoded.firstIndex(of: UInt8(ascii: ":"))
        else { return nil }
        return Array(decoded[decoded.index(after: colon)...])
    }

    /// Whether `a` equals `b`, in time that depends on their lengths only.
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        let digestA = Array(SHA256.hash(data: a))
        let digestB = Array(SHA256.hash(data: b))
        var difference: UInt8 = 0
        for index in digestA.indices { difference |= digestA[index] ^ digestB[index] }
        return difference == 0
    }
}

/// Turns a failure below a route into an answer that says what happened, without internals:
/// PostgreSQL away, too slow or not provisioned is a 503 that says which, anything else a 500;
/// all logged.
struct ErrorPages<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        try await Self.forPeople(request) { try await answer(request, context: context, next: next) }
    }

    private func answer(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError {
            throw error
        } catch let error as PGError {
            logger.warning(
                "request failed in PostgreSQL",
                metadata: ["http.path": "\(request.uri.path)", "error": "\(error.code): \(error.message)"])
            throw Self.answer(to: error)
        } catch {
            logger.error("request failed", metadata: ["http.path": "\(request.uri.path)", "error": "\(error)"])
            throw HTTPError(.internalServerError, message: "the server failed on this request; its log says why")
        }
    }

    /// Runs `body`; on a page (not `/api/…`), an `HTTPError` it throws becomes an HTML page with
    /// the same status and the message escaped, so that a person reads it in the browser.
    static func forPeople(_ request: Request, _ body: () async throws -> Response) async throws -> Response {
        do {
            return try await body()
        } catch let error as HTTPError where isPage(request.uri.path) {
            var response = DashboardServer.html(
                HTML.page(
                    title: "\(error.status.code) \(error.status.reasonPhrase)",
                    body:
                        "<p>\(HTML.escape(error.body ?? error.status.reasonPhrase))</p><p><a href=\"/\">Overview</a></p>",
                    json: "/api/v1/openapi.json"))
            response.status = error.status
            response.headers.append(contentsOf: error.headers)
            return response
        }
    }

    /// Whether `path` is a page a person reads (not the API, metrics or health checks).
    static func isPage(_ path: String) -> Bool {
        !path.hasPrefix("/api/") && path != "/metrics" && path != "/healthz" && path != "/readyz"
    }

    /// The answer for a PostgreSQL error: what a person can do about it.
    static func answer(to error: PGError) -> HTTPError {
        switch (error.code, error.sqlState) {
        case (.statementFailed, "57014"?):
            HTTPError(
                .serviceUnavailable,
                message: "the query took longer than the server allows; try again, or narrow the request")
        case (.statementFailed, let state?) where state == "42P01" || state == "3F000" || state == "42883":
            HTTPError(
                .serviceUnavailable,
                message: "the database has no lakehouse schema (a table is missing): run `provision apply`")
        case (.statementFailed, _), (.decodingFailed, _):
            HTTPError(.internalServerError, message: "a query of this page failed; the server's log says which")
        default:
            HTTPError(.serviceUnavailable, message: "PostgreSQL does not answer; try again shortly")
        }
    }
}

/// The server only reads: any method but GET is a 405 that says so, with `Allow: GET`.
struct ReadOnlyMethods<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        guard request.method == .get else {
            var headers = HTTPFields()
            headers[.allow] = "GET"
            throw HTTPError(.methodNotAllowed, headers: headers, message: "this server only reads: use GET")
        }
        return try await next(request, context)
    }
}

/// Headers every answer carries: no sniffing, no framing, no referrer, and for pages a content
/// policy that allows this server's own style sheet and script (live refresh) and nothing else.
struct SecurityHeaders<Context: RequestContext>: RouterMiddleware {
    static var frameOptions: HTTPFields.Element.Name { .init("X-Frame-Options")! }
    static var referrerPolicy: HTTPFields.Element.Name { .init("Referrer-Policy")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            // Errors too: a 401 or a 404 is an answer like any other.
            response = try error.response(from: request, context: context)
        }
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[Self.frameOptions] = "DENY"
        response.headers[Self.referrerPolicy] = "no-referrer"
        response.headers[.contentSecurityPolicy] =
            "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; connect-src 'self'; "
            + "form-action 'self'"
        return response
    }
}
