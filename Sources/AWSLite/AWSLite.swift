/// AWSLite talks to AWS services (and S3/Kinesis-compatible endpoints such as LocalStack and
/// moto) over libcurl.
///
/// This release provides the HTTP layer (``HTTPClient``) that the S3 and Kinesis clients are
/// built on, and ``Libcurl`` for what the linked libcurl supports. AWSLite depends only on
/// libcurl and swift-log, so it can be used by any Swift project on its own.
public enum AWSLite {
    /// The version of the AWSLite library, following semantic versioning.
    ///
    /// See the AWSLite section of CHANGELOG.md for what each version changed.
    public static let version = "0.1.0"
}
