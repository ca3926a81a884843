import LakehouseTestSupport
import ServiceLifecycle
import ServiceLifecycleTestKit
import Synchronization
import Testing

@testable import LakehouseCore

/// The pipeline's wake-ups: raised signals are never lost, waits end on a raise, a timeout or
/// cancellation, and a graceful shutdown stops a ``JobService``.
@Suite("WakeSignal, StopSignal and JobService")
struct WakeSignalTests {
    @Test("a raise before the wait is kept until taken; take lowers it")
    func raiseBeforeWait() async {
        let signal = WakeSignal()
        signal.raise()
        await signal.wait()
        #expect(signal.isRaised)
        #expect(signal.take())
        #expect(!signal.isRaised)
        #expect(!signal.take())
    }

    @Test("a raise wakes every waiter")
    func raiseWakesWaiters() async throws {
        let signal = WakeSignal()
        let woken = Tally()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    await signal.wait()
                    woken.add()
                }
            }
            group.addTask { signal.raise() }
        }
        #expect(woken.count == 3)
    }

    @Test("first(of:timeout:) says whether a signal or the time came first")
    func firstOf() async {
        let a = WakeSignal()
        let b = WakeSignal()
        #expect(await !WakeSignal.first(of: [a, b], timeout: .milliseconds(20)))
        let raiser = Task { b.raise() }
        #expect(await WakeSignal.first(of: [a, b], timeout: .seconds(600)))
        await raiser.value
        #expect(b.isRaised && !a.isRaised)
    }

    @Test("cancelling a waiting task ends its wait, and a later raise still reaches the others")
    func cancellation() async {
        let signal = WakeSignal()
        let waiter = Task { await signal.wait() }
        waiter.cancel()
        await waiter.value
        #expect(!signal.isRaised)
        let other = Task { await signal.wait() }
        signal.raise()
        await other.value
    }

    @Test("StopSignal.sleep ends at stop(); interruptible gives nil for an operation the stop cut short")
    func stopSignal() async throws {
        let stop = StopSignal()
        let sleeper = Task { await stop.sleep(for: .seconds(600)) }
        let operation = Task {
            try await stop.interruptible { () async throws -> Int in
                try await Task.sleep(for: .seconds(600))
                return 1
            }
        }
        stop.stop()
        await sleeper.value
        #expect(try await operation.value == nil)
        #expect(try await StopSignal().interruptible { 7 } == 7)
    }

    @Test("JobService: a graceful shutdown stops the job, which hands its result to finished")
    func jobService() async throws {
        let finished = Mutex<Int?>(nil)
        let started = Flag()
        try await testGracefulShutdown { trigger in
            let service = JobService(
                { stop -> Int in
                    started.set()
                    await stop.wait()
                    return 5
                },
                finished: { value in finished.withLock { $0 = value } })
            async let run: Void = service.run()
            try await eventually("the job started") { started.isSet }
            trigger.triggerGracefulShutdown()
            try await run
        }
        #expect(finished.withLock { $0 } == 5)
    }
}
