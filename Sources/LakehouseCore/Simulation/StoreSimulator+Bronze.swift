import AWSLite

extension StoreSimulator {
    /// The rest of the simulation as bronze objects of `recordsPerObject` records each (the last
    /// may hold fewer), as ingest would write them from one shard: sequence numbers from 1, in
    /// order, each record arriving a second after its event time; at most `limit` records. For tests and benchmarks that need bronze without Kinesis.
    public mutating func bronzeBatches(recordsPerObject: Int, limit: Int = .max) -> [BronzeBatch] {
        var batches: [BronzeBatch] = []
        var pending: [KinesisRecord] = []
        var made = 0
        // Each record arrives a second after it happened (never before the one sent before it).
        var arrival = 0.0
        func flush() {
            guard !pending.isEmpty else { return }
            batches.append(BronzeBatch(stream: "pos", shardID: "shardId-000000000000", records: pending))
            pending.removeAll(keepingCapacity: true)
        }
        days: while made < limit, let day = nextDay() {
            for record in day {
                made += 1
                arrival = max(arrival + 0.001, Double(record.eventTime) / 1_000_000 + 1)
                pending.append(
                    KinesisRecord(
                        data: record.payload, partitionKey: record.partitionKey, sequenceNumber: String(made),
                        approximateArrivalTimestamp: arrival))
                if pending.count == max(recordsPerObject, 1) { flush() }
                if made == limit { break days }
            }
        }
        flush()
        return batches
    }
}
