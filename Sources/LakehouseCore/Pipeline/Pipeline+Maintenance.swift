import Foundation
import PGLite

extension Pipeline {
    /// Runs ``SilverMaintenance`` every ``Configuration/maintenanceInterval`` until `stop`
    /// (``SilverMaintenance/runClaimed(_:worker:)``: one process at a time, each run in the run
    /// history).
    func maintenanceLoop(stop: StopSignal, failures: SharedCount) async {
        guard let interval = configuration.maintenanceInterval else { return }
        let connection = HealingConnection(name: "lakehouse-maintenance", logger: logger, connect: connect)
        while true {
            await stop.sleep(for: interval)
            if stop.isStopped { break }
            do {
                let current = try await connection.current()
                let maintenance = SilverMaintenance(
                    s3: s3, store: SilverStore(connection: current), configuration: configuration.maintenance,
                    logger: logger)
                _ = try await maintenance.runClaimed(
                    current, worker: configuration.worker,
                    retention: TableRetention(
                        connection: current, s3: s3, policy: configuration.retention, logger: logger))
            } catch {
                failures.add(1)
                logger.error("silver maintenance failed; trying again next time", metadata: ["error": "\(error)"])
                await connection.heal()
            }
        }
        await connection.close()
    }
}

extension Pipeline {
    /// Delivers alerts to webhook endpoints (``WebhookDeliverer``) until `stop`, which comes
    /// after the last gold refresh; a run that ends caught up makes a last pass then.
    func deliveryLoop(stop: StopSignal) async -> WebhookDeliverer.Report {
        guard let webhooks = configuration.webhooks else { return WebhookDeliverer.Report() }
        return await WebhookDeliverer(configuration: webhooks, logger: logger, connect: connect)
            .run(stop: stop, finalPass: configuration.untilCaughtUp)
    }
}
