import Foundation
import ParquetLite

/// The text values of one column, back to back as Parquet and Arrow store them: value `i` is
/// `bytes[offsets[i]..<offsets[i + 1]]`, and `validity[i]` is `false` for a null.
public struct SilverTextColumn: Sendable, Hashable {
    /// Every value's UTF-8 bytes, back to back (a null adds none).
    public private(set) var bytes: [UInt8] = []
    /// Where each value starts, then where the last ends (`offsets[0] == 0`).
    public private(set) var offsets: [Int32] = [0]
    /// One flag per value (`false`: null), or `nil` when none is null.
    public private(set) var validity: [Bool]?

    /// An empty column.
    public init() {}

    /// The number of values.
    public var count: Int { offsets.count - 1 }

    /// The values of a Parquet byte-array column: `present` holds the non-null values back to
    /// back, `validity` (one flag per row) says which rows have one; `nil` when the two
    /// disagree on the number of values, or for `rows` rows.
    init?(present: ParquetByteArrays, validity: [Bool]?, rows: Int) {
        guard present.offsets.first == 0, present.offsets.last.map(Int.init) == present.bytes.count else { return nil }
        bytes = present.bytes
        guard let validity, validity.contains(false) else {
            guard present.count == rows, validity?.count ?? rows == rows else { return nil }
            offsets = present.offsets
            return
        }
        guard validity.count == rows, validity.lazy.filter({ $0 }).count == present.count else { return nil }
        var expanded: [Int32] = [0]
        expanded.reserveCapacity(validity.count + 1)
        var next = 1
        for isPresent in validity {
            if isPresent {
                expanded.append(present.offsets[next])
                next += 1
            } else {
                expanded.append(expanded[expanded.count - 1])
            }
        }
        offsets = expanded
        self.validity = validity
    }

    /// Makes room for `values` more values of about `bytesPerValue` bytes each.
    mutating func reserve(_ values: Int, bytesPerValue: Int) {
        bytes.reserveCapacity(bytes.count + values * bytesPerValue)
        offsets.reserveCapacity(offsets.count + values)
    }

    /// Appends `text` (`nil`: a null).
    public mutating func append(_ text: String?) {
        guard var text else {
            if validity == nil { validity = Array(repeating: true, count: count) }
            validity?.append(false)
            offsets.append(Int32(truncatingIfNeeded: bytes.count))
            return
        }
        text.withUTF8 { append(bytes: $0) }
    }

    /// Appends value `row` of `other`.
    /// Appends a present value's bytes (UTF-8, checked by the caller).
    mutating func append(bytes value: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: value)
        markPresent()
        offsets.append(Int32(truncatingIfNeeded: bytes.count))
    }

    /// Appends rows `rows` of `other` at once: the same column as appending them one by one.
    mutating func append(rows: Range<Int>, of other: SilverTextColumn) {
        guard !rows.isEmpty else { return }
        let before = count
        let low = Int(other.offsets[rows.lowerBound])
        let high = Int(other.offsets[rows.upperBound])
        let shift = Int32(truncatingIfNeeded: bytes.count - low)
        other.bytes.withUnsafeBufferPointer { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: $0[low..<high])) }
        other.offsets.withUnsafeBufferPointer { source in
            offsets.append(
                contentsOf: UnsafeBufferPointer(rebasing: source[(rows.lowerBound + 1)...rows.upperBound]).lazy.map {
                    $0 &+ shift
                })
        }
        // A validity appears with the first null, as when rows are appended one by one.
        if let flags = other.validity, validity != nil || flags[rows].contains(false) {
            if validity == nil { validity = Array(repeating: true, count: before) }
            validity?.append(contentsOf: flags[rows])
        } else if validity != nil {
            validity?.append(contentsOf: repeatElement(true, count: rows.count))
        }
    }

    mutating func append(row: Int, of other: SilverTextColumn) {
        if let flags = other.validity, !flags[row] {
            append(nil)
            return
        }
        other.bytes.withUnsafeBufferPointer { source in
            bytes.append(
                contentsOf: UnsafeBufferPointer(
                    rebasing: source[Int(other.offsets[row])..<Int(other.offsets[row + 1])]))
        }
        markPresent()
        offsets.append(Int32(truncatingIfNeeded: bytes.count))
    }

    private mutating func markPresent() {
        if validity != nil { validity?.append(true) }
    }

    /// Value `row` (`nil` for a null).
    public subscript(row: Int) -> String? {
        if let flags = validity, !flags[row] { return nil }
        return bytes.withUnsafeBufferPointer {
            String(
                decoding: UnsafeBufferPointer(rebasing: $0[Int(offsets[row])..<Int(offsets[row + 1])]), as: UTF8.self)
        }
    }

    /// Every value, as strings.
    public var strings: [String?] { (0..<count).map { self[$0] } }

    /// Calls `body` with the bytes of value `row` (empty for a null).
    @inline(__always)
    func withBytes<Result>(_ row: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        bytes.withUnsafeBufferPointer {
            body(UnsafeBufferPointer(rebasing: $0[Int(offsets[row])..<Int(offsets[row + 1])]))
        }
    }

    /// Whether value `row` here equals value `otherRow` of `other`, byte for byte (nulls equal).
    func equals(_ row: Int, _ other: SilverTextColumn, _ otherRow: Int) -> Bool {
        let present = validity.map { $0[row] } ?? true
        guard present == (other.validity.map { $0[otherRow] } ?? true) else { return false }
        return withBytes(row) { left in
            other.withBytes(otherRow) { right in
                left.count == right.count
                    && (left.isEmpty || memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0)
            }
        }
    }
}

/// Clean silver rows, column by column: what the Parquet writer and PostgreSQL's COPY take, with
/// no object per row. Rows keep the order they were appended in.
public struct SilverColumns: Sendable, Hashable {
    /// Each row's basket, delivery or count (``SilverEvent/transactionID``).
    public var transactionID = SilverTextColumn()
    /// Each row's product.
    public var productID = SilverTextColumn()
    /// Each row's product name, as its event gave it.
    public var productName = SilverTextColumn()
    /// Each row's category, upper-cased.
    public var category = SilverTextColumn()
    /// Each row's units (``SilverEvent/quantity``).
    public var quantity: [Int64] = []
    /// Each row's unit price, in cents.
    public var unitPriceCents: [Int64] = []
    /// Each row's line total, in cents.
    public var totalPriceCents: [Int64] = []
    /// Microseconds since 1970-01-01T00:00:00Z.
    public var eventTime: [Int64] = []
    /// Days since 1970-01-01 (UTC).
    public var eventDate: [Int32] = []
    /// Each row's store, upper-cased.
    public var storeID = SilverTextColumn()
    /// Each row's payment method, upper-cased; null for restocks and counts.
    public var paymentMethod = SilverTextColumn()
    /// Each row's kind of customer, upper-cased; null for restocks and counts.
    public var clientType = SilverTextColumn()
    /// Each row's ``EventType`` raw value: `sale`, `restock` or `stock_count`.
    public var eventType = SilverTextColumn()
    /// The key of the bronze object each row was read from.
    public var bronzeKey = SilverTextColumn()
    /// The line of ``bronzeKey`` each row was read from, counted from 1.
    public var bronzeLine: [Int64] = []

    /// No rows.
    public init() {}

    /// The rows of `rows`, in order.
    public init(rows: [SilverTable.Row]) {
        for row in rows { append(row.event, bronzeKey: row.bronzeKey, bronzeLine: row.bronzeLine) }
    }

    /// The number of rows.
    public var count: Int { quantity.count }

    /// Makes room for `rows` more rows, so that appending them does not grow the buffers step by
    /// step (bytes per value are typical sizes; more only costs a regrowth).
    public mutating func reserveCapacity(_ rows: Int) {
        for (column, size) in [
            (\SilverColumns.transactionID, 36), (\.productID, 8), (\.productName, 24), (\.category, 10),
            (\.storeID, 10), (\.paymentMethod, 12), (\.clientType, 10), (\.eventType, 7), (\.bronzeKey, 64),
        ] as [(WritableKeyPath<SilverColumns, SilverTextColumn>, Int)] {
            self[keyPath: column].reserve(rows, bytesPerValue: size)
        }
        for column in [\SilverColumns.quantity, \.unitPriceCents, \.totalPriceCents, \.eventTime, \.bronzeLine] {
            self[keyPath: column].reserveCapacity(count + rows)
        }
        eventDate.reserveCapacity(count + rows)
    }

    /// Appends one event read at `bronzeKey`, line `bronzeLine`.
    public mutating func append(_ event: SilverEvent, bronzeKey key: String, bronzeLine line: Int64) {
        transactionID.append(event.transactionID)
        productID.append(event.productID)
        productName.append(event.productName)
        category.append(event.category)
        quantity.append(event.quantity)
        unitPriceCents.append(event.unitPriceCents)
        totalPriceCents.append(event.totalPriceCents)
        eventTime.append(event.eventTime)
        eventDate.append(event.eventDate)
        storeID.append(event.storeID)
        paymentMethod.append(event.paymentMethod)
        clientType.append(event.clientType)
        eventType.append(event.eventType.rawValue)
        bronzeKey.append(key)
        bronzeLine.append(line)
    }

    /// Appends row `row` of `other`.
    public mutating func append(row: Int, of other: SilverColumns) {
        transactionID.append(row: row, of: other.transactionID)
        productID.append(row: row, of: other.productID)
        productName.append(row: row, of: other.productName)
        category.append(row: row, of: other.category)
        quantity.append(other.quantity[row])
        unitPriceCents.append(other.unitPriceCents[row])
        totalPriceCents.append(other.totalPriceCents[row])
        eventTime.append(other.eventTime[row])
        eventDate.append(other.eventDate[row])
        storeID.append(row: row, of: other.storeID)
        paymentMethod.append(row: row, of: other.paymentMethod)
        clientType.append(row: row, of: other.clientType)
        eventType.append(row: row, of: other.eventType)
        bronzeKey.append(row: row, of: other.bronzeKey)
        bronzeLine.append(other.bronzeLine[row])
    }

    /// Appends rows `rows` of `other` at once, as ``append(row:of:)`` would one by one.
    mutating func append(rows: Range<Int>, of other: SilverColumns) {
        transactionID.append(rows: rows, of: other.transactionID)
        productID.append(rows: rows, of: other.productID)
        productName.append(rows: rows, of: other.productName)
        category.append(rows: rows, of: other.category)
        quantity.append(contentsOf: other.quantity[rows])
        unitPriceCents.append(contentsOf: other.unitPriceCents[rows])
        totalPriceCents.append(contentsOf: other.totalPriceCents[rows])
        eventTime.append(contentsOf: other.eventTime[rows])
        eventDate.append(contentsOf: other.eventDate[rows])
        storeID.append(rows: rows, of: other.storeID)
        paymentMethod.append(rows: rows, of: other.paymentMethod)
        clientType.append(rows: rows, of: other.clientType)
        eventType.append(rows: rows, of: other.eventType)
        bronzeKey.append(rows: rows, of: other.bronzeKey)
        bronzeLine.append(contentsOf: other.bronzeLine[rows])
    }

    /// The rows at `rows`, in that order.
    public func selecting<Rows: Sequence<Int>>(_ rows: Rows) -> SilverColumns {
        var selected = SilverColumns()
        for row in rows { selected.append(row: row, of: self) }
        return selected
    }

    /// The natural key of row `row`.
    public func naturalKey(_ row: Int) -> SilverEvent.NaturalKey {
        SilverEvent.NaturalKey(
            transactionID: transactionID[row] ?? "", productID: productID[row] ?? "",
            eventType: EventType(rawValue: eventType[row] ?? "") ?? .sale)
    }

    /// A hash of row `row`'s natural key (transaction, product, event type), from its bytes.
    func naturalKeyHash(_ row: Int) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        func mix(_ column: SilverTextColumn) {
            column.withBytes(row) { bytes in
                for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
            }
            hash = (hash ^ 0xFF) &* 0x0000_0100_0000_01B3
        }
        mix(transactionID)
        mix(productID)
        mix(eventType)
        return hash
    }

    /// Whether row `row` has the natural key of row `otherRow` of `other`.
    func sameNaturalKey(_ row: Int, _ other: SilverColumns, _ otherRow: Int) -> Bool {
        transactionID.equals(row, other.transactionID, otherRow) && productID.equals(row, other.productID, otherRow)
            && eventType.equals(row, other.eventType, otherRow)
    }
}

/// Rows by the hash of their natural key: an open-addressing table of row numbers whose keys
/// are compared through the columns' bytes, so that a million keys cost no object each.
struct NaturalKeyIndex {
    private var slots: [Int32] = Array(repeating: -1, count: 1024)
    private var hashes: [UInt64] = Array(repeating: 0, count: 1024)
    private var used = 0

    /// Whether a row with `hash` for which `matches` holds is indexed.
    func contains(_ hash: UInt64, where matches: (Int) -> Bool) -> Bool {
        var slot = Int(hash & UInt64(slots.count - 1))
        while slots[slot] >= 0 {
            if hashes[slot] == hash, matches(Int(slots[slot])) { return true }
            slot = (slot + 1) & (slots.count - 1)
        }
        return false
    }

    /// Indexes `row` under `hash`.
    mutating func insert(_ row: Int, hash: UInt64) {
        if (used + 1) * 4 > slots.count * 3 { grow() }
        var slot = Int(hash & UInt64(slots.count - 1))
        while slots[slot] >= 0 { slot = (slot + 1) & (slots.count - 1) }
        slots[slot] = Int32(row)
        hashes[slot] = hash
        used += 1
    }

    private mutating func grow() {
        let (oldSlots, oldHashes) = (slots, hashes)
        slots = Array(repeating: -1, count: oldSlots.count * 2)
        hashes = Array(repeating: 0, count: oldSlots.count * 2)
        used = 0
        for (row, hash) in zip(oldSlots, oldHashes) where row >= 0 { insert(Int(row), hash: hash) }
    }
}
