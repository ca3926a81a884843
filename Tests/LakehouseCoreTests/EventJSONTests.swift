import Foundation
import Testing

@testable import LakehouseCore

@Suite("Events: the JSON contract and RFC 3339 timestamps")
struct EventJSONTests {
    static let sale = POSEvent(
        transactionID: "e220a839-7b1d-cdaf-910a-2dec89025cc1", productID: "P01535",
        productName: "Crisps \"salted\" 250 g",
        category: "SNACKS", quantity: 4, unitPriceCents: 588, totalPriceCents: 2352,
        timestamp: "2026-01-01T08:30:00.000000Z", storeID: "STORE_037", paymentMethod: "CASH", clientType: "REGULAR")

    @Test("encoding then decoding gives the event back, escapes and all")
    func roundTrip() throws {
        let bytes = EventJSON.encode(Self.sale)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("{\"transaction_id\": \"e220a839"))
        #expect(text.contains("\"unit_price\": 5.88, \"total_price\": 23.52"))
        #expect(text.contains("\\\"salted\\\""))
        #expect(try EventJSON.decode(bytes) == Self.sale)
        var restock = Self.sale
        restock.eventType = .restock
        restock.paymentMethod = nil
        restock.clientType = nil
        restock.unitPriceCents = 5
        restock.totalPriceCents = 20
        #expect(try EventJSON.decode(EventJSON.encode(restock)) == restock)
        #expect(String(decoding: EventJSON.encode(restock), as: UTF8.self).contains("\"unit_price\": 0.05"))
    }

    @Test("a record in the original producer's format, without event_type, is a sale")
    func originalFormat() throws {
        let record = """
            {"transaction_id": "9b2f1c7e-1d2a-4c55-9a0e-0d6f3c2b1a90", "product_id": "P001", "product_name": "Milk",
             "category": "Dairy", "quantity": 2, "unit_price": 1.99, "total_price": 3.98,
             "timestamp": "2024-05-01T12:34:56.789012+00:00", "store_id": "store_001",
             "payment_method": "credit_card", "client_type": "regular"}
            """
        let event = try EventJSON.decode(Array(record.utf8))
        #expect(event.eventType == .sale)
        #expect(event.quantity == 2)
        #expect(event.unitPriceCents == 199)
        #expect(event.totalPriceCents == 398)
        #expect(event.paymentMethod == "credit_card")
        #expect(EventTimestamp.parse(event.timestamp) == 1_714_566_896_789_012)
    }

    @Test("bad records are typed errors whose reason is the silver rule they break")
    func reasons() throws {
        func reason(_ text: String) -> String? {
            do {
                _ = try EventJSON.decode(Array(text.utf8))
                return nil
            } catch let error as LakehouseError {
                return error.reason
            } catch {
                return "other: \(error)"
            }
        }
        let good = String(decoding: EventJSON.encode(Self.sale), as: UTF8.self)
        #expect(reason(good) == nil)
        #expect(reason(String(good.dropLast())) == "malformed:json")
        #expect(reason("") == "malformed:json")
        #expect(reason("[1]") == "malformed:json")
        #expect(reason(good + "x") == "malformed:json")
        #expect(reason("{\"a\": 01}") == "malformed:json")
        #expect(reason("{\"a\": \"\\ud800\"}") == "malformed:json")
        #expect(
            reason(String(decoding: EventJSON.encode(Self.sale, editing: .omit("quantity")), as: UTF8.self))
                == "null:quantity")
        #expect(
            reason(String(decoding: EventJSON.encode(Self.sale, editing: .null("store_id")), as: UTF8.self))
                == "null:store_id")
        #expect(
            reason(good.replacingOccurrences(of: "\"quantity\": 4", with: "\"quantity\": \"4\"")) == "invalid:quantity")
        #expect(
            reason(good.replacingOccurrences(of: "\"quantity\": 4", with: "\"quantity\": 4.5")) == "invalid:quantity")
        #expect(reason(good.replacingOccurrences(of: "5.88", with: "5.885")) == "invalid:unit_price")
        #expect(reason(good.replacingOccurrences(of: "23.52", with: "2.3521e1")) == "invalid:total_price")
        #expect(
            reason(String(decoding: EventJSON.encode(Self.sale, editing: .raw("event_type", "refund")), as: UTF8.self))
                == "unknown:event_type")
        // Nested values parse (and are not strings); unknown fields are ignored.
        #expect(
            reason(good.replacingOccurrences(of: "\"CASH\"", with: "{\"kind\": [1, 2, {\"x\": null}]}"))
                == "invalid:payment_method")
        #expect(reason(good.replacingOccurrences(of: "{", with: "{\"extra\": true, ")) == nil)
    }

    @Test("cents read exactly from number literals with at most two decimals")
    func cents() {
        #expect(EventJSON.cents("5.88") == 588)
        #expect(EventJSON.cents("4") == 400)
        #expect(EventJSON.cents("0.5") == 50)
        #expect(EventJSON.cents("-0.05") == -5)
        #expect(EventJSON.cents("1.234") == nil)
        #expect(EventJSON.cents("1e2") == 10_000)
        #expect(EventJSON.cents("5.880") == 588)
        #expect(EventJSON.cents("1e-3") == nil)
        #expect(EventJSON.cents("1e400") == nil)
        #expect(EventJSON.cents("99999999999999999999") == nil)
    }

    @Test("RFC 3339: formatting and parsing agree; offsets convert to UTC; invalid text is nil")
    func timestamps() {
        let micros: Int64 = 1_767_225_600_250_000  // 2026-01-01T00:00:00.25Z
        #expect(EventTimestamp.format(micros: micros) == "2026-01-01T00:00:00.250000Z")
        #expect(EventTimestamp.format(micros: micros, offsetMinutes: 120) == "2026-01-01T02:00:00.250000+02:00")
        #expect(EventTimestamp.format(micros: micros, offsetMinutes: -330) == "2025-12-31T18:30:00.250000-05:30")
        for offset in [0, 120, -330, 60, -60] {
            #expect(EventTimestamp.parse(EventTimestamp.format(micros: micros, offsetMinutes: offset)) == micros)
        }
        #expect(EventTimestamp.parse("2026-01-01 00:00:00Z") == 1_767_225_600_000_000)
        #expect(EventTimestamp.parse("2024-02-29T12:00:00.123456789+00:00") == 1_709_208_000_123_456)
        #expect(EventTimestamp.parse("1969-12-31T23:59:59.999999Z") == -1)
        for bad in [
            "yesterday", "2026-13-45 25:61:00", "2025-02-29T00:00:00Z", "2026-01-01T00:00:00", "1767571200", "",
            "2026-01-01T24:00:00Z", "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00+2:00",
        ] {
            #expect(EventTimestamp.parse(bad) == nil, "\(bad)")
        }
    }
}
