import AWSLite

extension StoreSimulator {
    /// The rest of the simulation as bronze objects of `recordsPerObject` records each (the last
    /// may hold fewer), as ingest would write them from one shard: sequence numbers from 1, in
    /// order; at most `limit` records. For tests and benchmarks that need bronze without Kinesis.
    public mutating func bronzeBatches(recordsPerObject: Int, limit: Int = .max) -> [BronzeBatch] {
        var batches: [BronzeBatch] = []
        var pending: [KinesisRecord] = []
        var made = 0
        func flush() {
            guard !pending.isEmpty else { return }
            batches.append(BronzeBatch(stream: "pos", shardID: "shardId-000000000000", records: pending))
            pending.removeAll(keepingCapacity: true)
        }
        days: while made < limit, let day = nextDay() {
            for record in day {
                made += 1
                pending.append(
                    KinesisRecord(
                        data: record.payload, partitionKey: record.partitionKey, sequenceNumber: String(made),
                        approximateArrivalTimestamp: 1_767_600_000 + Double(made) / 1000))
                if pending.count == max(recordsPerObject, 1) { flush() }
                if made == limit { break days }
            }
        }
        flush()
        return batches
    }
}
