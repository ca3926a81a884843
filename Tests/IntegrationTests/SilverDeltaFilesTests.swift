import AWSLite
import DeltaLite
import Foundation
import LakehouseCore
import LakehouseTestSupport
import Testing

/// Silver's Delta table as others read it: data files written from simulated events, committed
/// with DeltaLite, read back by delta-rs.
@Suite("Silver's Delta data files: delta-rs reads what silver writes")
struct SilverDeltaFilesTests {
    /// A bucket on moto holding one Delta table under `silver/`.
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
            let root = String(SilverTable.root.dropLast())
            return Table(
                s3: s3, bucket: bucket, log: DeltaLog(s3: s3, bucket: bucket, root: root, logger: logs.logger()),
                endpoint: services.awsEndpoint)
        }

        /// What delta-rs reads of the table, at its latest version.
        func deltaRS() async throws -> [String: Any] {
            try await DeltaRS.read(endpoint: endpoint, uri: "s3://\(bucket)/\(SilverTable.root.dropLast())")
        }

        func tearDown() async throws {
            for try await page in s3.listObjectsV2(bucket: bucket) {
                for object in page.objects { try await s3.deleteObject(bucket: bucket, key: object.key) }
            }
            try await s3.deleteBucket(bucket)
        }
    }

    @Test("silver data files from simulated events: delta-rs reads the same rows and our statistics' record counts")
    func silverFiles() async throws {
        let table = try await Table.make("delta-silver")
        var simulator = StoreSimulator(
            configuration: SimulationConfiguration(stores: 2, products: 15, days: 3, dirtyRate: 0.05))
        var rows: [SilverTable.Row] = []
        while let day = simulator.nextDay() {
            for (line, record) in day.enumerated() {
                if case .success(let event) = SilverRules.clean(record.payload) {
                    rows.append(
                        SilverTable.Row(
                            event: event, bronzeKey: "bronze/\(event.eventDate)", bronzeLine: Int64(line + 1)))
                }
            }
        }
        var snapshot: DeltaSnapshot?
        var committed = 0
        for (index, half) in [Array(rows.prefix(rows.count / 2)), Array(rows.dropFirst(rows.count / 2))].enumerated() {
            let files = try await SilverTable.dataFiles(
                half, name: "batch-\(index)", modificationTime: 1_767_600_000_000)
            #expect(Set(files.map(\.path)).count == files.count)
            for file in files {
                try await table.s3.putObject(bucket: table.bucket, key: SilverTable.root + file.path, body: file.bytes)
            }
            var actions = files.map { DeltaAction.add($0.add) }
            if snapshot == nil {
                actions =
                    [
                        .protocol(.supported),
                        .metadata(
                            DeltaMetadata(
                                id: UUID().uuidString.lowercased(), schemaString: try SilverTable.schema.schemaString,
                                partitionColumns: [SilverTable.partitionColumn])),
                    ] + actions
            }
            _ = try await table.log.commit(actions, after: snapshot)
            snapshot = try await table.log.snapshot()
            committed += files.count
        }
        #expect(snapshot?.files.count == committed)

        let read = try await table.deltaRS()
        let theirs = (read["rows"] as? [[String: Any]]) ?? []
        #expect(theirs.count == rows.count)
        func key(_ row: [String: Any]) -> String {
            [
                "transaction_id", "product_id", "event_type", "quantity", "unit_price", "total_price", "event_time",
                "event_date", "store_id", "payment_method", "client_type", "bronze_line",
            ]
            .map { name -> String in
                switch row[name] {
                case nil, is NSNull: return "null"
                case let text as String where name == "event_time":
                    return EventTimestamp.parse(text).map(String.init) ?? text
                case let value?: return "\(value)"
                }
            }.joined(separator: "|")
        }
        func cents(_ value: Int64) -> String { String(format: "%.2f", Double(value) / 100) }
        let ours = rows.map { row -> String in
            let event = row.event
            return [
                event.transactionID, event.productID, event.eventType.rawValue, "\(event.quantity)",
                cents(event.unitPriceCents), cents(event.totalPriceCents), "\(event.eventTime)", event.eventDateText,
                event.storeID, event.paymentMethod ?? "null", event.clientType ?? "null", "\(row.bronzeLine)",
            ].joined(separator: "|")
        }
        #expect(Set(theirs.map(key)) == Set(ours))
        let counts = (read["num_records"] as? [String: Int]) ?? [:]
        #expect(counts.values.reduce(0, +) == rows.count)
        try await table.tearDown()
    }
}
