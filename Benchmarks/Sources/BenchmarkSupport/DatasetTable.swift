import Crypto
import Foundation
import ParquetLite

/// The benchmark table of `../shared/bench/DATASET.md`, built by its formulas, column by column.
/// `peers/dataset.py` builds the same rows for the Python peers.
public struct DatasetTable: Sendable {
    public let count: Int
    public var transactionID: [String] = []
    public var productID: [String] = []
    public var productName: [String] = []
    public var productCategory: [String] = []
    public var storeID: [String] = []
    public var quantity: [Int32] = []
    public var unitPrice: [Double] = []
    public var totalPrice: [Double] = []
    /// Microseconds since 1970-01-01 UTC.
    public var saleTimestamp: [Int64] = []
    public var paymentMethod: [String] = []
    public var clientType: [String] = []
    public var loyaltyID: [Int64?] = []

    static let categories = [
        "DAIRY", "BAKERY", "FRUIT", "VEGETABLES", "MEAT", "FISH", "FROZEN", "PANTRY", "BEVERAGES", "HOUSEHOLD",
        "HYGIENE", "SNACKS",
    ]
    static let payments = ["CREDIT CARD", "CASH", "APP"]
    static let clients = ["REGULAR", "PREMIUM", "NEW"]

    /// SplitMix64, arithmetic modulo 2^64.
    public static func splitmix64(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private static func hex16(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    private static func padded(_ value: UInt64, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// Rows `0..<count`.
    public init(count: Int) { self.init(rows: 0..<count) }

    /// Rows `rows` of the table (stored from index 0: row `rows.lowerBound` is at index 0).
    public init(rows: Range<Int>) {
        self.count = rows.count
        let stores = (0..<50).map { "STORE_" + Self.padded(UInt64($0), 3) }
        let products = (0..<2000).map { "P" + Self.padded(UInt64($0), 5) }
        let names = (0..<2000).map { "Product " + Self.padded(UInt64($0), 5) }
        var basketID = ""
        for i in rows {
            let k = UInt64(i / 3)
            if i % 3 == 0 || i == rows.lowerBound {
                let h = Self.hex16(Self.splitmix64(2 * k)) + Self.hex16(Self.splitmix64(2 * k + 1))
                let c = Array(h)
                basketID =
                    String(c[0..<8]) + "-" + String(c[8..<12]) + "-" + String(c[12..<16]) + "-" + String(c[16..<20])
                    + "-" + String(c[20..<32])
            }
            let p = Int(Self.splitmix64(UInt64(i)) % 2000)
            let quantity = Int32(1 + Self.splitmix64(UInt64(i) + 11) % 5)
            let cents = Double(p % 997 + 50)
            transactionID.append(basketID)
            productID.append(products[p])
            productName.append(names[p])
            productCategory.append(Self.categories[p % 12])
            storeID.append(stores[Int(Self.splitmix64(k + 7) % 50)])
            self.quantity.append(quantity)
            unitPrice.append(cents / 100.0)
            totalPrice.append(cents * Double(quantity) / 100.0)
            saleTimestamp.append(1_767_225_600_000_000 + Int64(k) * 250_000)
            paymentMethod.append(Self.payments[Int(Self.splitmix64(k + 13) % 3)])
            clientType.append(Self.clients[Int(Self.splitmix64(k + 17) % 3)])
            loyaltyID.append(
                Self.splitmix64(k + 19) % 10 < 6 ? nil : Int64(Self.splitmix64(k + 23) % 1_000_000_000))
        }
    }

    /// The canonical text of row `i` (DATASET.md): the twelve values joined by `|`, doubles
    /// with two decimals, NULL as empty.
    public func canonicalRow(_ i: Int) -> String {
        [
            transactionID[i], productID[i], productName[i], productCategory[i], storeID[i], String(quantity[i]),
            String(format: "%.2f", unitPrice[i]), String(format: "%.2f", totalPrice[i]), String(saleTimestamp[i]),
            paymentMethod[i], clientType[i], loyaltyID[i].map(String.init) ?? "",
        ].joined(separator: "|")
    }

    /// Checks the test vectors of DATASET.md that fall inside the table.
    ///
    /// - Throws: ``DatasetError`` naming the first row that differs.
    public func verifyTestVectors() throws {
        let vectors = [
            0:
                "e220a839-7b1d-cdaf-910a-2dec89025cc1|P01535|Product 01535|SNACKS|STORE_037|4|5.88|23.52|1767225600000000|CASH|REGULAR|780010966",
            3:
                "975835de-1c97-56ce-1d0b-14e4db018fed|P01053|Product 01053|HOUSEHOLD|STORE_022|4|1.06|4.24|1767225600250000|APP|PREMIUM|",
            999:
                "2ff04ff8-79f5-ded0-ff21-ebd3fd79aa60|P00092|Product 00092|BEVERAGES|STORE_022|1|1.42|1.42|1767225683250000|CREDIT CARD|REGULAR|",
            999_999:
                "b4fbceb9-06a0-6e30-1c70-b50bc3c483e5|P01997|Product 01997|FISH|STORE_002|5|0.53|2.65|1767308933250000|CASH|PREMIUM|",
        ]
        for (row, expected) in vectors.sorted(by: { $0.key < $1.key }) where row < count {
            let actual = canonicalRow(row)
            guard actual == expected else {
                throw DatasetError(message: "row \(row) is \(actual), expected \(expected)")
            }
        }
    }
}

extension DatasetTable {
    /// DATASET.md's SHA-256 of the canonical text of rows 0..<1000.
    public static let canonicalSHA256 = "fa590ab65438961ca8ad9df41fda56201cff7ebf5271c01278b4338ad9b9a1d5"

    /// Checks the SHA-256 vector of DATASET.md over rows 0..<1000 (built apart if the table is
    /// shorter), and the row vectors.
    ///
    /// - Throws: ``DatasetError`` if either differs: the generator does not follow DATASET.md.
    public func verify() throws {
        try verifyTestVectors()
        let sample = count >= 1000 ? self : DatasetTable(count: 1000)
        var text = ""
        for row in 0..<1000 { text += sample.canonicalRow(row) + "\n" }
        let digest = SHA256.hash(data: Array(text.utf8)).map { String(format: "%02x", $0) }.joined()
        guard digest == Self.canonicalSHA256 else {
            throw DatasetError(
                message: "SHA-256 of rows 0..<1000 is \(digest), DATASET.md says \(Self.canonicalSHA256)")
        }
    }

    /// The table as ParquetLite column batches, in DATASET.md's column order.
    public func parquetBatches() -> [ParquetColumnBatch] {
        [
            .init(.byteArray(ParquetByteArrays(strings: transactionID))),
            .init(.byteArray(ParquetByteArrays(strings: productID))),
            .init(.byteArray(ParquetByteArrays(strings: productName))),
            .init(.byteArray(ParquetByteArrays(strings: productCategory))),
            .init(.byteArray(ParquetByteArrays(strings: storeID))),
            .init(.int32(quantity)), .init(.double(unitPrice)), .init(.double(totalPrice)),
            .init(.int64(saleTimestamp)),
            .init(.byteArray(ParquetByteArrays(strings: paymentMethod))),
            .init(.byteArray(ParquetByteArrays(strings: clientType))),
            .int64s(loyaltyID),
        ]
    }

    /// DATASET.md's schema: strings are UTF-8, the timestamp is MICROS UTC, `loyalty_id` alone is OPTIONAL.
    public static func parquetSchema() throws -> ParquetSchema {
        try ParquetSchema([
            .string("transaction_id"), .string("product_id"), .string("product_name"), .string("product_category"),
            .string("store_id"), .int32("quantity"), .double("unit_price"), .double("total_price"),
            .timestamp("sale_timestamp"), .string("payment_method"), .string("client_type"),
            .int64("loyalty_id", repetition: .optional),
        ])
    }
}

/// The generated table does not match DATASET.md.
public struct DatasetError: Error, CustomStringConvertible {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
