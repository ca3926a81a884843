import AWSLite
import Foundation
import LakehouseCore
import LakehouseTestSupport
import PGLite
import Synchronization
import Testing

/// The live closed loop: simulated stores send their day through Kinesis, the real pipeline
/// (`lakehouse run`: ingest, silver, gold) drafts each store's order proposal in PostgreSQL, and
/// at the evening review each store orders exactly what gold proposed.
@Suite("The live closed loop: stores order gold's proposals through the running pipeline")
struct ClosedLoopTests {
    @Test("the orders the simulated stores placed are the proposals gold wrote, line for line; deliveries close them")
    func storesOrderWhatGoldProposes() async throws {
        let fixture = try await PipelineFixture.make("closed-loop", shards: 1)
        var simulation = SimulationConfiguration(stores: 2, products: 12, days: 6, seed: 23, dirtyRate: 0.02)
        simulation.warmUpDays = 2
        var simulator = StoreSimulator(configuration: simulation)
        var orders = DatabaseOrders(connection: fixture.database)
        orders.timeout = .seconds(120)
        try await orders.publish(simulator)
        #expect(try await fixture.count("SELECT count(*) FROM replenishment_policy WHERE product_id IS NOT NULL") == 12)
        let log = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("closed-loop")).path + ".log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        let pipeline = try fixture.lakehouse(
            ["run", "--poll-seconds", "1", "--flush-seconds", "0.5"], outputPath: log)
        let producer = EventProducer(
            kinesis: fixture.base.kinesis, configuration: EventProducer.Configuration(stream: fixture.base.stream),
            logger: fixture.logs.logger())
        let placed = Mutex<[EventProducer.PlacedOrder]>([])
        let progress = try await producer.run(
            &simulator, orders: orders,
            placed: { lines in
                placed.withLock { $0 += lines }
            }
        ) { _ in }
        #expect(progress.failed == 0)
        #expect(await pipeline.stop(), "lakehouse run did not stop cleanly")

        // Every open day each store ordered: its own way in the warm-up (recorded, so that gold
        // knows what is on the way), gold's proposal after it. What the simulator placed (whole
        // cases) is what the database holds, line for line.
        let openDays = (0..<simulation.days).filter { !simulator.calendar.isClosed($0) }
        #expect(
            try await fixture.count("SELECT count(*) FROM order_review WHERE status = 'ordered'")
                == Int64(openDays.count * simulation.stores))
        let loopDays = openDays.filter { $0 >= simulation.warmUpDays }.count
        #expect(
            try await fixture.count("SELECT count(*) FROM order_review WHERE ordered_by = 'proposal'")
                == Int64(loopDays * simulation.stores))
        let firstDay = simulation.startMicros / 86_400_000_000  // a midnight after 1970
        let written = try await fixture.database.query(
            """
            SELECT (l.review_date - DATE '1970-01-01')::bigint, s.store_id, p.product_id, l.ordered_units, l.quantity,
                l.reason
            FROM order_line l JOIN dim_store s USING (store_key) JOIN dim_product p USING (product_key)
            WHERE l.ordered_units IS NOT NULL
            """)
        var lines: Set<String> = []
        var fromProposals = 0
        for row in written.rows {
            let day = try row.decode(Int64.self, at: 0)
            let own = try row.decode(String.self, at: 5).hasPrefix("ordered by the store")
            // After the warm-up, the stores order the proposal exactly; during it, their own way.
            #expect(own == (day < firstDay + Int64(simulation.warmUpDays)))
            if !own {
                fromProposals += 1
                #expect(try row.decode(Int64.self, at: 3) == row.decode(Int64.self, at: 4))
            }
            lines.insert(
                "\(day)|\(try row.decode(String.self, at: 1))|\(try row.decode(String.self, at: 2))|\(try row.decode(Int64.self, at: 3))"
            )
        }
        #expect(fromProposals > 0)
        let orderedLines = Set(placed.withLock { $0 }.map { "\($0.day)|\($0.storeID)|\($0.productID)|\($0.units)" })
        #expect(orderedLines.count > fromProposals)
        #expect(orderedLines == lines)
        // Whole cases of the sizes the chain published.
        #expect(
            try await fixture.count(
                """
                SELECT count(*) FROM order_line l JOIN dim_product p USING (product_key)
                JOIN replenishment_policy r ON r.product_id = p.product_id WHERE l.quantity % r.case_size <> 0
                """) == 0)
        // A delivery closed the oldest order of its item; short lead times delivered within the run.
        #expect(try await fixture.count("SELECT count(*) FROM order_line WHERE status = 'received'") > 0)
        #expect(
            try await fixture.count(
                "SELECT count(*) FROM order_line WHERE status = 'received' AND received_at::date <= review_date") == 0)
        try await fixture.tearDown()
    }
}
