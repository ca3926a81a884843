import AWSLite
import DeltaLite
import Foundation
import LakehouseTestSupport
import ParquetLite
import Testing

/// A Delta table on moto's S3, written by `DeltaLog` with data files from ParquetLite, read back
/// by our log reader and by delta-rs.
@Suite("Delta log: commits with put-if-absent, snapshots, races, and delta-rs reads what we write")
struct DeltaLogTests {
    static let schema = DeltaSchema([.init("id", .long), .init("name", .string), .init("event_date", .date)])

    struct Table {
        let s3: S3Client
        let bucket: String
        let log: DeltaLog
        let endpoint: String

        static func make(_ name: String) async throws -> Table {
            let services = try TestServices.require()
            let logs = CapturedLogs()
            let s3 = S3Client(configuration: services.awsConfiguration, logger: logs.logger())
            let bucket = "\(name)-\(UUID().uuidString.prefix(8).lowercased())"
            try await s3.createBucket(bucket)
            return Table(
                s3: s3, bucket: bucket, log: DeltaLog(s3: s3, bucket: bucket, root: "sales", logger: logs.logger()),
                endpoint: services.awsEndpoint)
        }

        /// Writes a data file of `ids` in partition `date` and returns its `add` action.
        func dataFile(_ ids: [Int64], date: String, name: String) async throws -> DeltaAction {
            let sink = ParquetMemorySink()
            let writer = try ParquetWriter(
                schema: try ParquetSchema([.int64("id"), .string("name", repetition: .optional)]), sink: sink)
            try await writer.write([.int64s(ids), .strings(ids.map { "item \($0)" })])
            try await writer.close()
            let path = "event_date=\(date)/\(name).parquet"
            try await s3.putObject(bucket: bucket, key: "sales/" + path, body: sink.bytes)
            return .add(
                DeltaAddFile(
                    path: path, partitionValues: ["event_date": date], size: Int64(sink.bytes.count),
                    modificationTime: 1_767_600_000_000, dataChange: true,
                    stats:
                        #"{"numRecords":\#(ids.count),"minValues":{"id":\#(ids.min()!)},"maxValues":{"id":\#(ids.max()!)},"nullCount":{"id":0,"name":0}}"#
                ))
        }

        /// What delta-rs reads, at `version` or the latest.
        func deltaRS(version: Int64? = nil) async throws -> [String: Any] {
            try await DeltaRS.read(endpoint: endpoint, uri: "s3://\(bucket)/sales", version: version)
        }

        func tearDown() async throws {
            for try await page in s3.listObjectsV2(bucket: bucket) {
                for object in page.objects { try await s3.deleteObject(bucket: bucket, key: object.key) }
            }
            try await s3.deleteBucket(bucket)
        }
    }

    static func creation() throws -> [DeltaAction] {
        [
            .protocol(.supported),
            .metadata(
                DeltaMetadata(
                    id: UUID().uuidString.lowercased(), name: "sales", schemaString: try schema.schemaString,
                    partitionColumns: ["event_date"], createdTime: 1_767_600_000_000)),
        ]
    }

    static func ids(_ rows: Any?) -> [Int] {
        ((rows as? [[String: Any]]) ?? []).compactMap { $0["id"] as? Int }.sorted()
    }

    @Test("two commits: our snapshot and delta-rs agree on files, rows, transactions and time travel")
    func commitsAndReads() async throws {
        let table = try await Table.make("delta-log")
        #expect(try await table.log.snapshot() == nil)
        let first = try await table.dataFile([1, 2, 3], date: "2026-01-05", name: "part-0")
        let zero = try await table.log.commit(
            try Self.creation() + [
                first, .transaction(DeltaTransaction(appID: "silver", version: 1)),
                .commitInfo(DeltaCommitInfo(timestamp: 1_767_600_000_000, operation: "WRITE", engineInfo: "test")),
            ], after: nil)
        #expect(zero == .committed(version: 0))
        let afterZero = try #require(try await table.log.snapshot())
        let second = try await table.dataFile([4, 5], date: "2026-01-06", name: "part-1")
        let one = try await table.log.commit(
            [second, .transaction(DeltaTransaction(appID: "silver", version: 2))], after: afterZero)
        #expect(one == .committed(version: 1))

        let snapshot = try #require(try await table.log.snapshot())
        #expect(snapshot.version == 1)
        #expect(
            Set(snapshot.files.keys) == [
                "event_date=2026-01-05/part-0.parquet", "event_date=2026-01-06/part-1.parquet",
            ])
        #expect(snapshot.transactions == ["silver": 2])
        #expect(try DeltaSchema(schemaString: snapshot.metadata.schemaString) == Self.schema)
        #expect(snapshot.metadata.partitionColumns == ["event_date"])
        #expect(try await table.log.snapshot(asOf: 0)?.files.count == 1)
        // Brought forward from version 0, reading commit 1 only: the same table.
        #expect(try await table.log.snapshot(updating: afterZero) == snapshot)
        #expect(try await table.log.snapshot(updating: snapshot, asOf: 0) == afterZero)

        let latest = try await table.deltaRS()
        #expect(latest["version"] as? Int == 1)
        #expect(Self.ids(latest["rows"]) == [1, 2, 3, 4, 5])
        let rows = (latest["rows"] as? [[String: Any]]) ?? []
        #expect(rows.first { $0["id"] as? Int == 4 }?["event_date"] as? String == "2026-01-06")
        #expect(rows.first { $0["id"] as? Int == 1 }?["name"] as? String == "item 1")
        let past = try await table.deltaRS(version: 0)
        #expect(Self.ids(past["rows"]) == [1, 2, 3])
        try await table.tearDown()
    }

    @Test("racing writers: both appends land at consecutive versions; a batch already in is not committed twice")
    func races() async throws {
        let table = try await Table.make("delta-race")
        _ = try await table.log.commit(try Self.creation(), after: nil)
        let base = try #require(try await table.log.snapshot())
        let a = try await table.dataFile([10], date: "2026-01-05", name: "a")
        let b = try await table.dataFile([20], date: "2026-01-05", name: "b")
        async let first = table.log.commit(
            [a, .transaction(DeltaTransaction(appID: "writer-a", version: 1))], after: base)
        async let second = table.log.commit(
            [b, .transaction(DeltaTransaction(appID: "writer-b", version: 1))], after: base)
        let outcomes = try await [first, second]
        #expect(Set(outcomes) == [.committed(version: 1), .committed(version: 2)])

        // writer-a retries its batch from a stale snapshot: the log already holds it.
        let again = try await table.log.commit(
            [a, .transaction(DeltaTransaction(appID: "writer-a", version: 1))], after: base)
        #expect(again == .alreadyCommitted(version: 1) || again == .alreadyCommitted(version: 2))
        let snapshot = try #require(try await table.log.snapshot())
        #expect(snapshot.version == 2)
        #expect(snapshot.files.count == 2)
        #expect(snapshot.transactions == ["writer-a": 1, "writer-b": 1])
        #expect(Self.ids(try await table.deltaRS()["rows"]) == [10, 20])

        // Two compactions removing the same file: one wins, the other is a conflict.
        let remove = DeltaAction.remove(
            DeltaRemoveFile(path: "event_date=2026-01-05/a.parquet", deletionTimestamp: 1, dataChange: false))
        let log = table.log
        let results = await withTaskGroup(of: Result<DeltaLog.CommitOutcome, any Error>.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    do { return .success(try await log.commit([remove], after: snapshot)) } catch {
                        return .failure(error)
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        var conflicts = 0
        for result in results {
            switch result {
            case .success(let outcome): #expect(outcome == .committed(version: 3))
            case .failure(let error):
                #expect((error as? DeltaError)?.code == .commitConflict, "\(error)")
                conflicts += 1
            }
        }
        #expect(conflicts == 1)
        try await table.tearDown()
    }

    @Test(
        "checkpoints every 10 commits: our reader and delta-rs start from them (the commits before deleted), time travel, a corrupt checkpoint falls back to the commits"
    )
    func checkpoints() async throws {
        let table = try await Table.make("delta-checkpoint")
        var snapshot: DeltaSnapshot?
        var early: DeltaSnapshot?
        for version in Int64(0)...22 {
            var actions = version == 0 ? try Self.creation() : []
            actions.append(
                try await table.dataFile(
                    [version * 10, version * 10 + 1], date: "2026-01-0\(1 + version % 3)", name: "part-\(version)"))
            actions.append(.transaction(DeltaTransaction(appID: "silver", version: version + 1)))
            if version == 7 {
                // A tombstone, which the checkpoints must carry (removed now: within the
                // tombstone retention, which checkpoints drop tombstones after).
                actions.append(
                    .remove(
                        DeltaRemoveFile(
                            path: "event_date=2026-01-01/part-3.parquet",
                            deletionTimestamp: Int64(Date().timeIntervalSince1970 * 1000),
                            dataChange: true, partitionValues: ["event_date": "2026-01-01"])))
            }
            #expect(try await table.log.commit(actions, after: snapshot) == .committed(version: version))
            snapshot = try await table.log.snapshot(updating: snapshot)
            if version == 5 { early = snapshot }
        }
        for version: Int64 in [10, 20] {
            _ = try await table.s3.headObject(bucket: table.bucket, key: table.log.checkpointKey(version))
        }
        let pointer = try await table.s3.getObject(bucket: table.bucket, key: table.log.lastCheckpointKey).body
        let pointerObject = try #require(try JSONSerialization.jsonObject(with: Data(pointer)) as? [String: Any])
        #expect(pointerObject["version"] as? Int == 20)
        #expect(pointerObject["numOfAddFiles"] as? Int == 20)

        // From the checkpoint at 20 plus commits 21 and 22 = brought forward commit by commit from 5.
        let latest = try #require(try await table.log.snapshot())
        let earlySnapshot = try #require(early)
        #expect(earlySnapshot.version == 5)
        let replayed = try #require(try await table.log.snapshot(updating: earlySnapshot))
        #expect(latest == replayed)
        #expect(latest.version == 22)
        #expect(latest.files.count == 22)
        #expect(latest.tombstones.keys.sorted() == ["event_date=2026-01-01/part-3.parquet"])
        #expect(latest.transactions == ["silver": 23])
        let expectedIDs = (0...22).filter { $0 != 3 }.flatMap { [$0 * 10, $0 * 10 + 1] }
        #expect(Self.ids(try await table.deltaRS()["rows"]) == expectedIDs)
        // Time travel to 15 starts from the checkpoint at 10.
        #expect(try await table.log.snapshot(asOf: 15)?.files.count == 15)
        #expect(
            Self.ids(try await table.deltaRS(version: 15)["rows"])
                == (0...15).filter { $0 != 3 }.flatMap { [$0 * 10, $0 * 10 + 1] })

        // A copy of the table without commits 0...20: only the checkpoint can say what is in it.
        for try await page in table.s3.listObjectsV2(bucket: table.bucket, prefix: "sales/") {
            for object in page.objects {
                let relative = object.key.dropFirst("sales/".count)
                if let version = Int64(relative.dropFirst("_delta_log/".count).prefix(20)),
                    relative.hasSuffix(".json"), version <= 20
                {
                    continue
                }
                let body = try await table.s3.getObject(bucket: table.bucket, key: object.key).body
                try await table.s3.putObject(bucket: table.bucket, key: "copy/" + relative, body: body)
            }
        }
        let copy = DeltaLog(s3: table.s3, bucket: table.bucket, root: "copy", logger: CapturedLogs().logger())
        #expect(try await copy.snapshot() == latest)
        let copied = try await DeltaRS.read(endpoint: table.endpoint, uri: "s3://\(table.bucket)/copy")
        #expect(copied["version"] as? Int == 22)
        #expect(Self.ids(copied["rows"]) == expectedIDs)

        // A corrupt checkpoint: the reader says so in the log and replays the commits.
        try await table.s3.putObject(
            bucket: table.bucket, key: table.log.checkpointKey(20), body: Array("PAR1 not parquet PAR1".utf8))
        #expect(try await table.log.snapshot() == latest)
        try await table.tearDown()
    }

    @Test("a corrupt commit and a gap in the versions are typed errors")
    func corruptLog() async throws {
        let table = try await Table.make("delta-corrupt")
        _ = try await table.log.commit(try Self.creation(), after: nil)
        try await table.s3.putObject(bucket: table.bucket, key: table.log.commitKey(1), body: Array("{not json\n".utf8))
        let corrupt = try await #require(throws: DeltaError.self) { try await table.log.snapshot() }
        #expect(corrupt.code == .invalidLog)
        #expect(corrupt.message.contains("00000000000000000001.json"))
        try await table.s3.deleteObject(bucket: table.bucket, key: table.log.commitKey(1))
        try await table.s3.putObject(bucket: table.bucket, key: table.log.commitKey(2), body: Array("{}\n".utf8))
        let gap = try await #require(throws: DeltaError.self) { try await table.log.snapshot() }
        #expect(gap.code == .invalidLog)
        #expect(gap.message.contains("no commit 1"))
        try await table.tearDown()
    }
}
