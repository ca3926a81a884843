import Foundation

/// A product the chain sells, with what replenishment needs to know about it.
public struct Product: Sendable, Hashable {
    /// `P00001`…
    public var id: String
    /// The name its events carry: a word of its category and a size (`Milk 1 l`).
    public var name: String
    /// One of ``StoreCatalog/categories``.
    public var category: String
    /// The regular shelf price of one unit, in cents (a promotion takes its discount off it).
    public var unitPriceCents: Int64
    /// What the store pays per unit (restock lines carry it).
    public var unitCostCents: Int64
    /// Mean units sold per day in a store of average size.
    public var baseDailyDemand: Double
    /// Days from order to delivery.
    public var leadTimeDays: Int
    /// Orders are whole cases of this many units.
    public var caseSize: Int
    /// For a perishable product, the days a delivered unit can be sold (the day of delivery
    /// included); units still on the shelf at the evening check of their last day are wasted.
    /// `nil` for a product that keeps.
    public var shelfLifeDays: Int?
}

/// A store of the chain.
public struct Store: Sendable, Hashable {
    /// `STORE_001`…
    public var id: String
    /// How much busier than an average store it is (1 = average).
    public var sizeFactor: Double
}

/// The chain's stores and products, generated deterministically from a seed: the same seed
/// gives the same catalog.
public struct StoreCatalog: Sendable {
    /// The twelve categories, upper-cased as silver stores them; products are dealt to them in turn.
    public static let categories = [
        "DAIRY", "BAKERY", "FRUIT", "VEGETABLES", "MEAT", "FISH", "FROZEN", "PANTRY", "BEVERAGES", "HOUSEHOLD",
        "HYGIENE", "SNACKS",
    ]

    /// The stores, `STORE_001` first; the simulator and policies refer to a store by its index here.
    public let stores: [Store]
    /// The products every store sells, `P00001` first; the simulator refers to a product by its index here.
    public let products: [Product]
    private let affinity: [[Double]]

    /// How much more (or less) store `store` sells of product `product` than its size says
    /// (between 0.5 and 1.5).
    public func affinity(store: Int, product: Int) -> Double { affinity[store][product] }

    /// The true mean daily demand of `product` in `store`, in units.
    public func dailyDemand(store: Int, product: Int) -> Double {
        products[product].baseDailyDemand * stores[store].sizeFactor * affinity[store][product]
    }

    /// A catalog of `storeCount` stores and `productCount` products.
    ///
    /// Demand is skewed as in real assortments: most products sell a few units a day, a few sell
    /// dozens, and about one in six sells less than one a day (intermittent). Fresh categories
    /// have short lead times and small cases.
    ///
    /// - Parameter demandScale: multiplies every product's demand (default 1): a large chain
    ///   with a long assortment sells fewer units of each product than a small one.
    public init(stores storeCount: Int, products productCount: Int, seed: UInt64, demandScale: Double = 1) {
        var random = SeededRandom(seed: seed, stream: 1)
        stores = (0..<storeCount).map { index in
            Store(id: "STORE_\(Self.padded(index + 1, 3))", sizeFactor: random.uniform(0.6...1.6))
        }
        products = (0..<productCount).map { index in
            let category = Self.categories[index % Self.categories.count]
            let profile = Self.profile(category)
            let words = profile.words
            let name =
                "\(words[index / Self.categories.count % words.count]) \(Self.sizes[(index * 7) % Self.sizes.count])"
            let price = Int64((Double(profile.priceCents) * random.uniform(0.5...2.0)).rounded())
            // Log-uniform demand from 0.2 to 40 units a day.
            let demand = 0.2 * pow200(random.unit()) * demandScale
            return Product(
                id: "P\(Self.padded(index + 1, 5))", name: name, category: category, unitPriceCents: max(price, 19),
                unitCostCents: max(Int64(Double(price) * 0.62), 10), baseDailyDemand: demand,
                leadTimeDays: profile.leadTimes[index % profile.leadTimes.count],
                caseSize: profile.caseSizes[index % profile.caseSizes.count], shelfLifeDays: profile.shelfLifeDays)
        }
        affinity = (0..<storeCount).map { _ in (0..<productCount).map { _ in random.uniform(0.5...1.5) } }
    }

    private static let sizes = ["250 g", "500 g", "1 kg", "330 ml", "1 l", "6 pack", "12 pack", "family size"]

    private struct CategoryProfile {
        var words: [String]
        var priceCents: Int
        var leadTimes: [Int]
        var caseSizes: [Int]
        var shelfLifeDays: Int? = nil
    }

    /// How demand for a category shifts over the week, Monday first (a mean of 1): bread and fresh
    /// food for the weekend are bought on Fridays and Saturdays, drinks and snacks before the
    /// weekend, household goods early in the week.
    public static func weekdayProfile(category: String) -> [Double] {
        let shape: [Double] =
            switch category {
            case "BAKERY": [0.9, 0.85, 0.85, 0.9, 1.1, 1.5, 0.9]
            case "MEAT", "FISH": [0.8, 0.8, 0.9, 1.0, 1.3, 1.4, 0.8]
            case "FRUIT", "VEGETABLES", "DAIRY": [1.0, 0.9, 0.95, 1.0, 1.1, 1.25, 0.8]
            case "BEVERAGES", "SNACKS": [0.8, 0.8, 0.85, 0.95, 1.3, 1.5, 0.8]
            case "HOUSEHOLD", "HYGIENE": [1.15, 1.1, 1.05, 1.0, 0.95, 1.0, 0.75]
            default: [1.0, 0.95, 0.95, 1.0, 1.05, 1.2, 0.85]
            }
        let mean = shape.reduce(0, +) / Double(shape.count)
        return shape.map { $0 / mean }
    }

    private static func profile(_ category: String) -> CategoryProfile {
        switch category {
        case "DAIRY":
            CategoryProfile(
                words: ["Milk", "Yogurt", "Butter", "Cheese", "Cream"], priceCents: 189, leadTimes: [1, 2],
                caseSizes: [6, 12], shelfLifeDays: 10)
        case "BAKERY":
            CategoryProfile(
                words: ["Bread", "Baguette", "Croissant", "Muffin", "Bagel"], priceCents: 249, leadTimes: [1],
                caseSizes: [6, 10], shelfLifeDays: 2)
        case "FRUIT":
            CategoryProfile(
                words: ["Apples", "Bananas", "Oranges", "Grapes", "Pears"], priceCents: 299, leadTimes: [1, 2],
                caseSizes: [8, 12], shelfLifeDays: 6)
        case "VEGETABLES":
            CategoryProfile(
                words: ["Carrots", "Tomatoes", "Onions", "Lettuce", "Peppers"], priceCents: 199, leadTimes: [1, 2],
                caseSizes: [8, 12], shelfLifeDays: 6)
        case "MEAT":
            CategoryProfile(
                words: ["Chicken", "Beef mince", "Pork chops", "Sausages", "Ham"], priceCents: 649, leadTimes: [2],
                caseSizes: [4, 6], shelfLifeDays: 4)
        case "FISH":
            CategoryProfile(
                words: ["Salmon", "Cod", "Tuna steak", "Prawns", "Trout"], priceCents: 899, leadTimes: [2],
                caseSizes: [4, 6], shelfLifeDays: 3)
        case "FROZEN":
            CategoryProfile(
                words: ["Peas", "Pizza", "Ice cream", "Fries", "Fish fingers"], priceCents: 399, leadTimes: [3, 4],
                caseSizes: [12])
        case "PANTRY":
            CategoryProfile(
                words: ["Rice", "Pasta", "Flour", "Olive oil", "Beans"], priceCents: 229, leadTimes: [3, 5],
                caseSizes: [12, 24])
        case "BEVERAGES":
            CategoryProfile(
                words: ["Water", "Cola", "Orange juice", "Coffee", "Tea"], priceCents: 179, leadTimes: [3, 4],
                caseSizes: [12, 24])
        case "HOUSEHOLD":
            CategoryProfile(
                words: ["Detergent", "Paper towels", "Sponges", "Bin bags", "Foil"], priceCents: 449,
                leadTimes: [4, 5], caseSizes: [12])
        case "HYGIENE":
            CategoryProfile(
                words: ["Shampoo", "Toothpaste", "Soap", "Deodorant", "Tissues"], priceCents: 349, leadTimes: [4, 5],
                caseSizes: [12, 24])
        default:
            CategoryProfile(
                words: ["Crisps", "Chocolate", "Biscuits", "Nuts", "Popcorn"], priceCents: 159, leadTimes: [3],
                caseSizes: [12, 24])
        }
    }

    static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

private func pow200(_ x: Double) -> Double { Foundation.pow(200, x) }
