import Logging

/// Signs, sends and retries the requests of one service client, and turns error responses into
/// ``AWSError``s. Each attempt is signed anew, so a retry after a long backoff is not rejected
/// for a stale date.
struct AWSRequestSender: Sendable {
    let http: HTTPClient
    let signer: SigV4Signer
    let retry: RetryPolicy
    let logger: Logger

    /// Sends `request` until it succeeds, fails for good, or runs out of attempts.
    ///
    /// - Parameters:
    ///   - operation: the API name for errors and logs (`PutObject`).
    ///   - payloadHash: passed to the signer (`nil` hashes the body).
    ///   - accept: statuses that count as success besides 2xx (for example 404 for a probe).
    ///   - file: receives a 2xx body instead of memory; emptied before each attempt.
    func send(
        _ request: HTTPRequest, operation: String, payloadHash: String? = nil, accept: Set<Int> = [],
        file: ResponseFile? = nil
    ) async throws -> HTTPResponse {
        var attempt = 1
        let clock = ContinuousClock()
        let deadline = retry.maximumElapsed.map { clock.now + $0 }
        while true {
            let error: AWSError
            do {
                if attempt > 1 { try file?.rewind() }
                let response = try await http.execute(
                    signer.sign(request, payloadHash: payloadHash), file: file, deadline: deadline)
                if (200..<300).contains(response.status) || accept.contains(response.status) { return response }
                error = AWSErrorParser.error(from: response, operation: operation)
            } catch let failure as AWSError {
                error = AWSError(
                    code: failure.code, message: failure.message, httpStatus: failure.httpStatus,
                    requestID: failure.requestID, operation: operation)
            }
            guard retry.isRetryable(error), attempt < retry.maximumAttempts else { throw error }
            let delay = retry.delay(beforeRetry: attempt)
            if let deadline, clock.now + delay >= deadline {
                var spent = error
                spent.message +=
                    " (\(attempt) attempts; the operation's time limit of \(retry.maximumElapsed!.components.seconds) s is spent)"
                throw spent
            }
            logger.debug(
                "retrying AWS request",
                metadata: [
                    "aws.operation": "\(operation)", "aws.error": "\(error.code)", "aws.attempt": "\(attempt + 1)",
                    "aws.delay_ms": "\(delay.milliseconds)",
                ])
            try await Task.sleep(for: delay)
            attempt += 1
        }
    }
}
