/// One batch of bronze objects cleaned in memory: the silver rows (the first of each natural key
/// kept, later ones counted as duplicates), the quarantined records and the counts — the part of
/// ``SilverJob`` that needs neither S3 nor PostgreSQL.
///
/// ```swift
/// var batch = SilverBatch()
/// batch.add(objectKey: "sales_data/…/shardId-000000000000-1-500.jsonl", body: bytes)
/// let files = try await SilverTable.dataFiles(batch.rows, name: "part-1", modificationTime: now)
/// ```
public struct SilverBatch: Sendable {
    /// The clean rows, in bronze order, unique by natural key.
    public private(set) var rows: [SilverTable.Row] = []
    /// The rejected records, with their reasons and raw bytes.
    public private(set) var rejected: [SilverStore.QuarantinedRecord] = []
    /// input = valid + quarantined + duplicates, always.
    public private(set) var counts = SilverStore.BatchCounts()
    private var seen: Set<SilverEvent.NaturalKey> = []

    public init() {}

    /// Cleans the lines of one bronze object into the batch: a line that is not an envelope is
    /// quarantined as `malformed:json`, a payload that breaks a rule with its reason.
    ///
    /// - Returns: how many lines the object held (0 for an empty object).
    /// - Complexity: O(object size).
    @discardableResult
    public mutating func add(objectKey: String, body: [UInt8]) -> Int {
        counts.objects += 1
        let lines = BronzeBatch.decodeEach(body)
        for read in lines {
            counts.input += 1
            let line: BronzeBatch.Line
            switch read.line {
            case .success(let value): line = value
            case .failure(let error):
                reject(
                    SilverStore.QuarantinedRecord(
                        bronzeKey: objectKey, bronzeLine: Int64(read.number),
                        rejection: SilverRejection(reason: "malformed:json", detail: error.message),
                        payload: Array(read.raw)))
                continue
            }
            switch SilverRules.clean(line.payload) {
            case .success(let event):
                if seen.insert(event.naturalKey).inserted {
                    rows.append(SilverTable.Row(event: event, bronzeKey: objectKey, bronzeLine: Int64(read.number)))
                    counts.valid += 1
                } else {
                    counts.duplicates += 1
                }
            case .failure(let rejection):
                reject(
                    SilverStore.QuarantinedRecord(
                        bronzeKey: objectKey, bronzeLine: Int64(read.number), rejection: rejection,
                        payload: line.payload))
            }
        }
        return lines.count
    }

    private mutating func reject(_ record: SilverStore.QuarantinedRecord) {
        rejected.append(record)
        counts.quarantined += 1
    }

    /// Drops the rows whose natural keys earlier batches hold, counting them as duplicates.
    public mutating func removeRows(withKeys existing: Set<SilverEvent.NaturalKey>) {
        guard !existing.isEmpty else { return }
        let before = rows.count
        rows.removeAll { existing.contains($0.event.naturalKey) }
        counts.duplicates += before - rows.count
        counts.valid = rows.count
    }
}
