import LakehouseCore
import Testing

@Suite("LeaseBalancer: fair shares, free leases first, one steal at a time, children after parents")
struct LeaseBalancerTests {
    static func leases(_ owners: [String?], live: Bool = true) -> [ShardLease] {
        owners.enumerated().map { index, owner in
            ShardLease(shardID: "shard-\(index)", owner: owner, counter: Int64(index), isLive: owner != nil && live)
        }
    }

    @Test("alone, a process takes every free lease")
    func alone() {
        let plan = LeaseBalancer.plan(leases: Self.leases(Array(repeating: nil, count: 8)), worker: "A", workers: 1)
        #expect(plan.take.map(\.shardID) == (0..<8).map { "shard-\($0)" })
        #expect(plan.steal == nil)
    }

    @Test("a second process steals one lease at a time from the busiest, until both hold their share")
    func stealing() {
        var leases = Self.leases(Array(repeating: "A", count: 8))
        var steals = 0
        while let steal = LeaseBalancer.plan(leases: leases, worker: "B", workers: 2).steal {
            #expect(steal.owner == "A")
            leases[leases.firstIndex { $0.shardID == steal.shardID }!].owner = "B"
            steals += 1
            #expect(steals <= 4)
        }
        #expect(steals == 4)
        #expect(leases.filter { $0.owner == "A" }.count == 4)
        // A, at its share, takes nothing back.
        #expect(LeaseBalancer.plan(leases: leases, worker: "A", workers: 2) == LeaseBalancer.Plan())
    }

    @Test("an odd count: the share is rounded up, and nobody steals below it")
    func oddCount() {
        var leases = Self.leases(["A", "A", "A", "A", "A", "A", "A"])
        while let steal = LeaseBalancer.plan(leases: leases, worker: "B", workers: 2).steal {
            leases[leases.firstIndex { $0.shardID == steal.shardID }!].owner = "B"
        }
        #expect(leases.filter { $0.owner == "A" }.count == 4)
        #expect(leases.filter { $0.owner == "B" }.count == 3)
    }

    @Test("expired leases are free: taken before anything is stolen, up to the share")
    func expired() {
        var leases = Self.leases(["A", "A", "A", "A", "C", "C", "C", "C"])
        for index in 4..<8 { leases[index].isLive = false }  // C died
        let plan = LeaseBalancer.plan(leases: leases, worker: "B", workers: 2)
        #expect(plan.take.map(\.shardID) == ["shard-4", "shard-5", "shard-6", "shard-7"])
        #expect(plan.take.allSatisfy { $0.counter >= 4 }, "the counters seen go with the take")
        #expect(plan.steal == nil)
        let three = LeaseBalancer.plan(leases: leases, worker: "B", workers: 3)
        #expect(three.take.count == 3)
    }

    @Test("a child shard waits until every parent has ended; ended shards are not leased")
    func children() {
        var leases = Self.leases([nil, nil, nil])
        leases[1].parentShardIDs = ["shard-0"]
        leases[2].parentShardIDs = ["shard-0", "gone"]
        #expect(LeaseBalancer.readable(leases).map(\.shardID) == ["shard-0"])
        leases[0].isEnded = true
        #expect(LeaseBalancer.readable(leases).map(\.shardID) == ["shard-1", "shard-2"])
        let plan = LeaseBalancer.plan(leases: leases, worker: "A", workers: 1)
        #expect(plan.take.map(\.shardID) == ["shard-1", "shard-2"])
    }

    @Test("shares", arguments: [(8, 1, 8), (8, 2, 4), (7, 2, 4), (8, 3, 3), (2, 4, 1), (0, 2, 0)])
    func share(readable: Int, workers: Int, expected: Int) {
        #expect(LeaseBalancer.share(readable: readable, workers: workers) == expected)
    }
}
