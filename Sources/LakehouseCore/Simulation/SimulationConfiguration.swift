/// What to simulate: a chain of stores over days, and how dirty its data is.
public struct SimulationConfiguration: Sendable, Hashable {
    /// Stores in the chain (default 10).
    public var stores = 10
    /// Products in the assortment (default 200).
    public var products = 200
    /// Simulated days (default 14).
    public var days = 14
    /// The seed: the same seed and settings give the same records (default 1).
    public var seed: UInt64 = 1
    /// Midnight UTC of the first day, in microseconds since 1970 (default Monday 2026-01-05).
    public var startMicros: Int64 = 1_767_571_200_000_000
    /// The share of records that are dirty, one kind per record, spread evenly over
    /// ``RecordKind/dirtyKinds`` (default 0).
    public var dirtyRate = 0.0
    /// Stores open at this hour and close at ``closingHour`` (UTC; defaults 7 and 22).
    public var openingHour = 7
    public var closingHour = 22

    /// The defaults.
    public init() {}

    /// A chain of `stores` × `products` over `days`, the rest as by default.
    public init(stores: Int, products: Int, days: Int, seed: UInt64 = 1, dirtyRate: Double = 0) {
        self.stores = stores
        self.products = products
        self.days = days
        self.seed = seed
        self.dirtyRate = dirtyRate
    }
}
