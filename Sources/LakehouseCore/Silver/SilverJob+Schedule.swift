extension SilverJob {
    /// Cleans the backlog, then whatever bronze gains, looking every `interval`, until `stop`
    /// (the batch in hand finishes first; the wait between looks ends at once).
    ///
    /// - Parameters:
    ///   - interval: the pause between looks for new bronze objects once the backlog is done.
    ///   - onBatch: called after each batch is committed, with its number and counts.
    /// - Returns: the total over every batch.
    /// - Throws: what ``runOnce(stop:progress:)`` throws; the loop ends with it.
    public func run(
        every interval: Duration, stop: StopSignal,
        onBatch: @escaping @Sendable (Int64, SilverStore.BatchCounts) -> Void = { _, _ in }
    ) async throws -> Report {
        var total = Report()
        while !stop.isStopped {
            total.add(try await runOnce(stop: stop, progress: onBatch))
            await stop.sleep(for: interval)
        }
        return total
    }
}
