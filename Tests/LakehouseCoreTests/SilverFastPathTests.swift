import AWSLite
import Testing

@testable import LakehouseCore

@Suite("Silver's fast path keeps exactly what the general path keeps, and leaves it everything else")
struct SilverFastPathTests {
    /// An object's lines cleaned by the general path alone: the envelope decoded, then
    /// SilverRules, as silver did before the fast path (the reference it must equal).
    static func generally(objectKey: String, body: [UInt8]) -> (columns: SilverColumns, reasons: [String]) {
        var columns = SilverColumns()
        var reasons: [String] = []
        for read in BronzeBatch.decodeEach(body) {
            guard case .success(let line) = read.line else {
                reasons.append("malformed:json")
                continue
            }
            switch SilverRules.clean(line.payload, arrivalMicros: line.arrivalMicros) {
            case .success(let event): columns.append(event, bronzeKey: objectKey, bronzeLine: Int64(read.number))
            case .failure(let rejection): reasons.append(rejection.reason)
            }
        }
        return (columns, reasons)
    }

    /// A bronze object of `payloads` as ingest writes it (one envelope per line).
    static func object(_ payloads: [String]) -> [UInt8] {
        let records = payloads.enumerated().map { index, payload in
            KinesisRecord(
                data: Array(payload.utf8), partitionKey: "P-\(index)", sequenceNumber: "4960\(index)",
                approximateArrivalTimestamp: 1_767_571_200.5)
        }
        return BronzeBatch(stream: "sales", shardID: "shardId-000000000000", records: records).encoded()
    }

    static let clean = """
        {"transaction_id": "T-1", "product_id": "P001", "product_name": "Milk 1L", "category": "DAIRY", \
        "quantity": 2, "unit_price": 1.99, "total_price": 3.98, "timestamp": "2026-01-05T00:30:00.250+02:00", \
        "store_id": "STORE_001", "payment_method": "CARD", "client_type": "REGULAR"}
        """

    /// `clean` with `old` replaced by `new`.
    static func edited(_ old: String, _ new: String) -> String {
        precondition(clean.contains(old), "the edit \(old) does not apply")
        return clean.replacingOccurrences(of: old, with: new)
    }

    /// Records at the fast path's edges: ones it takes, ones it must leave to the general path
    /// (to tidy, resolve or reject), and ones both keep differently than they are written.
    static let edges: [String] = [
        clean,
        edited("\"T-1\"", "\" T-1 \""),  // to trim
        edited("\"DAIRY\"", "\"dairy\""),  // to upper-case
        edited("\"STORE_001\"", "\"store_001\""),
        edited("\"CARD\"", "\"card\""),
        edited("\"CARD\"", "\"\""),  // an empty code is no code
        edited("\"CARD\"", "null"),
        edited("\"payment_method\": \"CARD\", ", ""),
        edited("\"Milk 1L\"", "\"Lait entier 1L \\u00e9\""),  // an escape inside a value
        edited("\"Milk 1L\"", "\"Crème fraîche\""),  // bytes above ASCII
        edited("\"Milk 1L\"", "\"Milk\u{7F}1L\""),  // DEL: ASCII, not a control character in JSON
        edited("\"product_id\"", "\"product\\u005fid\""),  // an escaped key
        edited("\"P001\"", "\"P\\/001\""),
        edited("\"P001\"", "\"P\\\"001\""),
        edited("}", ", \"event_type\": \"restock\"}"),
        edited("}", ", \"event_type\": \"stock_count\"}").replacingOccurrences(
            of: "\"quantity\": 2", with: "\"quantity\": 0"
        )
        .replacingOccurrences(of: "\"total_price\": 3.98", with: "\"total_price\": 0"),
        edited("}", ", \"event_type\": null}"),
        edited("}", ", \"event_type\": \"refund\"}"),
        edited("}", ", \"event_type\": 3}"),
        edited("\"quantity\": 2", "\"quantity\": 2.0"),
        edited("\"quantity\": 2", "\"quantity\": 2.5"),
        edited("\"quantity\": 2", "\"quantity\": \"2\""),
        edited("\"quantity\": 2", "\"quantity\": 0"),
        edited("\"quantity\": 2", "\"quantity\": 2000000"),
        edited("\"unit_price\": 1.99", "\"unit_price\": -1.99"),
        edited("\"total_price\": 3.98", "\"total_price\": 3.99"),
        edited("\"total_price\": 3.98", "\"total_price\": 3.97"),
        edited("\"total_price\": 3.98", "\"total_price\": 4.00"),
        edited("2026-01-05T00:30:00.250+02:00", "1999-12-31T23:59:59Z"),
        edited("2026-01-05T00:30:00.250+02:00", "2026-01-07T00:30:00Z"),  // over a day after arrival
        edited("2026-01-05T00:30:00.250+02:00", "yesterday"),
        edited("\"T-1\"", "\"\""),
        edited("\"T-1\"", "\"   \""),
        edited("\"T-1\"", "null"),
        edited("\"T-1\"", "1"),
        edited("\"store_id\": \"STORE_001\", ", ""),
        edited("\"P001\"", "\"P001\", \"product_id\": \"P002\""),  // a repeated key: the last counts
        edited("\"T-1\"", "\"T-\\u00001\""),
        "{\"transaction_id\": \"T-1\"",
        "not json",
        "",
    ]

    @Test("edge records: the same rows, values and reasons as the general path")
    func edges() {
        let body = Self.object(Self.edges)
        let fast = SilverBatch.cleaned(objectKey: "bronze/edges.jsonl", body: body)
        let general = Self.generally(objectKey: "bronze/edges.jsonl", body: body)
        #expect(fast.columns == general.columns)
        #expect(fast.rejected.map(\.rejection.reason) == general.reasons)
        #expect(fast.counts.input == Self.edges.count)
        #expect(fast.columns.count + fast.rejected.count + fast.counts.duplicates == Self.edges.count)
    }

    @Test("a simulation with a third of its records dirty: the same rows, values and reasons")
    func simulation() {
        var simulator = StoreSimulator(
            configuration: SimulationConfiguration(stores: 4, products: 30, days: 3, seed: 7, dirtyRate: 0.33))
        let batches = simulator.bronzeBatches(recordsPerObject: 500, limit: 3000)
        #expect(batches.count == 6)
        for batch in batches {
            let body = batch.encoded()
            let fast = SilverBatch.cleaned(objectKey: batch.key, body: body)
            let general = Self.generally(objectKey: batch.key, body: body)
            #expect(fast.columns == general.columns)
            #expect(fast.rejected.map(\.rejection.reason) == general.reasons)
            #expect(!fast.rejected.isEmpty)
        }
    }

    @Test("the fast path takes a clean record and declines one it would have to tidy, resolve or reject")
    func takesOnlyCleanRecords() {
        func taken(_ payload: String) -> Bool {
            let body = Self.object([payload])
            var columns = SilverColumns()
            var scratch: [UInt8] = []
            let line = body[0..<(body.count - 1)]  // without its line break
            return SilverFastPath.clean(line, payload: &scratch, into: &columns, bronzeKey: "k", bronzeLine: 1)
                && columns.count == 1
        }
        #expect(taken(Self.clean))
        #expect(taken(Self.edited("}", ", \"event_type\": \"restock\"}")))
        #expect(taken(Self.edited("\"Milk 1L\"", "\"Milk\u{7F}1L\"")))
        #expect(!taken(Self.edited("\"DAIRY\"", "\"dairy\"")))
        #expect(!taken(Self.edited("\"T-1\"", "\" T-1 \"")))
        #expect(!taken(Self.edited("\"Milk 1L\"", "\"Crème fraîche\"")))
        #expect(!taken(Self.edited("\"quantity\": 2", "\"quantity\": 0")))
        #expect(!taken(Self.edited("}", ", \"event_type\": \"refund\"}")))
    }

    @Test("bulk merging: duplicates within a part and across parts are dropped as one by one")
    func mergeDuplicates() {
        let first = Self.object([Self.clean, Self.edited("T-1", "T-2"), Self.clean])
        let second = Self.object([Self.edited("T-1", "T-3"), Self.edited("T-1", "T-2"), Self.edited("T-1", "T-4")])
        var batch = SilverBatch()
        batch.add(objectKey: "a", body: first)
        batch.add(objectKey: "b", body: second)
        #expect(batch.columns.transactionID.strings == ["T-1", "T-2", "T-3", "T-4"])
        #expect(batch.columns.bronzeKey.strings == ["a", "a", "b", "b"])
        #expect(batch.columns.bronzeLine == [1, 2, 1, 3])
        #expect(batch.counts.duplicates == 2)
        #expect(batch.counts.valid == 4)
    }
}
