import PGLite

/// What the pipeline needs to exist — our replacement for the original project's Terraform:
/// the buckets, the Kinesis stream and the PostgreSQL schema, described as data.
/// ``Provisioner`` compares it with what exists and makes it so.
public struct Infrastructure: Sendable, Hashable {
    /// Buckets that must exist (bronze, silver, gold).
    public var buckets: [String]
    /// The stream and its number of open shards.
    public var stream: String
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
    case createBucket(String)
    case createStream(String, shardCount: Int)
    case reshardStream(String, from: Int, to: Int)
    case applyMigration(String)

    public var description: String {
        switch self {
        case .createBucket(let bucket): "create bucket \(bucket)"
        case .createStream(let stream, let shards): "create stream \(stream) with \(shards) shards"
        case .reshardStream(let stream, let from, let to): "reshard stream \(stream) from \(from) to \(to) shards"
        case .applyMigration(let name): "apply migration \(name)"
        }
    }
}
