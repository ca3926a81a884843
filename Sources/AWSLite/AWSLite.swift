/// AWSLite talks to AWS services (and S3/Kinesis-compatible endpoints such as LocalStack and
/// moto) over libcurl: ``S3Client`` and ``KinesisClient``, signed with ``SigV4Signer``, retried
/// by ``RetryPolicy``, configured by ``AWSClientConfiguration`` as the AWS SDKs do.
///
/// AWSLite depends only on libcurl, swift-crypto and swift-log, so it can be used by any Swift
/// project on its own. See the AWSLite documentation catalog's getting-started guide.
public enum AWSLite {
    /// The version of the AWSLite library, following semantic versioning.
    ///
    /// See the AWSLite section of CHANGELOG.md for what each version changed.
    public static let version = "0.3.0"
}
