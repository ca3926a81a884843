/// Shortens long byte-array bounds so that statistics stay small, keeping them true bounds:
/// the min is cut to a prefix (a prefix never sorts after the value), the max is cut and then
/// its last byte incremented (so it sorts after every value with that prefix). Both are then
/// marked inexact.
enum StatisticsTruncation {
    static func truncate(_ bounds: inout ValueBounds, to limit: Int, isString: Bool) {
        guard limit > 0 else { return }
        if bounds.min.count > limit {
            bounds.min = Array(bounds.min[0..<prefixLength(bounds.min, limit: limit, isString: isString)])
            bounds.isMinExact = false
        }
        if bounds.max.count > limit, let rounded = roundedUp(bounds.max, limit: limit, isString: isString) {
            bounds.max = rounded
            bounds.isMaxExact = false
        }
    }

    /// The longest prefix of at most `limit` bytes; for strings, one that ends on a character
    /// boundary so the bound stays valid UTF-8.
    private static func prefixLength(_ bytes: [UInt8], limit: Int, isString: Bool) -> Int {
        var length = limit
        if isString {
            while length > 0 && bytes[length] & 0xC0 == 0x80 { length -= 1 }  // bytes[length] starts the next character
        }
        return length
    }

    /// A value of at most `limit` bytes that sorts after every value starting with the same
    /// prefix; `nil` if there is none (the prefix is all 0xFF bytes, or all U+10FFFF), in which
    /// case the exact max is kept.
    private static func roundedUp(_ bytes: [UInt8], limit: Int, isString: Bool) -> [UInt8]? {
        let prefix = Array(bytes[0..<prefixLength(bytes, limit: limit, isString: isString)])
        guard isString else {
            var raw = prefix
            while let last = raw.popLast() {
                if last < 0xFF { return raw + [last + 1] }  // drop trailing 0xFF bytes, then increment
            }
            return nil
        }
        // For text, increment the last character that can be (UTF-8 sorts as code points), so the
        // bound stays valid UTF-8.
        var scalars = Array(String(decoding: prefix, as: UTF8.self).unicodeScalars)
        while let last = scalars.popLast() {
            let next = last.value == 0xD7FF ? 0xE000 : last.value + 1  // skip the surrogates
            guard let scalar = Unicode.Scalar(next) else { continue }
            let encoded = Array(String(String.UnicodeScalarView(scalars + [scalar])).utf8)
            if encoded.count <= limit { return encoded }
        }
        return nil
    }
}
