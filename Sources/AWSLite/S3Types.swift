/// What `putObject` did.
public enum S3PutOutcome: Sendable, Hashable {
    /// The object was stored; its ETag as S3 returned it (quoted).
    case stored(eTag: String)
    /// `ifNoneMatch` was set and the key already existed (HTTP 412): nothing was written.
    case preconditionFailed
}

/// An object's metadata, from HEAD or GET.
public struct S3ObjectMetadata: Sendable, Hashable {
    /// The ETag, quoted as S3 returns it.
    public var eTag: String?
    /// The size of the whole object in bytes (for a ranged GET, of the object, not the range).
    public var contentLength: Int
    /// The `Content-Type`.
    public var contentType: String?
    /// The `Last-Modified` header as sent (an HTTP date).
    public var lastModified: String?
}

/// An object's bytes and metadata.
public struct S3Object: Sendable {
    /// The bytes (of the requested range, when one was given).
    public var body: [UInt8]
    /// The metadata.
    public var metadata: S3ObjectMetadata
}

/// One object of a listing.
public struct S3ObjectSummary: Sendable, Hashable {
    /// The key.
    public var key: String
    /// The size in bytes.
    public var size: Int
    /// The ETag, quoted.
    public var eTag: String
    /// When it was last modified, ISO 8601 as S3 sends it.
    public var lastModified: String
}

/// One page of a `ListObjectsV2` listing.
public struct S3ListPage: Sendable, Hashable {
    /// The objects of this page, in key order.
    public var objects: [S3ObjectSummary]
    /// With a delimiter: the common prefixes ("folders") of this page.
    public var commonPrefixes: [String]
}

/// A key `deleteObjects` could not delete, with S3's reason.
public struct S3DeleteFailure: Sendable, Hashable {
    /// The key.
    public var key: String
    /// S3's error code (`AccessDenied`).
    public var code: String
    /// S3's message.
    public var message: String
}
