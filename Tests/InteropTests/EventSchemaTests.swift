import Foundation
import LakehouseTestSupport
import Testing

@testable import LakehouseCore

/// `schemas/pos-event.schema.json`, the event contract for producers' teams, checked with the
/// `jsonschema` package against the simulator's records: it accepts every clean record, refuses
/// every dirty kind it can express, and never refuses what silver accepts.
@Suite("The event contract's JSON Schema agrees with silver's rules")
struct EventSchemaTests {
    /// A sale in the original producer's shape (no `event_type`), padded and lower-cased as
    /// silver tidies, and the fields the cases below replace.
    static let originalSale = """
        {"transaction_id": " T-7 ", "product_id": "P001", "product_name": " Bread ", "category": "bakery", \
        "quantity": 3, "unit_price": 2.49, "total_price": 7.47, "timestamp": "2026-02-01T08:15:00.500-05:00", \
        "store_id": " store_001", "payment_method": "cash", "client_type": "member"}
        """
    static let quantity = "\"quantity\": 3"
    static let unit = "\"unit_price\": 2.49"
    static let end = "\"client_type\": \"member\"}"

    @Test(
        "the simulator's clean records validate; missing, null, bad quantities, unknown types, bad JSON and bad times do not"
    )
    func simulatorRecords() async throws {
        var simulator = StoreSimulator(
            configuration: SimulationConfiguration(stores: 3, products: 30, days: 4, seed: 3, dirtyRate: 0.2))
        var records: [(id: String, kind: RecordKind, payload: [UInt8])] = []
        while let day = simulator.nextDay() {
            for record in day { records.append(("r\(records.count)", record.kind, record.payload)) }
        }
        // Records from outside the simulator: the original producer's shape, a float quantity,
        // and the hostile values silver refuses.
        let sale = Self.originalSale
        let extra: [(String, String, Bool)] = [
            ("original", sale, true),
            (
                "float-quantity", sale.replacingOccurrences(of: Self.quantity, with: "\"quantity\": 2.0"),
                true
            ),
            (
                "null-type",
                sale.replacingOccurrences(
                    of: Self.end, with: "\"client_type\": null, \"event_type\": null}"), true
            ),
            ("nul", sale.replacingOccurrences(of: "\"P001\"", with: "\"P\\u0000\""), false),
            (
                "price", sale.replacingOccurrences(of: Self.unit, with: "\"unit_price\": 10000000000.00"),
                false
            ),
            (
                "huge-quantity",
                sale.replacingOccurrences(of: Self.quantity, with: "\"quantity\": 9223372036854775807"),
                false
            ),
            ("blank-store", sale.replacingOccurrences(of: "\" store_001\"", with: "\"  \""), false),
            ("zero-sale", sale.replacingOccurrences(of: Self.quantity, with: "\"quantity\": 0"), false),
        ]
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("events-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: file) }
        var lines = ""
        func line(_ id: String, _ payload: String) throws {
            let object = try JSONSerialization.data(withJSONObject: ["id": id, "payload": payload])
            lines += String(decoding: object, as: UTF8.self) + "\n"
        }
        for record in records { try line(record.id, String(decoding: record.payload, as: UTF8.self)) }
        for (id, payload, _) in extra { try line(id, payload) }
        try lines.write(to: file, atomically: true, encoding: .utf8)
        let result = try await ChildProcess.output(
            RepositoryPaths.python,
            [
                RepositoryPaths.root + "/Tests/Interop/validate_events.py",
                RepositoryPaths.root + "/schemas/pos-event.schema.json", file.path,
            ])
        try #require(result.status == 0, "\(result.errors)")
        let verdict = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let valid = Set((verdict["valid"] as? [String]) ?? [])
        let invalid = (verdict["invalid"] as? [String: String]) ?? [:]
        #expect(valid.count + invalid.count == records.count + extra.count)

        let mustFail: Set<RecordKind> = [
            .missingField, .nullValue, .badQuantity, .unknownEventType, .malformedJSON, .badTimestamp,
        ]
        var seen: Set<RecordKind> = []
        for record in records {
            seen.insert(record.kind)
            let refusedBySilver: Bool
            if case .failure = SilverRules.clean(record.payload) {
                refusedBySilver = true
            } else {
                refusedBySilver = false
            }
            if !record.kind.isInvalid {
                #expect(valid.contains(record.id), "\(record.kind) \(invalid[record.id] ?? "")")
            }
            if mustFail.contains(record.kind) { #expect(invalid[record.id] != nil, "\(record.kind) validated") }
            // The schema never refuses what silver accepts.
            if invalid[record.id] != nil { #expect(refusedBySilver, "\(record.kind): \(invalid[record.id]!)") }
        }
        #expect(seen.isSuperset(of: mustFail))
        for (id, payload, expected) in extra {
            #expect(valid.contains(id) == expected, "\(id): \(invalid[id] ?? "valid")")
            if case .success = SilverRules.clean(Array(payload.utf8)) {
                #expect(expected, "silver accepts \(id), the schema should too")
            }
        }
    }
}
