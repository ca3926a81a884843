import Logging
import Metrics
import PGLite

extension WebhookDeliverer {
    /// Delivers until `stop`: a pass (``deliverDue(_:)``) at once when the last one was full,
    /// else after ``Configuration/pollInterval``; delivered rows older than
    /// ``Configuration/keepDelivered`` are deleted every 10 minutes. A database failure is logged
    /// and retried with a doubling pause (up to 30 s); it never ends the run.
    ///
    /// - Parameter finalPass: after `stop`, one more pass over what is due then (for a run that
    ///   ends when caught up, so that its last refresh's alerts go out before it exits).
    /// - Returns: what the run did.
    public func run(stop: StopSignal, finalPass: Bool = false) async -> Report {
        let connection = HealingConnection(name: "lakehouse-webhooks", logger: logger, connect: connect)
        var report = Report()
        var failuresInRow = 0
        var lastPurge: ContinuousClock.Instant?
        while !stop.isStopped {
            do {
                let current = try await connection.current()
                if lastPurge.map({ ContinuousClock.now - $0 > .seconds(600) }) ?? true {
                    try await purgeDelivered(current)
                    lastPurge = .now
                }
                let pass = try await deliverDue(current)
                report = report + pass
                failuresInRow = 0
                if pass.delivered + pass.failed + pass.dead >= configuration.batchSize { continue }
            } catch {
                failuresInRow += 1
                logger.error("webhook delivery pass failed; trying again", metadata: ["error": "\(error)"])
                await connection.heal()
            }
            let pause = failuresInRow == 0 ? configuration.pollInterval : .seconds(min(30, 1 << min(failuresInRow, 5)))
            await stop.sleep(for: pause)
        }
        if finalPass, let current = try? await connection.current() {
            // What is due now, a batch after another while they come full (at most 100).
            for _ in 0..<100 {
                guard let pass = try? await deliverDue(current) else { break }
                report = report + pass
                if pass.delivered + pass.failed + pass.dead < configuration.batchSize { break }
            }
        }
        await connection.close()
        return report
    }

    /// Delivers until nothing is pending for an enabled endpoint (waiting out backoffs), `stop`
    /// is raised, or `timeout` passes: `lakehouse webhooks deliver --until-empty`.
    ///
    /// - Returns: what it did, and how many deliveries are still pending.
    /// - Throws: ``PGError`` when the database fails.
    public func deliverAll(stop: StopSignal = StopSignal(), timeout: Duration) async throws -> (Report, pending: Int) {
        let connection = try await connect("lakehouse-webhooks")
        do {
            let deadline = ContinuousClock.now + timeout
            var report = Report()
            while true {
                let pass = try await deliverDue(connection)
                report = report + pass
                let (pending, wait) = try await nextDue(connection)
                if pending == 0 || stop.isStopped || ContinuousClock.now >= deadline {
                    await connection.close()
                    return (report, pending)
                }
                if pass.delivered + pass.failed + pass.dead == 0 {
                    await stop.sleep(
                        for: min(max(wait, .milliseconds(10)), deadline - .now, configuration.pollInterval))
                }
            }
        } catch {
            await connection.close()
            throw error
        }
    }

    /// Deliveries pending for an enabled endpoint, and how long until the first is due.
    private func nextDue(_ connection: PGConnection) async throws -> (Int, Duration) {
        let row = try await connection.query(
            """
            SELECT count(*), coalesce(extract(epoch FROM min(d.next_attempt_at) - now()), 0)::double precision
            FROM webhook_delivery d JOIN webhook_endpoint e USING (endpoint_id)
            WHERE d.status = 'pending' AND e.enabled
            """
        ).rows[0]
        let seconds = try row.decode(Double.self, at: 1)
        return (try row.decode(Int.self, at: 0), .milliseconds(Int64(max(0, seconds) * 1000)))
    }

    /// Deletes delivered rows older than ``Configuration/keepDelivered``.
    private func purgeDelivered(_ connection: PGConnection) async throws {
        try await connection.query(
            "DELETE FROM webhook_delivery WHERE status = 'delivered' AND delivered_at < now() - make_interval(secs => $1)",
            [configuration.keepDelivered.inSeconds])
    }

    /// The deliverer as a `Service`: ``run(stop:finalPass:)`` until a graceful shutdown.
    public func service(finished: @escaping @Sendable (Report) -> Void = { _ in }) -> JobService<Report> {
        JobService({ stop in await run(stop: stop) }, finished: finished)
    }
}

/// What webhook delivery counts, through swift-metrics: `lakehouse_webhook_deliveries_total`
/// by `outcome` (`delivered`, `failed`, `dead`).
enum WebhookMetrics {
    static func recorded(_ report: WebhookDeliverer.Report) {
        for (outcome, count) in [("delivered", report.delivered), ("failed", report.failed), ("dead", report.dead)]
        where count > 0 {
            Counter(label: "lakehouse_webhook_deliveries_total", dimensions: [("outcome", outcome)]).increment(
                by: count)
        }
    }
}
