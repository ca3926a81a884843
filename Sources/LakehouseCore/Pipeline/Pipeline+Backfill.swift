import Foundation
import Logging
import PGLite

extension Pipeline {
    /// What a backfill did.
    public struct BackfillReport: Sendable, Hashable, CustomStringConvertible {
        /// The silver batches the backfill committed, and the objects and records they held
        /// (rows silver already had count as duplicates).
        public var silver = SilverJob.Report()
        /// The gold refresh that followed.
        public var gold = GoldJob.Report()

        /// One line for a terminal: `backfill: silver: …; gold: …`.
        public var description: String { "backfill: \(silver); \(gold)" }
    }

    /// `lakehouse backfill`: processes the bronze objects of the days `from` through `through`
    /// again (``SilverJob/backfill(from:through:force:stop:progress:)``) under silver's claim,
    /// waiting for a running batch to finish, then refreshes gold; recorded in `pipeline_run`.
    /// Idempotent: a range already processed changes no row.
    ///
    /// - Throws: what the silver and gold jobs throw; the run is recorded as failed first.
    public func backfill(from: Date, through: Date, force: Bool = false, stop: StopSignal = StopSignal()) async throws
        -> BackfillReport
    {
        let connection = try await connect("lakehouse-backfill")
        do {
            let report = try await backfill(connection, from: from, through: through, force: force, stop: stop)
            await connection.close()
            return report
        } catch {
            await connection.close()
            throw error
        }
    }

    private func backfill(
        _ connection: PGConnection, from: Date, through: Date, force: Bool, stop: StopSignal
    ) async throws -> BackfillReport {
        let history = RunHistory(connection: connection, worker: configuration.worker)
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        let subject = "\(day.string(from: from))..\(day.string(from: through))\(force ? " force" : "")"
        let run = try await history.start(.backfill, subject: subject)
        let (batches, recorded) = progressRecorder(run: run)
        do {
            var report = BackfillReport()
            let job = SilverJob(
                s3: s3, store: SilverStore(connection: connection), configuration: configuration.silver,
                logger: logger, faultHook: nil, objectHook: objectHook)
            report.silver = try await connection.withAdvisoryLock(Self.silverClaim(configuration.silver)) { _ in
                try await job.backfill(from: from, through: through, force: force, stop: stop) { _, counts in
                    batches.yield(counts)
                }
            }
            batches.finish()
            await recorded.value
            report.gold = try await GoldJob(connection: connection, logger: logger).refresh()
            try await history.finish(
                run, rowsIn: report.silver.counts.input, rowsOut: report.silver.counts.valid,
                batches: report.gold.batches)
            return report
        } catch {
            batches.finish()
            await recorded.value
            try? await history.finish(run, rowsIn: 0, rowsOut: 0, error: "\(error)")
            throw error
        }
    }

    /// Records a backfill's rows so far in its run (`rows_in`, `rows_out`) after each batch, on a
    /// connection of its own (the backfill's is inside its batches' transactions), so that the
    /// Pipeline page shows its progress. Best effort: a failure to record is logged, not thrown.
    private func progressRecorder(run: Int64) -> (AsyncStream<SilverStore.BatchCounts>.Continuation, Task<Void, Never>)
    {
        let (updates, continuation) = AsyncStream.makeStream(of: SilverStore.BatchCounts.self)
        let (connect, worker, logger) = (connect, configuration.worker, logger)
        let task = Task {
            var connection: PGConnection?
            var (input, valid) = (0, 0)
            for await counts in updates {
                input += counts.input
                valid += counts.valid
                do {
                    if connection == nil { connection = try await connect("lakehouse-backfill-progress") }
                    if let connection {
                        try await RunHistory(connection: connection, worker: worker).progress(
                            run, rowsIn: input, rowsOut: valid)
                    }
                } catch {
                    logger.warning("backfill progress not recorded", metadata: ["error": "\(error)"])
                }
            }
            await connection?.close()
        }
        return (continuation, task)
    }
}
