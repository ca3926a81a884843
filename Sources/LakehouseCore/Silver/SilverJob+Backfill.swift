import AWSLite
import Foundation

extension SilverJob {
    /// Processes again the bronze objects of the days `from` through `through` (UTC, by the
    /// bronze partition `year=/month=/day=`): those silver has not processed in their current
    /// version (no manifest row, or one with another ETag: an object restored or rewritten
    /// since), or with `force` every one of them. Batches are planned and committed as
    /// ``runOnce(stop:progress:)`` plans them, so a backfill is exactly-once too; rows whose
    /// natural keys silver already holds count as duplicates, so a backfill of a range already
    /// processed changes no row.
    ///
    /// - Parameters:
    ///   - from: the first day (any instant of it, UTC).
    ///   - through: the last day, included.
    ///   - force: read every object of the range again, processed or not.
    ///   - progress: called after each batch with its number and counts.
    /// - Throws: ``LakehouseError/Code/invalidConfiguration`` when `through` is before `from`;
    ///   what ``runOnce(stop:progress:)`` throws.
    public func backfill(
        from: Date, through: Date, force: Bool = false, stop: StopSignal = StopSignal(),
        progress: @Sendable (Int64, SilverStore.BatchCounts) -> Void = { _, _ in }
    ) async throws -> Report {
        let days = try Self.days(from: from, through: through)
        var candidates: [BronzeObject] = []
        for day in days {
            for try await page in s3.listObjectsV2(bucket: configuration.bronzeBucket, prefix: day, startAfter: nil) {
                let done = try await store.processed(page.objects.map(\.key))
                candidates += page.objects.filter { force || done[$0.key] != $0.eTag }.map(BronzeObject.init)
            }
        }
        let chunks = batches(of: candidates)
        logger.info(
            "silver backfill",
            metadata: ["days": "\(days.count)", "objects": "\(candidates.count)", "force": "\(force)"])
        var report = Report()
        var tables = Tables()
        var pending = chunks[...]
        while !stop.isStopped, let objects = pending.first {
            let number = try await store.lastBatchNumber() + 1
            // A batch planned before (after a crash, or by another process) goes first.
            let plan: Plan
            if let existing = try await readPlan(number) {
                plan = existing
            } else if try await write(Plan(number: number, objects: objects)) {
                plan = Plan(number: number, objects: objects)
                pending = pending.dropFirst()
            } else {
                continue
            }
            guard let counts = try await process(plan, tables: &tables) else { continue }
            report.add(batch: counts)
            progress(plan.number, counts)
        }
        return report
    }

    /// The bronze prefixes of the days `from` through `through` (UTC).
    static func days(from: Date, through: Date) throws -> [String] {
        func day(_ date: Date) -> Int64 {
            Int64((date.timeIntervalSince1970 * 1_000_000).rounded(.down)) / BronzeBatch.dayMicros
        }
        guard day(from) <= day(through) else {
            throw LakehouseError(code: .invalidConfiguration, message: "the backfill's last day is before its first")
        }
        return (day(from)...day(through)).map { BronzeBatch.dayPrefix(micros: $0 * BronzeBatch.dayMicros) }
    }
}
