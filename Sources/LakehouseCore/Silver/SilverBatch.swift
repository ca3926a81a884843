/// One batch of bronze objects cleaned in memory: the silver rows (the first of each natural key
/// kept, later ones counted as duplicates) as ``SilverColumns``, the quarantined records and the
/// counts — the part of ``SilverJob`` that needs neither S3 nor PostgreSQL.
///
/// ```swift
/// let batch = await SilverBatch.cleaning([(key: "sales_data/…/shardId-000000000000-1-500.jsonl", body: bytes)])
/// let files = try await SilverTable.dataFiles(batch.columns, name: "part-1", modificationTime: now)
/// ```
public struct SilverBatch: Sendable {
    /// The clean rows, in bronze order, unique by natural key.
    public private(set) var columns = SilverColumns()
    /// The rejected records, with their reasons and raw bytes.
    public private(set) var rejected: [SilverStore.QuarantinedRecord] = []
    /// input = valid + quarantined + duplicates, always.
    public private(set) var counts = SilverStore.BatchCounts()
    /// The objects that held no line at all (empty, or only line breaks).
    public private(set) var emptyObjectKeys: [String] = []
    private var index = NaturalKeyIndex()
    /// A part's natural-key hash per row, computed where the part was cleaned (on its core),
    /// for the merge.
    private var keyHashes: [UInt64] = []

    /// An empty batch, to ``add(objectKey:body:)`` objects to.
    public init() {}

    /// Cleans the lines of one bronze object into the batch: a line that is not an envelope is
    /// quarantined as `malformed:json`, a payload that breaks a rule with its reason.
    ///
    /// - Returns: how many lines the object held (0 for an empty object).
    /// - Complexity: O(object size).
    @discardableResult
    public mutating func add(objectKey: String, body: [UInt8]) -> Int {
        let part = Self.clean(objectKey: objectKey, body: body)
        merge(part)
        return part.counts.input
    }

    /// `objects` cleaned on every core (each object on its own), then merged in their order:
    /// the same batch as adding them one by one with ``add(objectKey:body:)``.
    ///
    /// - Complexity: O(total size), spread over the cores.
    public static func cleaning(_ objects: [(key: String, body: [UInt8])]) async -> SilverBatch {
        var parts = [SilverBatch?](repeating: nil, count: objects.count)
        await withTaskGroup(of: (Int, SilverBatch).self) { group in
            for (index, object) in objects.enumerated() {
                group.addTask { (index, clean(objectKey: object.key, body: object.body)) }
            }
            for await (index, part) in group { parts[index] = part }
        }
        var batch = SilverBatch()
        batch.columns.reserveCapacity(parts.reduce(0) { $0 + ($1?.columns.count ?? 0) })
        for index in parts.indices {
            if let part = parts[index] { batch.merge(part) }
            parts[index] = nil
        }
        return batch
    }

    /// One object's lines, cleaned, not yet deduplicated (``merge(_:)`` does that): each line
    /// through ``SilverFastPath`` when it is a clean record, else through the envelope's decoding
    /// and ``SilverRules``, which keep or reject it with its reason.
    private static func clean(objectKey: String, body: [UInt8]) -> SilverBatch {
        var part = SilverBatch()
        part.counts.objects = 1
        // About one record per 400 bytes (the simulator's envelopes are 500).
        part.columns.reserveCapacity(body.count / 400 + 1)
        var payload: [UInt8] = []
        BronzeBatch.forEachLine(of: body) { raw, number in
            part.counts.input += 1
            if SilverFastPath.clean(
                raw, payload: &payload, into: &part.columns, bronzeKey: objectKey, bronzeLine: Int64(number))
            {
                return
            }
            part.cleanGenerally(BronzeBatch.decodeLine(raw, number: number, metadata: false), objectKey: objectKey)
        }
        if part.counts.input == 0 { part.emptyObjectKeys.append(objectKey) }
        part.keyHashes = (0..<part.columns.count).map(part.columns.naturalKeyHash)
        return part
    }

    /// One line the fast path left: rejected as `malformed:json` when it is not an envelope,
    /// else cleaned by ``SilverRules`` (kept, or rejected with the rule's reason).
    private mutating func cleanGenerally(_ read: BronzeBatch.ReadLine, objectKey: String) {
        let line: BronzeBatch.Line
        switch read.line {
        case .success(let value): line = value
        case .failure(let error):
            reject(
                SilverStore.QuarantinedRecord(
                    bronzeKey: objectKey, bronzeLine: Int64(read.number),
                    rejection: SilverRejection(reason: "malformed:json", detail: error.message),
                    payload: Array(read.raw)))
            return
        }
        switch SilverRules.clean(line.payload, arrivalMicros: line.arrivalMicros) {
        case .success(let event):
            columns.append(event, bronzeKey: objectKey, bronzeLine: Int64(read.number))
        case .failure(let rejection):
            reject(
                SilverStore.QuarantinedRecord(
                    bronzeKey: objectKey, bronzeLine: Int64(read.number), rejection: rejection,
                    payload: line.payload))
        }
    }

    /// Quarantines a whole bronze object without reading its records: each line, as raw bytes
    /// (the bronze envelope), becomes a quarantined record with `reason` — or one record of
    /// line 0 with no payload when the object could not be read at all (`body` is `nil`). For
    /// a poison object, one that fails or kills the process every time it is cleaned.
    ///
    /// - Complexity: O(object size); it only splits at line breaks.
    public mutating func quarantineWhole(objectKey: String, body: [UInt8]?, reason: String, detail: String) {
        counts.objects += 1
        guard let body else {
            counts.input += 1
            reject(
                SilverStore.QuarantinedRecord(
                    bronzeKey: objectKey, bronzeLine: 0, rejection: SilverRejection(reason: reason, detail: detail),
                    payload: []))
            return
        }
        var number: Int64 = 0
        var records = 0
        for line in body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            number += 1
            guard !line.isEmpty else { continue }
            records += 1
            counts.input += 1
            reject(
                SilverStore.QuarantinedRecord(
                    bronzeKey: objectKey, bronzeLine: number,
                    rejection: SilverRejection(reason: reason, detail: detail),
                    payload: Array(line)))
        }
        if records == 0 { emptyObjectKeys.append(objectKey) }
    }

    /// Adds the records of another batch (of later objects), as ``cleaning(_:)`` merges its parts.
    public mutating func append(_ other: SilverBatch) { merge(other) }

    /// One object's lines cleaned on their own (what ``cleaning(_:)`` does for each object).
    public static func cleaned(objectKey: String, body: [UInt8]) -> SilverBatch {
        clean(objectKey: objectKey, body: body)
    }

    private mutating func reject(_ record: SilverStore.QuarantinedRecord) {
        rejected.append(record)
        counts.quarantined += 1
    }

    /// Appends a part cleaned apart (of later objects), keeping only the rows whose natural keys
    /// this batch does not hold yet.
    private mutating func merge(_ part: SilverBatch) {
        keyHashes = []
        counts.objects += part.counts.objects
        counts.input += part.counts.input
        counts.quarantined += part.counts.quarantined
        counts.duplicates += part.counts.duplicates
        rejected += part.rejected
        emptyObjectKeys += part.emptyObjectKeys
        let rows = part.columns
        let hashes = part.keyHashes.count == rows.count ? part.keyHashes : (0..<rows.count).map(rows.naturalKeyHash)
        // New rows are appended in runs; a run ends before a row whose hash is indexed, which
        // is then compared key for key with the rows already appended.
        var runStart = 0
        for row in 0..<rows.count {
            let hash = hashes[row]
            if index.contains(hash, where: { _ in true }) {
                columns.append(rows: runStart..<row, of: rows)
                runStart = row
                if index.contains(hash, where: { columns.sameNaturalKey($0, rows, row) }) {
                    counts.duplicates += 1
                    runStart = row + 1
                    continue
                }
            }
            index.insert(columns.count + row - runStart, hash: hash)
            counts.valid += 1
        }
        columns.append(rows: runStart..<rows.count, of: rows)
    }

    /// Moves row `row` to the quarantine (a row a sink refused), with the record's bytes.
    mutating func quarantineRow(_ row: Int, rejection: SilverRejection, payload: [UInt8]) {
        keyHashes = []
        let key = columns.bronzeKey[row] ?? ""
        let line = columns.bronzeLine[row]
        columns = columns.selecting((0..<columns.count).filter { $0 != row })
        counts.valid = columns.count
        reject(SilverStore.QuarantinedRecord(bronzeKey: key, bronzeLine: line, rejection: rejection, payload: payload))
        var rebuilt = NaturalKeyIndex()
        for index in 0..<columns.count { rebuilt.insert(index, hash: columns.naturalKeyHash(index)) }
        index = rebuilt
    }

    /// Drops the rows whose natural keys earlier batches hold, counting them as duplicates.
    public mutating func removeRows(withKeys existing: Set<SilverEvent.NaturalKey>) {
        keyHashes = []
        guard !existing.isEmpty else { return }
        let keep = (0..<columns.count).filter { !existing.contains(columns.naturalKey($0)) }
        counts.duplicates += columns.count - keep.count
        columns = columns.selecting(keep)
        counts.valid = columns.count
        var rebuilt = NaturalKeyIndex()
        for row in 0..<columns.count { rebuilt.insert(row, hash: columns.naturalKeyHash(row)) }
        index = rebuilt
    }
}
