/// A record to put on a stream.
public struct KinesisRecordInput: Sendable, Hashable {
    /// The payload, at most 1 MiB with the partition key.
    public var data: [UInt8]
    /// Chooses the shard (by its MD5 hash); records of one key reach one shard, in order.
    public var partitionKey: String
    /// Overrides the hash of the partition key, as a decimal 128-bit number.
    public var explicitHashKey: String?

    /// Creates a record.
    public init(data: [UInt8], partitionKey: String, explicitHashKey: String? = nil) {
        self.data = data
        self.partitionKey = partitionKey
        self.explicitHashKey = explicitHashKey
    }

    /// What Kinesis counts against the 5 MiB per-call limit: payload plus partition key.
    var billedSize: Int { data.count + partitionKey.utf8.count }
}

/// Where a put record landed.
public struct KinesisPutResult: Sendable, Hashable {
    /// The shard it went to.
    public var shardID: String
    /// Its sequence number in that shard.
    public var sequenceNumber: String
}

/// A record `putRecords` could not put after its last attempt.
public struct KinesisFailedRecord: Sendable, Hashable {
    /// Its position in the input.
    public var index: Int
    /// The record, to keep or send again.
    public var record: KinesisRecordInput
    /// Kinesis's reason (`ProvisionedThroughputExceededException`, `InternalFailure`).
    public var errorCode: String
    /// Kinesis's message.
    public var errorMessage: String
}

/// The outcome of `putRecords`: every input record is in exactly one of the two lists.
public struct KinesisPutRecordsResult: Sendable, Hashable {
    /// For each input index that was put, where it landed; `nil` for the failed ones.
    public var results: [KinesisPutResult?]
    /// The records that still failed after the last attempt, in input order.
    public var failed: [KinesisFailedRecord]
    /// How many records were sent again after a per-record failure.
    public var retriedRecords: Int
}

/// A record read from a shard.
public struct KinesisRecord: Sendable, Hashable {
    /// The payload, byte for byte as put.
    public var data: [UInt8]
    /// The partition key it was put with.
    public var partitionKey: String
    /// Its sequence number (a decimal string; compare with ``KinesisSequenceNumber``).
    public var sequenceNumber: String
    /// When Kinesis received it, in seconds since 1970.
    public var approximateArrivalTimestamp: Double

    /// Creates a record (for tests and for code that stores records and reads them back).
    public init(data: [UInt8], partitionKey: String, sequenceNumber: String, approximateArrivalTimestamp: Double) {
        self.data = data
        self.partitionKey = partitionKey
        self.sequenceNumber = sequenceNumber
        self.approximateArrivalTimestamp = approximateArrivalTimestamp
    }
}

/// A shard of a stream.
public struct KinesisShard: Sendable, Hashable {
    /// `shardId-000000000000`.
    public var shardID: String
    /// The shard it was split or merged from, if any.
    public var parentShardID: String?
    /// The second parent of a merged shard.
    public var adjacentParentShardID: String?
    /// The lowest hash key it owns, decimal.
    public var startingHashKey: String
    /// The highest hash key it owns, decimal.
    public var endingHashKey: String
    /// The sequence number of its first record.
    public var startingSequenceNumber: String
    /// Set once the shard is closed (after a split or merge): no record comes after it.
    public var endingSequenceNumber: String?
}

/// A child of a shard that reached its end, from `getRecords`.
public struct KinesisChildShard: Sendable, Hashable {
    /// The child's id.
    public var shardID: String
    /// Its parents.
    public var parentShards: [String]
}

/// One `getRecords` call's result.
public struct KinesisGetRecordsResult: Sendable, Hashable {
    /// The records, in sequence order.
    public var records: [KinesisRecord]
    /// The iterator for the next call; `nil` when the shard is closed and fully read.
    public var nextShardIterator: String?
    /// How far behind the tip of the shard this response is, in milliseconds.
    public var millisBehindLatest: Int?
    /// When the shard has ended: its children, to read next.
    public var childShards: [KinesisChildShard]
}

/// A stream's summary.
public struct KinesisStreamSummary: Sendable, Hashable {
    /// The name.
    public var name: String
    /// `CREATING`, `ACTIVE`, `UPDATING` or `DELETING`.
    public var status: String
    /// How many shards are open.
    public var openShardCount: Int
    /// The ARN.
    public var arn: String
}

/// Where a shard iterator starts.
public enum KinesisShardIteratorPosition: Sendable, Hashable {
    /// The oldest record kept.
    case trimHorizon
    /// After the newest record: only records put from now on.
    case latest
    /// At the record with this sequence number.
    case atSequenceNumber(String)
    /// Just after the record with this sequence number.
    case afterSequenceNumber(String)
    /// At the first record that arrived at or after this time (seconds since 1970).
    case atTimestamp(Double)
}

/// Ordering of Kinesis sequence numbers, which are decimal integers too large for `Int`.
public enum KinesisSequenceNumber {
    /// Whether `lhs` comes before `rhs` in a shard.
    public static func precedes(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.count == rhs.utf8.count ? lhs < rhs : lhs.utf8.count < rhs.utf8.count
    }
}
