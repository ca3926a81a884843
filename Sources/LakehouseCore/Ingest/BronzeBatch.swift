import AWSLite
import Foundation

/// A batch of records read from one shard, as one bronze object: newline-delimited JSON, one
/// envelope per record holding the Kinesis metadata beside the payload (DESIGN.md, "Bronze").
///
/// Each line is `{"shard_id", "sequence_number", "partition_key", "arrival_time", "payload"}`
/// where `payload` is the record's bytes as a JSON string when they are valid UTF-8 (escaping is
/// reversible, so the bytes are recoverable exactly), and `payload_base64` replaces it otherwise.
/// Any JSON-lines reader (pyarrow, DuckDB, Spark) reads the objects.
public struct BronzeBatch: Sendable, Hashable {
    /// The Kinesis stream the records were read from. Not written into the object: its key and
    /// lines name only the shard.
    public var stream: String
    /// The shard the records were read from: the start of the object's file name and every
    /// line's `shard_id`.
    public var shardID: String
    /// The records in sequence order, as `GetRecords` returned them; the first and the last name
    /// the object (``key``).
    public var records: [KinesisRecord]

    /// A batch of `records`, in sequence order, read from shard `shardID` of `stream`.
    public init(stream: String, shardID: String, records: [KinesisRecord]) {
        self.stream = stream
        self.shardID = shardID
        self.records = records
    }

    /// The object key: `sales_data/year=YYYY/month=MM/day=DD/<shard>-<first>-<last>.jsonl`, the
    /// date being the first record's arrival (UTC) and the sequence numbers written with 56
    /// digits (leading zeros, as long as Kinesis's own), so that a shard's objects sort in
    /// sequence order. Derived from the records alone, so a batch written again after a crash
    /// lands on the same key.
    ///
    /// - Precondition: the batch holds at least one record.
    public var key: String {
        let first = records[0]
        return Self.dayPrefix(micros: Int64(first.approximateArrivalTimestamp * 1_000_000))
            + "\(shardID)-\(Self.fixedWidth(first.sequenceNumber))-\(Self.fixedWidth(records[records.count - 1].sequenceNumber)).jsonl"
    }

    /// The width of sequence numbers in keys: Kinesis's are 56 digits.
    static let sequenceDigits = 56

    /// `sequenceNumber` with leading zeros up to ``sequenceDigits`` digits; a longer one (or
    /// one that is not digits) as it is.
    static func fixedWidth(_ sequenceNumber: String) -> String {
        guard sequenceNumber.utf8.count < sequenceDigits, sequenceNumber.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 })
        else { return sequenceNumber }
        return String(repeating: "0", count: sequenceDigits - sequenceNumber.utf8.count) + sequenceNumber
    }

    /// The prefix of the bronze objects of the UTC day holding `micros` (microseconds since
    /// 1970): `sales_data/year=YYYY/month=MM/day=DD/`.
    public static func dayPrefix(micros: Int64) -> String {
        let date = EventTimestamp.format(micros: micros)
        return
            "sales_data/year=\(date.prefix(4))/month=\(date.dropFirst(5).prefix(2))/day=\(date.dropFirst(8).prefix(2))/"
    }

    /// Microseconds in a UTC day.
    static let dayMicros: Int64 = 86_400_000_000

    /// The object's bytes.
    ///
    /// - Complexity: O(total payload size).
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(records.reduce(0) { $0 + $1.data.count + 160 })
        for record in records {
            out.append(contentsOf: Array("{\"shard_id\": ".utf8))
            EventJSON.string(shardID, &out)
            out.append(contentsOf: Array(", \"sequence_number\": ".utf8))
            EventJSON.string(record.sequenceNumber, &out)
            out.append(contentsOf: Array(", \"partition_key\": ".utf8))
            EventJSON.string(record.partitionKey, &out)
            out.append(contentsOf: Array(", \"arrival_time\": ".utf8))
            EventJSON.string(
                EventTimestamp.format(micros: Int64((record.approximateArrivalTimestamp * 1_000_000).rounded())), &out)
            if let text = String(validating: record.data, as: UTF8.self) {
                out.append(contentsOf: Array(", \"payload\": ".utf8))
                EventJSON.string(text, &out)
            } else {
                out.append(contentsOf: Array(", \"payload_base64\": \"".utf8))
                out.append(contentsOf: Array(Base64Text.encode(record.data).utf8))
                out.append(UInt8(ascii: "\""))
            }
            out.append(contentsOf: Array("}\n".utf8))
        }
        return out
    }

    /// One line of a bronze object, decoded.
    public struct Line: Sendable, Hashable {
        /// The envelope's `shard_id`: the shard the record was read from.
        public var shardID: String
        /// The envelope's `sequence_number`: Kinesis's sequence number of the record, in decimal
        /// digits, without the leading zeros the object's key adds.
        public var sequenceNumber: String
        /// The envelope's `partition_key`: the key the producer put the record with.
        public var partitionKey: String
        /// The envelope's `arrival_time`: when Kinesis accepted the record (its approximate
        /// arrival timestamp), as RFC 3339 text in UTC (`2026-01-05T09:30:00.123000Z`).
        public var arrivalTime: String
        /// The record's bytes, exactly as put.
        public var payload: [UInt8]
        /// ``arrivalTime`` in microseconds since 1970, when it is RFC 3339 (it always is in
        /// objects that ingest wrote).
        public var arrivalMicros: Int64?
    }

    /// The lines of a bronze object.
    ///
    /// - Throws: ``LakehouseError`` with ``LakehouseError/Code/invalidEvent`` (reason
    ///   `malformed:json`) for a line that is not an envelope, naming the line.
    public static func decode(_ object: [UInt8]) throws -> [Line] {
        try decodeEach(object).map { try $0.line.get() }
    }

    /// One line of a bronze object as read: its number (from 1), the envelope or why it is not
    /// one, and the line's bytes.
    public struct ReadLine: Sendable {
        /// The line's number in the object, from 1, counting empty lines too (which are not
        /// returned); silver stores it as `bronze_line`.
        public var number: Int
        /// The decoded envelope, or a ``LakehouseError`` with ``LakehouseError/Code/invalidEvent``
        /// (reason `malformed:json`) saying why the line is not one.
        public var line: Result<Line, LakehouseError>
        /// The line's bytes, without its newline: what silver quarantines when ``line`` is a
        /// failure.
        public var raw: ArraySlice<UInt8>
    }

    /// Every non-empty line of a bronze object, each decoded on its own, so that a bad line (or
    /// an object that is not JSON lines at all) never hides the good ones.
    ///
    /// - Complexity: O(object size).
    public static func decodeEach(_ object: [UInt8]) -> [ReadLine] { decodeEach(object, metadata: true) }

    /// As ``decodeEach(_:)``; with `metadata` off the envelope's fields are checked but only the
    /// payload is kept (the metadata strings are empty), which is all silver needs.
    static func decodeEach(_ object: [UInt8], metadata: Bool) -> [ReadLine] {
        var lines: [ReadLine] = []
        forEachLine(of: object) { raw, number in lines.append(decodeLine(raw, number: number, metadata: metadata)) }
        return lines
    }

    /// Calls `body` with each line of `object` that is not empty (without its line break) and
    /// its number, from 1, counting empty lines too.
    static func forEachLine(of object: [UInt8], _ body: (ArraySlice<UInt8>, Int) -> Void) {
        var start = 0
        var number = 0
        while start < object.count {
            let end = object.withUnsafeBufferPointer { buffer in
                memchr(buffer.baseAddress! + start, Int32(UInt8(ascii: "\n")), buffer.count - start).map {
                    UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) - buffer.baseAddress!
                } ?? buffer.count
            }
            number += 1
            defer { start = end + 1 }
            guard end > start else { continue }
            body(object[start..<end], number)
        }
    }

    /// Line `number` of an object, `raw` (not empty), decoded as ``decodeEach(_:metadata:)`` does.
    static func decodeLine(_ raw: ArraySlice<UInt8>, number: Int, metadata: Bool) -> ReadLine {
        let line: Result<Line, LakehouseError>
        do { line = .success(try envelope(raw, number: number, metadata: metadata)) } catch {
            line = .failure(error)
        }
        return ReadLine(number: number, line: line, raw: raw)
    }

    private static func envelope(_ raw: ArraySlice<UInt8>, number: Int, metadata: Bool) throws(LakehouseError) -> Line {
        do {
            let fields = try FlatJSONObject.parse(raw)
            func text(_ key: String) throws -> String {
                guard fields.isString(key) else {
                    throw LakehouseError(
                        code: .invalidEvent, message: "malformed:json: no \(key)", reason: "malformed:json")
                }
                guard metadata, case .string(let value)? = fields[key] else { return "" }
                return value
            }
            let payload: [UInt8]
            if let bytes = fields.stringBytes("payload") {
                payload = bytes
            } else if case .string(let value)? = fields["payload_base64"], let bytes = Base64Text.decode(value) {
                payload = bytes
            } else {
                throw LakehouseError(
                    code: .invalidEvent, message: "malformed:json: no payload", reason: "malformed:json")
            }
            let arrival = fields.withStringBytes("arrival_time") { EventTimestamp.parse($0) } ?? nil
            return Line(
                shardID: try text("shard_id"), sequenceNumber: try text("sequence_number"),
                partitionKey: try text("partition_key"), arrivalTime: try text("arrival_time"), payload: payload,
                arrivalMicros: arrival)
        } catch var error as LakehouseError {
            error.message = "bronze line \(number): \(error.message)"
            throw error
        } catch {
            throw LakehouseError(
                code: .invalidEvent, message: "bronze line \(number): malformed:json: \(error)",
                reason: "malformed:json")
        }
    }
}

/// Standard base64 (RFC 4648), for payloads that are not UTF-8.
enum Base64Text {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value: UInt32 = 0
            for (offset, byte) in chunk.enumerated() { value |= UInt32(byte) << (16 - 8 * UInt32(offset)) }
            for position in 0..<4 {
                output.append(
                    position <= chunk.count
                        ? alphabet[Int(value >> (18 - 6 * UInt32(position)) & 63)] : UInt8(ascii: "="))
            }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func decode(_ text: String) -> [UInt8]? {
        var lookup = [UInt8](repeating: 255, count: 256)
        for (index, byte) in alphabet.enumerated() { lookup[Int(byte)] = UInt8(index) }
        let bytes = Array(text.utf8)
        guard bytes.count % 4 == 0 else { return nil }
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            var value: UInt32 = 0
            var padding = 0
            for position in 0..<4 {
                let byte = bytes[index + position]
                if byte == UInt8(ascii: "=") && index + 4 == bytes.count && position >= 2 {
                    padding += 1
                    value <<= 6
                    continue
                }
                guard padding == 0, lookup[Int(byte)] != 255 else { return nil }
                value = value << 6 | UInt32(lookup[Int(byte)])
            }
            output.append(UInt8(truncatingIfNeeded: value >> 16))
            if padding < 2 { output.append(UInt8(truncatingIfNeeded: value >> 8)) }
            if padding < 1 { output.append(UInt8(truncatingIfNeeded: value)) }
            index += 4
        }
        return output
    }
}
