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
        var bytes = literal.utf8[...]
        negative = bytes.first == UInt8(ascii: "-")
        if negative { bytes = bytes.dropFirst() }
        var digits: [UInt8] = []
        var fractionDigits = 0
        var seenPoint = false
        var wholeDigits = 0
        while let byte = bytes.first, byte != UInt8(ascii: "e"), byte != UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if byte == UInt8(ascii: "."), !seenPoint, wholeDigits > 0 {
                seenPoint = true
                continue
            }
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            if seenPoint { fractionDigits += 1 } else { wholeDigits += 1 }
            digits.append(digit)
        }
        guard wholeDigits > 0, !seenPoint || fractionDigits > 0 else { return nil }
        var exponent = 0
        if !bytes.isEmpty {
            bytes = bytes.dropFirst()  // e or E
            var exponentNegative = false
            if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                exponentNegative = sign == UInt8(ascii: "-")
                bytes = bytes.dropFirst()
            }
            guard !bytes.isEmpty else { return nil }
            for byte in bytes {
                let digit = byte &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                exponent = exponent * 10 + Int(digit)
                guard exponent <= 400 else { return nil }
            }
            if exponentNegative { exponent = -exponent }
        }
        exponent -= fractionDigits
        // Leading zeros carry nothing; trailing zeros move into the exponent.
        var first = 0
        while first < digits.count - 1, digits[first] == 0 { first += 1 }
        var last = digits.count
        while last - 1 > first, digits[last - 1] == 0 {
            last -= 1
            exponent += 1
        }
        guard last - first <= 18 else { return nil }
        var value: Int64 = 0
        for digit in digits[first..<last] { value = value * 10 + Int64(digit) }
        if value == 0 { exponent = 0 }
        significand = value
        self.exponent = exponent
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
