import Testing

@testable import LakehouseCore

@Suite("Silver rules: the first rule a record breaks is its reason; clean records are normalised")
struct SilverRulesTests {
    /// A valid sale in the original producer's format, with `edits` applied to its text.
    static func record(_ edits: [(String, String)] = []) -> [UInt8] {
        var text = """
            {"transaction_id": " T-1 ", "product_id": "P001", "product_name": " Milk 1L ", "category": "dairy", \
            "quantity": 2, "unit_price": 1.99, "total_price": 3.98, "timestamp": "2026-01-05T23:30:00.250+02:00", \
            "store_id": " store_001", "payment_method": "credit_card", "client_type": "regular"}
            """
        for (old, new) in edits {
            precondition(text.contains(old), "the edit \(old) does not apply")
            text = text.replacingOccurrences(of: old, with: new)
        }
        return Array(text.utf8)
    }

    /// Edits used below: the timestamp, quantity, prices and the record's end.
    static let time = "\"timestamp\": \"2026-01-05T23:30:00.250+02:00\""
    static let quantity = "\"quantity\": 2"
    static let unit = "\"unit_price\": 1.99"
    static let total = "\"total_price\": 3.98"
    static let end = "\"client_type\": \"regular\"}"

    static func reason(_ payload: [UInt8], arrival: Int64? = nil) -> String? {
        if case .failure(let rejection) = SilverRules.clean(payload, arrivalMicros: arrival) { return rejection.reason }
        return nil
    }

    @Test("a record in the original producer's format passes as a sale, trimmed, upper-cased and in UTC")
    func originalFormat() throws {
        let event = try SilverRules.clean(Self.record()).get()
        #expect(event.eventType == .sale)
        #expect(event.transactionID == "T-1")
        #expect(event.productName == "Milk 1L")
        #expect(event.category == "DAIRY")
        #expect(event.storeID == "STORE_001")
        #expect(event.paymentMethod == "CREDIT_CARD")
        #expect(event.clientType == "REGULAR")
        #expect(event.quantity == 2)
        #expect(event.totalPriceCents == 398)
        // 23:30 at +02:00 is 21:30 UTC, the same day.
        #expect(event.eventTime == EventTimestamp.parse("2026-01-05T21:30:00.250Z"))
        #expect(event.eventDateText == "2026-01-05")
    }

    @Test("a non-UTC offset moves the event to its UTC date")
    func utcDate() throws {
        let event = try SilverRules.clean(Self.record([("23:30:00.250+02:00", "23:30:00-05:00")])).get()
        #expect(event.eventTime == EventTimestamp.parse("2026-01-06T04:30:00Z"))
        #expect(event.eventDateText == "2026-01-06")
        #expect(event.eventDate == 20_459)
    }

    @Test("restocks and counts carry no payment method or client type; a count may be zero")
    func otherTypes() throws {
        let restock = try SilverRules.clean(
            Self.record([(Self.end, "\"client_type\": \"regular\", \"event_type\": \"restock\"}")])
        ).get()
        #expect(restock.eventType == .restock)
        #expect(restock.paymentMethod == nil && restock.clientType == nil)
        let count = try SilverRules.clean(
            Self.record([
                (Self.quantity, "\"quantity\": 0"), (Self.total, "\"total_price\": 0"),
                (Self.end, "\"client_type\": null, \"event_type\": \"stock_count\"}"),
            ])
        ).get()
        #expect(count.eventType == .stockCount)
        #expect(count.quantity == 0)
    }

    @Test(
        "each rule, one record each",
        arguments: [
            ([("\"total_price\": 3.98, ", "\"total_price\": 3.98 ")], "malformed:json"),
            ([("\"store_id\": \" store_001\", ", "")], "null:store_id"),
            ([(Self.quantity, "\"quantity\": null")], "null:quantity"),
            ([(Self.time, "\"timestamp\": null")], "null:timestamp"),
            ([("\"category\": \"dairy\"", "\"category\": \"   \"")], "null:category"),
            ([(Self.quantity, "\"quantity\": 0"), (Self.total, "\"total_price\": 0")], "invalid:quantity"),
            ([(Self.quantity, "\"quantity\": -2"), (Self.total, "\"total_price\": -3.98")], "invalid:quantity"),
            ([(Self.quantity, "\"quantity\": 2.5")], "invalid:quantity"),
            ([(Self.quantity, "\"quantity\": \"2\"")], "invalid:quantity"),
            ([(Self.unit, "\"unit_price\": -1.99"), (Self.total, "\"total_price\": -3.98")], "invalid:unit_price"),
            ([(Self.unit, "\"unit_price\": 1.999")], "invalid:unit_price"),
            ([(Self.total, "\"total_price\": \"3.98\"")], "invalid:total_price"),
            ([(Self.total, "\"total_price\": 4.10")], "inconsistent:total_vs_unit_x_qty"),
            ([(Self.time, "\"timestamp\": \"yesterday\"")], "invalid:timestamp"),
            ([(Self.time, "\"timestamp\": \"2026-13-45 25:61:00\"")], "invalid:timestamp"),
            ([(Self.end, "\"client_type\": \"regular\", \"event_type\": \"refund\"}")], "unknown:event_type"),
            // Bounds that keep every value inside both sinks' columns.
            (
                [
                    (Self.quantity, "\"quantity\": 1000001"), (Self.unit, "\"unit_price\": 0"),
                    (Self.total, "\"total_price\": 0"),
                ],
                "invalid:quantity"
            ),
            (
                [
                    (Self.quantity, "\"quantity\": 9223372036854775807"), (Self.unit, "\"unit_price\": 0.00"),
                    (Self.total, "\"total_price\": 0.00"),
                ], "invalid:quantity"
            ),
            ([(Self.quantity, "\"quantity\": 92233720368547758070")], "invalid:quantity"),
            (
                [
                    (Self.quantity, "\"quantity\": 1"), (Self.unit, "\"unit_price\": 10000000000.00"),
                    (Self.total, "\"total_price\": 10000000000.00"),
                ], "invalid:unit_price"
            ),
            (
                [
                    (Self.quantity, "\"quantity\": 2"), (Self.unit, "\"unit_price\": 5000000000.00"),
                    (Self.total, "\"total_price\": 10000000000.00"),
                ], "invalid:total_price"
            ),
            ([("\"product_id\": \"P001\"", "\"product_id\": \"P0\\u00001\"")], "invalid:product_id"),
            ([("\"product_name\": \" Milk 1L \"", "\"product_name\": \"Milk\\u0000\"")], "invalid:product_name"),
            ([("\"payment_method\": \"credit_card\"", "\"payment_method\": \"\\u0000\"")], "invalid:payment_method"),
            ([(Self.time, "\"timestamp\": \"0000-01-01T00:00:00Z\"")], "invalid:timestamp"),
            ([(Self.time, "\"timestamp\": \"1999-12-31T23:59:59.999999Z\"")], "invalid:timestamp"),
        ] as [([(String, String)], String)])
    func rules(edits: [(String, String)], expected: String) {
        #expect(Self.reason(Self.record(edits)) == expected)
    }

    @Test("whole quantities however a producer writes them: 2, 2.0, 2e0, 20e-1, 0.2e1")
    func wholeQuantities() throws {
        for literal in ["2", "2.0", "2.00", "2e0", "2E+0", "20e-1", "0.2e1"] {
            let event = try SilverRules.clean(Self.record([(Self.quantity, "\"quantity\": \(literal)")])).get()
            #expect(event.quantity == 2, "\(literal)")
        }
        for literal in ["2.5", "25e-1", "2.000001"] {
            let rejection = SilverRules.clean(Self.record([(Self.quantity, "\"quantity\": \(literal)")]))
            #expect(throws: SilverRejection.self) { try rejection.get() }
            if case .failure(let why) = rejection {
                #expect(why.reason == "invalid:quantity")
                #expect(why.detail.hasSuffix("quantity \(literal) is not a whole number"))
            }
        }
        // Amounts: trailing zeros and exponents are fine when the value has two decimals.
        let event = try SilverRules.clean(
            Self.record([(Self.unit, "\"unit_price\": 1.990"), (Self.total, "\"total_price\": 398e-2")])
        ).get()
        #expect(event.unitPriceCents == 199 && event.totalPriceCents == 398)
    }

    @Test("event times from 2000 until a day after the record reached Kinesis; late events always")
    func timeWindow() throws {
        let arrival = try #require(EventTimestamp.parse("2026-01-05T20:00:00Z"))
        // The record's event is at 2026-01-05T21:30:00.25Z.
        #expect(Self.reason(Self.record(), arrival: arrival) == nil)
        #expect(Self.reason(Self.record(), arrival: arrival - SilverRules.maximumLead + 5_400_250_000) == nil)
        #expect(
            Self.reason(Self.record(), arrival: arrival - SilverRules.maximumLead + 5_400_249_999)
                == "invalid:timestamp")
        // A year late is still welcome.
        #expect(Self.reason(Self.record(), arrival: arrival + 365 * SilverRules.maximumLead) == nil)
        let far = Self.record([(Self.time, "\"timestamp\": \"9999-12-31T23:59:59Z\"")])
        #expect(Self.reason(far, arrival: arrival) == "invalid:timestamp")
        if case .failure(let why) = SilverRules.clean(far, arrivalMicros: arrival) {
            #expect(why.detail.contains("more than a day after the record reached Kinesis (2026-01-05T20:00:00"))
        }
    }

    @Test("the first failing rule wins: a null field before a bad quantity, a bad total before a bad timestamp")
    func order() {
        // Every required field is looked for before any is read as its type.
        #expect(
            Self.reason(
                Self.record([
                    ("\"store_id\": \" store_001\"", "\"store_id\": null"), (Self.quantity, "\"quantity\": \"3\""),
                ]))
                == "null:store_id")
        #expect(
            Self.reason(
                Self.record([
                    ("\"store_id\": \" store_001\"", "\"store_id\": \"  \""), (Self.unit, "\"unit_price\": \"x\""),
                ]))
                == "null:store_id")
        #expect(
            Self.reason(Self.record([("\"store_id\": \" store_001\", ", ""), (Self.quantity, "\"quantity\": -1")]))
                == "null:store_id")
        #expect(
            Self.reason(
                Self.record([
                    (Self.total, "\"total_price\": 9.00"),
                    (Self.time, "\"timestamp\": \"soon\""),
                ])) == "inconsistent:total_vs_unit_x_qty")
        #expect(
            Self.reason(
                Self.record([
                    (Self.time, "\"timestamp\": \"soon\""),
                    (Self.end, "\"client_type\": \"regular\", \"event_type\": \"refund\"}"),
                ])) == "invalid:timestamp")
    }

    @Test("a total within a cent of unit × quantity passes")
    func rounding() {
        #expect(Self.reason(Self.record([(Self.total, "\"total_price\": 3.99")])) == nil)
        #expect(Self.reason(Self.record([(Self.total, "\"total_price\": 3.97")])) == nil)
        #expect(Self.reason(Self.record([(Self.total, "\"total_price\": 4.00")])) != nil)
    }

    @Test("every dirty kind of the simulator is refused with its reason; every clean record passes as its event")
    func simulatorKinds() throws {
        var simulator = StoreSimulator(
            configuration: SimulationConfiguration(stores: 3, products: 30, days: 4, dirtyRate: 0.2))
        var seen: Set<RecordKind> = []
        let expected: [RecordKind: (String) -> Bool] = [
            .missingField: { $0.hasPrefix("null:") }, .nullValue: { $0.hasPrefix("null:") },
            .badQuantity: { $0 == "invalid:quantity" },
            .inconsistentTotal: { $0 == "inconsistent:total_vs_unit_x_qty" },
            .malformedJSON: { $0 == "malformed:json" },
            // An empty timestamp is blank, so null:timestamp.
            .badTimestamp: { $0 == "invalid:timestamp" || $0 == "null:timestamp" },
            .unknownEventType: { $0 == "unknown:event_type" },
        ]
        while let day = simulator.nextDay() {
            for record in day {
                seen.insert(record.kind)
                switch SilverRules.clean(record.payload) {
                case .success(let event):
                    #expect(!record.kind.isInvalid, "\(record.kind) passed")
                    let sent = try EventJSON.decode(record.payload)
                    #expect(event.eventTime == EventTimestamp.parse(sent.timestamp))
                    #expect(event.naturalKey.transactionID == sent.transactionID)
                    #expect(event.quantity == Int64(sent.quantity))
                case .failure(let rejection):
                    let matches = expected[record.kind]?(rejection.reason) ?? false
                    #expect(matches, "\(record.kind) was refused as \(rejection.reason)")
                }
            }
        }
        #expect(seen.isSuperset(of: Set(expected.keys)))
    }
}

@Suite("Silver batch counts as a Delta commit records them")
struct RecordedCountsTests {
    @Test("five integers read back; anything else is nil")
    func recorded() {
        var counts = SilverStore.BatchCounts()
        (counts.objects, counts.input, counts.valid, counts.quarantined, counts.duplicates) = (2, 10, 7, 2, 1)
        #expect(SilverStore.BatchCounts(counts.recorded) == counts)
        for bad in ["1,x,2,3,4,5", "1,2,3,4", "1,2,3,4,5,6", "", "1,,2,3,4"] {
            #expect(SilverStore.BatchCounts(bad) == nil, "\(bad)")
        }
    }
}
