import Foundation
import PGLite

extension Pipeline {
    /// What `lakehouse run` reads and writes, and how it paces itself.
    public struct Configuration: Sendable, Hashable {
        /// How ingest reads (stream, bronze bucket, flush limits).
        public var ingest: IngestJob.Configuration
        /// How silver batches (buckets, batch size, poison limit).
        public var silver: SilverJob.Configuration
        /// How long a process may be silent before another takes its shards (default 10 s).
        /// Leases last 70 % of it and are renewed every fifth of it; free leases are looked
        /// for every tenth, so a dead process's shards are taken within it.
        public var failoverTime: Duration = .seconds(10)
        /// How often silver looks for bronze objects that other processes wrote (default 5 s);
        /// this process's own objects start a silver batch at once.
        public var silverPollInterval: Duration = .seconds(5)
        /// Stop once every shard this process can hold is drained and silver and gold have
        /// nothing left (default `false`: run until stopped); the same setting as
        /// `ingest.untilCaughtUp`.
        public var untilCaughtUp: Bool {
            get { ingest.untilCaughtUp }
            set { ingest.untilCaughtUp = newValue }
        }
        /// The first pause after a stage fails (silver and gold, a shard's reader, or the lease
        /// coordination), doubled after each further failure in a row up to ``retryMaximum``
        /// (default 1 s).
        public var retryInitial: Duration = .seconds(1)
        /// The longest pause between retries of a failing stage (default 30 s).
        public var retryMaximum: Duration = .seconds(30)
        /// This process's id in leases and run history (default `host:pid:random`).
        public var worker: String
        /// How silver's tables are compacted and vacuumed (target file size, retentions).
        public var maintenance: SilverMaintenance.Configuration
        /// How long PostgreSQL keeps what grows (applied with each maintenance run); without a
        /// gold bucket (the default) fact months are never dropped.
        public var retention = RetentionPolicy(goldBucket: nil)
        /// How often maintenance runs (``SilverMaintenance``; default every hour, the first an
        /// interval after the start; `nil`: never). One process at a time runs it: the others
        /// skip their turn while one does.
        public var maintenanceInterval: Duration? = .seconds(3600)
        /// How alerts are delivered to webhook endpoints (``WebhookDeliverer``); `nil`: this
        /// process delivers none (another one, or `lakehouse webhooks deliver`, does). Deliveries
        /// are written by gold either way.
        public var webhooks: WebhookDeliverer.Configuration? = WebhookDeliverer.Configuration()

        /// Reads `stream` into `bronzeBucket` and cleans it into `silverBucket`, with every other
        /// setting at its default (those of ``IngestJob/Configuration`` and
        /// ``SilverJob/Configuration`` too) and a new ``worker`` id from ``defaultWorker()``.
        public init(stream: String, bronzeBucket: String, silverBucket: String) {
            ingest = IngestJob.Configuration(stream: stream, bucket: bronzeBucket)
            silver = SilverJob.Configuration(bronzeBucket: bronzeBucket, silverBucket: silverBucket)
            worker = Self.defaultWorker()
            maintenance = SilverMaintenance.Configuration(silverBucket: silverBucket)
        }

        /// `host:pid:xxxx`.
        public static func defaultWorker() -> String {
            let suffix = String(UInt16.random(in: 0...UInt16.max), radix: 16)
            return "\(ProcessInfo.processInfo.hostName):\(getpid()):\(suffix)"
        }

        var leaseDuration: Duration { failoverTime * 7 / 10 }

        /// This process's view of the stream's leases, through `connection`.
        func leaseTable(_ connection: PGConnection) -> ShardLeaseTable {
            ShardLeaseTable(connection: connection, stream: ingest.stream, worker: worker, duration: leaseDuration)
        }
        var renewInterval: Duration { failoverTime / 5 }
        var takeInterval: Duration { failoverTime / 10 }

        /// The pause after `failures` failures in a row.
        func backoff(after failures: Int) -> Duration {
            guard failures > 0 else { return .zero }
            var pause = retryInitial
            for _ in 1..<min(failures, 16) { pause = min(pause * 2, retryMaximum) }
            return min(pause, retryMaximum)
        }
    }
}
