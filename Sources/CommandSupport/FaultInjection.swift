import Foundation
import LakehouseCore
import Synchronization

/// The crash hooks of the package's fault-injection tests, off unless a process turns them on.
///
/// The shipped executables never do: only the test fixtures' executables (`Tests/Fixtures`)
/// call ``enableFromEnvironment()`` before they run a command. Then
/// `LAKEHOUSE_CRASH_AT=<point>:<batch>` (a `SilverJob.FaultPoint`, such as `after-delta-commit:2`)
/// kills the process (SIGKILL) at that point of that silver batch, and
/// `LAKEHOUSE_CRASH_ON_OBJECT=<text>` when silver is about to clean a bronze object whose key
/// holds the text.
package enum FaultInjection {
    private static let enabled = Atomic<Bool>(false)

    /// Turns the hooks on for this process (a test fixture's executable only).
    package static func enableFromEnvironment() { enabled.store(true, ordering: .sequentiallyConsistent) }

    private static func setting(_ name: String) -> String? {
        guard enabled.load(ordering: .sequentiallyConsistent),
            let value = ProcessInfo.processInfo.environment[name], !value.isEmpty
        else { return nil }
        return value
    }

    /// The hook `LAKEHOUSE_CRASH_AT` asks for; nil when off or unset.
    ///
    /// - Throws: a usage error naming the points when the setting is not `<point>:<batch>`.
    package static func faultHook(program: String) throws -> SilverJob.FaultHook? {
        guard let setting = setting("LAKEHOUSE_CRASH_AT") else { return nil }
        let parts = setting.split(separator: ":")
        guard parts.count == 2, let point = SilverJob.FaultPoint(rawValue: String(parts[0])),
            let batch = Int64(parts[1])
        else {
            let points = SilverJob.FaultPoint.allCases.map(\.rawValue).joined(separator: ", ")
            throw CommandFailure.usage(
                program, "LAKEHOUSE_CRASH_AT must be <point>:<batch>, the point one of \(points)")
        }
        return { reached, number in
            guard reached == point, number == batch else { return }
            FileHandle.standardError.write(Data("\(program): crashing at \(point.rawValue) of batch \(number)\n".utf8))
            kill(getpid(), SIGKILL)
        }
    }

    /// The hook `LAKEHOUSE_CRASH_ON_OBJECT` asks for; nil when off or unset.
    package static func objectHook(program: String) -> SilverJob.ObjectHook? {
        guard let text = setting("LAKEHOUSE_CRASH_ON_OBJECT") else { return nil }
        return { key in
            guard key.contains(text) else { return }
            FileHandle.standardError.write(Data("\(program): crashing on \(key) (LAKEHOUSE_CRASH_ON_OBJECT)\n".utf8))
            kill(getpid(), SIGKILL)
        }
    }
}
