import Crypto
import Foundation

/// The signature each webhook delivery carries in its `Lakehouse-Signature` header, in the
/// scheme Stripe uses: `t=<unix seconds>,v1=<hex HMAC-SHA256>` where the HMAC, keyed with the
/// endpoint's secret, is over the timestamp, a full stop, and the exact body bytes. A receiver
/// recomputes it, compares in constant time, and refuses a timestamp too far from its clock
/// (a replayed request).
public enum WebhookSignature {
    /// The name of the header.
    public static let header = "Lakehouse-Signature"

    /// The header's value for `body` sent at `timestamp` (seconds since 1970) with `secret`.
    public static func sign(body: [UInt8], secret: String, timestamp: Int64) -> String {
        "t=\(timestamp),v1=\(hex(mac(body: body, secret: secret, timestamp: timestamp)))"
    }

    /// Whether `header` is a valid signature of `body` with `secret`, made within `tolerance` of
    /// `now`. A header that is malformed, has no `v1`, or is out of time is invalid, never an
    /// error; several `v1` entries (a secret being rotated) pass when one matches.
    public static func isValid(
        header: String, body: [UInt8], secret: String, now: Date = Date(), tolerance: Duration = .seconds(300)
    ) -> Bool {
        var timestamp: Int64?
        var signatures: [String] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { return false }
            if pair[0] == "t" { timestamp = Int64(pair[1]) } else if pair[0] == "v1" { signatures.append(pair[1]) }
        }
        guard let timestamp, !signatures.isEmpty,
            abs(now.timeIntervalSince1970 - Double(timestamp)) <= Double(tolerance.components.seconds)
        else { return false }
        let expected = Array(hex(mac(body: body, secret: secret, timestamp: timestamp)).utf8)
        return signatures.contains { equalInConstantTime(Array($0.utf8), expected) }
    }

    private static func mac(body: [UInt8], secret: String, timestamp: Int64) -> HMAC<SHA256>.MAC {
        var hmac = HMAC<SHA256>(key: SymmetricKey(data: Array(secret.utf8)))
        hmac.update(data: Array("\(timestamp).".utf8))
        hmac.update(data: body)
        return hmac.finalize()
    }

    private static func hex(_ mac: HMAC<SHA256>.MAC) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in mac {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static func equalInConstantTime(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}
