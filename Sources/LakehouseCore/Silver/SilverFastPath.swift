import Foundation

/// Silver's common case, read on bytes: a bronze line whose envelope and event are valid and
/// already clean (no escape inside a field, nothing to trim, codes already upper case) goes
/// straight from the line's bytes into ``SilverColumns``, with no `String` or `POSEvent` made
/// on the way.
///
/// Anything else, a record that breaks a rule or only needs tidying, is left to the general path
/// (``BronzeBatch`` and ``SilverRules``), which decides and explains; this path accepts a line
/// only when the general one would keep it exactly as this one stores it: the envelope only in
/// the exact layout ``BronzeBatch/encoded()`` writes (``BronzeEnvelopeScanner``), the event
/// with ``FlatJSONObject`` as the general path parses it.
enum SilverFastPath {
    /// The required fields (in ``EventJSON/requiredFields`` order), then the optional ones.
    private static let eventKeys = FlatJSONKeys(
        EventJSON.requiredFields + ["event_type", "payment_method", "client_type"])

    /// Appends the record of bronze line `raw` to `columns` and returns `true` when it is a
    /// clean, valid record; returns `false`, having changed nothing, for any other line.
    ///
    /// - Parameter payload: a buffer the caller reuses from line to line (its contents are
    ///   replaced).
    static func clean(
        _ raw: ArraySlice<UInt8>, payload: inout [UInt8], into columns: inout SilverColumns, bronzeKey: String,
        bronzeLine: Int64
    ) -> Bool {
        let scanned = raw.withUnsafeBufferPointer { line in
            BronzeEnvelopeScanner.scan(line, payload: &payload).map { scanned in
                (EventTimestamp.parse(UnsafeBufferPointer(rebasing: line[scanned.arrival])), scanned.length)
            }
        }
        guard let (arrival, length) = scanned else { return false }
        return cleanEvent(
            payload[0..<length], arrivalMicros: arrival, into: &columns, bronzeKey: bronzeKey, bronzeLine: bronzeLine)
    }

    /// The event's part of ``clean(_:into:bronzeKey:bronzeLine:)``.
    private static func cleanEvent(
        _ payload: ArraySlice<UInt8>, arrivalMicros: Int64?, into columns: inout SilverColumns, bronzeKey: String,
        bronzeLine: Int64
    ) -> Bool {
        guard let object = try? FlatJSONObject.parse(payload), let values = object.rawValues(eventKeys) else {
            return false
        }
        return payload.withUnsafeBufferPointer { bytes in
            let event = FieldReader(bytes: bytes, values: values)
            guard let transactionID = event.text(0), let productID = event.text(1), let productName = event.text(2),
                let category = event.text(3, upperCase: true), let quantityText = event.number(4),
                let unitText = event.number(5), let totalText = event.number(6), let timestamp = event.text(7),
                let storeID = event.text(8, upperCase: true), let type = event.eventType(9),
                let payment = event.code(10), let client = event.code(11),
                let quantity = JSONDecimal(bytes: quantityText)?.wholeValue(),
                let unit = JSONDecimal(bytes: unitText)?.wholeValue(scaledBy: 2),
                let total = JSONDecimal(bytes: totalText)?.wholeValue(scaledBy: 2),
                let micros = EventTimestamp.parse(timestamp)
            else { return false }
            // SilverRules' checks, in numbers only: any failure is the general path's to explain.
            let fewest: Int64 = type == .stockCount ? 0 : 1
            let (product, overflow) = unit.multipliedReportingOverflow(by: quantity)
            guard (fewest...SilverRules.maximumQuantity).contains(quantity),
                (0...SilverRules.maximumPriceCents).contains(unit), (0...SilverRules.maximumPriceCents).contains(total),
                !overflow, abs(product - total) <= 1, micros >= SilverRules.earliestEventTime,
                arrivalMicros.map({ micros <= $0 + SilverRules.maximumLead }) ?? true
            else { return false }
            columns.transactionID.append(bytes: transactionID)
            columns.productID.append(bytes: productID)
            columns.productName.append(bytes: productName)
            columns.category.append(bytes: category)
            columns.quantity.append(quantity)
            columns.unitPriceCents.append(unit)
            columns.totalPriceCents.append(total)
            columns.eventTime.append(micros)
            columns.eventDate.append(Int32(EventTimestamp.floorDivide(micros, 86_400_000_000)))
            columns.storeID.append(bytes: storeID)
            // Only a sale has a payment method and a client type (as SilverRules keeps them).
            if type == .sale, let payment {
                columns.paymentMethod.append(bytes: payment)
            } else {
                columns.paymentMethod.append(nil)
            }
            if type == .sale, let client {
                columns.clientType.append(bytes: client)
            } else {
                columns.clientType.append(nil)
            }
            columns.eventType.append(type.rawValue)
            columns.bronzeKey.append(bronzeKey)
            columns.bronzeLine.append(bronzeLine)
            return true
        }
    }

    /// The event's fields, read where they lie; each accessor is `nil` where the general path
    /// has something to do (reject, resolve an escape, trim, upper-case).
    private struct FieldReader {
        let bytes: UnsafeBufferPointer<UInt8>
        let values: [FlatJSONObject.RawValue?]

        /// A required string with nothing to tidy: not empty, no escape, no space or non-ASCII
        /// byte at either end and, for a code (`upperCase`), nothing but ASCII without a
        /// lower-case letter.
        func text(_ slot: Int, upperCase: Bool = false) -> UnsafeBufferPointer<UInt8>? {
            guard let value = values[slot], value.kind == .string, !value.escaped, !value.range.isEmpty else {
                return nil
            }
            let text = UnsafeBufferPointer(rebasing: bytes[value.range])
            guard Self.isTidy(text.first!), Self.isTidy(text.last!) else { return nil }
            if upperCase {
                for byte in text where byte >= 0x80 || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) {
                    return nil
                }
            }
            return text
        }

        /// A required number literal.
        func number(_ slot: Int) -> UnsafeBufferPointer<UInt8>? {
            guard let value = values[slot], value.kind == .number else { return nil }
            return UnsafeBufferPointer(rebasing: bytes[value.range])
        }

        /// The event type: a sale when absent or null, else one of the three names exactly.
        func eventType(_ slot: Int) -> EventType? {
            guard let value = values[slot], value.kind != .null else { return .sale }
            guard value.kind == .string, !value.escaped else { return nil }
            let name = UnsafeBufferPointer(rebasing: bytes[value.range])
            for (type, spelled) in Self.typeNames where spelled.count == name.count {
                if spelled.withUnsafeBufferPointer({ memcmp($0.baseAddress!, name.baseAddress!, name.count) == 0 }) {
                    return type
                }
            }
            return nil
        }

        /// An optional code: `.some(nil)` when absent, null or empty, `.some(bytes)` when tidy
        /// and upper case, `nil` otherwise.
        func code(_ slot: Int) -> UnsafeBufferPointer<UInt8>?? {
            guard let value = values[slot], value.kind != .null else { return .some(nil) }
            guard value.kind == .string, !value.escaped else { return nil }
            if value.range.isEmpty { return .some(nil) }
            return text(slot, upperCase: true).map { .some($0) }
        }

        /// Each event type with its name's bytes.
        private static let typeNames = EventType.allCases.map { ($0, Array($0.rawValue.utf8)) }

        /// An ASCII byte that is not white space (what `SilverRules.trimmed` leaves as it is).
        private static func isTidy(_ byte: UInt8) -> Bool {
            byte < 0x80 && byte != 0x20 && !(0x09...0x0D).contains(byte)
        }
    }
}
