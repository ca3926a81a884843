import BenchmarkSupport
import Foundation
import LakehouseCore
import LakehouseTestSupport
import PGLite

/// The year's CSV, its curves as SVG, the reconciliation and the bench lines.
enum YearReport {
    /// Writes `year.csv` (a row per simulated day) and `year.svg` (the curves) under `directory`.
    static func write(_ days: [Day], directory: String) async throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let steps = [
            "stage", "dimensions", "facts", "positions", "snapshots", "calendar", "stock model", "review", "forecasts",
        ]
        let tables = [
            "sales_silver", "fact_sales", "fact_stock_movement", "fact_inventory_snapshot", "silver_manifest",
            "bronze_object", "schema",
        ]
        var csv =
            "day,events,refresh_ms,silver_ms_per_batch,silver_batches,maintenance_ms,delta_files,delta_bytes,read_ms,read_files,"
            + tables.map { "pg_bytes_\($0)" }.joined(separator: ",") + ",objects_bronze,objects_silver,objects_gold,"
            + steps.map { "step_\($0.replacingOccurrences(of: " ", with: "_"))_ms" }.joined(separator: ",") + "\n"
        for day in days {
            var fields: [String] = [String(day.day), String(day.events)]
            fields.append(Comparison.fixed(day.refreshMilliseconds, 2))
            fields.append(Comparison.fixed(day.silverMillisecondsPerBatch, 2))
            fields.append(String(day.silverBatches))
            fields.append(Comparison.fixed(day.maintenanceMilliseconds, 2))
            fields.append(day.deltaFiles.map { String($0) } ?? "")
            fields.append(day.deltaBytes.map { String($0) } ?? "")
            fields.append(day.readMilliseconds.map { Comparison.fixed($0, 1) } ?? "")
            fields.append(day.readFiles.map { String($0) } ?? "")
            for table in tables { fields.append(day.postgresBytes?[table].map { String($0) } ?? "") }
            for bucket in ["bronze", "silver", "gold"] { fields.append(day.objects?[bucket].map { String($0) } ?? "") }
            for step in steps { fields.append(day.refreshSteps[step].map { Comparison.fixed($0, 2) } ?? "") }
            csv += fields.joined(separator: ",") + "\n"
        }
        try csv.write(toFile: directory + "/year.csv", atomically: true, encoding: .utf8)
        let sampled = days.filter { $0.readMilliseconds != nil }
        func weekly(_ values: [Double]) -> [(Double, Double)] {
            // A week's mean per point: a single refresh's time is noisy.
            stride(from: 0, to: values.count, by: 7).map { start in
                let slice = values[start..<min(values.count, start + 7)]
                return (Double(start), slice.reduce(0, +) / Double(slice.count))
            }
        }
        let panels: [SVGPanel] = [
            SVGPanel(
                title: "Gold refresh and silver batch (weekly mean)", unit: "ms",
                series: [
                    ("gold refresh", weekly(days.map(\.refreshMilliseconds))),
                    ("silver per batch", weekly(days.map(\.silverMillisecondsPerBatch))),
                ]),
            SVGPanel(
                title: "Reading yesterday's silver (delta-rs lists, DuckDB reads)", unit: "ms",
                series: [("read", sampled.map { (Double($0.day), $0.readMilliseconds ?? 0) })]),
            SVGPanel(
                title: "Silver Delta table", unit: "files / MB",
                series: [
                    ("files", sampled.map { (Double($0.day), Double($0.deltaFiles ?? 0)) }),
                    ("MB", sampled.map { (Double($0.day), Double($0.deltaBytes ?? 0) / 1_048_576) }),
                ]),
            SVGPanel(
                title: "PostgreSQL", unit: "MB",
                series: ["sales_silver", "fact_sales", "fact_stock_movement", "fact_inventory_snapshot", "schema"].map {
                    table in
                    (table, sampled.map { (Double($0.day), Double($0.postgresBytes?[table] ?? 0) / 1_048_576) })
                }),
            SVGPanel(
                title: "S3 objects", unit: "objects",
                series: ["bronze", "silver", "gold"].map { bucket in
                    (bucket, sampled.map { (Double($0.day), Double($0.objects?[bucket] ?? 0)) })
                }),
        ]
        try SVGPanel.document(panels, xLabel: "simulated day").write(
            toFile: directory + "/year.svg", atomically: true, encoding: .utf8)
        print("wrote \(directory)/year.csv and \(directory)/year.svg")
    }

    /// Every event produced is silver, quarantined or a duplicate; gold's units sold (kept and
    /// exported) equal DuckDB's sum over the silver table as delta-rs reads it.
    static func reconcile(
        produced: Int, silver: SilverJob.Report, python: String, endpoint: String, silverBucket: String,
        goldBucket: String, database: PGConnection
    ) async throws {
        let counts = silver.counts
        let accounted = counts.valid + counts.quarantined + counts.duplicates
        print(
            "reconciliation: produced \(produced) = silver \(counts.valid) + quarantined \(counts.quarantined) "
                + "+ duplicates \(counts.duplicates) (\(accounted == produced ? "equal" : "NOT EQUAL"))")
        let check = try await ChildProcess.output(
            python,
            [RepositoryPaths.root + "/scripts/year_check.py", endpoint, silverBucket, goldBucket],
            timeout: .seconds(600))
        guard check.status == 0,
            let object = try JSONSerialization.jsonObject(with: Data(check.output.utf8)) as? [String: Any]
        else { throw DatasetError(message: "year_check.py failed: \(check.errors.suffix(1000))") }
        let kept = try await database.query("SELECT coalesce(sum(quantity), 0)::bigint FROM fact_sales").rows[0]
            .decode(Int64.self, at: 0)
        let exported = (object["exported_sale_units"] as? Int) ?? -1
        let silverUnits = (object["silver_sale_units"] as? Int) ?? -1
        let deltaRows = (object["silver_rows"] as? Int) ?? -1
        let quarantineRows = (object["quarantine_rows"] as? Int) ?? -1
        print(
            "reconciliation: silver table (delta-rs) \(deltaRows) rows (\(deltaRows == counts.valid ? "=" : "≠") silver), "
                + "quarantine table \(quarantineRows) (\(quarantineRows == counts.quarantined ? "=" : "≠") quarantined)"
        )
        print(
            "reconciliation: units sold in gold: PostgreSQL \(kept) + exported \(exported) = \(Int(kept) + exported); "
                + "DuckDB over silver: \(silverUnits) (\(Int(kept) + exported == silverUnits ? "equal" : "NOT EQUAL"))")
        guard accounted == produced, deltaRows == counts.valid, quarantineRows == counts.quarantined,
            Int(kept) + exported == silverUnits
        else { throw DatasetError(message: "the year does not reconcile (see above)") }
    }

    /// The bench lines: first month ÷ last month of the refresh, the silver batch and the read.
    static func benchLines(_ days: [Day]) {
        let first = days.prefix(30)
        let last = days.suffix(30)
        func median(_ values: [Double]) -> Double { Statistics.median(values) }
        let refreshFirst = median(first.map(\.refreshMilliseconds))
        let refreshLast = median(last.map(\.refreshMilliseconds))
        let batchFirst = median(first.filter { $0.silverBatches > 0 }.map(\.silverMillisecondsPerBatch))
        let batchLast = median(last.filter { $0.silverBatches > 0 }.map(\.silverMillisecondsPerBatch))
        let readFirst = median(first.compactMap(\.readMilliseconds))
        let readLast = median(last.compactMap(\.readMilliseconds))
        let filesLastDay = days.last(where: { $0.readFiles != nil })?.readFiles ?? 0
        let schemaBytes = days.compactMap { $0.postgresBytes?["schema"] }
        print(
            "bench year-refresh-growth ratio=\(Comparison.fixed(refreshFirst / refreshLast, 2)) "
                + "ours=\(Comparison.fixed(refreshLast, 1))ms peer=\(Comparison.fixed(refreshFirst, 1))ms "
                + "peer_name=first-month days=\(days.count) events=\(days.reduce(0) { $0 + $1.events })")
        print(
            "bench year-silver-batch-growth ratio=\(Comparison.fixed(batchFirst / batchLast, 2)) "
                + "ours=\(Comparison.fixed(batchLast, 1))ms peer=\(Comparison.fixed(batchFirst, 1))ms "
                + "peer_name=first-month")
        print(
            "bench year-silver-read-growth ratio=\(Comparison.fixed(readFirst / readLast, 2)) "
                + "ours=\(Comparison.fixed(readLast, 1))ms peer=\(Comparison.fixed(readFirst, 1))ms "
                + "peer_name=first-month files_last_day=\(filesLastDay) "
                + "postgres_mb_max=\(Comparison.fixed(Double(schemaBytes.max() ?? 0) / 1_048_576, 1)) "
                + "postgres_mb_last=\(Comparison.fixed(Double(schemaBytes.last ?? 0) / 1_048_576, 1))")
    }
}
