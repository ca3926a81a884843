// A test fixture, not a shipped executable: `lakehouse` with fault injection on, so that the
// poison-object tests can kill it before a bronze object (LAKEHOUSE_CRASH_ON_OBJECT=<text>); see
// CommandSupport's FaultInjection.
import CommandSupport

@main
struct LakehouseWithFaults {
    static func main() async {
        FaultInjection.enableFromEnvironment()
        await LakehouseCommand.main()
    }
}
