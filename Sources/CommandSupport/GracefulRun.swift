import LakehouseCore
import Logging
import ServiceLifecycle

/// How the long-running commands run their job: as the one service of a swift-service-lifecycle
/// `ServiceGroup` that shuts down gracefully on SIGTERM or SIGINT (the job drains: see
/// ``JobService``). The first signal also prints `notice` to standard error; a second one ends
/// the process at once (exit status 128 + the signal), without waiting for the drain.
package enum GracefulRun {
    /// Runs `service` until it ends or a signal's graceful shutdown has drained it.
    ///
    /// - Throws: what the service throws.
    package static func run(_ service: some Service, notice: String, logger: Logger) async throws {
        try await run([service], notice: notice, logger: logger)
    }

    /// Runs `services` together until one ends (then the others are shut down gracefully) or a
    /// signal's graceful shutdown has drained them all.
    ///
    /// - Throws: what a service throws.
    package static func run(_ services: [any Service], notice: String, logger: Logger) async throws {
        // Only for the notice and the second signal: the group's own handlers do the stopping.
        let escalation = StopSignal().stopOnInterrupt(notice: notice)
        defer { escalation.forEach { $0.cancel() } }
        var configuration = ServiceGroupConfiguration(
            services: services.map {
                // One that ends, well or not, lets the others drain (the pipeline flushes and
                // checkpoints even when the server beside it fails).
                .init(
                    service: $0, successTerminationBehavior: .gracefullyShutdownGroup,
                    failureTerminationBehavior: .gracefullyShutdownGroup)
            },
            logger: logger)
        configuration.gracefulShutdownSignals = [.sigterm, .sigint]
        let group = ServiceGroup(configuration: configuration)
        try await group.run()
    }
}
