import AWSLite
import Foundation
import Testing

@testable import LakehouseCore

@Suite("Bronze objects: raw payloads recoverable byte for byte, keys from the shard and sequence range")
struct BronzeBatchTests {
    static func records() -> [KinesisRecord] {
        var random = SeededRandom(seed: 3)
        var payloads: [[UInt8]] = [
            EventJSON.encode(EventJSONTests.sale),
            Array("{\"quote\": \"a\\\"b\", \"tab\": \"\t\", \"newline\": \"\n\", \"é\": \"日本 ✓\"}".utf8),
            Array("{\"transaction_id\": \"cut".utf8),  // malformed, but UTF-8
            [0xFF, 0xFE, 0x00, 0x7B, 0x22],  // not UTF-8
            [],
            Array("\u{2028}\u{7F}\\".utf8),
        ]
        for _ in 0..<50 {
            payloads.append((0..<Int(random.next() % 40)).map { _ in UInt8(truncatingIfNeeded: random.next()) })
        }
        return payloads.enumerated().map { index, payload in
            KinesisRecord(
                data: payload, partitionKey: "STORE_00\(index % 3)",
                sequenceNumber: "4960000000000000" + CivilPad.pad(index * 7, 4),
                approximateArrivalTimestamp: 1_767_225_599.5 + Double(index))
        }
    }

    @Test("every payload decodes back byte for byte, with its metadata")
    func roundTrip() throws {
        let records = Self.records()
        let batch = BronzeBatch(stream: "s", shardID: "shardId-000000000001", records: records)
        let lines = try BronzeBatch.decode(batch.encoded())
        #expect(lines.map(\.payload) == records.map(\.data))
        #expect(lines.map(\.sequenceNumber) == records.map(\.sequenceNumber))
        #expect(lines.map(\.partitionKey) == records.map(\.partitionKey))
        #expect(lines.allSatisfy { $0.shardID == "shardId-000000000001" })
        #expect(lines[0].arrivalTime == "2025-12-31T23:59:59.500000Z")
        #expect(String(decoding: batch.encoded(), as: UTF8.self).contains("\"payload_base64\": \"//4AeyI=\""))
        let bad = #expect(throws: LakehouseError.self) { try BronzeBatch.decode(Array("{\"shard_id\": 1}\n".utf8)) }
        #expect(bad?.message.contains("bronze line 1") == true)
    }

    @Test("the key follows the first record's arrival date and the sequence range, numbers 56 digits wide")
    func key() {
        let batch = BronzeBatch(stream: "s", shardID: "shardId-000000000001", records: Self.records())
        let zeros = String(repeating: "0", count: 36)
        #expect(
            batch.key
                == "sales_data/year=2025/month=12/day=31/shardId-000000000001-\(zeros)49600000000000000000-\(zeros)49600000000000000385.jsonl"
        )
    }

    @Test("a shard's keys sort in sequence order whatever the numbers' lengths (moto counts from 1)")
    func keysSortInSequenceOrder() {
        let ranges: [(Int, Int)] = [(1, 9), (10, 99), (100, 1431), (1432, 2126), (2127, 10227), (10228, 10634)]
        let keys = ranges.map { first, last in
            BronzeBatch(
                stream: "s", shardID: "shardId-000000000000",
                records: [first, last].map {
                    KinesisRecord(
                        data: [1], partitionKey: "k", sequenceNumber: String($0),
                        approximateArrivalTimestamp: 1_767_600_000)
                }
            ).key
        }
        #expect(keys.sorted() == keys)
        #expect(BronzeBatch.fixedWidth(String(repeating: "9", count: 60)).count == 60)
    }
}

enum CivilPad {
    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
