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

    /// Describes infrastructure explicitly.
    public init(buckets: [String], stream: String, shardCount: Int, migrations: [PGMigration]) {
        self.buckets = buckets
        self.stream = stream
        self.shardCount = shardCount
        self.migrations = migrations
    }

    /// The pipeline's infrastructure for `configuration`: its three buckets, its stream with
    /// `shardCount` shards (default 4), and ``DatabaseSchema/migrations``.
    public static func standard(_ configuration: LakehouseConfiguration, shardCount: Int = 4) -> Infrastructure {
        Infrastructure(
            buckets: [configuration.buckets.bronze, configuration.buckets.silver, configuration.buckets.gold],
            stream: configuration.kinesisStream, shardCount: shardCount, migrations: DatabaseSchema.migrations)
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

    /// The change as `provision plan` prints it: `create bucket lakehouse-bronze`.
    public var description: String {
        switch self {
        case .createBucket(let bucket): "create bucket \(bucket)"
        case .createStream(let stream, let shards): "create stream \(stream) with \(shards) shards"
        case .reshardStream(let stream, let from, let to): "reshard stream \(stream) from \(from) to \(to) shards"
        case .applyMigration(let name): "apply migration \(name)"
        }
    }
}
