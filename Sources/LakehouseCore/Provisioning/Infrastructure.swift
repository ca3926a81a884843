import AWSLite
import PGLite

/// What the pipeline needs to exist — our replacement for the original project's Terraform:
/// the buckets, the Kinesis stream and the PostgreSQL schema, described as data.
/// ``Provisioner`` compares it with what exists and makes it so.
public struct Infrastructure: Sendable, Hashable {
    /// Buckets that must exist (bronze, silver, gold).
    public var buckets: [String]
    /// The Kinesis stream of POS events (`KINESIS_STREAM`).
    public var stream: String
    /// The stream's number of open shards; an existing stream with another count is resharded.
    public var shardCount: Int
    /// The database schema, as ordered migrations (applied once each).
    public var migrations: [PGMigration]
    /// Lifecycle rules by bucket: each bucket's rule of that id is made to match (other rules
    /// of the bucket are kept).
    public var lifecycle: [String: S3LifecycleRule]

    /// Describes infrastructure explicitly.
    public init(
        buckets: [String], stream: String, shardCount: Int, migrations: [PGMigration],
        lifecycle: [String: S3LifecycleRule] = [:]
    ) {
        self.buckets = buckets
        self.stream = stream
        self.shardCount = shardCount
        self.migrations = migrations
        self.lifecycle = lifecycle
    }

    /// The pipeline's infrastructure for `configuration`: its three buckets, its stream with
    /// `shardCount` shards (default 4), ``DatabaseSchema/migrations``, and `bronzeLifecycle` on
    /// the bronze bucket (default ``bronzeLifecycle(expirationDays:transitionDays:storageClass:)``
    /// with its defaults: bronze expires after 400 days; `nil`: no rule).
    public static func standard(
        _ configuration: LakehouseConfiguration, shardCount: Int = 4,
        bronzeLifecycle: S3LifecycleRule? = bronzeLifecycle()
    ) -> Infrastructure {
        Infrastructure(
            buckets: [configuration.buckets.bronze, configuration.buckets.silver, configuration.buckets.gold],
            stream: configuration.kinesisStream, shardCount: shardCount, migrations: DatabaseSchema.migrations,
            lifecycle: bronzeLifecycle.map { [configuration.buckets.bronze: $0] } ?? [:])
    }

    /// The bronze bucket's rule (`lakehouse-bronze`, on `sales_data/`): objects move to
    /// `storageClass` after `transitionDays` (when both are given) and expire after
    /// `expirationDays` (default 400, as long as silver's bookkeeping keeps them:
    /// ``RetentionPolicy/manifestDays``; a backfill needs bronze).
    public static func bronzeLifecycle(
        expirationDays: Int? = 400, transitionDays: Int? = nil, storageClass: String? = nil
    ) -> S3LifecycleRule {
        S3LifecycleRule(
            id: "lakehouse-bronze", prefix: "sales_data/", transitionDays: transitionDays,
            transitionStorageClass: transitionDays == nil ? nil : storageClass, expirationDays: expirationDays)
    }
}

/// One difference between what exists and what an ``Infrastructure`` describes.
public enum ProvisionChange: Sendable, Hashable, CustomStringConvertible {
    /// Create the S3 bucket of that name.
    case createBucket(String)
    /// Create the Kinesis stream of that name with `shardCount` shards.
    case createStream(String, shardCount: Int)
    /// Change the stream's open shard count from `from` to `to` (Kinesis `UpdateShardCount`).
    case reshardStream(String, from: Int, to: Int)
    /// Apply the pending migration of that name to the PostgreSQL schema.
    case applyMigration(String)
    /// Set the bucket's lifecycle rule of that id.
    case setLifecycle(String, S3LifecycleRule)

    /// The change as `provision plan` prints it: `create bucket lakehouse-bronze`.
    public var description: String {
        switch self {
        case .createBucket(let bucket): "create bucket \(bucket)"
        case .createStream(let stream, let shards): "create stream \(stream) with \(shards) shards"
        case .reshardStream(let stream, let from, let to): "reshard stream \(stream) from \(from) to \(to) shards"
        case .applyMigration(let name): "apply migration \(name)"
        case .setLifecycle(let bucket, let rule): "set lifecycle rule \(rule.id) of bucket \(bucket) (\(rule))"
        }
    }
}
