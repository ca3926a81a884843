import Synchronization

/// A level-triggered signal that tasks wait on without polling: ``raise()`` wakes every waiter
/// at once and the signal stays raised until ``take()`` lowers it, so a raise that happens
/// while nobody waits is not lost.
///
/// ``StopSignal`` is one that is never lowered; the pipeline's "bronze has something new" and
/// "a shard reader ended" are others, taken by the task they wake.
package final class WakeSignal: Sendable {
    private struct State: Sendable {
        var raised = false
        var nextWaiter = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        /// Waiters cancelled before they had registered their continuation.
        var cancelled: Set<Int> = []
    }

    private let state = Mutex(State())

    package init() {}

    /// Raises the signal and wakes every task waiting on it.
    package func raise() {
        let waiters = state.withLock { state in
            state.raised = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Whether the signal is raised.
    package var isRaised: Bool { state.withLock { $0.raised } }

    /// Lowers the signal; whether it was raised.
    @discardableResult
    package func take() -> Bool {
        state.withLock { state in
            defer { state.raised = false }
            return state.raised
        }
    }

    /// Waits until the signal is raised (returning at once if it is) or the task is cancelled.
    package func wait() async {
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if state.raised || state.cancelled.remove(id) != nil { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                guard let waiter = state.waiters.removeValue(forKey: id) else {
                    state.cancelled.insert(id)
                    return CheckedContinuation<Void, Never>?.none
                }
                return waiter
            }
            waiter?.resume()
        }
        // A cancellation that came after the wake left its mark: clear it.
        _ = state.withLock { $0.cancelled.remove(id) }
    }

    /// Waits until any of `signals` is raised, `timeout` has passed or the task is cancelled.
    ///
    /// - Returns: whether a signal was raised (rather than the time running out).
    @discardableResult
    package static func first(of signals: [WakeSignal], timeout: Duration) async -> Bool {
        if signals.contains(where: \.isRaised) { return true }
        guard timeout > .zero else { return false }
        return await withTaskGroup(of: Bool.self) { group in
            for signal in signals {
                group.addTask {
                    await signal.wait()
                    return !Task.isCancelled
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first || signals.contains(where: \.isRaised)
        }
    }
}
