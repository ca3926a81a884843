import Foundation
import Testing

@testable import AWSLite

@Suite("Kinesis wire codec: JSON reading, base64, PutRecords bodies")
struct KinesisCodecTests {
    @Test("documents parse to the values Foundation's parser finds")
    func parsesLikeFoundation() throws {
        let documents = [
            #"{"a":1,"b":[true,false,null],"c":{"d":"e"},"f":-12.5e3,"g":0.25,"h":[]}"#,
            #"{"text":"quote \" backslash \\ slash \/ tab \t newline \n unicode \u00e9 \u20AC"}"#,
            #"{"pair":"\ud83d\ude00","raw":"héllo wörld 😀"}"#,
            #" [ 1 , 2 , { } , [ [ ] ] ] "#,
            #"{"SequenceNumber":"49590338271490256608559692538361571095921575989136588898","Big":12345678901234}"#,
        ]
        for document in documents {
            let ours = try JSONValue.parse(Array(document.utf8))
            let theirs = try JSONSerialization.jsonObject(with: Data(document.utf8), options: [.fragmentsAllowed])
            #expect(Self.same(ours, theirs), "\(document)")
        }
    }

    @Test("malformed documents are errors naming the offset, never a crash")
    func rejectsMalformed() {
        let bad = [
            "", "{", #"{"a":}"#, #"{"a" 1}"#, #"{"a":1,}"#, "[1,]", "[1 2]", #""unterminated"#, #""bad \x escape""#,
            #""short \u12""#, "tru", "nul", "01x", "-", "1.", "1e", "{} {}", "\"tab\there\"",
            String(repeating: "[", count: 600) + String(repeating: "]", count: 600),
        ]
        for document in bad {
            #expect(throws: JSONSyntaxError.self, "\(document.prefix(20))") {
                try JSONValue.parse(Array(document.utf8))
            }
        }
        let error = #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(Array(#"{"a":1,}"#.utf8)) }
        #expect(error?.offset == 7)
        #expect(error.map { "\($0)" } == "invalid JSON at byte 7: expected a member name")
    }

    @Test("base64 agrees with Foundation both ways for every length up to 300")
    func base64MatchesFoundation() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...300 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let encoded = Base64.encode(bytes)
            #expect(encoded == Data(bytes).base64EncodedString())
            #expect(Base64.decode(encoded) == bytes)
            let unpadded = String(encoded.prefix { $0 != "=" })
            #expect(Base64.decode(unpadded) == bytes, "unpadded, length \(length)")
        }
    }

    @Test("base64 rejects bytes outside the alphabet and impossible lengths")
    func base64RejectsGarbage() {
        for text in ["A", "AB=C", "AB C", "ABC*", "====", "AAAAA", "AA==AA==", "YQ===", "Y Q=="] {
            #expect(Base64.decode(text) == nil, "\(text)")
        }
        #expect(Base64.decode("") == [])
        #expect(Base64.decode("YQ==") == Array("a".utf8))
    }

    @Test("a PutRecords body is valid JSON carrying every record, with keys escaped")
    func putRecordsBody() throws {
        let records = [
            KinesisRecordInput(data: Array("first".utf8), partitionKey: "STORE_001"),
            KinesisRecordInput(data: [0, 255, 10, 13], partitionKey: "quote\"back\\slash\nnew\u{01}"),
            KinesisRecordInput(
                data: [], partitionKey: "é😀", explicitHashKey: "340282366920938463463374607431768211455"),
        ]
        let body = KinesisClient.putRecordsBody(stream: "sales \"stream\"", indices: [2, 0, 1], records: records)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        #expect(object["StreamName"] as? String == "sales \"stream\"")
        let entries = try #require(object["Records"] as? [[String: Any]])
        #expect(entries.count == 3)
        for (entry, index) in zip(entries, [2, 0, 1]) {
            #expect(entry["PartitionKey"] as? String == records[index].partitionKey)
            #expect((entry["Data"] as? String).flatMap { Data(base64Encoded: $0) } == Data(records[index].data))
            #expect(entry["ExplicitHashKey"] as? String == records[index].explicitHashKey)
        }
    }

    /// Whether our value and Foundation's are the same JSON.
    static func same(_ ours: JSONValue, _ theirs: Any) -> Bool {
        switch ours {
        case .null: return theirs is NSNull
        case .bool(let value):
            guard let number = theirs as? NSNumber else { return false }
            return number.boolValue == value
        case .number(let value):
            guard let number = theirs as? NSNumber else { return false }
            return number.doubleValue == value
        case .string(let value): return theirs as? String == value
        case .array(let values):
            guard let array = theirs as? [Any], array.count == values.count else { return false }
            return zip(values, array).allSatisfy { same($0, $1) }
        case .object(let members):
            guard let object = theirs as? [String: Any], object.count == members.count else { return false }
            return members.allSatisfy { member in object[member.key].map { same(member.value, $0) } ?? false }
        }
    }
}
