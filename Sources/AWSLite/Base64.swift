/// Standard base64 (RFC 4648, with padding), as the Kinesis API carries record data.
///
/// Owned here because it is on the producer's and the ingest job's hot path: it writes straight
/// into the request buffer and decodes straight from the response bytes.
enum Base64 {
    private static let alphabet: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// 0–63 for alphabet bytes, 0xFF for anything else.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    /// The encoded length of `count` bytes.
    static func encodedCount(_ count: Int) -> Int { (count + 2) / 3 * 4 }

    /// Appends the encoding of `bytes` to `output`.
    static func encode(_ bytes: [UInt8], appendingTo output: inout [UInt8]) {
        let start = output.count
        let length = encodedCount(bytes.count)
        output.append(contentsOf: repeatElement(0, count: length))
        bytes.withUnsafeBufferPointer { input in
            alphabet.withUnsafeBufferPointer { table in
                output.withUnsafeMutableBufferPointer { buffer in
                    var out = start
                    var index = 0
                    let whole = input.count - input.count % 3
                    while index < whole {
                        let chunk =
                            UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
                        buffer[out] = table[Int(chunk >> 18)]
                        buffer[out + 1] = table[Int(chunk >> 12 & 63)]
                        buffer[out + 2] = table[Int(chunk >> 6 & 63)]
                        buffer[out + 3] = table[Int(chunk & 63)]
                        index += 3
                        out += 4
                    }
                    let rest = input.count - whole
                    if rest > 0 {
                        let second = rest == 2 ? UInt32(input[index + 1]) : 0
                        let chunk = UInt32(input[index]) << 16 | second << 8
                        buffer[out] = table[Int(chunk >> 18)]
                        buffer[out + 1] = table[Int(chunk >> 12 & 63)]
                        buffer[out + 2] = rest == 2 ? table[Int(chunk >> 6 & 63)] : UInt8(ascii: "=")
                        buffer[out + 3] = UInt8(ascii: "=")
                    }
                }
            }
        }
    }

    /// The encoding of `bytes` as a string.
    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(encodedCount(bytes.count))
        encode(bytes, appendingTo: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes padded or unpadded base64; `nil` for any other byte or an impossible length.
    static func decode(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { decode(UnsafeRawBufferPointer($0)) }
    }

    static func decode(_ input: UnsafeRawBufferPointer) -> [UInt8]? {
        var count = input.count
        while count > 0, input[count - 1] == UInt8(ascii: "=") { count -= 1 }
        guard input.count - count <= 2, count % 4 != 1 else { return nil }
        if input.count != count, input.count % 4 != 0 { return nil }
        let outputCount = count / 4 * 3 + max(0, count % 4 - 1)
        return values.withUnsafeBufferPointer { table -> [UInt8]? in
            var valid = true
            let output = [UInt8](unsafeUninitializedCapacity: outputCount) { buffer, initialized in
                var out = 0
                var index = 0
                let whole = count - count % 4
                while index < whole {
                    let a = table[Int(input[index])]
                    let b = table[Int(input[index + 1])]
                    let c = table[Int(input[index + 2])]
                    let d = table[Int(input[index + 3])]
                    if (a | b | c | d) & 0xC0 != 0 {
                        valid = false
                        break
                    }
                    let chunk = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                    buffer[out] = UInt8(truncatingIfNeeded: chunk >> 16)
                    buffer[out + 1] = UInt8(truncatingIfNeeded: chunk >> 8)
                    buffer[out + 2] = UInt8(truncatingIfNeeded: chunk)
                    index += 4
                    out += 3
                }
                let rest = count - whole
                if valid, rest >= 2 {
                    let a = table[Int(input[index])]
                    let b = table[Int(input[index + 1])]
                    let c = rest == 3 ? table[Int(input[index + 2])] : 0
                    if (a | b | c) & 0xC0 != 0 {
                        valid = false
                    } else {
                        let chunk = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6
                        buffer[out] = UInt8(truncatingIfNeeded: chunk >> 16)
                        out += 1
                        if rest == 3 {
                            buffer[out] = UInt8(truncatingIfNeeded: chunk >> 8)
                            out += 1
                        }
                    }
                }
                initialized = valid ? out : 0
            }
            return valid ? output : nil
        }
    }
}
