/// Turns an error response into an ``AWSError``: S3's XML `<Error>`, Kinesis's JSON
/// `{"__type": …, "message": …}`, the XML `<ErrorResponse>` some endpoints send for
/// authentication failures, or, for a body-less response such as HEAD, the status alone.
enum AWSErrorParser {
    static func error(from response: HTTPResponse, operation: String) -> AWSError {
        let requestID =
            response.header("x-amz-request-id") ?? response.header("x-amzn-RequestId")
            ?? response.header("x-amzn-requestid")
        var code: String?
        var message: String?
        let body = response.body
        let firstByte = body.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        if firstByte == UInt8(ascii: "<"), let root = try? XMLElement.parse(body) {
            let error = root.first("Error") ?? root
            code = error.value("Code")
            message = error.value("Message")
        } else if firstByte == UInt8(ascii: "{"), let object = try? JSONValue.parse(body) {
            // `__type` may be qualified: "com.amazonaws.kinesis.v20131202#ResourceNotFoundException".
            code = (object["__type"]?.string ?? object["code"]?.string).map {
                String($0.split(separator: "#").last ?? Substring($0))
            }
            message = object["message"]?.string ?? object["Message"]?.string
        }
        code = code ?? response.header("x-amzn-ErrorType").map { String($0.split(separator: ":").first ?? "") }
        let fallback = statusCode(response.status)
        var text = message ?? "\(operation) failed with HTTP \(response.status)"
        // 403 is nearly always the credentials or the region they are signed for.
        if response.status == 403 || credentialCodes.contains(code ?? "") {
            text +=
                "; check the credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the profile) and the region"
        }
        return AWSError(
            code: AWSError.Code(rawValue: code.flatMap { $0.isEmpty ? nil : $0 } ?? fallback),
            message: text,
            httpStatus: response.status, requestID: requestID, operation: operation)
    }

    /// Codes that mean the request's signature or credentials were refused.
    static let credentialCodes: Set<String> = [
        "SignatureDoesNotMatch", "InvalidAccessKeyId", "AccessDenied", "UnrecognizedClientException",
        "InvalidSignatureException", "IncompleteSignature", "InvalidClientTokenId", "ExpiredToken",
        "ExpiredTokenException", "AuthFailure",
    ]

    /// The code S3 implies for a status when a response has no body (HEAD requests).
    private static func statusCode(_ status: Int) -> String {
        switch status {
        case 301: "PermanentRedirect"
        case 304: "NotModified"
        case 400: "BadRequest"
        case 403: "Forbidden"
        case 404: "NotFound"
        case 409: "Conflict"
        case 412: AWSError.Code.preconditionFailed.rawValue
        case 429: "TooManyRequests"
        case 500: "InternalError"
        case 503: "ServiceUnavailable"
        default: "HTTP\(status)"
        }
    }
}
