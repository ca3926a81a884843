import PGLite

/// The Overview's report, read at most once a second however many ask: the page, its JSON and
/// every browser's live stream show the same chain-wide figures, so requests within a second of
/// a read share it, and requests while a read runs wait for that one (gold refreshes every few
/// seconds: a second's age changes nothing a person sees). A failed read is not kept.
actor OverviewCache {
    private let pool: PGPool
    private let stream: String
    private let maximumAge: Duration
    private var current: (report: OverviewReport, at: ContinuousClock.Instant)?
    private var reading: Task<OverviewReport, any Error>?

    init(pool: PGPool, stream: String, maximumAge: Duration = .seconds(1)) {
        self.pool = pool
        self.stream = stream
        self.maximumAge = maximumAge
    }

    /// The report, from the last read when it is younger than the maximum age.
    ///
    /// - Throws: what the read throws (``PGError``, or the pool's timeout).
    func report() async throws -> OverviewReport {
        if let current, ContinuousClock.now - current.at < maximumAge { return current.report }
        if let reading { return try await reading.value }
        let (pool, stream) = (pool, stream)
        let task = Task { try await pool.withConnection { try await OverviewQueries.report($0, stream: stream) } }
        reading = task
        defer { reading = nil }
        let report = try await task.value
        current = (report, .now)
        return report
    }
}
