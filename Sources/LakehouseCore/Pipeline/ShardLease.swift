/// One shard's lease as ``ShardLeaseTable`` reads it.
public struct ShardLease: Sendable, Hashable {
    /// The Kinesis shard the lease is for.
    public var shardID: String
    /// The process holding it (`nil` when released or never taken).
    public var owner: String?
    /// Grows at every take and renewal: a taker takes only the lease it saw.
    public var counter: Int64
    /// Whether the lease is unexpired, by the server's clock.
    public var isLive: Bool
    /// The shards it was split or merged from.
    public var parentShardIDs: [String]
    /// Whether the shard was read to its end (its checkpoint says so).
    public var isEnded: Bool
    /// How far behind the shard's tip its owner's last read was (Kinesis's `MillisBehindLatest`),
    /// as recorded at a lease renewal; `nil` when none was recorded since the lease was taken.
    public var lagMilliseconds: Int64?
    /// Seconds since ``lagMilliseconds`` was recorded, by the server's clock: up to a renewal
    /// interval after the read itself (`nil` with it).
    public var secondsSinceRead: Double?

    /// A lease as read from `shard_lease`; the defaults describe a shard with no parents, not
    /// ended, and no lag recorded.
    public init(
        shardID: String, owner: String?, counter: Int64, isLive: Bool, parentShardIDs: [String] = [],
        isEnded: Bool = false, lagMilliseconds: Int64? = nil, secondsSinceRead: Double? = nil
    ) {
        self.shardID = shardID
        self.owner = owner
        self.counter = counter
        self.isLive = isLive
        self.parentShardIDs = parentShardIDs
        self.isEnded = isEnded
        self.lagMilliseconds = lagMilliseconds
        self.secondsSinceRead = secondsSinceRead
    }

    /// Held by a live process.
    public var isHeld: Bool { owner != nil && isLive }
}

/// Decides which leases a process takes: its fair share of the shards that can be read now, free
/// ones first, and when none is free, at most one stolen from the process that holds the most —
/// only while that process holds more than its share.
///
/// A shard can be read when it has not ended and every parent it names has ended (or is no
/// longer known). The share is ⌈readable shards ÷ live processes⌉.
package enum LeaseBalancer {
    /// What to take.
    package struct Plan: Sendable, Hashable {
        /// Free leases (never taken, released or expired) to take, with the counters seen.
        package var take: [ShardLease] = []
        /// A live lease to steal, with the counter seen.
        package var steal: ShardLease?

        /// Nothing to take.
        package init(take: [ShardLease] = [], steal: ShardLease? = nil) {
            self.take = take
            self.steal = steal
        }
    }

    /// The shards that can be read now.
    package static func readable(_ leases: [ShardLease]) -> [ShardLease] {
        let byID = Dictionary(leases.map { ($0.shardID, $0) }, uniquingKeysWith: { first, _ in first })
        return leases.filter { lease in
            !lease.isEnded && lease.parentShardIDs.allSatisfy { byID[$0]?.isEnded ?? true }
        }
    }

    /// The share of one of `workers` live processes.
    package static func share(readable: Int, workers: Int) -> Int {
        let workers = max(1, workers)
        return (readable + workers - 1) / workers
    }

    /// What `worker` should take, given every lease of the stream and the number of live
    /// processes (at least 1: this one).
    package static func plan(leases: [ShardLease], worker: String, workers: Int) -> Plan {
        let readable = readable(leases).sorted { $0.shardID < $1.shardID }
        let target = share(readable: readable.count, workers: workers)
        let held = readable.filter { $0.isHeld && $0.owner == worker }.count
        var plan = Plan()
        guard held < target else { return plan }
        plan.take = Array(readable.filter { !$0.isHeld }.prefix(target - held))
        guard plan.take.isEmpty else { return plan }
        var counts: [String: Int] = [:]
        for lease in readable where lease.isHeld { counts[lease.owner!, default: 0] += 1 }
        // The busiest other process; ties go to the smallest id, so every taker picks the same.
        guard
            let (victim, count) = counts.filter({ $0.key != worker }).max(by: {
                $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key
            }), count > target
        else { return plan }
        plan.steal = readable.last { $0.owner == victim && $0.isHeld }
        return plan
    }
}
