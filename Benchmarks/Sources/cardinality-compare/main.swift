// Measures that a gold refresh costs what its new events touch, not how many items the chain
// has (--into-day 0.5: the history also holds the first half of the next day, so that the measured
// refreshes are a day's ordinary ones rather than each store's first of the day, which closes its
// previous review and drafts the new one for all of its items): the same 10,000 new events applied at 2,000 store × product items (10 stores × 200
// products) and at 500,000 (100 stores × 5,000 products, each product selling a twentieth as much,
// so that events per item stay those of a real chain), with the same --days of history, in one run.
//
// Each side is its own PostgreSQL schema with the pipeline's migrations. Its history is its
// simulation's first --days days, loaded a day at a time as a silver batch (SilverStore.load, as
// the silver job does) and applied by GoldJob.refresh after each. Then, in each of --rounds
// rounds (≥ 5, sides alternating), the next 10,000 events of each side's simulation are loaded as
// one silver batch and the refresh that applies them is timed (after a VACUUM ANALYZE and a
// CHECKPOINT of the history, so that both sides start clean). The process's resident memory is
// sampled every 5 ms during each measured refresh: its peak above the level before is the
// refresh's memory (the stock model, forecasts and reviews run in this process).
//
// bench item-cardinality ratio = median refresh at 2,000 items ÷ median at 500,000 (the issue's
// target: ≥ 1 / 1.5 = 0.67), ours = the 500,000-item refresh, peer = the 2,000-item one.
//
// Usage: cardinality-compare [--database-url URL (DATABASE_URL)] [--rounds N] [--days N] [--new N]
//        [--large-stores N] [--large-products N] [--large-demand X] [--into-day F] [--keep yes|no]
import BenchmarkSupport
import Foundation
import LakehouseCore
import Logging
import PGLite
import Synchronization

func say(_ line: String) {
    print(line)
    fflush(nil)
}

let usage =
    "cardinality-compare [--database-url URL] [--rounds N] [--days N] [--new N] [--large-stores N] [--large-products N] [--large-demand X] [--keep yes|no]"
let options = CommandOptions.parse(
    defaults: [
        "--database-url": ProcessInfo.processInfo.environment["DATABASE_URL"] ?? "", "--rounds": "5", "--days": "3",
        "--new": "10000", "--large-stores": "100", "--large-products": "5000", "--large-demand": "0.05",
        "--keep": "no", "--python": "", "--into-day": "0.5",
    ], usage: usage)
guard let rounds = Int(options["--rounds"]!), rounds >= 5, let days = Int(options["--days"]!), days > 0,
    let fresh = Int(options["--new"]!), fresh > 0, let largeStores = Int(options["--large-stores"]!),
    largeStores > 0, let largeProducts = Int(options["--large-products"]!), largeProducts > 0,
    let largeDemand = Double(options["--large-demand"]!), largeDemand > 0, !options["--database-url"]!.isEmpty,
    ["yes", "no"].contains(options["--keep"]!), let intoDay = Double(options["--into-day"]!), (0..<1).contains(intoDay)
else {
    CommandOptions.fail("usage: \(usage)\n(--rounds ≥ 5; --days, --new, sizes and demand > 0; a database URL)")
}

/// The process's resident memory in bytes (`VmRSS` of /proc/self/status).
func residentBytes() -> Int { ProcessMemory.statusBytes("VmRSS") ?? 0 }

/// One side: a schema and its simulation. Used from one task at a time.
final class Side: @unchecked Sendable {
    let name: String
    let schema: String
    let connection: PGConnection
    let items: Int
    var simulator: StoreSimulator
    var pending: [SimulatedRecord] = []
    var batch: Int64 = 0
    var events = 0

    init(name: String, schema: String, connection: PGConnection, chain: SimulationConfiguration) {
        self.name = name
        self.schema = schema
        self.connection = connection
        items = chain.stores * chain.products
        simulator = StoreSimulator(configuration: chain)
    }

    static func row(_ record: SimulatedRecord, line: Int, name: String) -> SilverTable.Row {
        let event = record.event
        return SilverTable.Row(
            event: SilverEvent(
                transactionID: event.transactionID, productID: event.productID, productName: event.productName,
                category: event.category, quantity: Int64(event.quantity), unitPriceCents: event.unitPriceCents,
                totalPriceCents: event.totalPriceCents, eventTime: record.eventTime,
                eventDate: Int32(record.eventTime / 86_400_000_000), storeID: event.storeID,
                paymentMethod: event.paymentMethod, clientType: event.clientType, eventType: event.eventType),
            bronzeKey: "bench/\(name)", bronzeLine: Int64(line))
    }

    /// Loads `records` as one silver batch.
    func load(_ records: [SimulatedRecord]) async throws {
        let rows = records.enumerated().map { Self.row($1, line: events + $0 + 1, name: name) }
        batch += 1
        var counts = SilverStore.BatchCounts()
        counts.objects = 1
        counts.input = rows.count
        counts.valid = rows.count
        _ = try await SilverStore(connection: connection).load(
            batch: batch, rows: rows, quarantined: [], objects: ["bench/\(name)/\(batch)": "etag"], counts: counts,
            deltaVersion: nil)
        events += rows.count
    }

    /// The next simulated day, loaded as one batch; `false` after the last.
    func loadDay() async throws -> Bool {
        guard let day = simulator.nextDay() else { return false }
        try await load(day)
        return true
    }

    /// The next `count` events, loaded as one batch.
    func loadNext(_ count: Int) async throws {
        while pending.count < count, let day = simulator.nextDay() { pending += day }
        let taken = Array(pending.prefix(count))
        pending.removeFirst(taken.count)
        try await load(taken)
    }
}

let quiet = Logger(label: "cardinality-compare") { _ in SwiftLogNoOpLogHandler() }
let suffix = String(UInt32.random(in: 0...UInt32.max))
var sides: [Side] = []
for (name, stores, products, demand) in [
    ("large", largeStores, largeProducts, largeDemand), ("small", 10, 200, 1.0),
] {
    let connection = try await PGConnection.connect(configuration: .init(options["--database-url"]!), logger: quiet)
    let schema = "bench_items_\(name)_\(suffix)"
    try await connection.execute("CREATE SCHEMA \(schema)")
    try await connection.execute("SET search_path TO \(schema)")
    try await PGMigrator(migrations: DatabaseSchema.migrations).migrate(on: connection)
    var chain = SimulationConfiguration(stores: stores, products: products, days: 100_000, seed: 11)
    chain.demandScale = demand
    sides.append(Side(name: name, schema: schema, connection: connection, chain: chain))
}
let (largeSide, smallSide) = (sides[0], sides[1])

@MainActor func dropSchemas() async {
    for side in sides {
        if options["--keep"] == "yes" {
            say("kept schema \(side.schema)")
        } else {
            _ = try? await side.connection.execute("SET client_min_messages TO warning")
            _ = try? await side.connection.execute("DROP SCHEMA \(side.schema) CASCADE")
        }
        await side.connection.close()
    }
}

do {
    for side in [smallSide, largeSide] {
        say(
            "history: \(days) days of \(side.items) items on the \(side.name) side, a silver batch and a refresh a day…"
        )
        let gold = GoldJob(connection: side.connection, logger: quiet)
        let seconds = try await Timing.timed {
            for _ in 0..<days {
                guard try await side.loadDay() else { break }
                try await gold.refresh()
            }
            // Into the next day, so that the measured refreshes are a day's ordinary ones: the
            // first refresh of a store's day also closes its previous review and drafts the new
            // one for every item of the store, once a day.
            if intoDay > 0, let next = side.simulator.nextDay() {
                let morning = Int((Double(next.count) * intoDay).rounded())
                try await side.load(Array(next.prefix(morning)))
                side.pending = Array(next.dropFirst(morning))
                try await gold.refresh()
            }
            try await side.connection.execute("VACUUM ANALYZE")
            // The history's pages written out now, so that the checkpoint its load started does
            // not write them during the measured rounds, whichever side it happens to slow (a role that
            // may not checkpoint skips it).
            _ = try? await side.connection.execute("CHECKPOINT")  // needs superuser or pg_checkpoint
        }
        say("  \(side.events) events (\(side.events / max(1, days)) a day) in \(Comparison.fixed(seconds, 0)) s")
    }
    say("applying \(fresh) new events per round on each side (\(rounds) rounds, sides alternating)")
    var times: [String: [Double]] = [:]
    var memory: [String: [Double]] = [:]
    var steps: [String: [String: [Double]]] = [:]
    func measure(_ side: Side) async throws -> Double {
        try await side.loadNext(fresh)
        let gold = GoldJob(connection: side.connection, logger: quiet)
        let before = residentBytes()
        let peak = Mutex(before)
        let sampler = Task {
            while !Task.isCancelled {
                let now = residentBytes()
                peak.withLock { $0 = max($0, now) }
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
        var report = GoldJob.Report()
        let seconds = try await Timing.timed { report = try await gold.refresh() }
        sampler.cancel()
        memory[side.name, default: []].append(Double(peak.withLock { $0 } - before) / 1_048_576)
        for step in report.steps { steps[side.name, default: [:]][step.name, default: []].append(step.seconds * 1000) }
        guard report.rows == fresh else {
            throw DatasetError(message: "the \(side.name) refresh applied \(report.rows) rows, not \(fresh)")
        }
        times[side.name, default: []].append(seconds * 1000)
        return seconds * 1000
    }
    say("round  500k-items ms  2k-items ms")
    for round in 1...rounds {
        let measured = try await Comparison.alternate(
            round: round, ours: { try await measure(largeSide) }, peer: { try await measure(smallSide) })
        say("\(round)      \(Comparison.fixed(measured.ours, 1))        \(Comparison.fixed(measured.peer, 1))")
    }
    for side in [largeSide, smallSide] {
        let medians = (steps[side.name] ?? [:]).sorted { $0.key < $1.key }.map {
            "\($0.key) \(Comparison.fixed(Statistics.median($0.value), 1))"
        }
        say("\(side.name) side (\(side.items) items), median ms per step: " + medians.joined(separator: ", "))
    }
    await dropSchemas()
    let large = Statistics.median(times["large"] ?? [])
    let small = Statistics.median(times["small"] ?? [])
    say(
        "bench item-cardinality ratio=\(Comparison.fixed(small / large, 2)) ours=\(Comparison.fixed(large, 1))ms "
            + "peer=\(Comparison.fixed(small, 1))ms peer_name=same-refresh-at-\(smallSide.items)-items "
            + "items=\(largeSide.items) new_events=\(fresh) history_days=\(days) into_day=\(intoDay) "
            + "refresh_memory_mb=\(Comparison.fixed(Statistics.median(memory["large"] ?? []), 1)) "
            + "peer_refresh_memory_mb=\(Comparison.fixed(Statistics.median(memory["small"] ?? []), 1))")
} catch {
    await dropSchemas()
    throw error
}
