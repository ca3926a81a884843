import Crypto
import Foundation
import Logging

/// An Amazon S3 client (and of S3-compatible stores such as moto, LocalStack and MinIO).
///
/// Requests are signed with SigV4 and retried by the configuration's ``RetryPolicy``. Custom
/// endpoints use path-style addressing (`http://host/bucket/key`); AWS endpoints use
/// virtual-hosted style (`https://bucket.s3.region.amazonaws.com/key`) for DNS-compatible names.
public final class S3Client: Sendable {
    /// Multipart settings.
    public struct Options: Sendable {
        /// Objects larger than this are uploaded in parts. Default: 16 MiB.
        public var multipartThreshold: Int
        /// The size of each part but the last; S3 requires at least 5 MiB. Default: 8 MiB.
        public var partSize: Int

        /// Creates options; every parameter defaults as its property documents.
        public init(multipartThreshold: Int = 16 << 20, partSize: Int = 8 << 20) {
            self.multipartThreshold = multipartThreshold
            self.partSize = max(5 << 20, partSize)
        }
    }

    /// The resolved configuration.
    public let configuration: AWSClientConfiguration
    /// The multipart settings.
    public let options: Options
    let sender: AWSRequestSender
    private let logger: Logger

    /// Creates a client.
    ///
    /// - Parameters:
    ///   - configuration: credentials, region, endpoint; see ``AWSClientConfiguration/resolve(service:credentials:region:endpoint:profile:environment:)``.
    ///   - options: multipart thresholds.
    ///   - logger: receives request and retry events under `http.*` and `aws.*` keys; never secrets.
    public init(configuration: AWSClientConfiguration, options: Options = Options(), logger: Logger) {
        self.configuration = configuration
        self.options = options
        self.logger = logger
        let signer = SigV4Signer(credentials: configuration.credentials, region: configuration.region, service: "s3")
        sender = AWSRequestSender(
            http: HTTPClient(configuration: configuration.http, logger: logger), signer: signer,
            retry: configuration.retry, logger: logger)
    }

    // MARK: Buckets

    /// Creates a bucket; a bucket you already own counts as success.
    ///
    /// - Throws: ``AWSError``, for example `BucketAlreadyExists` when someone else owns the name.
    public func createBucket(_ bucket: String) async throws {
        var body: [UInt8] = []
        if configuration.region != "us-east-1" {
            body = Array(
                ("<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                    + "<LocationConstraint>\(xmlEscaped(configuration.region))</LocationConstraint>"
                    + "</CreateBucketConfiguration>").utf8)
        }
        do {
            _ = try await sender.send(
                HTTPRequest(method: "PUT", url: url(bucket: bucket), body: body), operation: "CreateBucket")
        } catch let error as AWSError where error.code.rawValue == "BucketAlreadyOwnedByYou" {
            logger.debug("bucket already exists and is ours", metadata: ["s3.bucket": "\(bucket)"])
        }
    }

    /// Checks that a bucket exists and is accessible.
    ///
    /// - Throws: ``AWSError`` with code `NotFound` (404) or `Forbidden` (403).
    public func headBucket(_ bucket: String) async throws {
        _ = try await sender.send(HTTPRequest(method: "HEAD", url: url(bucket: bucket)), operation: "HeadBucket")
    }

    /// Deletes an empty bucket.
    public func deleteBucket(_ bucket: String) async throws {
        _ = try await sender.send(HTTPRequest(method: "DELETE", url: url(bucket: bucket)), operation: "DeleteBucket")
    }

    // MARK: Objects

    /// Stores an object, in parts when it is larger than ``Options/multipartThreshold``.
    ///
    /// - Parameters:
    ///   - ifNoneMatch: send `If-None-Match: *`, so the object is written only if the key is free.
    /// - Returns: ``S3PutOutcome/stored(eTag:)``, or ``S3PutOutcome/preconditionFailed`` when
    ///   `ifNoneMatch` is set and the key exists.
    /// - Throws: ``AWSError`` for any other failure; a failed multipart upload is aborted first.
    @discardableResult
    public func putObject(
        bucket: String, key: String, body: [UInt8], contentType: String = "application/octet-stream",
        ifNoneMatch: Bool = false
    ) async throws -> S3PutOutcome {
        if body.count > options.multipartThreshold {
            return try await multipartUpload(
                bucket: bucket, key: key, contentType: contentType, ifNoneMatch: ifNoneMatch,
                size: body.count
            ) { range in Array(body[range]) }
        }
        var headers: [(name: String, value: String)] = [("Content-Type", contentType)]
        if ifNoneMatch { headers.append(("If-None-Match", "*")) }
        let response = try await sender.send(
            HTTPRequest(method: "PUT", url: url(bucket: bucket, key: key), headers: headers, body: body),
            operation: "PutObject", accept: ifNoneMatch ? [412] : [])
        if response.status == 412 { return .preconditionFailed }
        return .stored(eTag: response.header("ETag") ?? "")
    }

    /// Uploads a file without reading it into memory: in parts of ``Options/partSize`` when it
    /// is larger than ``Options/multipartThreshold``.
    ///
    /// - Throws: ``AWSError`` with ``AWSError/Code/localFileFailure`` if the file cannot be read.
    @discardableResult
    public func putObject(
        bucket: String, key: String, contentsOfFile path: String, contentType: String = "application/octet-stream",
        ifNoneMatch: Bool = false
    ) async throws -> S3PutOutcome {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw AWSError(code: .localFileFailure, message: "\(path) cannot be opened for reading")
        }
        defer { try? handle.close() }
        let size = Int(try handle.seekToEnd())
        if size <= options.multipartThreshold {
            try handle.seek(toOffset: 0)
            return try await putObject(
                bucket: bucket, key: key, body: Array(try handle.readToEnd() ?? Data()), contentType: contentType,
                ifNoneMatch: ifNoneMatch)
        }
        let file = SendableFileHandle(handle: handle)
        return try await multipartUpload(
            bucket: bucket, key: key, contentType: contentType, ifNoneMatch: ifNoneMatch, size: size
        ) { range in try file.read(range) }
    }

    /// Reads an object, or the byte range `range` of it.
    ///
    /// - Throws: ``AWSError`` with code `NoSuchKey` when there is no such object.
    public func getObject(bucket: String, key: String, range: ClosedRange<Int>? = nil) async throws -> S3Object {
        let response = try await sender.send(
            HTTPRequest(method: "GET", url: url(bucket: bucket, key: key), headers: Self.rangeHeaders(range)),
            operation: "GetObject")
        return S3Object(body: response.body, metadata: metadata(of: response))
    }

    /// Downloads an object (or the byte range `range` of it) into the file at `path`, streaming:
    /// the body goes to disk as it arrives, so memory use does not grow with the object.
    ///
    /// The body is written to a temporary file beside `path` and renamed over `path` only when
    /// complete, so `path` never holds a partial object; on failure the temporary file is removed.
    /// A retried attempt starts the temporary file afresh.
    ///
    /// - Returns: the object's metadata.
    /// - Throws: ``AWSError`` with code `NoSuchKey` when there is no such object,
    ///   ``AWSError/Code/localFileFailure`` when the file cannot be written.
    @discardableResult
    public func getObject(
        bucket: String, key: String, range: ClosedRange<Int>? = nil, toFile path: String
    ) async throws -> S3ObjectMetadata {
        let temporary = "\(path).partial-\(UInt32.random(in: .min ... .max))"
        let file = try ResponseFile(creating: temporary)
        do {
            let response = try await sender.send(
                HTTPRequest(method: "GET", url: url(bucket: bucket, key: key), headers: Self.rangeHeaders(range)),
                operation: "GetObject", file: file)
            if let expected = response.header("Content-Length").flatMap({ Int($0) }), expected != file.written {
                throw AWSError(
                    code: .invalidResponse,
                    message: "GetObject of \(key) announced \(expected) bytes but sent \(file.written)",
                    operation: "GetObject")
            }
            try file.sync()
            guard rename(temporary, path) == 0 else {
                throw AWSError(
                    code: .localFileFailure,
                    message: "\(temporary) cannot be renamed to \(path): \(String(cString: strerror(errno)))",
                    operation: "GetObject")
            }
            var metadata = metadata(of: response)
            if range == nil { metadata.contentLength = file.written }
            return metadata
        } catch {
            _ = unlink(temporary)
            throw error
        }
    }

    /// The `Range` header for an optional inclusive byte range.
    private static func rangeHeaders(_ range: ClosedRange<Int>?) -> [(name: String, value: String)] {
        range.map { [("Range", "bytes=\($0.lowerBound)-\($0.upperBound)")] } ?? []
    }

    /// Reads an object's metadata.
    ///
    /// - Throws: ``AWSError`` with code `NotFound` when there is no such object.
    public func headObject(bucket: String, key: String) async throws -> S3ObjectMetadata {
        let response = try await sender.send(
            HTTPRequest(method: "HEAD", url: url(bucket: bucket, key: key)), operation: "HeadObject")
        return metadata(of: response)
    }

    /// Deletes an object; deleting a missing key succeeds, as in S3.
    public func deleteObject(bucket: String, key: String) async throws {
        _ = try await sender.send(
            HTTPRequest(method: "DELETE", url: url(bucket: bucket, key: key)), operation: "DeleteObject")
    }

    /// Deletes many objects, 1,000 per request.
    ///
    /// - Returns: the keys S3 could not delete, with its reasons; empty when all went.
    /// - Complexity: ⌈keys / 1000⌉ requests.
    public func deleteObjects(bucket: String, keys: [String]) async throws -> [S3DeleteFailure] {
        var failures: [S3DeleteFailure] = []
        var start = 0
        while start < keys.count {
            let batch = keys[start..<min(start + 1000, keys.count)]
            start += batch.count
            let body = Array(
                ("<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>"
                    + batch.map { "<Object><Key>\(xmlEscaped($0))</Key></Object>" }.joined() + "</Delete>").utf8)
            let md5 = Data(Insecure.MD5.hash(data: body)).base64EncodedString()
            let response = try await sender.send(
                HTTPRequest(
                    method: "POST", url: url(bucket: bucket) + "?delete",
                    headers: [("Content-MD5", md5), ("Content-Type", "application/xml")], body: body),
                operation: "DeleteObjects")
            let root = try XMLElement.parse(response.body)
            failures += root.children("Error").map {
                S3DeleteFailure(
                    key: $0.value("Key") ?? "", code: $0.value("Code") ?? "", message: $0.value("Message") ?? "")
            }
        }
        return failures
    }

    /// Lists the objects of a bucket, page by page, following continuation tokens.
    ///
    /// - Parameters:
    ///   - prefix: only keys that start with it.
    ///   - delimiter: group keys by it into ``S3ListPage/commonPrefixes`` (usually `/`).
    ///   - startAfter: only keys after it.
    ///   - pageSize: keys per request, at most 1,000 (the default).
    public func listObjectsV2(
        bucket: String, prefix: String? = nil, delimiter: String? = nil, startAfter: String? = nil,
        pageSize: Int = 1000
    ) -> S3ListObjectsSequence {
        S3ListObjectsSequence(
            client: self, bucket: bucket, prefix: prefix, delimiter: delimiter, startAfter: startAfter,
            pageSize: min(max(pageSize, 1), 1000))
    }

    /// The URL an object is addressed at: path style (`endpoint/bucket/key`) for custom
    /// endpoints, virtual-hosted style (`https://bucket.s3.region.amazonaws.com/key`) on AWS for
    /// DNS-compatible names without dots.
    public func objectURL(bucket: String, key: String) -> String { url(bucket: bucket, key: key) }

    // MARK: Internals

    /// Reads one page of a listing; `nil` token for the first.
    func listPage(
        bucket: String, prefix: String?, delimiter: String?, startAfter: String?, pageSize: Int,
        continuationToken: String?
    ) async throws -> (S3ListPage, String?) {
        var query = [("list-type", "2"), ("max-keys", String(pageSize))]
        if let prefix { query.append(("prefix", prefix)) }
        if let delimiter { query.append(("delimiter", delimiter)) }
        if let startAfter { query.append(("start-after", startAfter)) }
        if let continuationToken { query.append(("continuation-token", continuationToken)) }
        let queryString = query.map { "\($0.0)=\(SigV4Encoding.encode($0.1.utf8))" }.joined(separator: "&")
        let response = try await sender.send(
            HTTPRequest(method: "GET", url: url(bucket: bucket) + "?" + queryString), operation: "ListObjectsV2")
        let root = try XMLElement.parse(response.body)
        let objects = root.children("Contents").map {
            S3ObjectSummary(
                key: $0.value("Key") ?? "", size: Int($0.value("Size") ?? "") ?? 0, eTag: $0.value("ETag") ?? "",
                lastModified: $0.value("LastModified") ?? "")
        }
        let prefixes = root.children("CommonPrefixes").compactMap { $0.value("Prefix") }
        let truncated = root.value("IsTruncated") == "true"
        let next = truncated ? root.value("NextContinuationToken") : nil
        if truncated && next == nil {
            throw AWSError(
                code: .invalidResponse, message: "ListObjectsV2 page is truncated but has no continuation token",
                operation: "ListObjectsV2")
        }
        return (S3ListPage(objects: objects, commonPrefixes: prefixes), next)
    }

    /// The URL of a bucket or an object: path style for custom endpoints and names that are not
    /// DNS-compatible; virtual-hosted style on AWS.
    func url(bucket: String, key: String? = nil) -> String {
        let encodedKey = key.map { "/" + SigV4Encoding.encode($0.utf8, keepSlash: true) } ?? ""
        if let endpoint = configuration.endpoint {
            let host = URLParts(endpoint).authority
            if host.hasSuffix(".amazonaws.com") && Self.isVirtualHostable(bucket) {
                let scheme = URLParts(endpoint).scheme
                return "\(scheme)://\(bucket).\(host)\(encodedKey.isEmpty ? "/" : encodedKey)"
            }
            return "\(endpoint)/\(bucket)\(encodedKey)"
        }
        let host = "s3.\(configuration.region).amazonaws.com"
        if Self.isVirtualHostable(bucket) { return "https://\(bucket).\(host)\(encodedKey.isEmpty ? "/" : encodedKey)" }
        return "https://\(host)/\(bucket)\(encodedKey)"
    }

    /// DNS-compatible and free of dots (a dotted name breaks the TLS wildcard certificate).
    static func isVirtualHostable(_ bucket: String) -> Bool {
        let bytes = Array(bucket.utf8)
        guard (3...63).contains(bytes.count), bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-") else {
            return false
        }
        return bytes.allSatisfy {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                || $0 == UInt8(ascii: "-")
        }
    }

    private func metadata(of response: HTTPResponse) -> S3ObjectMetadata {
        var length = Int(response.header("Content-Length") ?? "") ?? response.body.count
        if let range = response.header("Content-Range"),
            let total = range.split(separator: "/").last.flatMap({ Int($0) })
        {
            length = total
        }
        return S3ObjectMetadata(
            eTag: response.header("ETag"), contentLength: length, contentType: response.header("Content-Type"),
            lastModified: response.header("Last-Modified"))
    }
}

/// Escapes the five XML special characters.
func xmlEscaped(_ text: String) -> String {
    var output = ""
    output.reserveCapacity(text.utf8.count)
    for character in text {
        switch character {
        case "&": output += "&amp;"
        case "<": output += "&lt;"
        case ">": output += "&gt;"
        case "\"": output += "&quot;"
        case "'": output += "&apos;"
        default: output.append(character)
        }
    }
    return output
}

/// A file handle read by one upload at a time (parts are read one after another).
struct SendableFileHandle: @unchecked Sendable {
    let handle: FileHandle

    func read(_ range: Range<Int>) throws -> [UInt8] {
        try handle.seek(toOffset: UInt64(range.lowerBound))
        return Array(try handle.read(upToCount: range.count) ?? Data())
    }
}
