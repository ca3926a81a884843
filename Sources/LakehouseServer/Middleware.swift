import Crypto
import Hummingbird
import Logging
import PGLite

/// Requires `Authorization: Bearer <token>`; anything else is a 401 that says what to send.
/// The comparison takes the same time whatever the bytes, so the token cannot be guessed a
/// byte at a time.
struct BearerToken<Context: RequestContext>: RouterMiddleware {
    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let given = request.headers[.authorization].flatMap { value -> Substring? in
            value.hasPrefix("Bearer ") ? value.dropFirst("Bearer ".count) : nil
        }
        guard let given, Self.equal(Array(given.utf8), Array(token.utf8)) else {
            var headers = HTTPFields()
            headers[.wwwAuthenticate] = "Bearer"
            throw HTTPError(
                .unauthorized, headers: headers,
                message: "this server needs its token: send Authorization: Bearer <token>")
        }
        return try await next(request, context)
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
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError {
            throw error
        } catch let error as PGError {
            logger.warning(
                "request failed in PostgreSQL",
                metadata: ["http.path": "\(request.uri.path)", "error": "\(error.code): \(error.message)"])
            throw Self.answer(to: error)
        } catch let error as ServerError {
            logger.warning("request failed", metadata: ["http.path": "\(request.uri.path)", "error": "\(error)"])
            throw HTTPError(.serviceUnavailable, message: error.message)
        } catch {
            logger.error("request failed", metadata: ["http.path": "\(request.uri.path)", "error": "\(error)"])
            throw HTTPError(.internalServerError, message: "the server failed on this request; its log says why")
        }
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
