import Crypto
import Synchronization

/// Signs requests with AWS Signature Version 4 (`AWS4-HMAC-SHA256`, Authorization header).
///
/// The signer adds `Host`, `X-Amz-Date`, `X-Amz-Security-Token` (for temporary credentials) and,
/// for S3, `x-amz-content-sha256`, then signs every header of the request. S3 paths are signed as
/// given; other services' paths are normalised (dot segments and repeated slashes removed) and
/// encoded again, as SigV4 specifies.
public struct SigV4Signer: Sendable {
    /// The payload hash S3 accepts in place of a body's SHA-256.
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"

    /// The credentials to sign with.
    public var credentials: AWSCredentials
    /// The region, for example `us-east-1`.
    public var region: String
    /// The service's signing name, for example `s3` or `kinesis`.
    public var service: String

    /// The last derived signing key; deriving one costs four HMACs, and it changes once a day.
    private let keyCache = SigningKeyCache()

    /// Creates a signer.
    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    private var isS3: Bool { service == "s3" }

    /// The intermediate results of signing, for tests and debugging. Contains no secret.
    public struct Signature: Sendable {
        /// The canonical request (SigV4 task 1).
        public var canonicalRequest: String
        /// The string to sign (task 2).
        public var stringToSign: String
        /// The hex signature (task 3).
        public var signature: String
        /// The `Authorization` header value (task 4).
        public var authorization: String
    }

    /// Returns `request` with the SigV4 headers added.
    ///
    /// - Parameters:
    ///   - request: the request to sign; its URL's path must already be percent-encoded as sent.
    ///   - date: the signing time; default now.
    ///   - payloadHash: the body's SHA-256 in hex, or ``unsignedPayload`` (S3 only); `nil`
    ///     hashes the body.
    /// - Complexity: O(size of the body) when the payload is hashed, else O(size of the headers).
    public func sign(_ request: HTTPRequest, date: AWSDate = .now, payloadHash: String? = nil) -> HTTPRequest {
        var signed = request
        signed.headers = headersToSign(request, date: date, payloadHash: payloadHash)
        let signature = signature(for: signed, date: date, payloadHash: payloadHash)
        signed.headers.append(("Authorization", signature.authorization))
        return signed
    }

    /// The canonical request, string to sign and Authorization header of `request` as given,
    /// without adding headers: what the conformance suite checks.
    public func signature(for request: HTTPRequest, date: AWSDate, payloadHash: String? = nil) -> Signature {
        let hash = payloadHash ?? SigV4Encoding.hex(SHA256.hash(data: request.body))
        let url = URLParts(request.url)
        let (canonicalHeaders, signedHeaders) = canonicalize(headers: request.headers)
        let canonicalRequest = [
            request.method,
            canonicalURI(url.path),
            canonicalQuery(url.query),
            canonicalHeaders,
            signedHeaders,
            hash,
        ].joined(separator: "\n")
        let scope = "\(date.day)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256", date.timestamp, scope,
            SigV4Encoding.hex(SHA256.hash(data: Array(canonicalRequest.utf8))),
        ].joined(separator: "\n")
        let signature = SigV4Encoding.hex(
            HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: signingKey(day: date.day)))
        let authorization =
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), "
            + "SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return Signature(
            canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: signature,
            authorization: authorization)
    }

    /// The request's headers plus the ones SigV4 needs that it lacks.
    private func headersToSign(_ request: HTTPRequest, date: AWSDate, payloadHash: String?) -> [(
        name: String, value: String
    )] {
        var headers = request.headers
        func has(_ name: String) -> Bool { headers.contains { $0.name.lowercased() == name } }
        if !has("host") { headers.insert(("Host", URLParts(request.url).hostHeader), at: 0) }
        if !has("x-amz-date") { headers.append(("X-Amz-Date", date.timestamp)) }
        if let token = credentials.sessionToken, !has("x-amz-security-token") {
            headers.append(("X-Amz-Security-Token", token))
        }
        if isS3, !has("x-amz-content-sha256") {
            headers.append(
                ("x-amz-content-sha256", payloadHash ?? SigV4Encoding.hex(SHA256.hash(data: request.body))))
        }
        return headers
    }

    private func signingKey(day: String) -> SymmetricKey {
        let scope = SigningKeyCache.Scope(
            secret: credentials.secretAccessKey, day: day, region: region, service: service)
        if let key = keyCache.key(for: scope) { return key }
        var key = SymmetricKey(data: Array("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key))
        }
        keyCache.store(key, for: scope)
        return key
    }

    private func canonicalURI(_ path: Substring) -> String {
        let raw = path.isEmpty ? "/" : path
        if isS3 { return SigV4Encoding.encode(SigV4Encoding.decode(raw), keepSlash: true) }
        return SigV4Encoding.encode(Self.normalized(raw).utf8, keepSlash: true)
    }

    /// Removes `.` and `..` segments and empty segments, keeping a trailing slash.
    static func normalized(_ path: Substring) -> String {
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": _ = segments.popLast()
            default: segments.append(segment)
            }
        }
        var result = "/" + segments.joined(separator: "/")
        if path.hasSuffix("/") && !segments.isEmpty { result += "/" }
        return result
    }

    private func canonicalQuery(_ query: Substring) -> String {
        guard !query.isEmpty else { return "" }
        let pairs = query.split(separator: "&", omittingEmptySubsequences: true).map { item in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = SigV4Encoding.encode(SigV4Encoding.decode(parts[0]))
            let value = parts.count > 1 ? SigV4Encoding.encode(SigV4Encoding.decode(parts[1])) : ""
            return (key, value)
        }
        return pairs.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// Canonical header lines and the signed-header list: names lower-cased and sorted, values
    /// trimmed with inner runs of white space folded to one space, repeated names joined by commas.
    private func canonicalize(headers: [(name: String, value: String)]) -> (String, String) {
        var merged: [String: [String]] = [:]
        for header in headers {
            merged[header.name.lowercased(), default: []].append(Self.foldedWhitespace(header.value))
        }
        let names = merged.keys.sorted()
        let lines = names.map { "\($0):\(merged[$0]!.joined(separator: ","))\n" }.joined()
        return (lines, names.joined(separator: ";"))
    }

    private static func foldedWhitespace(_ value: String) -> String {
        // Most values have nothing to fold: no white space at the ends, single inner spaces.
        var clean = true
        var previousWasSpace = true
        for byte in value.utf8 {
            if byte == 0x20 {
                if previousWasSpace { clean = false }
                previousWasSpace = true
            } else if byte == 0x09 || byte == 0x0A || byte == 0x0D || byte >= 0x80 {
                clean = false  // tabs, line breaks and non-ASCII space take the general path
            } else {
                previousWasSpace = false
            }
            if !clean { break }
        }
        if clean && !previousWasSpace { return value }
        var output = ""
        var pendingSpace = false
        for character in value {
            if character.isWhitespace {
                pendingSpace = !output.isEmpty
            } else {
                if pendingSpace { output.append(" ") }
                pendingSpace = false
                output.append(character)
            }
        }
        return output
    }
}

/// The parts of an absolute URL that signing needs, found without decoding anything.
struct URLParts {
    var scheme: Substring
    var authority: Substring
    var path: Substring
    var query: Substring

    init(_ url: String) {
        let text = Substring(url)
        let afterScheme = text.range(of: "://").map { text[$0.upperBound...] } ?? text
        scheme = text.range(of: "://").map { text[..<$0.lowerBound] } ?? "https"
        let pathStart = afterScheme.firstIndex { $0 == "/" || $0 == "?" } ?? afterScheme.endIndex
        authority = afterScheme[..<pathStart]
        let rest = afterScheme[pathStart...]
        if let questionMark = rest.firstIndex(of: "?") {
            path = rest[..<questionMark]
            query = rest[rest.index(after: questionMark)...]
        } else {
            path = rest
            query = ""
        }
    }

    /// The `Host` header: the authority without user info, and without a default port.
    var hostHeader: String {
        var host = authority
        if let at = host.lastIndex(of: "@") { host = host[host.index(after: at)...] }
        if scheme == "https", host.hasSuffix(":443") { host = host.dropLast(4) }
        if scheme == "http", host.hasSuffix(":80") { host = host.dropLast(3) }
        return String(host)
    }
}

extension Substring {
    /// The range of the first occurrence of ASCII `needle` (Foundation-free).
    fileprivate func range(of needle: StaticString) -> Range<Index>? {
        let target = UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
        let bytes = utf8
        var index = bytes.startIndex
        while index < bytes.endIndex {
            var candidate = index
            var matched = 0
            while matched < target.count, candidate < bytes.endIndex, bytes[candidate] == target[matched] {
                matched += 1
                candidate = bytes.index(after: candidate)
            }
            if matched == target.count { return index..<candidate }
            index = bytes.index(after: index)
        }
        return nil
    }
}

/// The signing key of the last scope a signer used. Shared by copies of one signer.
final class SigningKeyCache: Sendable {
    /// What a signing key is derived from.
    struct Scope: Equatable {
        var secret: String
        var day: String
        var region: String
        var service: String
    }

    private let entry = Mutex<(scope: Scope, key: SymmetricKey)?>(nil)

    func key(for scope: Scope) -> SymmetricKey? {
        entry.withLock { $0?.scope == scope ? $0?.key : nil }
    }

    func store(_ key: SymmetricKey, for scope: Scope) {
        entry.withLock { $0 = (scope, key) }
    }
}
