// Cleans bronze into silver: the Delta table s3://<silver>/sales/ (and quarantine/) and
// PostgreSQL's sales_silver and sales_quarantine, batch by batch, exactly once.
//
//   silver [--once] [--objects-per-batch 64] [--poll-seconds 10]
//
// With --once it processes the backlog and exits; otherwise it polls for new bronze objects
// until SIGINT or SIGTERM, which stop it between batches.
//
// The command lives in CommandSupport (SilverCommand), where the test fixtures' executables
// (Tests/Fixtures) run it with fault injection on; this one never turns it on.
import CommandSupport

@main
struct Silver {
    static func main() async { await SilverCommand.main() }
}
