import Dispatch

/// Runs the iterations of a loop on the machine's cores, for work whose iterations share no
/// state (each column's encoding or decoding).
enum ParallelLoop {
    /// Calls `body` for `0..<count`, concurrently when `concurrently` is set and there is more
    /// than one iteration; rethrows the failure of the lowest index once all have ended.
    static func run(_ count: Int, concurrently: Bool, _ body: (Int) throws -> Void) throws {
        guard concurrently, count > 1 else {
            for index in 0..<count { try body(index) }
            return
        }
        let failures = UnsafeMutableBufferPointer<(any Error)?>.allocate(capacity: count)
        failures.initialize(repeating: nil)
        defer {
            failures.deinitialize()
            failures.deallocate()
        }
        withoutActuallyEscaping(body) { body in
            // Each index touches only its own state and its own failure slot.
            let shared = UncheckedSendable((body, failures))
            DispatchQueue.concurrentPerform(iterations: count) { index in
                let (body, failures) = shared.value
                do { try body(index) } catch { failures[index] = error }
            }
        }
        if let failure = failures.first(where: { $0 != nil }) { throw failure! }
    }

    /// `transform` of each of `0..<count`, computed as ``run(_:concurrently:_:)`` does.
    static func map<T>(_ count: Int, concurrently: Bool, _ transform: (Int) throws -> T) throws -> [T] {
        let results = UnsafeMutableBufferPointer<T?>.allocate(capacity: count)
        results.initialize(repeating: nil)
        defer {
            results.deinitialize()
            results.deallocate()
        }
        try run(count, concurrently: concurrently) { index in results[index] = try transform(index) }
        return results.map { $0! }
    }
}

/// Hands values to `DispatchQueue.concurrentPerform` whose iterations never share state.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
