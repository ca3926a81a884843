import Foundation

/// What really happened in a simulation: the records sent by kind and, per store × product, the
/// true on-hand trajectory, every stockout interval and the demand lost to them. Written as JSON
/// (``write(to:)``) for evaluating what the pipeline sees against the truth.
public struct GroundTruth: Sendable, Codable, Hashable {
    /// One store × product.
    public struct Item: Sendable, Codable, Hashable {
        /// The store's ID, as in its events (`STORE_001`).
        public var store: String
        /// The product's ID, as in its events (`P00001`).
        public var product: String
        /// `[microseconds since 1970 UTC, units on hand]` at the start and after every change.
        public var onHand: [[Int64]]
        /// `[start, end]` in microseconds, when on hand was 0; the last may be open (`end` is the
        /// end of the simulation then, and ``openStockout`` is set).
        public var stockouts: [[Int64]]
        /// Whether the shelf was still empty when the simulation ended (the last of ``stockouts`` is open).
        public var openStockout: Bool
        /// Units customers wanted, whether or not the shelf held them.
        public var wantedUnits: Int
        /// Units customers got (sold).
        public var soldUnits: Int
        /// What customers wanted and did not get, at the shelf price of the moment (cents).
        public var lostValueCents: Int64 = 0
        /// Perishable units wasted past their shelf life. Waste is not an event: the evening
        /// count of perishables shows it to the pipeline.
        public var wasteUnits = 0
        /// ``wasteUnits`` at cost, in cents.
        public var wasteCostCents: Int64 = 0

        /// Units on hand at the end.
        public var finalOnHand: Int { Int(onHand.last?[1] ?? 0) }
    }

    /// The first simulated instant: microseconds since 1970 UTC.
    public var start: Int64
    /// The end of the last simulated day (microseconds since 1970 UTC); nil until the simulation finishes.
    public var end: Int64?
    /// Records sent, by ``RecordKind`` raw value.
    public var recordsByKind: [String: Int] = [:]
    /// Units lost to shrinkage (breakage, theft), which no event reports but stock counts reveal.
    public var shrunkUnits = 0
    /// Every store × product, stores first.
    public var items: [Item]

    private var productCount: Int

    init(catalog: StoreCatalog, start: Int64) {
        self.start = start
        productCount = catalog.products.count
        items = catalog.stores.flatMap { store in
            catalog.products.map { product in
                Item(
                    store: store.id, product: product.id, onHand: [], stockouts: [], openStockout: false,
                    wantedUnits: 0, soldUnits: 0)
            }
        }
    }

    /// The item of `store` × `product` (indices in the catalog).
    public func item(store: Int, product: Int) -> Item { items[store * productCount + product] }

    /// Records sent in all.
    public var recordCount: Int { recordsByKind.values.reduce(0, +) }

    mutating func record(store: Int, product: Int, at time: Int64, onHand units: Int) {
        let index = store * productCount + product
        items[index].onHand.append([time, Int64(units)])
        if units == 0 && !items[index].openStockout {
            items[index].stockouts.append([time, time])
            items[index].openStockout = true
        } else if units > 0 && items[index].openStockout {
            items[index].stockouts[items[index].stockouts.count - 1][1] = time
            items[index].openStockout = false
        }
    }

    mutating func addDemand(store: Int, product: Int, wanted: Int, sold: Int, priceCents: Int64) {
        items[store * productCount + product].wantedUnits += wanted
        items[store * productCount + product].soldUnits += sold
        items[store * productCount + product].lostValueCents += Int64(wanted - sold) * priceCents
    }

    mutating func addWaste(store: Int, product: Int, units: Int, costCents: Int64) {
        items[store * productCount + product].wasteUnits += units
        items[store * productCount + product].wasteCostCents += Int64(units) * costCents
    }

    mutating func count(_ kind: RecordKind) { recordsByKind[kind.rawValue, default: 0] += 1 }

    mutating func uncount(_ kind: RecordKind) { recordsByKind[kind.rawValue, default: 0] -= 1 }

    /// Closes open stockouts at the end of the simulation.
    mutating func finish(at time: Int64) {
        guard end == nil else { return }
        end = time
        for index in items.indices where items[index].openStockout {
            items[index].stockouts[items[index].stockouts.count - 1][1] = time
        }
    }

    /// Writes the truth as JSON to `path`.
    ///
    /// - Throws: the file system's error.
    ///
    /// A regular file is replaced atomically; anything else that exists at `path` (a device such
    /// as `/dev/null`, a pipe) is written to as it is, never replaced.
    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(self)
        let type = (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType
        if let type, type != .typeRegular {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            try handle.write(contentsOf: data)
        } else {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        }
    }

    /// Reads a truth written by ``write(to:)``.
    public static func read(from path: String) throws -> GroundTruth {
        try JSONDecoder().decode(GroundTruth.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
