/// A JSON number literal read exactly as a decimal: `significand × 10^exponent`, with the
/// significand's trailing zeros moved into the exponent, so `2`, `2.0`, `2e0` and `20e-1` are
/// the same value, and `1.990` is `199 × 10^-2`.
///
/// The events' numbers are read this way rather than as `Double`, so that an amount with two
/// decimals stays exact and a whole number written by a producer that only has floats
/// (`2.0`, as pandas writes it) is still whole.
struct JSONDecimal: Hashable, Sendable {
    var negative: Bool
    /// At most 18 significant digits (larger literals are refused).
    var significand: Int64
    var exponent: Int

    /// Reads a JSON number literal (`-?digits(.digits)?([eE][+-]?digits)?`); `nil` when it is
    /// not one, or has more than 18 significant digits, or an exponent beyond ±400 (no amount or
    /// quantity comes near either).
    ///
    /// - Complexity: O(literal length).
    init?(_ literal: String) {
        var literal = literal
        guard let value = literal.withUTF8({ Self(bytes: $0) }) else { return nil }
        self = value
    }

    /// Reads the literal's bytes, as ``init(_:)`` reads its text.
    init?(bytes: UnsafeBufferPointer<UInt8>) {
        guard let parsed = Self.parse(bytes) else { return nil }
        (negative, significand, exponent) = parsed
    }

    /// One pass over the bytes, nothing allocated (the hot path reads every quantity and price):
    /// digits accumulate into the significand, zeros wait until a non-zero digit follows them
    /// (trailing ones end up in the exponent).
    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> (Bool, Int64, Int)? {
        var index = 0
        let negative = index < bytes.count && bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        var value: Int64 = 0
        var significant = 0
        var pendingZeros = 0
        var wholeDigits = 0
        var fractionDigits = 0
        var seenPoint = false
        while index < bytes.count, bytes[index] != UInt8(ascii: "e"), bytes[index] != UInt8(ascii: "E") {
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "."), !seenPoint, wholeDigits > 0 {
                seenPoint = true
                continue
            }
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            if seenPoint { fractionDigits += 1 } else { wholeDigits += 1 }
            if digit == 0 {
                if significant > 0 { pendingZeros += 1 }
                continue
            }
            significant += pendingZeros + 1
            guard significant <= 18 else { return nil }
            for _ in 0..<pendingZeros { value *= 10 }
            value = value * 10 + Int64(digit)
            pendingZeros = 0
        }
        guard wholeDigits > 0, !seenPoint || fractionDigits > 0 else { return nil }
        var exponent = 0
        if index < bytes.count {
            index += 1  // e or E
            var exponentNegative = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            guard index < bytes.count else { return nil }
            while index < bytes.count {
                let digit = bytes[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                exponent = exponent * 10 + Int(digit)
                guard exponent <= 400 else { return nil }
                index += 1
            }
            if exponentNegative { exponent = -exponent }
        }
        guard value != 0 else { return (negative, 0, 0) }
        return (negative, value, exponent - fractionDigits + pendingZeros)
    }

    /// The value scaled by `10^scale` as an integer, when that is whole and fits in `Int64`:
    /// `wholeValue(scaledBy: 0)` is the value as a whole number, `scaledBy: 2` in cents.
    func wholeValue(scaledBy scale: Int = 0) -> Int64? {
        let shift = exponent + scale
        guard shift >= 0 else { return nil }
        var value = significand
        for _ in 0..<min(shift, 19) where value != 0 {
            let (product, overflow) = value.multipliedReportingOverflow(by: 10)
            guard !overflow else { return nil }
            value = product
        }
        return negative ? -value : value
    }
}
