import Synchronization

/// The one way tests wait for what another task or process does: check a condition until it
/// holds, instead of sleeping a fixed time and hoping it did.
///
/// The condition is checked at once, then every `poll` until `timeout` has passed. An error the
/// condition throws ends the wait (a condition that may fail while a service restarts says so
/// with `try?`).
///
/// - Parameters:
///   - what: what is awaited, in words, for the error when it never happens.
/// - Returns: how long it took.
/// - Throws: ``EventuallyTimedOut`` when the condition did not hold within `timeout`; what the
///   condition throws.
@discardableResult
public func eventually(
    _ what: @autoclosure () -> String, timeout: Duration = .seconds(60), poll: Duration = .milliseconds(100),
    _ condition: () async throws -> Bool
) async throws -> Duration {
    let clock = ContinuousClock()
    let start = clock.now
    while true {
        if try await condition() { return clock.now - start }
        guard clock.now - start < timeout else { throw EventuallyTimedOut(what: what(), timeout: timeout) }
        try await Task.sleep(for: poll)
    }
}

/// A condition ``eventually(_:timeout:poll:_:)`` waited for did not hold in time.
public struct EventuallyTimedOut: Error, CustomStringConvertible {
    /// What was awaited, in the words passed to ``eventually(_:timeout:poll:_:)``.
    public var what: String
    /// How long the condition was checked before the wait gave up.
    public var timeout: Duration

    /// What was awaited and the time limit, as a test failure prints them.
    public var description: String { "\(what): not within \(timeout)" }
}

/// A flag one task sets and another waits for (with ``eventually(_:timeout:poll:_:)``).
public final class Flag: Sendable {
    private let value = Atomic<Bool>(false)

    /// Creates a flag that is not set.
    public init() {}

    /// Sets the flag, for good: there is no reset. What the setter wrote before is visible to a reader that sees
    /// ``isSet`` return `true`.
    public func set() { value.store(true, ordering: .releasing) }

    /// Whether ``set()`` has been called, from any task or thread.
    public var isSet: Bool { value.load(ordering: .acquiring) }
}

/// A count tasks or threads add to and a test waits on (with ``eventually(_:timeout:poll:_:)``).
public final class Tally: Sendable {
    private let value = Atomic<Int>(0)

    /// Creates a tally at zero.
    public init() {}

    /// Adds one; safe from any task or thread. Orders no other memory, so it counts events but publishes no data.
    public func add() { value.add(1, ordering: .relaxed) }

    /// How many times ``add()`` has been called so far.
    public var count: Int { value.load(ordering: .relaxed) }
}
