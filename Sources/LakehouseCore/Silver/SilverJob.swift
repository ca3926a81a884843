import AWSLite
import DeltaLite
import Foundation
import Logging
import PGLite

/// Turns bronze objects into silver, batch by batch, with an exactly-once effect on the silver
/// Delta table, the quarantine Delta table and PostgreSQL.
///
/// Batch `N` takes the bronze objects no batch holds yet, from the registry ingest writes
/// (``BronzeRegistry``; or from a listing of the bucket, ``Configuration/source``), and is planned
/// once: the bronze objects it takes (key, ETag) are written to
/// `s3://<silver>/_silver/batches/<N>.json` with `If-None-Match: *`, so a rerun after a crash —
/// or a second process — processes exactly the same objects. Its rows are deterministic (the
/// same plan and the same `sales_silver` give the same rows and file paths); the Delta commits
/// carry `txn(silver, N)`, so a batch already committed is not committed again; PostgreSQL takes
/// the batch in one transaction with its manifest rows, and only then does `N` count as done.
public struct SilverJob: Sendable {
    /// Where the job reads and writes, and how much a batch takes.
    public struct Configuration: Sendable, Hashable {
        /// The bucket ingest writes bronze objects to (`S3_BUCKET_BRONZE`); silver reads `sales_data/` in it.
        public var bronzeBucket: String
        /// The bucket of the silver Delta tables (`sales/`, `quarantine/`) and the batch plans
        /// (`_silver/batches/`) (`S3_BUCKET_SILVER`).
        public var silverBucket: String
        /// At most this many bronze objects a batch (default 64)…
        public var objectsPerBatch = 64
        /// …and about this many bytes (default 256 MiB; a larger object is a batch of its own).
        public var bytesPerBatch = 256 << 20
        /// Where batches find their bronze objects (default ``BronzeSource/registry``).
        public var source = BronzeSource.registry
        /// The Delta transaction's application id (default `silver`).
        public var applicationID = "silver"
        /// A bronze object whose cleaning failed this many times, or that the process died in
        /// this many times, is quarantined whole (`poison:object`, each line as raw bytes; or
        /// `unreadable:object` when it cannot be read) instead of being tried again (default 3).
        public var poisonAttempts = 3
        /// How many rows of one batch PostgreSQL may refuse (each is then quarantined, naming
        /// the field, and the batch written again without it) before the batch fails (default
        /// 100; the rules should leave none).
        public var refusedRowsPerBatch = 100

        /// A configuration reading `bronzeBucket` and writing `silverBucket`, with the defaults above.
        public init(bronzeBucket: String, silverBucket: String) {
            self.bronzeBucket = bronzeBucket
            self.silverBucket = silverBucket
        }
    }

    /// What a run did: the sum of its batches.
    public struct Report: Sendable, Hashable, CustomStringConvertible {
        /// Batches the run committed.
        public var batches = 0
        /// Objects and records over those batches: input = valid + quarantined + duplicates.
        public var counts = SilverStore.BatchCounts()

        /// A report of nothing done.
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

        /// One line for a terminal: `silver: 2 batches; 5 objects: input … = valid … + …`.
        public var description: String { "silver: \(batches) batches; \(counts)" }
    }

    /// Where silver learns which bronze objects to process.
    public enum BronzeSource: String, Sendable, Hashable, CaseIterable {
        /// The registry ingest writes (``BronzeRegistry``): what no batch holds yet, found in
        /// PostgreSQL at a cost that follows the backlog, not the bucket's history.
        case registry
        /// A listing of `sales_data/` in the bronze bucket, for objects that reached it another
        /// way (a repair): its cost grows with every object the bucket holds.
        case listing
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
    package enum FaultPoint: String, Sendable, Hashable, CaseIterable {
        /// The Parquet files of both tables (silver and quarantine) are on S3; nothing is committed.
        case afterDataFiles = "after-data-files"
        /// The silver table's commit is made, the quarantine table's not yet; PostgreSQL's
        /// transaction is open (it rolls back when the process dies).
        case afterSalesCommit = "after-sales-commit"
        /// The Delta commits (silver and quarantine) are made; PostgreSQL's transaction is open
        /// (it rolls back when the process dies).
        case afterDeltaCommit = "after-delta-commit"
        /// Inside the PostgreSQL transaction, everything written but not committed.
        case insidePostgresTransaction = "inside-postgres-transaction"
    }

    /// Called at each ``FaultPoint`` with the batch number; what it throws fails the batch (and
    /// a hook may end the process): a seam for the package's crash tests, not public API.
    package typealias FaultHook = @Sendable (FaultPoint, Int64) async throws -> Void

    /// Called with each bronze object's key before its records are cleaned; what it throws fails
    /// the object (and a hook may end the process): a seam for the package's poison-object
    /// tests, not public API.
    package typealias ObjectHook = @Sendable (String) async throws -> Void

    let s3: S3Client
    let store: SilverStore
    /// The buckets and batch limits the job was made with.
    public let configuration: Configuration
    let logger: Logger
    private let sales: DeltaLog
    private let quarantine: DeltaLog
    private let faultHook: FaultHook?
    private let objectHook: ObjectHook?

    /// A job that cleans `configuration`'s bronze bucket into its silver table and `store`.
    public init(s3: S3Client, store: SilverStore, configuration: Configuration, logger: Logger) {
        self.init(s3: s3, store: store, configuration: configuration, logger: logger, faultHook: nil, objectHook: nil)
    }

    /// With the package's test seams: `faultHook` at each ``FaultPoint``, `objectHook` before
    /// each bronze object.
    package init(
        s3: S3Client, store: SilverStore, configuration: Configuration, logger: Logger, faultHook: FaultHook?,
        objectHook: ObjectHook?
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

    /// As ``runOnce(stop:progress:)``; with ``Configuration/source`` ``BronzeSource/listing``,
    /// listing bronze only after `listingAfter` (a key or a prefix such as
    /// `sales_data/year=2026/month=11/day=25/`; `nil` lists it all). The registry, the default
    /// source, ignores it.
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

    /// Where batch plans are kept in the silver bucket.
    static let planPrefix = "_silver/batches/"

    private func planKey(_ number: Int64) -> String {
        let digits = String(number)
        return Self.planPrefix + String(repeating: "0", count: max(0, 20 - digits.count)) + digits + ".json"
    }

    /// The plan of the next batch: the one already written for it (after a crash), else a new
    /// one of unprocessed bronze objects listed after `listedUpTo`, which moves past the chosen
    /// ones; `nil` when there are none.
    func nextPlan(after listedUpTo: inout String?) async throws -> Plan? {
        let number = try await store.lastBatchNumber() + 1
        if let existing = try await readPlan(number) { return existing }
        let candidates =
            configuration.source == .registry
            ? try await registered() : try await listed(after: listedUpTo)
        let chosen = batches(of: candidates).first ?? []
        guard let last = chosen.last else { return nil }
        listedUpTo = last.key
        let plan = Plan(number: number, objects: chosen)
        // Another process may have planned this batch first: then do what it planned.
        return try await write(plan) ? plan : try await readPlan(number)
    }

    /// The first objects of the registry that no batch holds (and the manifest does not list
    /// in the same version), enough for a batch.
    func registered() async throws -> [BronzeObject] {
        let pending = try await BronzeRegistry(connection: store.connection).pending(
            limit: configuration.objectsPerBatch)
        let done = try await store.processed(pending.map(\.key))
        return pending.filter { done[$0.key] != $0.eTag }
    }

    /// The keys of the batches silver would plan next from `source`, every pending object's,
    /// without planning them: for comparing the registry with a listing.
    package func pendingBatches(from source: BronzeSource) async throws -> [[String]] {
        var candidates: [BronzeObject] = []
        switch source {
        case .registry:
            let pending = try await BronzeRegistry(connection: store.connection).pending(limit: .max / 2)
            let done = try await store.processed(pending.map(\.key))
            candidates = pending.filter { done[$0.key] != $0.eTag }
        case .listing:
            for try await page in s3.listObjectsV2(bucket: configuration.bronzeBucket, prefix: "sales_data/") {
                let done = try await store.processed(page.objects.map(\.key))
                candidates += page.objects.filter { done[$0.key] != $0.eTag }.map(BronzeObject.init)
            }
        }
        return batches(of: candidates).map { $0.map(\.key) }
    }

    /// Unprocessed objects listed after `listedUpTo`, enough for a batch.
    func listed(after listedUpTo: String?) async throws -> [BronzeObject] {
        var candidates: [BronzeObject] = []
        for try await page in s3.listObjectsV2(
            bucket: configuration.bronzeBucket, prefix: "sales_data/", startAfter: listedUpTo)
        {
            let done = try await store.processed(page.objects.map(\.key))
            candidates += page.objects.filter { done[$0.key] == nil }.map(BronzeObject.init)
            if candidates.count >= configuration.objectsPerBatch { break }
        }
        return candidates
    }

    /// `objects` in key order, cut into batches of at most ``Configuration/objectsPerBatch``
    /// objects and about ``Configuration/bytesPerBatch`` bytes (a larger object is a batch of
    /// its own).
    func batches(of objects: [BronzeObject]) -> [[Plan.Object]] {
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
        // Delta holds the batch already (the process stopped between Delta's commit and
        // PostgreSQL's): PostgreSQL takes exactly what Delta holds. Nothing is cleaned or decided
        // again, so a record is never valid in one sink and quarantined in the other.
        tables.sales = try await sales.snapshot(updating: tables.sales)
        if let done = tables.sales?.transactions[configuration.applicationID], done >= plan.number {
            return try await loadCommitted(plan, tables: &tables)
        }
        var batch = carefully ? try await readCarefully(plan) : try await readTogether(plan)
        for key in batch.emptyObjectKeys { logger.warning("empty bronze object", metadata: ["s3.key": "\(key)"]) }
        // Keys that earlier batches already hold are duplicates too.
        let keys = (0..<batch.columns.count).map(batch.columns.naturalKey)
        batch.removeRows(withKeys: try await store.existing(keys))
        // A row PostgreSQL refuses (the rules should leave none) is quarantined, naming the
        // field, and the batch written again without it, before either sink holds it.
        var refused = 0
        while true {
            do {
                return try await write(batch, plan: plan, tables: tables)
            } catch let error as PGError {
                guard let row = Self.refusedRow(error, rows: batch.columns.count),
                    refused < configuration.refusedRowsPerBatch
                else { throw error }
                refused += 1
                let key = batch.columns.bronzeKey[row] ?? ""
                let line = batch.columns.bronzeLine[row]
                let field = Self.refusedColumn(error) ?? "row"
                logger.error(
                    "PostgreSQL refused a silver row; quarantining it",
                    metadata: ["s3.key": "\(key)", "bronze.line": "\(line)", "field": "\(field)", "error": "\(error)"])
                batch.quarantineRow(
                    row,
                    rejection: SilverRejection(
                        reason: "invalid:\(field)",
                        detail:
                            "PostgreSQL refused \(field) of s3://\(configuration.bronzeBucket)/\(key) line \(line): \(error.message)"
                    ),
                    payload: try await bronzePayload(key: key, line: line))
            }
        }
    }

    /// Encodes the batch's files for both Delta tables and uploads them, then loads PostgreSQL in
    /// one transaction that makes both Delta commits before it commits: a batch is in both
    /// sinks, or (stopped between the commits) in Delta, which the next run copies to PostgreSQL.
    private func write(_ batch: SilverBatch, plan: Plan, tables: Tables) async throws -> SilverStore.BatchCounts? {
        let columns = batch.columns
        let rejected = batch.rejected
        let counts = batch.counts
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let name = "part-\(String(plan.number))"
        // Every file of both tables is on S3 before either commit.
        let salesFiles = try await SilverTable.dataFiles(columns, name: name, modificationTime: now)
        let quarantineFiles =
            rejected.isEmpty
            ? [] : [try await SilverTable.quarantineFile(rejected, name: name, modificationTime: now)]
        for (log, files) in [(sales, salesFiles), (quarantine, quarantineFiles)] {
            for file in files {
                try await s3.putObject(
                    bucket: configuration.silverBucket, key: log.root + file.path, body: file.bytes,
                    contentType: "application/vnd.apache.parquet")
            }
        }
        try await faultHook?(.afterDataFiles, plan.number)
        let number = plan.number
        let faultHook = faultHook
        let salesSnapshot = tables.sales
        let quarantineSnapshot = tables.quarantine
        let job = self
        let commitDelta: @Sendable () async throws -> Int64 = {
            let version = try await job.commit(
                salesFiles, to: job.sales, snapshot: salesSnapshot, schema: SilverTable.schema,
                partitionColumns: [SilverTable.partitionColumn], batch: number, counts: counts, now: now)
            try await faultHook?(.afterSalesCommit, number)
            if !quarantineFiles.isEmpty {
                _ = try await job.commit(
                    quarantineFiles, to: job.quarantine, snapshot: quarantineSnapshot,
                    schema: SilverTable.quarantineSchema, partitionColumns: [], batch: number, counts: counts,
                    now: now)
            }
            try await faultHook?(.afterDeltaCommit, number)
            return version
        }
        var beforeCommit: (@Sendable () async throws -> Void)?
        if let faultHook { beforeCommit = { try await faultHook(.insidePostgresTransaction, number) } }
        let loaded = try await store.load(
            batch: plan.number, columns: columns, quarantined: rejected,
            objects: Dictionary(uniqueKeysWithValues: plan.objects.map { ($0.key, $0.etag) }), counts: counts,
            deltaVersion: nil, commitDelta: commitDelta, beforeCommit: beforeCommit)
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

    /// Loads PostgreSQL with what Delta holds of batch `plan.number`: its silver data files and
    /// its quarantine file (committed to the quarantine table first when the process stopped
    /// between the two commits), with the counts recorded in the silver commit.
    private func loadCommitted(_ plan: Plan, tables: inout Tables) async throws -> SilverStore.BatchCounts? {
        guard let snapshot = tables.sales else { return nil }
        let name = "part-\(String(plan.number))"
        let columns = try await committedRows(named: name, in: snapshot)
        let (version, recorded) = try await committedCounts(plan.number, in: sales, snapshot: snapshot)
        let rejected = try await committedQuarantine(
            named: name, batch: plan.number, recorded: recorded, tables: &tables)
        var counts = SilverStore.BatchCounts()
        counts.objects = recorded?.objects ?? plan.objects.count
        counts.valid = columns.count
        counts.quarantined = rejected.count
        counts.duplicates = recorded?.duplicates ?? 0
        counts.input = counts.valid + counts.quarantined + counts.duplicates
        logger.warning(
            "silver batch committed to Delta but not to PostgreSQL: loading what Delta holds",
            metadata: ["batch": "\(plan.number)", "delta.version": "\(version.map(String.init) ?? "unknown")"])
        let loaded = try await store.load(
            batch: plan.number, columns: columns, quarantined: rejected,
            objects: Dictionary(uniqueKeysWithValues: plan.objects.map { ($0.key, $0.etag) }), counts: counts,
            deltaVersion: version)
        return loaded ? counts : nil
    }

    /// The rows of the silver data files named `name-…` in `snapshot`, in path order.
    private func committedRows(named name: String, in snapshot: DeltaSnapshot) async throws -> SilverColumns {
        var columns = SilverColumns()
        for (path, add) in snapshot.files.sorted(by: { $0.key < $1.key })
        where path.split(separator: "/").last?.hasPrefix(name + "-") == true {
            let body = try await s3.getObject(bucket: configuration.silverBucket, key: sales.root + path).body
            guard let dateText = add.partitionValues[SilverTable.partitionColumn] ?? nil,
                let micros = EventTimestamp.parse(dateText + "T00:00:00Z")
            else {
                throw LakehouseError(
                    code: .invalidDeltaLog, message: "silver data file \(path) has no event_date partition value")
            }
            let rows = try SilverTable.rows(
                ofDataFile: body, path: path,
                eventDate: Int32(EventTimestamp.floorDivide(micros, BronzeBatch.dayMicros)))
            columns.reserveCapacity(columns.count + rows.count)
            for row in 0..<rows.count { columns.append(row: row, of: rows) }
        }
        return columns
    }

    /// The records of batch `batch`'s quarantine file (`name.zstd.parquet`), committed to the
    /// quarantine table when the process stopped before it was; none when the batch quarantined
    /// nothing (as its silver commit's counts, `recorded`, say).
    private func committedQuarantine(
        named name: String, batch: Int64, recorded: SilverStore.BatchCounts?, tables: inout Tables
    ) async throws -> [SilverStore.QuarantinedRecord] {
        let quarantineKey = quarantine.root + name + ".zstd.parquet"
        var quarantineBody: [UInt8]?
        // The silver commit's counts say whether the batch quarantined anything (a commit
        // written before counts were recorded: whether its quarantine file exists).
        if recorded.map({ $0.quarantined > 0 }) ?? true {
            do {
                quarantineBody = try await s3.getObject(bucket: configuration.silverBucket, key: quarantineKey).body
            } catch let error as AWSError
                where recorded == nil && (error.code.rawValue == "NoSuchKey" || error.httpStatus == 404)
            {
                quarantineBody = nil
            }
        }
        guard let quarantineBody else { return [] }
        let rejected = try SilverTable.quarantined(ofFile: quarantineBody, path: quarantineKey)
        tables.quarantine = try await quarantine.snapshot(updating: tables.quarantine)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let file = SilverTable.DataFile(
            path: name + ".zstd.parquet", bytes: quarantineBody,
            add: DeltaAddFile(
                path: name + ".zstd.parquet", partitionValues: [:], size: Int64(quarantineBody.count),
                modificationTime: now, dataChange: true, stats: "{\"numRecords\":\(rejected.count)}"))
        _ = try await commit(
            [file], to: quarantine, snapshot: tables.quarantine, schema: SilverTable.quarantineSchema,
            partitionColumns: [], batch: batch, counts: recorded, now: now)
        return rejected
    }

    /// The version of `log`'s table whose commit holds `txn(applicationID, batch)`, and the
    /// counts it recorded (`nil` for a commit written before counts were recorded).
    private func committedCounts(_ batch: Int64, in log: DeltaLog, snapshot: DeltaSnapshot) async throws
        -> (Int64?, SilverStore.BatchCounts?)
    {
        var version = snapshot.version
        // The batch is the table's newest silver commit; a few later commits of other writers
        // (maintenance) are looked past.
        while version >= 0, version > snapshot.version - 20 {
            let actions = try await log.actions(of: version)
            let holds = actions.contains {
                if case .transaction(let txn) = $0 {
                    return txn.appID == configuration.applicationID && txn.version == batch
                }
                return false
            }
            if holds {
                for case .commitInfo(let info) in actions {
                    return (version, info.operationParameters["silverCounts"].flatMap(SilverStore.BatchCounts.init))
                }
                return (version, nil)
            }
            version -= 1
        }
        return (nil, nil)
    }

    /// The row of a batch's COPY that PostgreSQL refused as data (SQLSTATE class 22 or 23),
    /// from the error's context (`COPY silver_stage, line 3, column quantity: …`).
    static func refusedRow(_ error: PGError, rows: Int) -> Int? {
        guard let state = error.sqlState, state.hasPrefix("22") || state.hasPrefix("23"),
            let context = error.context, context.hasPrefix("COPY silver_stage, line "),
            let line = Int(context.dropFirst("COPY silver_stage, line ".count).prefix { $0.isNumber }),
            (1...rows).contains(line)
        else { return nil }
        return line - 1
    }

    /// The column the context names, if any.
    static func refusedColumn(_ error: PGError) -> String? {
        guard let context = error.context, let range = context.range(of: ", column ") else { return nil }
        let name = context[range.upperBound...].prefix { $0 != ":" && $0 != "," }
        return name.isEmpty ? nil : String(name)
    }

    /// The payload of line `line` of bronze object `key`, as ingest wrote it (the raw line when
    /// it is not an envelope).
    ///
    /// - Throws: ``AWSError`` when the object cannot be read: the batch is tried again, so that
    ///   its files are the same whichever try writes them.
    private func bronzePayload(key: String, line: Int64) async throws -> [UInt8] {
        let body = try await s3.getObject(bucket: configuration.bronzeBucket, key: key).body
        for read in BronzeBatch.decodeEach(body) where read.number == Int(line) {
            return (try? read.line.get().payload) ?? Array(read.raw)
        }
        return []
    }

    /// Commits `files` with `txn(applicationID, batch)` and the batch's counts, unless the table
    /// holds that transaction already (then nothing is committed); returns the table's version
    /// whose commit holds the batch. `snapshot` is brought forward first, reading only the
    /// commits made since.
    private func commit(
        _ files: [SilverTable.DataFile], to log: DeltaLog, snapshot: DeltaSnapshot?, schema: DeltaSchema,
        partitionColumns: [String], batch: Int64, counts: SilverStore.BatchCounts?, now: Int64
    ) async throws -> Int64 {
        let snapshot = try await log.snapshot(updating: snapshot)
        if let snapshot, let done = snapshot.transactions[configuration.applicationID], done >= batch {
            return try await committedCounts(batch, in: log, snapshot: snapshot).0 ?? snapshot.version
        }
        var actions: [DeltaAction] = []
        if snapshot == nil {
            actions += try DeltaAction.creatingTable(
                schema: schema, partitionColumns: partitionColumns, createdTime: now)
        }
        actions += files.map { .add($0.add) }
        actions.append(
            .transaction(DeltaTransaction(appID: configuration.applicationID, version: batch, lastUpdated: now)))
        var parameters = ["mode": "Append", "silverBatch": String(batch)]
        if let counts { parameters["silverCounts"] = counts.recorded }
        actions.append(
            .commitInfo(
                DeltaCommitInfo(
                    timestamp: now, operation: "WRITE", operationParameters: parameters,
                    engineInfo: "LakehouseCore/\(LakehouseCore.version)")))
        switch try await log.commit(actions, after: snapshot) {
        case .committed(let version), .alreadyCommitted(let version): return version
        }
    }
}
