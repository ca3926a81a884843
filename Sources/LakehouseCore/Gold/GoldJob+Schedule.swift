extension GoldJob {
    /// Refreshes gold now and then every `interval` until `stop` (the refresh in hand finishes
    /// first; the wait between refreshes ends at once).
    ///
    /// - Parameter onRefresh: called with each refresh's report.
    /// - Returns: how many refreshes ran.
    /// - Throws: what ``refresh()`` throws; the loop ends with it.
    @discardableResult
    public func refresh(every interval: Duration, stop: StopSignal, onRefresh: @Sendable (Report) -> Void = { _ in })
        async throws -> Int
    {
        var refreshes = 0
        while !stop.isStopped {
            onRefresh(try await refresh())
            refreshes += 1
            await stop.sleep(for: interval)
        }
        return refreshes
    }
}
