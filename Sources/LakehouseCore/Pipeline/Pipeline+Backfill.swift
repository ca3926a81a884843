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
        do {
            var report = BackfillReport()
            let job = SilverJob(
                s3: s3, store: SilverStore(connection: connection), configuration: configuration.silver,
                logger: logger, faultHook: nil, objectHook: objectHook)
            report.silver = try await connection.withAdvisoryLock(Self.silverClaim(configuration.silver)) { _ in
                try await job.backfill(from: from, through: through, force: force, stop: stop)
            }
            report.gold = try await GoldJob(connection: connection, logger: logger).refresh()
            try await history.finish(
                run, rowsIn: report.silver.counts.input, rowsOut: report.silver.counts.valid,
                batches: report.gold.batches)
            return report
        } catch {
            try? await history.finish(run, rowsIn: 0, rowsOut: 0, error: "\(error)")
            throw error
        }
    }
}
