import AWSLite
import Logging
import PGLite

/// Compares an ``Infrastructure`` with what exists and makes it so: creates missing buckets and
/// the stream, reshards the stream to its shard count, applies pending migrations. Applying
/// twice changes nothing the second time.
public struct Provisioner: Sendable {
    private let s3: S3Client
    private let kinesis: KinesisClient
    private let database: PGConnection
    private let logger: Logger

    /// A provisioner working through the given clients.
    public init(s3: S3Client, kinesis: KinesisClient, database: PGConnection, logger: Logger) {
        self.s3 = s3
        self.kinesis = kinesis
        self.database = database
        self.logger = logger
    }

    /// What ``apply(_:)`` would change now, in the order it would; empty when nothing differs.
    ///
    /// - Throws: ``AWSError`` or ``PGError`` when what exists cannot be read (other than "not found").
    public func plan(_ infrastructure: Infrastructure) async throws -> [ProvisionChange] {
        var changes: [ProvisionChange] = []
        for bucket in infrastructure.buckets where !(try await bucketExists(bucket)) {
            changes.append(.createBucket(bucket))
        }
        if let shards = try await openShards(infrastructure.stream) {
            if shards != infrastructure.shardCount {
                changes.append(.reshardStream(infrastructure.stream, from: shards, to: infrastructure.shardCount))
            }
        } else {
            changes.append(.createStream(infrastructure.stream, shardCount: infrastructure.shardCount))
        }
        let migrator = try PGMigrator(migrations: infrastructure.migrations)
        changes += try await migrator.pending(on: database).map { .applyMigration($0) }
        for (bucket, rule) in infrastructure.lifecycle.sorted(by: { $0.key < $1.key }) {
            // A bucket created by this plan has no rule yet.
            let existing = changes.contains(.createBucket(bucket)) ? [] : try await s3.bucketLifecycle(bucket: bucket)
            if existing.first(where: { $0.id == rule.id }) != rule { changes.append(.setLifecycle(bucket, rule)) }
        }
        return changes
    }

    /// Makes what exists match `infrastructure`; returns the changes made (empty when there were
    /// none). Safe to run concurrently with itself: creating what another run created counts as
    /// done, and migrations apply once under an advisory lock.
    ///
    /// - Throws: ``AWSError`` or ``PGError`` from the first change that fails; the changes before
    ///   it stay made, and running again continues from there.
    @discardableResult
    public func apply(_ infrastructure: Infrastructure) async throws -> [ProvisionChange] {
        var made: [ProvisionChange] = []
        var migrated = false
        for change in try await plan(infrastructure) {
            switch change {
            case .createBucket(let bucket):
                try await s3.createBucket(bucket)
            case .createStream(let stream, let shards):
                try await kinesis.createStream(stream, shardCount: shards)
                try await kinesis.waitUntilActive(stream)
            case .reshardStream(let stream, _, let shards):
                try await kinesis.waitUntilActive(stream)
                try await kinesis.updateShardCount(stream, targetShardCount: shards)
                try await kinesis.waitUntilActive(stream)
            case .setLifecycle(let bucket, let rule):
                let others = try await s3.bucketLifecycle(bucket: bucket).filter { $0.id != rule.id }
                try await s3.putBucketLifecycle(bucket: bucket, rules: others + [rule])
            case .applyMigration:
                // All pending migrations apply together, in order, at the first of them.
                guard !migrated else { continue }
                migrated = true
                let applied = try await PGMigrator(migrations: infrastructure.migrations).migrate(on: database)
                for name in applied { logger.info("provisioned", metadata: ["change": "apply migration \(name)"]) }
                made += applied.map { .applyMigration($0) }
                continue
            }
            logger.info("provisioned", metadata: ["change": "\(change)"])
            made.append(change)
        }
        return made
    }

    private func bucketExists(_ bucket: String) async throws -> Bool {
        do {
            try await s3.headBucket(bucket)
            return true
        } catch let error as AWSError where error.httpStatus == 404 {
            return false
        }
    }

    private func openShards(_ stream: String) async throws -> Int? {
        do {
            return try await kinesis.describeStreamSummary(stream).openShardCount
        } catch let error as AWSError where error.code.rawValue == "ResourceNotFoundException" {
            return nil
        }
    }
}
