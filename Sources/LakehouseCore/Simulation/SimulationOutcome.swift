/// What a simulated chain's shelves went through, per store × product: the figures a retailer
/// judges replenishment by (availability, lost sales, inventory, waste). ``StoreSimulator`` keeps
/// it as it goes; `ReplenishmentEvaluation` turns it into rates with confidence intervals.
public struct SimulationOutcome: Sendable, Hashable {
    /// One store × product.
    public struct Item: Sendable, Hashable {
        /// The store's index in the catalog.
        public var store: Int
        /// The product's index in the catalog.
        public var product: Int
        /// The product's category, one of ``StoreCatalog/categories``.
        public var category: String
        /// The store's open hours over the measured days, in microseconds.
        public var openMicros: Int64 = 0
        /// The part of ``openMicros`` during which the shelf was empty, in microseconds.
        public var emptyOpenMicros: Int64 = 0
        /// Units customers wanted, whether or not the shelf held them.
        public var wantedUnits: Int64 = 0
        /// Units customers got (sold).
        public var soldUnits: Int64 = 0
        /// What customers wanted and did not get, at the shelf price of the moment (cents).
        public var lostValueCents: Int64 = 0
        /// Units on hand × microseconds, over the whole simulation (for the average inventory).
        public var unitMicros: Double = 0
        /// Units that left the shelf past their shelf life.
        public var wasteUnits: Int64 = 0
        /// ``wasteUnits`` at cost, in cents.
        public var wasteCostCents: Int64 = 0
        /// Days that ended with more on hand than the category's maximum days of cover of the
        /// true mean demand.
        public var overstockDays = 0
        /// When the shelf was empty: (start, end) pairs flattened, in time order (the last may end
        /// at the end of the simulation).
        public var emptyIntervals: [Int64] = []
        /// When deliveries of the item arrived.
        public var restockTimes: [Int64] = []
        /// What the store pays for one unit, in cents: inventory and waste are valued at it.
        public var unitCostCents: Int64
        /// The true mean units demanded a day, for days of cover and overstock.
        public var meanDailyDemand: Double

        /// An item with nothing yet recorded.
        public init(store: Int, product: Int, category: String, unitCostCents: Int64, meanDailyDemand: Double) {
            self.store = store
            self.product = product
            self.category = category
            self.unitCostCents = unitCostCents
            self.meanDailyDemand = meanDailyDemand
        }

        /// Lost units: wanted but not sold.
        public var lostUnits: Int64 { wantedUnits - soldUnits }
    }

    /// Every store × product, stores first.
    public var items: [Item]
    /// Days measured (the warm-up excluded).
    public var days = 0
    /// Store-days the stores were open over those days (a closed day counts for no store).
    public var openStoreDays = 0
    /// Order lines placed: one per store × product ordered at a review.
    public var orderLines = 0
    /// Deliveries received: one truck per store, arrival day and lead time.
    public var deliveries = 0
    /// Alerts opened that need a person (the `model` policy only; nil for the others).
    public var alertsOpened: Int?

    /// Units sold per day from the start (warm-up included), per store × product, for forecasts.
    var soldDaily: [[Int32]] = []

    /// Units sold on each day from the start of the simulation by one store × product.
    public func soldByDay(store: Int, product: Int) -> [Int32] {
        let index = store * productCount + product
        return index < soldDaily.count ? soldDaily[index] : []
    }

    private let productCount: Int
    /// The simulated span, in microseconds.
    public var spanMicros: Int64 = 0

    init(catalog: StoreCatalog) {
        productCount = catalog.products.count
        items = catalog.stores.indices.flatMap { store in
            catalog.products.indices.map { product in
                Item(
                    store: store, product: product, category: catalog.products[product].category,
                    unitCostCents: catalog.products[product].unitCostCents,
                    meanDailyDemand: catalog.dailyDemand(store: store, product: product))
            }
        }
    }
}
