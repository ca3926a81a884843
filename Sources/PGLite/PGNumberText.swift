/// Numbers read straight from the bytes of their text form, without making a `String`.
enum PGNumberText {
    /// An optional `-` or `+` and decimal digits, as `T(String)` reads them; `nil` for any other
    /// text or a value that does not fit in `T`.
    static func integer<T: FixedWidthInteger>(_ bytes: UnsafeBufferPointer<UInt8>) -> T? {
        var index = 0
        var negative = false
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            index = 1
        }
        guard index < bytes.count else { return nil }
        var value: T = 0
        while index < bytes.count {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (times10, overflow) = value.multipliedReportingOverflow(by: 10)
            // Negative values accumulate downwards, so that T.min fits.
            let (next, carry) =
                negative
                ? times10.subtractingReportingOverflow(T(digit)) : times10.addingReportingOverflow(T(digit))
            guard !overflow, !carry else { return nil }
            value = next
            index += 1
        }
        return value
    }

    /// Powers of ten that a `Double` holds exactly.
    private static let exactPowers: [Double] = (0...22).map { power in
        (0..<power).reduce(1.0) { product, _ in product * 10 }
    }

    /// A decimal number (`-12.5`, `3e-05`) whose digits make an integer of at most 2⁵³ and whose
    /// scale is at most 22 places, read exactly as `Double(String)` reads it: one multiplication
    /// or division of two exact values, rounded once. `nil` for any other text, which the
    /// caller reads the slow way.
    static func double(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        var index = 0
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { index = 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var scale = 0
        var seenPoint = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "."), !seenPoint {
                seenPoint = true
            } else if case let digit = byte &- UInt8(ascii: "0"), digit < 10 {
                guard mantissa <= 1 << 53 / 10 else { return nil }
                mantissa = mantissa * 10 + UInt64(digit)
                digits += 1
                if seenPoint { scale -= 1 }
            } else {
                break
            }
            index += 1
        }
        guard digits > 0, mantissa <= 1 << 53 else { return nil }
        if index < bytes.count {
            guard bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E"),
                let exponent: Int16 = integer(UnsafeBufferPointer(rebasing: bytes[(index + 1)...]))
            else { return nil }
            scale += Int(exponent)
        }
        guard (-22...22).contains(scale) else { return nil }
        let magnitude =
            scale >= 0 ? Double(mantissa) * exactPowers[scale] : Double(mantissa) / exactPowers[-scale]
        return negative ? -magnitude : magnitude
    }
}
