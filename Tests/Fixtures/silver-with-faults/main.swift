// A test fixture, not a shipped executable: `silver` with fault injection on, so that the crash
// tests can kill it at a point of a batch (LAKEHOUSE_CRASH_AT=<point>:<batch>) or before a
// bronze object (LAKEHOUSE_CRASH_ON_OBJECT=<text>); see CommandSupport's FaultInjection.
import CommandSupport

@main
struct SilverWithFaults {
    static func main() async {
        FaultInjection.enableFromEnvironment()
        await SilverCommand.main()
    }
}
