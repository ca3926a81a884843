import Foundation
import Testing

@testable import LakehouseCore

@Suite("The store simulator: deterministic, stock never negative, truth consistent with the stream")
struct StoreSimulatorTests {
    static func run(_ configuration: SimulationConfiguration) -> (records: [SimulatedRecord], truth: GroundTruth) {
        var simulator = StoreSimulator(configuration: configuration)
        var records: [SimulatedRecord] = []
        while let day = simulator.nextDay() { records += day }
        return (records, simulator.truth)
    }

    static var small: SimulationConfiguration {
        var configuration = SimulationConfiguration()
        configuration.stores = 3
        configuration.products = 40
        configuration.days = 10
        configuration.seed = 7
        return configuration
    }

    @Test("the same seed gives the same records; another seed does not")
    func deterministic() {
        let one = Self.run(Self.small)
        let two = Self.run(Self.small)
        #expect(one.records.count > 5_000)
        #expect(one.records == two.records)
        #expect(one.truth == two.truth)
        var other = Self.small
        other.seed = 8
        #expect(Self.run(other).records.map(\.payload) != one.records.map(\.payload))
    }

    @Test("records come in time order, partitioned by store, and each clean one decodes to its event")
    func cleanRecords() throws {
        let (records, truth) = Self.run(Self.small)
        #expect(zip(records, records.dropFirst()).allSatisfy { $0.eventTime <= $1.eventTime })
        for record in records {
            #expect(record.partitionKey == record.event.storeID)
            #expect(try EventJSON.decode(record.payload) == record.event)
            #expect(EventTimestamp.parse(record.event.timestamp) == record.eventTime)
        }
        let kinds = Dictionary(grouping: records, by: \.kind).mapValues(\.count)
        #expect(kinds.keys.allSatisfy { !$0.isInvalid })
        #expect(kinds[.sale, default: 0] > 5_000)
        #expect(kinds[.restock, default: 0] > 100)
        // Opening counts, then one count a Sunday (the 10 days from Monday hold one), and every
        // evening the perishables before the review, except on the holiday (day 10 is past the
        // end here).
        let perishables = StoreCatalog(stores: 3, products: 40, seed: 7).products.filter { $0.shelfLifeDays != nil }
        #expect(perishables.count == 22)
        #expect(kinds[.stockCount] == 3 * 40 * 2 + 3 * perishables.count * 10)
        #expect(truth.recordCount == records.count)
        #expect(truth.recordsByKind["sale"] == kinds[.sale])
    }

    @Test("replaying the stream never takes stock below zero, and matches the true stock between shrinkages")
    func stockNeverNegative() {
        let (records, truth) = Self.run(Self.small)
        var ledger: [String: Int] = [:]
        var negative = 0
        for record in records {
            let key = record.event.storeID + "/" + record.event.productID
            switch record.event.eventType {
            case .sale: ledger[key, default: 0] -= record.event.quantity
            case .restock: ledger[key, default: 0] += record.event.quantity
            case .stockCount: ledger[key] = record.event.quantity
            }
            if ledger[key, default: 0] < 0 { negative += 1 }
        }
        #expect(negative == 0)
        // The books and the truth differ only by shrinkage since the last count.
        var drift = 0
        for item in truth.items {
            let booked = ledger[item.store + "/" + item.product] ?? -1
            #expect(booked >= item.finalOnHand, "\(item.store) \(item.product)")
            drift += booked - item.finalOnHand
        }
        #expect(drift <= truth.shrunkUnits + truth.items.reduce(0) { $0 + $1.wasteUnits })
    }

    @Test(
        "stockouts happen, and each one in the truth starts at a sale (or shrinkage, or waste) and ends at a delivery")
    func stockoutsMatchTheStream() {
        var configuration = Self.small
        configuration.days = 14
        let (records, truth) = Self.run(configuration)
        var byItem: [String: [SimulatedRecord]] = [:]
        for record in records {
            byItem[record.event.storeID + "/" + record.event.productID, default: []].append(record)
        }
        var stockouts = 0
        for item in truth.items {
            let events = byItem[item.store + "/" + item.product] ?? []
            for (index, interval) in item.stockouts.enumerated() {
                stockouts += 1
                let (start, end) = (interval[0], interval[1])
                let startsAtSale = events.contains { $0.kind == .sale && $0.eventTime == start }
                let hour = EventTimestamp.floorDivide(start, 3_600_000_000) % 24
                // Shrinkage happens at 23:00, perishables past their last day leave at 21:00.
                #expect(startsAtSale || hour == 23 || hour == 21, "\(item.store) \(item.product) stockout \(index)")
                #expect(!events.contains { $0.kind == .sale && $0.eventTime > start && $0.eventTime < end })
                let open = index == item.stockouts.count - 1 && item.openStockout
                if !open { #expect(events.contains { $0.kind == .restock && $0.eventTime == end }) }
            }
            #expect(item.soldUnits <= item.wantedUnits)
        }
        #expect(stockouts > 20)
        #expect(truth.items.contains { $0.wantedUnits > $0.soldUnits })
    }

    @Test("dirty kinds appear at the configured rate, and each invalid one breaks a silver rule")
    func dirtyData() throws {
        var configuration = Self.small
        configuration.dirtyRate = 0.09
        let (records, truth) = Self.run(configuration)
        let dirty = records.filter { RecordKind.dirtyKinds.contains($0.kind) }
        let share = Double(dirty.count) / Double(records.count)
        #expect(abs(share - 0.09) < 0.01, "dirty share \(share)")
        let kinds = Dictionary(grouping: dirty, by: \.kind).mapValues(\.count)
        for kind in RecordKind.dirtyKinds {
            let kindShare = Double(kinds[kind, default: 0]) / Double(records.count)
            #expect(abs(kindShare - 0.01) < 0.004, "\(kind): \(kindShare)")
        }
        #expect(truth.recordCount == records.count)
        for record in dirty {
            switch record.kind {
            case .missingField, .nullValue:
                let error = #expect(throws: LakehouseError.self) { try EventJSON.decode(record.payload) }
                #expect(error?.reason?.hasPrefix("null:") == true)
            case .malformedJSON:
                let error = #expect(throws: LakehouseError.self) { try EventJSON.decode(record.payload) }
                #expect(error?.reason == "malformed:json")
            case .unknownEventType:
                let error = #expect(throws: LakehouseError.self) { try EventJSON.decode(record.payload) }
                #expect(error?.reason == "unknown:event_type")
            case .badQuantity:
                let event = try EventJSON.decode(record.payload)
                #expect(event.eventType == .stockCount ? event.quantity < 0 : event.quantity <= 0)
            case .inconsistentTotal:
                let event = try EventJSON.decode(record.payload)
                #expect(abs(event.totalPriceCents - event.unitPriceCents * Int64(event.quantity)) > 1)
            case .badTimestamp:
                // A blank timestamp is refused while decoding (null:timestamp); others do not parse.
                do {
                    #expect(EventTimestamp.parse(try EventJSON.decode(record.payload).timestamp) == nil)
                } catch let error as LakehouseError {
                    #expect(error.reason == "null:timestamp")
                }
            case .offsetTimestamp:
                let event = try EventJSON.decode(record.payload)
                #expect(!event.timestamp.hasSuffix("Z"))
                #expect(EventTimestamp.parse(event.timestamp) == record.eventTime)
            case .duplicate:
                #expect(records.contains { $0.kind != .duplicate && $0.payload == record.payload })
            default: Issue.record("\(record.kind) is not a dirty kind")
            }
        }
    }

    @Test("the ground truth survives a write and a read")
    func truthFile() throws {
        let (_, truth) = Self.run(Self.small)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("truth-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try truth.write(to: path)
        #expect(try GroundTruth.read(from: path) == truth)
    }

    @Test("a ground truth written to a pipe (as to /dev/null) goes through it and leaves it a pipe")
    func truthToPipe() async throws {
        let (_, truth) = Self.run(Self.small)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fifo-\(UUID().uuidString)").path
        try #require(mkfifo(path, 0o600) == 0)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = Task.detached { () -> Data in
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            return try handle.readToEnd() ?? Data()
        }
        try truth.write(to: path)
        let read = try await reader.value
        #expect(try JSONDecoder().decode(GroundTruth.self, from: read) == truth)
        let type = try FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType
        #expect(type != nil && type != .typeRegular, "\(String(describing: type))")
    }
}
