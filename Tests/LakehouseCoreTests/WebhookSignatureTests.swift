import Foundation
import LakehouseCore
import Testing

@Suite("Webhook signatures: Stripe's scheme, checked against Python's hmac")
struct WebhookSignatureTests {
    let body = Array(#"{"a":1}"#.utf8)
    let secret = "whsec-test-0123456789"
    let sentAt = Date(timeIntervalSince1970: 1_700_000_000)

    @Test("The signature of a body is Python's hmac.new(secret, b'<t>.<body>', sha256).hexdigest()")
    func matchesPython() {
        // python3 -c "import hmac,hashlib; print(hmac.new(b'whsec-test-0123456789',
        //   b'1700000000.{\"a\":1}', hashlib.sha256).hexdigest())"
        #expect(
            WebhookSignature.sign(body: body, secret: secret, timestamp: 1_700_000_000)
                == "t=1700000000,v1=ba8ec7f38c4e076a99176a1bf98ae9f2f3f4e18412b46a5913ddcf5685932c6a")
    }

    @Test("A receiver accepts the signature and refuses another body, secret, stale time or malformed header")
    func verification() {
        let header = WebhookSignature.sign(body: body, secret: secret, timestamp: 1_700_000_000)
        #expect(WebhookSignature.isValid(header: header, body: body, secret: secret, now: sentAt))
        #expect(!WebhookSignature.isValid(header: header, body: Array(#"{"a":2}"#.utf8), secret: secret, now: sentAt))
        #expect(!WebhookSignature.isValid(header: header, body: body, secret: secret + "x", now: sentAt))
        #expect(!WebhookSignature.isValid(header: header, body: body, secret: secret, now: sentAt + 301))
        #expect(WebhookSignature.isValid(header: header, body: body, secret: secret, now: sentAt - 299))
        for malformed in ["", "t=1700000000", "v1=abc", "t=x,v1=abc", "garbage", "t=1700000000,v1"] {
            #expect(
                !WebhookSignature.isValid(header: malformed, body: body, secret: secret, now: sentAt), "\(malformed)")
        }
        // While a secret is rotated, a second v1 may match.
        let rotated = header.replacingOccurrences(of: "v1=", with: "v1=00ff,v1=")
        #expect(WebhookSignature.isValid(header: rotated, body: body, secret: secret, now: sentAt))
    }
}
