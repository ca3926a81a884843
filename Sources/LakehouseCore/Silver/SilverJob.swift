import AWSLite
import Foundation
import Logging

/// Turns bronze objects into silver, batch by batch, with an exactly-once effect on the silver
/// Delta table, the quarantine Delta table and PostgreSQL.
///
/// Batch `N` is planned once: the bronze objects it takes (key, ETag) are written to
/// `s3://<silver>/_silver/batches/<N>.json` with `If-None-Match: *`, so a rerun after a crash —
/// or a second process — processes exactly the same objects. Its rows are deterministic (the
/// same plan and the same `sales_silver` give the same rows and file paths); the Delta commits
/// carry `txn(silver, N)`, so a batch already committed is not committed again; PostgreSQL takes
/// the batch in one transaction with its manifest rows, and only then does `N` count as done.
public struct SilverJob: Sendable {
    /// Where the job reads and writes, and how much a batch takes.
    public struct Configuration: Sendable, Hashable {
        public var bronzeBucket: String
        public var silverBucket: String
        /// At most this many bronze objects a batch (default 64)…
        public var objectsPerBatch = 64
        /// …and about this many bytes (default 256 MiB; a larger object is a batch of its own).
        public var bytesPerBatch = 256 << 20
        /// The Delta transaction's application id (default `silver`).
        public var applicationID = "silver"
        /// A bronze object whose cleaning failed this many times, or that the process died in
        /// this many times, is quarantined whole (`poison:object`, each line as raw bytes; or
        /// `unreadable:object` when it cannot be read) instead of being tried again (default 3).
        public var poisonAttempts = 3

        public init(bronzeBucket: String, silverBucket: String) {
            self.bronzeBucket = bronzeBucket
            self.silverBucket = silverBucket
        }
    }

    /// What a run did: the sum of its batches.
    public struct Report: Sendable, Hashable, CustomStringConvertible {
        public var batches = 0
        public var counts = SilverStore.BatchCounts()

        public init() {}

        /// Adds another report.
        public mutating func add(_ other: Report) {
            batches += other.batches
            counts.objects += other.counts.objects
            counts.input += other.counts.input
            counts.valid += other.counts.valid
            counts.quarantined += other.counts.quarantined
            counts.duplicates += other.counts.duplicates
        }

        /// Adds one batch.
        mutating func add(batch: SilverStore.BatchCounts) {
            var one = Report()
            one.batches = 1
            one.counts = batch
            add(one)
        }

        public var description: String { "silver: \(batches) batches; \(counts)" }
    }

    /// The bronze objects of one batch.
    struct Plan: Codable, Sendable {
        struct Object: Codable, Sendable, Hashable {
            var key: String
            var etag: String
            var size: Int
        }
        var number: Int64
        var objects: [Object]
    }

    /// The moments between a batch's writes, where crash tests stop the job.
    public enum FaultPoint: String, Sendable, Hashable, CaseIterable {
        /// The Parquet files of the silver table are on S3; nothing is committed.
        case afterDataFiles = "after-data-files"
        /// The Delta commits (silver and quarantine) are made; PostgreSQL has nothing of the batch.
        case afterDeltaCommit = "after-delta-commit"
        /// Inside the PostgreSQL transaction, everything written but not committed.
        case insidePostgresTransaction = "inside-postgres-transaction"
    }

    /// Called at each ``FaultPoint`` with the batch number; what it throws fails the batch (and
    /// a hook may end the process, to test crashes).
    public typealias FaultHook = @Sendable (FaultPoint, Int64) async throws -> Void

    /// Called with each bronze object's key before its records are cleaned; what it throws fails
    /// the object (and a hook may end the process), to test poison objects.
    public typealias ObjectHook = @Sendable (String) async throws -> Void

    let s3: S3Client
    let store: SilverStore
    public let configuration: Configuration
    let logger: Logger
    private let sales: DeltaLog
    private let quarantine: DeltaLog
    private let faultHook: FaultHook?
    private let objectHook: ObjectHook?

    /// - Parameters:
    ///   - faultHook: for crash tests only; `nil` in production.
    ///   - objectHook: for poison-object tests only; `nil` in production.
    public init(
        s3: S3Client, store: SilverStore, configuration: Configuration, logger: Logger, faultHook: FaultHook? = nil,
        objectHook: ObjectHook? = nil
    ) {
        self.objectHook = objectHook
        self.s3 = s3
        self.store = store
        self.configuration = configuration
        self.logger = logger
        self.faultHook = faultHook
        sales = DeltaLog(s3: s3, bucket: configuration.silverBucket, root: SilverTable.root, logger: logger)
        quarantine = DeltaLog(
            s3: s3, bucket: configuration.silverBucket, root: SilverTable.quarantineRoot, logger: logger)
    }

    /// Processes batches until no bronze object is left unprocessed (or `stop` is signalled
    /// between batches).
    ///
    /// - Parameter progress: called after each batch with its number and counts.
    /// - Throws: ``AWSError``, ``PGError``, ``ParquetError`` or ``LakehouseError`` when a batch
    ///   cannot be completed; a rerun takes it up again.
    public func runOnce(
        stop: StopSignal = StopSignal(),
        progress: @Sendable (Int64, SilverStore.BatchCounts) -> Void = { _, _ in }
    ) async throws -> Report {
        try await runOnce(stop: stop, listingAfter: nil, progress: progress)
    }

    /// As ``runOnce(stop:progress:)``, listing bronze only after `listingAfter` (a key or a
    /// prefix such as `sales_data/year=2026/month=11/day=25/`); `nil` lists it all. For a caller
    /// that runs batch after batch and lists everything only now and then (``Pipeline``).
    public func runOnce(
        stop: StopSignal = StopSignal(), listingAfter: String?,
        progress: @Sendable (Int64, SilverStore.BatchCounts) -> Void = { _, _ in }
    ) async throws -> Report {
        var report = Report()
        var tables = Tables()
        // Bronze keys up to here were listed by this run and are processed or planned: the next
        // plan lists after them. Objects that arrive with lower keys wait for the next run.
        var listedUpTo: String? = listingAfter
        while !stop.isStopped, let plan = try await nextPlan(after: &listedUpTo) {
            guard let counts = try await process(plan, tables: &tables) else { continue }
            report.add(batch: counts)
            progress(plan.number, counts)
        }
        return report
    }

    private func planKey(_ number: Int64) -> String {
        let digits = String(number)
        return "_silver/batches/" + String(repeating: "0", count: max(0, 20 - digits.count)) + digits + ".json"
    }

    /// The plan of the next batch: the one already written for it (after a crash), else a new
    /// one of unprocessed bronze objects listed after `listedUpTo`, which moves past the chosen
    /// ones; `nil` when there are none.
    func nextPlan(after listedUpTo: inout String?) async throws -> Plan? {
        let number = try await store.lastBatchNumber() + 1
        if let existing = try await readPlan(number) { return existing }
        var candidates: [S3ObjectSummary] = []
        for try await page in s3.listObjectsV2(
            bucket: configuration.bronzeBucket, prefix: "sales_data/", startAfter: listedUpTo)
        {
            let done = try await store.processed(page.objects.map(\.key))
            candidates += page.objects.filter { done[$0.key] == nil }
            if candidates.count >= configuration.objectsPerBatch { break }
        }
        let chosen = batches(of: candidates).first ?? []
        guard let last = chosen.last else { return nil }
        listedUpTo = last.key
        let plan = Plan(number: number, objects: chosen)
        // Another process may have planned this batch first: then do what it planned.
        return try await write(plan) ? plan : try await readPlan(number)
    }

    /// `objects` in key order, cut into batches of at most ``Configuration/objectsPerBatch``
    /// objects and about ``Configuration/bytesPerBatch`` bytes (a larger object is a batch of
    /// its own).
    func batches(of objects: [S3ObjectSummary]) -> [[Plan.Object]] {
        var batches: [[Plan.Object]] = []
        var bytes = 0
        for object in objects.sorted(by: { $0.key < $1.key }) {
            let entry = Plan.Object(key: object.key, etag: object.eTag, size: object.size)
            if let last = batches.last, last.count < configuration.objectsPerBatch,
                bytes + object.size <= configuration.bytesPerBatch
            {
                batches[batches.count - 1].append(entry)
                bytes += object.size
            } else {
                batches.append([entry])
                bytes = object.size
            }
        }
        return batches
    }

    /// Writes `plan` unless batch `plan.number` is planned already; returns whether it was written.
    func write(_ plan: Plan) async throws -> Bool {
        let outcome = try await s3.putObject(
            bucket: configuration.silverBucket, key: planKey(plan.number), body: Array(try JSONEncoder().encode(plan)),
            contentType: "application/json", ifNoneMatch: true)
        if case .preconditionFailed = outcome { return false }
        return true
    }

    func readPlan(_ number: Int64) async throws -> Plan? {
        let key = planKey(number)
        let body: [UInt8]
        do {
            body = try await s3.getObject(bucket: configuration.silverBucket, key: key).body
        } catch let error as AWSError where error.code.rawValue == "NoSuchKey" || error.httpStatus == 404 {
            return nil
        }
        do {
            return try JSONDecoder().decode(Plan.self, from: Data(body))
        } catch {
            throw LakehouseError(
                code: .invalidDeltaLog,
                message: "s3://\(configuration.silverBucket)/\(key) is not a batch plan: \(error)")
        }
    }

    /// The two Delta tables as last read, brought forward batch by batch (only new commits read).
    struct Tables {
        var sales: DeltaSnapshot?
        var quarantine: DeltaSnapshot?
    }

    /// Reads, cleans and writes one batch; returns its counts, or `nil` when another run loaded
    /// it into PostgreSQL first (its Delta commits are then the other run's too).
    ///
    /// Each try is counted first (``SilverStore`` `silver_attempt`). The first try reads and
    /// cleans the objects together; a later one (the last failed, or the process died in it)
    /// reads them one at a time, counting each, and quarantines whole an object that has failed
    /// ``Configuration/poisonAttempts`` times: a poison object never stops the batches after it.
    func process(_ plan: Plan, tables: inout Tables) async throws -> SilverStore.BatchCounts? {
        let item = SilverStore.attemptItem(batch: plan.number)
        let tries = try await store.beginAttempt(item)
        do {
            let counts = try await process(plan, tables: &tables, carefully: tries > 1)
            try await store.clearAttempts([item] + plan.objects.map(\.key))
            return counts
        } catch {
            try? await store.recordAttemptError(item, "\(error)")
            throw error
        }
    }

    /// Reads and cleans every object of `plan` at once (on every core).
    private func readTogether(_ plan: Plan) async throws -> SilverBatch {
        var bodies: [(key: String, body: [UInt8])] = []
        for object in plan.objects {
            bodies.append(
                (object.key, try await s3.getObject(bucket: configuration.bronzeBucket, key: object.key).body))
        }
        if let objectHook { for object in bodies { try await objectHook(object.key) } }
        return await SilverBatch.cleaning(bodies)
    }

    /// Reads and cleans the objects of `plan` one at a time, counting the tries of each, and
    /// quarantines whole those that have failed too often.
    private func readCarefully(_ plan: Plan) async throws -> SilverBatch {
        var batch = SilverBatch()
        for object in plan.objects {
            let failed = try await store.failedAttempts(object.key)
            if failed.count >= configuration.poisonAttempts {
                await quarantineWhole(
                    object.key, into: &batch,
                    cause: "\(failed.count) tries failed; the last: \(failed.lastError ?? "the process died in it")")
                continue
            }
            let tries = try await store.beginAttempt(object.key)
            do {
                let body = try await s3.getObject(bucket: configuration.bronzeBucket, key: object.key).body
                try await objectHook?(object.key)
                batch.append(SilverBatch.cleaned(objectKey: object.key, body: body))
                try await store.clearAttempts([object.key])
            } catch {
                try await store.recordAttemptError(object.key, "\(error)")
                guard tries >= configuration.poisonAttempts else { throw error }
                await quarantineWhole(object.key, into: &batch, cause: "\(tries) tries failed; the last: \(error)")
            }
        }
        return batch
    }

    /// Quarantines a poison object whole: each of its lines as raw bytes (`poison:object`), or
    /// one record when it cannot be read (`unreadable:object`).
    private func quarantineWhole(_ key: String, into batch: inout SilverBatch, cause: String) async {
        let body = try? await s3.getObject(bucket: configuration.bronzeBucket, key: key).body
        logger.error(
            "bronze object quarantined whole",
            metadata: ["s3.key": "\(key)", "reason": "\(body == nil ? "unreadable" : "poison")", "cause": "\(cause)"])
        batch.quarantineWhole(
            objectKey: key, body: body, reason: body == nil ? "unreadable:object" : "poison:object",
            detail: body == nil
                ? "the object could not be read: \(cause)"
                : "the object was not cleaned: \(cause); each line is the raw bronze line")
    }

    private func process(_ plan: Plan, tables: inout Tables, carefully: Bool) async throws
        -> SilverStore.BatchCounts?
    {
        var batch = carefully ? try await readCarefully(plan) : try await readTogether(plan)
        for key in batch.emptyObjectKeys { logger.warning("empty bronze object", metadata: ["s3.key": "\(key)"]) }
        // Keys that earlier batches already hold are duplicates too.
        let keys = (0..<batch.columns.count).map(batch.columns.naturalKey)
        batch.removeRows(withKeys: try await store.existing(keys))
        let columns = batch.columns
        let rejected = batch.rejected
        let counts = batch.counts

        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let name = "part-\(String(plan.number))"
        let salesVersion = try await commit(
            to: sales, snapshot: &tables.sales, schema: SilverTable.schema,
            partitionColumns: [SilverTable.partitionColumn], plan: plan, now: now
        ) { try await SilverTable.dataFiles(columns, name: name, modificationTime: now) }
        if !rejected.isEmpty {
            _ = try await commit(
                to: quarantine, snapshot: &tables.quarantine, schema: SilverTable.quarantineSchema,
                partitionColumns: [], plan: plan, now: now
            ) { [try await SilverTable.quarantineFile(rejected, name: name, modificationTime: now)] }
        }
        try await faultHook?(.afterDeltaCommit, plan.number)
        var beforeCommit: (@Sendable () async throws -> Void)?
        if let hook = faultHook {
            let number = plan.number
            beforeCommit = { try await hook(.insidePostgresTransaction, number) }
        }
        let loaded = try await store.load(
            batch: plan.number, columns: columns, quarantined: rejected,
            objects: Dictionary(uniqueKeysWithValues: plan.objects.map { ($0.key, $0.etag) }), counts: counts,
            deltaVersion: salesVersion, beforeCommit: beforeCommit)
        guard loaded else {
            logger.info("silver batch already loaded by another run", metadata: ["batch": "\(plan.number)"])
            return nil
        }
        logger.info(
            "silver batch",
            metadata: [
                "batch": "\(plan.number)", "objects": "\(counts.objects)", "input": "\(counts.input)",
                "valid": "\(counts.valid)", "quarantined": "\(counts.quarantined)",
                "duplicates": "\(counts.duplicates)",
            ])
        return counts
    }

    /// Encodes and uploads the batch's files and commits them with `txn(applicationID,
    /// plan.number)`, unless the table already holds that transaction (a rerun after a crash:
    /// then nothing is encoded); returns the table's version holding the batch. `snapshot` is
    /// brought forward first, reading only the commits made since.
    private func commit(
        to log: DeltaLog, snapshot: inout DeltaSnapshot?, schema: DeltaSchema, partitionColumns: [String],
        plan: Plan, now: Int64, files encode: () async throws -> [SilverTable.DataFile]
    ) async throws -> Int64 {
        snapshot = try await log.snapshot(updating: snapshot)
        if let snapshot, let done = snapshot.transactions[configuration.applicationID], done >= plan.number {
            return snapshot.version
        }
        let files = try await encode()
        for file in files {
            try await s3.putObject(
                bucket: configuration.silverBucket, key: log.root + file.path, body: file.bytes,
                contentType: "application/vnd.apache.parquet")
        }
        if log.root == sales.root { try await faultHook?(.afterDataFiles, plan.number) }
        var actions: [DeltaAction] = []
        if snapshot == nil {
            actions += [
                .protocol(.supported),
                .metadata(
                    DeltaMetadata(
                        id: UUID().uuidString.lowercased(), schemaString: schema.schemaString,
                        partitionColumns: partitionColumns, createdTime: now)),
            ]
        }
        actions += files.map { .add($0.add) }
        actions.append(
            .transaction(DeltaTransaction(appID: configuration.applicationID, version: plan.number, lastUpdated: now)))
        actions.append(
            .commitInfo(
                DeltaCommitInfo(
                    timestamp: now, operation: "WRITE",
                    operationParameters: ["mode": "Append", "silverBatch": String(plan.number)],
                    engineInfo: "LakehouseCore/\(LakehouseCore.version)")))
        switch try await log.commit(actions, after: snapshot) {
        case .committed(let version), .alreadyCommitted(let version): return version
        }
    }
}
