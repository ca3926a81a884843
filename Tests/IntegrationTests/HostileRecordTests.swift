import AWSLite
import Foundation
import LakehouseCore
import LakehouseTestSupport
import PGLite
import Testing

/// Records that once stopped silver or gold for good (NUL text, prices and quantities beyond the
/// columns, timestamps of year 0 or far ahead), and arbitrary bytes and JSON: each ends in
/// quarantine with its reason, and every other record reaches Delta, PostgreSQL and gold.
@Suite("Hostile records: quarantined with their reasons; the rest reaches both sinks and gold")
struct HostileRecordTests {
    /// When the valid records happened; each arrives a second later.
    static let eventTime = "2026-01-05T10:00:00Z"

    /// A valid sale (`n` makes its transaction unique), with `edits` applied to its text.
    static func sale(_ n: Int, _ edits: [(String, String)] = []) -> String {
        var text = """
            {"transaction_id": "T-\(n)", "product_id": "P\(n % 7)", "product_name": "Milk \(n % 7)", \
            "category": "dairy", "quantity": 2, "unit_price": 1.99, "total_price": 3.98, \
            "timestamp": "\(eventTime)", "store_id": "STORE_00\(n % 3)", "payment_method": "cash", \
            "client_type": "regular"}
            """
        for (old, new) in edits {
            precondition(text.contains(old), "\(old) is not in the record")
            text = text.replacingOccurrences(of: old, with: new)
        }
        return text
    }

    struct Hostile: Sendable, CustomTestStringConvertible {
        var name: String
        var payload: String
        var reason: String
        var testDescription: String { name }
    }

    static let hostile: [Hostile] = [
        .init(
            name: "NUL in product_name", payload: sale(900, [("\"Milk 4\"", "\"Milk\\u0000\"")]),
            reason: "invalid:product_name"),
        .init(
            name: "NUL in product_id", payload: sale(901, [("\"P5\"", "\"P\\u00005\"")]), reason: "invalid:product_id"),
        .init(
            name: "NUL in store_id", payload: sale(902, [("\"STORE_002\"", "\"STORE\\u0000\"")]),
            reason: "invalid:store_id"),
        .init(
            name: "NUL in payment_method", payload: sale(903, [("\"cash\"", "\"ca\\u0000sh\"")]),
            reason: "invalid:payment_method"),
        .init(
            name: "unit_price beyond decimal(12, 2)",
            payload: sale(
                904,
                [
                    ("\"quantity\": 2", "\"quantity\": 1"), ("1.99", "10000000000.00"),
                    ("3.98", "10000000000.00"),
                ]),
            reason: "invalid:unit_price"),
        .init(
            name: "year 0", payload: sale(905, [(eventTime, "0000-01-01T00:00:00Z")]), reason: "invalid:timestamp"),
        .init(
            name: "a free sale of 2^63-1 units (gold's sums)",
            payload: sale(
                906, [("\"quantity\": 2", "\"quantity\": 9223372036854775807"), ("1.99", "0.00"), ("3.98", "0.00")]),
            reason: "invalid:quantity"),
        .init(
            name: "ten years ahead", payload: sale(907, [(eventTime, "2036-01-05T10:00:00Z")]),
            reason: "invalid:timestamp"),
        .init(
            name: "9999-12-31", payload: sale(908, [(eventTime, "9999-12-31T23:59:59Z")]), reason: "invalid:timestamp"),
        .init(
            name: "a quantity as text and no store (null first)",
            payload: sale(909, [("\"quantity\": 2", "\"quantity\": \"3\""), ("\"STORE_000\"", "null")]),
            reason: "null:store_id"),
        .init(
            name: "a quantity of 1e7", payload: sale(910, [("\"quantity\": 2", "\"quantity\": 1e7"), ("1.99", "0")]),
            reason: "invalid:quantity"),
    ]

    /// A bronze object of `payloads`, each arriving a second after ``eventTime``.
    static func bronze(_ payloads: [[UInt8]], first: Int = 1) -> (key: String, body: [UInt8]) {
        let arrival = Double(EventTimestamp.parse(eventTime)! / 1_000_000) + 1
        let batch = BronzeBatch(
            stream: "pos", shardID: "shardId-000000000000",
            records: payloads.enumerated().map { index, payload in
                KinesisRecord(
                    data: payload, partitionKey: "p", sequenceNumber: String(first + index),
                    approximateArrivalTimestamp: arrival + Double(index) / 1000)
            })
        return (batch.key, batch.encoded())
    }

    /// Runs silver over what `fixture` holds in bronze, then gold; returns silver's report.
    static func silverThenGold(_ fixture: SilverFixture) async throws -> SilverJob.Report {
        let job = SilverJob(
            s3: fixture.base.s3, store: SilverStore(connection: fixture.base.database),
            configuration: SilverJob.Configuration(
                bronzeBucket: fixture.base.bucket, silverBucket: fixture.silverBucket),
            logger: fixture.logs.logger())
        let report = try await job.runOnce()
        _ = try await GoldJob(connection: fixture.base.database, logger: fixture.logs.logger()).refresh()
        return report
    }

    /// The rows each Delta table holds, from the `add` actions' statistics.
    static func deltaRows(_ fixture: SilverFixture, _ root: String) async throws -> Int {
        let snapshot = try await fixture.log(root).snapshot()
        return try (snapshot?.files.values ?? [:].values).reduce(0) { total, add in
            let stats = try #require(add.stats.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) })
            return total + (((stats as? [String: Any])?["numRecords"] as? Int) ?? -1_000_000)
        }
    }

    static func count(_ fixture: SilverFixture, _ sql: String) async throws -> Int {
        Int(try await fixture.base.database.query(sql).rows[0].decode(Int64.self, at: 0))
    }

    @Test(
        "alone among valid records: quarantined with its reason; the others reach Delta, PostgreSQL and gold",
        arguments: hostile)
    func alone(_ record: Hostile) async throws {
        let fixture = try await SilverFixture.make("hostile")
        let valid = (0..<10).map { Array(Self.sale($0).utf8) }
        try await fixture.putBronze([
            Self.bronze(Array(valid[..<5]) + [Array(record.payload.utf8)] + Array(valid[5...]))
        ])
        let report = try await Self.silverThenGold(fixture)
        #expect(report.batches == 1)
        #expect(report.counts.valid == 10 && report.counts.quarantined == 1)
        let reasons = try await fixture.base.database.query("SELECT reason, bronze_line FROM sales_quarantine")
        #expect(try reasons.rows.map { try $0.decode(String.self, at: 0) } == [record.reason])
        #expect(try reasons.rows.first?.decode(Int64.self, at: 1) == 6)
        #expect(try await Self.count(fixture, "SELECT count(*) FROM sales_silver") == 10)
        #expect(try await Self.deltaRows(fixture, SilverTable.root) == 10)
        #expect(try await Self.deltaRows(fixture, SilverTable.quarantineRoot) == 1)
        #expect(try await Self.count(fixture, "SELECT count(*) FROM fact_stock_movement") == 10)
        try await fixture.tearDown()
    }

    /// Arbitrary payloads: bytes, broken JSON, and objects whose fields take any JSON value.
    struct PayloadGenerator {
        var random: SeededRandom

        mutating func pick<T>(_ values: [T]) -> T { values[Int(random.next() % UInt64(values.count))] }

        mutating func text() -> String {
            let pieces = [
                "a", "Z", " ", "é", "日本", "🙂", "\\u0000", "\\u001b[2J", "\\\"", "\\\\", "\\n", "\\ud83d\\ude42",
                "\\ud800", "%s", "'; DROP TABLE sales_silver; --", "\\t", "0", "-", "\u{7f}",
            ]
            return (0..<Int(random.next() % 6)).map { _ in pick(pieces) }.joined()
        }

        mutating func number() -> String {
            pick([
                "0", "1", "-1", "2.0", "2e0", "1e400", "-0", "0.001", "3.98", "9223372036854775807",
                "99999999999999999999", "1.5", "1E-2", "10000000000.00", "\(random.next() % 1000)",
                "\(random.next() % 100).\(random.next() % 100)",
            ])
        }

        mutating func value(_ depth: Int = 0) -> String {
            switch random.next() % (depth > 1 ? 5 : 7) {
            case 0: return "\"\(text())\""
            case 1: return number()
            case 2: return pick(["null", "true", "false"])
            case 3:
                return
                    "\"\(pick(["2026-01-05T10:00:00Z", "2026-01-05T10:00:00+14:00", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2026-02-30T00:00:00Z", "yesterday", "2026-01-05 09:59:59.999999-00:30"]))\""
            case 4: return "\"\(pick(["sale", "restock", "stock_count", "SALE", "refund", ""]))\""
            case 5: return "[\(value(depth + 1)), \(value(depth + 1))]"
            default: return "{\"k\": \(value(depth + 1))}"
            }
        }

        mutating func payload(_ n: Int) -> [UInt8] {
            switch random.next() % 10 {
            case 0: return (0..<Int(random.next() % 40)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            case 1: return Array(HostileRecordTests.sale(n).utf8.prefix(Int(random.next() % 150)))
            case 2, 3: return Array(HostileRecordTests.sale(n).utf8)
            default:
                // A sale whose fields each may be replaced by any value or left out.
                let fields = [
                    "transaction_id", "product_id", "product_name", "category", "quantity", "unit_price",
                    "total_price", "timestamp", "store_id", "payment_method", "client_type", "event_type",
                ]
                var parts: [String] = []
                for field in fields {
                    switch random.next() % 6 {
                    case 0: continue
                    case 1, 2: parts.append("\"\(field)\": \(value())")
                    default:
                        let base: [String: String] = [
                            "transaction_id": "\"R-\(n)\"", "product_id": "\"P\(n % 5)\"",
                            "product_name": "\"Item \(n % 5)\"", "category": "\"dairy\"", "quantity": "1",
                            "unit_price": "2.50", "total_price": "2.50",
                            "timestamp": "\"\(HostileRecordTests.eventTime)\"",
                            "store_id": "\"S\(n % 3)\"", "payment_method": "\"cash\"", "client_type": "\"new\"",
                            "event_type": "\"sale\"",
                        ]
                        parts.append("\"\(field)\": \(base[field]!)")
                    }
                }
                return Array("{\(parts.joined(separator: ", "))}".utf8)
            }
        }
    }

    @Test(
        "a property: arbitrary bytes and JSON never stop silver or gold, and Delta and PostgreSQL agree", .tags(.scale))
    func arbitraryPayloads() async throws {
        let records = TestServices.fullScale ? 20_000 : 2_000
        for seed: UInt64 in [1, 2] {
            var generator = PayloadGenerator(random: SeededRandom(seed: seed))
            let payloads = (0..<records).map { generator.payload($0) }
            let fixture = try await SilverFixture.make("hostile-prop")
            let objects = stride(from: 0, to: payloads.count, by: 500).map {
                Self.bronze(Array(payloads[$0..<min($0 + 500, payloads.count)]), first: $0 + 1)
            }
            try await fixture.putBronze(objects)
            let report = try await Self.silverThenGold(fixture)
            let counts = report.counts
            #expect(counts.input == records)
            #expect(counts.input == counts.valid + counts.quarantined + counts.duplicates)
            #expect(counts.valid > records / 10 && counts.quarantined > records / 10, "\(counts)")
            #expect(try await Self.count(fixture, "SELECT count(*) FROM sales_silver") == counts.valid)
            #expect(try await Self.count(fixture, "SELECT count(*) FROM sales_quarantine") == counts.quarantined)
            #expect(try await Self.deltaRows(fixture, SilverTable.root) == counts.valid)
            #expect(try await Self.deltaRows(fixture, SilverTable.quarantineRoot) == counts.quarantined)
            #expect(try await Self.count(fixture, "SELECT count(*) FROM fact_stock_movement") == counts.valid)
            // Every quarantined record keeps its bytes and a reason of the documented kinds.
            let kinds = try await fixture.base.database.query(
                "SELECT DISTINCT split_part(reason, ':', 1) FROM sales_quarantine ORDER BY 1"
            ).rows.map { try $0.decode(String.self, at: 0) }
            #expect(Set(kinds).isSubset(of: ["malformed", "null", "invalid", "inconsistent", "unknown"]), "\(kinds)")
            // delta-rs reads the same silver rows as PostgreSQL holds.
            let services = try TestServices.require()
            let delta = try await DeltaRS.read(
                endpoint: services.awsEndpoint, uri: "s3://\(fixture.silverBucket)/sales")
            let deltaKeys = ((delta["rows"] as? [[String: Any]]) ?? []).map {
                "\($0["transaction_id"] ?? "")|\($0["product_id"] ?? "")|\($0["quantity"] ?? "")"
            }.sorted()
            let pgKeys = try await fixture.base.database.query(
                "SELECT transaction_id || '|' || product_id || '|' || quantity FROM sales_silver"
            ).rows.map { try $0.decode(String.self, at: 0) }.sorted()
            #expect(deltaKeys == pgKeys)
            try await fixture.tearDown()
        }
    }

    @Test(
        "mixed into a live stream: lakehouse run --until-caught-up finishes, each is quarantined with its reason, the rest reaches gold, Delta = PostgreSQL"
    )
    func live() async throws {
        let fixture = try await PipelineFixture.make("hostile-live", shards: 2)
        var simulator = StoreSimulator(
            configuration: SimulationConfiguration(stores: 3, products: 8, days: 3, seed: 41, dirtyRate: 0))
        var sent = try await PipelineFixture.send(
            days: 1, of: &simulator, to: [fixture.base.stream], kinesis: fixture.base.kinesis)
        let result = try await fixture.base.kinesis.putRecords(
            stream: fixture.base.stream,
            records: Self.hostile.map { KinesisRecordInput(data: Array($0.payload.utf8), partitionKey: $0.name) })
        #expect(result.failed.isEmpty)
        sent += try await PipelineFixture.send(
            days: 2, of: &simulator, to: [fixture.base.stream], kinesis: fixture.base.kinesis)
        let run = try await fixture.run(["run", "--until-caught-up", "--poll-seconds", "1"])
        #expect(run.status == 0, "\(run.errors.suffix(2000))")
        let expected = PipelineTests.keys(sent)
        #expect(try await fixture.count("SELECT count(*) FROM fact_stock_movement") == Int64(expected.count))
        #expect(try await fixture.count("SELECT count(*) FROM sales_silver") == Int64(expected.count))
        let quarantined = try await fixture.database.query(
            "SELECT convert_from(payload, 'UTF8'), reason FROM sales_quarantine")
        var reasons: [String: String] = [:]
        for row in quarantined.rows { reasons[try row.decode(String.self, at: 0)] = try row.decode(String.self, at: 1) }
        for record in Self.hostile {
            #expect(reasons[record.payload] == record.reason, "\(record.name)")
        }
        #expect(reasons.count == Self.hostile.count)
        // Delta holds what PostgreSQL holds.
        let services = try TestServices.require()
        for (table, sql) in [
            ("sales", "SELECT count(*) FROM sales_silver"), ("quarantine", "SELECT count(*) FROM sales_quarantine"),
        ] {
            let delta = try await DeltaRS.read(
                endpoint: services.awsEndpoint, uri: "s3://\(fixture.silverBucket)/\(table)")
            #expect(
                Int64(((delta["rows"] as? [[String: Any]]) ?? []).count) == (try await fixture.count(sql)), "\(table)")
        }
        try await fixture.tearDown()
    }
}
