// Measures that a gold refresh costs what its new events cost, not what the history holds:
// the same 10,000 new events applied on top of --small events of history (default 1,000,000)
// and on top of --large (default 10,000,000), in one run.
//
// Each side is its own PostgreSQL schema with the pipeline's migrations. Its history is a
// simulation of 10 stores × 200 products (about 9,600 events a day, so 1,000,000 events are
// about 104 days and 10,000,000 about 1,040), loaded as silver batches of --batch events
// (SilverStore.load, as the silver job does) and applied by GoldJob.refresh after each batch. Then,
// in each of --rounds rounds (≥ 5, sides alternating), the next 10,000 events of each side's
// simulation are loaded as one silver batch and the refresh that applies them is timed: star
// schema, positions, daily snapshots, forecasts and alerts.
//
// ratio = median time on the large history ÷ median time on the small one (target ≤ 1.3; the
// "peer" of the bench line is the same refresh on the small history).
//
// Diagnosis: --keep yes leaves both schemas in the database (their names are printed, with the
// suffix that --reuse SUFFIX takes to measure on them again without rebuilding the history), and
// --explain MS logs, through PostgreSQL's auto_explain, the plan (ANALYZE, BUFFERS) of every
// statement of the measured refreshes that takes MS ms or more, to the server's log
// (.services/postgres/postgres.log). Both are off by default; --explain slows what it explains.
//
// Usage: gold-compare [--database-url URL (DATABASE_URL)] [--rounds N] [--small N] [--large N]
//        [--new N] [--batch N] [--keep yes|no] [--reuse SUFFIX] [--explain MS]
import BenchmarkSupport
import Foundation
import LakehouseCore
import Logging
import PGLite

func say(_ line: String) {
    print(line)
    fflush(nil)
}

let usage =
    "gold-compare [--database-url URL] [--rounds N] [--small N] [--large N] [--new N] [--batch N] [--keep yes|no] [--reuse SUFFIX] [--explain MS]"
let options = CommandOptions.parse(
    defaults: [
        "--database-url": ProcessInfo.processInfo.environment["DATABASE_URL"] ?? "", "--rounds": "5",
        "--small": "1000000", "--large": "10000000", "--new": "10000", "--batch": "1000000", "--keep": "no",
        "--reuse": "", "--explain": "0", "--python": "",
    ], usage: usage)
guard let rounds = Int(options["--rounds"]!), rounds >= 5, let small = Int(options["--small"]!), small > 0,
    let large = Int(options["--large"]!), large > small, let fresh = Int(options["--new"]!), fresh > 0,
    let batchSize = Int(options["--batch"]!), batchSize > 0, !options["--database-url"]!.isEmpty,
    ["yes", "no"].contains(options["--keep"]!), let explainMilliseconds = Int(options["--explain"]!),
    explainMilliseconds >= 0
else {
    CommandOptions.fail(
        "usage: \(usage)\n(--rounds ≥ 5; --large > --small > 0; --keep yes or no; --explain ≥ 0 ms; a database URL)")
}
let keep = options["--keep"] == "yes"
let reuse = options["--reuse"]!

/// One side: a schema, its simulation, and the next silver batch number. Used from one task at a
/// time.
final class Side: @unchecked Sendable {
    let name: String
    let schema: String
    let connection: PGConnection
    var simulator: StoreSimulator
    var pending: [SimulatedRecord] = []
    var batch: Int64 = 0
    var events = 0

    init(name: String, schema: String, connection: PGConnection, seed: UInt64) {
        self.name = name
        self.schema = schema
        self.connection = connection
        simulator = StoreSimulator(
            configuration: SimulationConfiguration(stores: 10, products: 200, days: 100_000, seed: seed))
    }

    /// The next `count` events of the simulation as silver rows.
    func next(_ count: Int) -> [SilverTable.Row] {
        while pending.count < count, let day = simulator.nextDay() { pending += day }
        let taken = pending.prefix(count)
        pending.removeFirst(taken.count)
        return taken.map { record in
            let event = record.event
            return SilverTable.Row(
                event: SilverEvent(
                    transactionID: event.transactionID, productID: event.productID, productName: event.productName,
                    category: event.category, quantity: Int64(event.quantity), unitPriceCents: event.unitPriceCents,
                    totalPriceCents: event.totalPriceCents, eventTime: record.eventTime,
                    eventDate: Int32(record.eventTime / 86_400_000_000),
                    storeID: event.storeID, paymentMethod: event.paymentMethod, clientType: event.clientType,
                    eventType: event.eventType),
                bronzeKey: "bench/\(name)", bronzeLine: Int64(events + 1))
        }
    }

    /// Moves the simulation past the `count` events a kept schema already holds.
    func skip(_ count: Int) {
        while events < count, let day = simulator.nextDay() {
            let needed = count - events
            if day.count <= needed {
                events += day.count
            } else {
                pending = Array(day.dropFirst(needed))
                events += needed
            }
        }
    }

    /// Loads the next `count` events as one silver batch.
    func load(_ count: Int) async throws {
        let rows = next(count)
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
}

let quiet = Logger(label: "gold-compare") { _ in SwiftLogNoOpLogHandler() }
let suffix = reuse.isEmpty ? String(UInt32.random(in: 0...UInt32.max)) : reuse
var sides: [Side] = []
for (name, seed) in [("large", UInt64(7)), ("small", UInt64(8))] {
    let connection = try await PGConnection.connect(configuration: .init(options["--database-url"]!), logger: quiet)
    let schema = "bench_gold_\(name)_\(suffix)"
    if reuse.isEmpty { try await connection.execute("CREATE SCHEMA \(schema)") }
    try await connection.execute("SET search_path TO \(schema)")
    try await PGMigrator(migrations: DatabaseSchema.migrations).migrate(on: connection)
    let side = Side(name: name, schema: schema, connection: connection, seed: seed)
    if !reuse.isEmpty {
        // A kept schema: carry on from where its simulation and silver batches stopped.
        let held = try await connection.query("SELECT count(*), coalesce(max(silver_batch), 0) FROM sales_silver")
        guard try held.rows[0].decode(Int64.self, at: 0) > 0 else {
            CommandOptions.fail("--reuse \(reuse): schema \(schema) is missing or empty")
        }
        side.skip(Int(try held.rows[0].decode(Int64.self, at: 0)))
        side.batch = try held.rows[0].decode(Int64.self, at: 1)
        say("reusing \(schema): \(side.events) events, silver batch \(side.batch)")
    }
    sides.append(side)
}
let (largeSide, smallSide) = (sides[0], sides[1])

/// Drops both schemas (or, with `--keep yes`, says where they are) and closes the connections.
func dropSchemas(_ sides: [Side]) async {
    for side in sides {
        if keep {
            say("kept schema \(side.schema) (\(side.events) events; --reuse \(suffix) measures on it again)")
            await side.connection.close()
            continue
        }
        _ = try? await side.connection.execute("SET client_min_messages TO warning")
        _ = try? await side.connection.execute("DROP SCHEMA \(side.schema) CASCADE")
        await side.connection.close()
    }
}

do {
    for (side, history) in [(smallSide, small), (largeSide, large)] {
        say("history: \(history) events on the \(side.name) side, in silver batches of \(batchSize), gold after each…")
        guard side.events < history else { continue }
        let gold = GoldJob(connection: side.connection, logger: quiet)
        let seconds = try await Timing.timed {
            while side.events < history {
                try await side.load(min(batchSize, history - side.events))
                try await gold.refresh()
            }
            try await side.connection.execute("VACUUM ANALYZE")
        }
        let days = try await side.connection.query("SELECT count(*) FROM dim_date").rows[0].decode(Int64.self, at: 0)
        say("  \(side.events) events over \(days) days in \(Comparison.fixed(seconds, 0)) s")
    }

    if explainMilliseconds > 0 {
        for side in sides {
            try await side.connection.execute("LOAD 'auto_explain'")
            for setting in [
                "log_min_duration = \(explainMilliseconds)", "log_analyze = on", "log_buffers = on",
                "log_nested_statements = on", "log_timing = on",
            ] { try await side.connection.execute("SET auto_explain.\(setting)") }
        }
        say("auto_explain: plans of statements of \(explainMilliseconds) ms or more go to the server's log")
    }
    say("applying \(fresh) new events per round on each side (\(rounds) rounds, sides alternating)")
    var comparison = Comparison(name: "gold-incremental")
    var steps: [String: [String: [Double]]] = [:]  // side → step → ms per round
    func measure(_ side: Side) async throws -> Double {
        try await side.load(fresh)
        let gold = GoldJob(connection: side.connection, logger: quiet)
        var report = GoldJob.Report()
        let seconds = try await Timing.timed { report = try await gold.refresh() }
        for step in report.steps { steps[side.name, default: [:]][step.name, default: []].append(step.seconds * 1000) }
        guard report.rows == fresh else {
            throw DatasetError(message: "the \(side.name) refresh applied \(report.rows) rows, not \(fresh)")
        }
        return seconds * 1000
    }
    say("round  large ms  small ms")
    for round in 1...rounds {
        let measured = try await Comparison.alternate(
            round: round, ours: { try await measure(largeSide) }, peer: { try await measure(smallSide) })
        comparison.record(measured)
        say("\(round)      \(Comparison.fixed(measured.ours, 1))    \(Comparison.fixed(measured.peer, 1))")
    }
    for side in [largeSide, smallSide] {
        let order = ["stage", "dimensions", "facts", "positions", "snapshots", "stock model"]
        let medians = order.compactMap { name in
            steps[side.name]?[name].map { "\(name) \(Comparison.fixed(Statistics.median($0), 1))" }
        }
        say("\(side.name) side, median ms per step: " + medians.joined(separator: ", "))
    }
    await dropSchemas(sides)
    say(
        comparison.summary(
            unit: "ms", digits: 1, peerName: "same-refresh-on-\(small)-events",
            extra: [
                ("history_large", String(largeSide.events - rounds * fresh)),
                ("history_small", String(smallSide.events - rounds * fresh)),
                ("new_events", String(fresh)),
            ]))
} catch {
    await dropSchemas(sides)
    throw error
}
