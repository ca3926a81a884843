import Foundation

extension GoldJob {
    /// Runs `work` over the ranges of `count` elements: one range per core when each holds at
    /// least `minimum` elements (a large review or restore), else one range on the caller's task.
    /// Returns each range with its result, in order.
    static func inSlices<Result: Sendable>(
        count: Int, minimum: Int = 4096, _ work: @escaping @Sendable (Range<Int>) throws -> Result
    ) async throws -> [(range: Range<Int>, result: Result)] {
        let slices = max(1, min(ProcessInfo.processInfo.activeProcessorCount, count / minimum))
        guard slices > 1 else { return [(0..<count, try work(0..<count))] }
        let size = (count + slices - 1) / slices
        let ranges = stride(from: 0, to: count, by: size).map { $0..<min(count, $0 + size) }
        return try await withThrowingTaskGroup(of: (Int, Result).self) { group in
            for (number, range) in ranges.enumerated() { group.addTask { (number, try work(range)) } }
            return try await group.reduce(into: []) { $0.append($1) }.sorted { $0.0 < $1.0 }.map {
                (ranges[$0.0], $0.1)
            }
        }
    }
}
