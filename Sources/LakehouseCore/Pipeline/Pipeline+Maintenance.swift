import Foundation
import PGLite

extension Pipeline {
    /// Runs ``SilverMaintenance`` every ``Configuration/maintenanceInterval`` until `stop`,
    /// under the maintenance claim (one process at a time; a process that finds it taken skips
    /// its turn), each run recorded in the run history as stage `maintenance`.
    func maintenanceLoop(stop: StopSignal, failures: SharedCount) async {
        guard let interval = configuration.maintenanceInterval else { return }
        let connection = HealingConnection(name: "lakehouse-maintenance", logger: logger, connect: connect)
        while true {
            await stop.sleep(for: interval)
            if stop.isStopped { break }
            do {
                _ = try await maintainSilver(try await connection.current())
            } catch {
                failures.add(1)
                logger.error("silver maintenance failed; trying again next time", metadata: ["error": "\(error)"])
                await connection.heal()
            }
        }
        await connection.close()
    }

    /// One maintenance run under the maintenance claim, recorded in the run history; `nil` when
    /// another process holds the claim.
    ///
    /// - Throws: what ``SilverMaintenance/run(now:)`` throws (recorded first).
    public func maintainSilver(_ connection: PGConnection) async throws -> SilverMaintenance.Report? {
        let history = RunHistory(connection: connection, worker: configuration.worker)
        let maintenance = SilverMaintenance(
            s3: s3, store: SilverStore(connection: connection), configuration: configuration.maintenance,
            logger: logger)
        do {
            return try await connection.withAdvisoryLock(Self.maintenanceClaim(configuration.silver), timeout: .zero) {
                _ in
                let started = Date()
                do {
                    let report = try await maintenance.run()
                    try await history.record(
                        .maintenance, startedAt: started, rowsIn: report.sales.rowsRewritten,
                        rowsOut: report.sales.rowsRewritten)
                    return report
                } catch {
                    try? await history.record(
                        .maintenance, startedAt: started, rowsIn: 0, rowsOut: 0, error: "\(error)")
                    throw error
                }
            }
        } catch let error as PGError where error.sqlState == "55P03" {
            logger.info("silver maintenance runs in another process; skipping this turn")
            return nil
        }
    }

    /// The advisory lock key of the maintenance claim on a silver bucket.
    static func maintenanceClaim(_ silver: SilverJob.Configuration) -> Int64 {
        advisoryKey("lakehouse.maintenance:\(silver.silverBucket)")
    }
}
