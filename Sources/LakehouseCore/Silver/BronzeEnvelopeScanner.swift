import Foundation

/// Reads a bronze envelope in the exact layout ``BronzeBatch/encoded()`` writes,
/// `{"shard_id": "…", "sequence_number": "…", "partition_key": "…", "arrival_time": "…", "payload": "…"}`,
/// in one pass that also resolves the payload's escapes: silver's fast path, which touches each
/// byte of the envelope once.
///
/// It accepts only what the general decoding (``FlatJSONObject``) reads the same way: ASCII
/// without control characters, metadata without escapes, a payload whose only escapes are `\"`, `\\` and `\/`. Any
/// other line (another layout, other escapes, bytes above ASCII, base64) is declined, and
/// the general path decides.
enum BronzeEnvelopeScanner {
    private static let shard = Array(#"{"shard_id": ""#.utf8)
    private static let sequence = Array(#"", "sequence_number": ""#.utf8)
    private static let partition = Array(#"", "partition_key": ""#.utf8)
    private static let arrival = Array(#"", "arrival_time": ""#.utf8)
    private static let payloadKey = Array(#"", "payload": ""#.utf8)

    /// The range of the arrival time's text in `line`, and the length of the payload's bytes
    /// (escapes resolved), which start `payload` (grown to hold them; its other bytes are
    /// scratch); `nil` for a line this scanner declines.
    static func scan(_ line: UnsafeBufferPointer<UInt8>, payload: inout [UInt8]) -> (arrival: Range<Int>, length: Int)?
    {
        var position = 0
        guard literal(shard, in: line, at: &position), plain(line, at: &position) != nil,
            literal(sequence, in: line, at: &position), plain(line, at: &position) != nil,
            literal(partition, in: line, at: &position), plain(line, at: &position) != nil,
            literal(arrival, in: line, at: &position), let arrivalTime = plain(line, at: &position),
            literal(payloadKey, in: line, at: &position)
        else { return nil }
        // Escapes only shrink the text: the payload fits in the line's length (and the last
        // word stored may pass its end by up to 8 bytes).
        if payload.count < line.count + 8 {
            payload = [UInt8](repeating: 0, count: max(line.count + 8, payload.count * 2))
        }
        let length = payload.withUnsafeMutableBufferPointer { unescape(line, at: &position, into: $0.baseAddress!) }
        guard let length, line.count - position == 2, line[position] == UInt8(ascii: "\""),
            line[position + 1] == UInt8(ascii: "}")
        else { return nil }
        return (arrivalTime, length)
    }

    /// Whether `expected` follows at `position` (which then moves past it).
    @inline(__always)
    private static func literal(_ expected: [UInt8], in line: UnsafeBufferPointer<UInt8>, at position: inout Int)
        -> Bool
    {
        guard line.count - position >= expected.count,
            expected.withUnsafeBufferPointer({
                memcmp(line.baseAddress! + position, $0.baseAddress!, expected.count) == 0
            })
        else { return false }
        position += expected.count
        return true
    }

    /// A string's body of ASCII without control characters or escapes, up to (not past) its
    /// closing quote.
    @inline(__always)
    private static func plain(_ line: UnsafeBufferPointer<UInt8>, at position: inout Int) -> Range<Int>? {
        let start = position
        position = FlatJSONObject.skipPlainWords(line, from: position)
        while position < line.count {
            let byte = line[position]
            if byte == UInt8(ascii: "\"") { return start..<position }
            guard byte >= 0x20, byte < 0x80, byte != UInt8(ascii: "\\") else { return nil }
            position += 1
        }
        return nil
    }

    /// The payload's body up to (not past) its closing quote, its escapes resolved into
    /// `output` (room for the whole line and 8 bytes more): each word of eight bytes is stored
    /// as it is read, then the count written moves on to the first special byte, so plain runs
    /// cost no copy of their own. Returns the bytes written, or `nil` for a payload this scanner
    /// declines.
    private static func unescape(
        _ line: UnsafeBufferPointer<UInt8>, at position: inout Int, into output: UnsafeMutablePointer<UInt8>
    ) -> Int? {
        let base = line.baseAddress!
        var written = 0
        while true {
            while position + 8 <= line.count {
                let word = UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self)
                UnsafeMutableRawPointer(output + written).storeBytes(of: word, as: UInt64.self)
                let special = FlatJSONObject.specialBytes(UInt64(littleEndian: word))
                guard special == 0 else {
                    position += special.trailingZeroBitCount / 8
                    written += special.trailingZeroBitCount / 8
                    break
                }
                position += 8
                written += 8
            }
            guard position < line.count else { return nil }
            let byte = line[position]
            if byte == UInt8(ascii: "\"") { return written }
            if byte >= 0x20 && byte < 0x80 && byte != UInt8(ascii: "\\") {
                output[written] = byte  // the last bytes of the line, one by one
                written += 1
                position += 1
                continue
            }
            guard byte == UInt8(ascii: "\\"), position + 1 < line.count else { return nil }
            let escaped = line[position + 1]
            guard escaped == UInt8(ascii: "\"") || escaped == UInt8(ascii: "\\") || escaped == UInt8(ascii: "/") else {
                return nil
            }
            output[written] = escaped
            written += 1
            position += 2
        }
    }
}
