// The whole pipeline, supervised, in one process per machine or per core.
//
//   lakehouse run [--failover-seconds 10] [--poll-seconds 5] [--flush-seconds 1]
//                 [--objects-per-batch 64] [--until-caught-up] [--worker ID]
//       ingest of the shards this process leases, silver batches as bronze fills, a gold
//       refresh after each; several processes share a stream. SIGINT or SIGTERM drains:
//       readers flush and checkpoint, leases are released, silver and gold take what is left.
//   lakehouse status [--runs 5]
//       processes, each shard's owner and lag, the last runs of each stage, gold's freshness,
//       open alerts
//   lakehouse backfill --from YYYY-MM-DD --to YYYY-MM-DD [--force]
//       process the bronze objects of those days again (those not processed in their current
//       version, or with --force all), then refresh gold; a range already processed changes
//       nothing
//   lakehouse demo --live [--rate 200] [--stores 10] [--products 200] [--shards 4]
//       provision, then a simulated chain sends in real time while the pipeline runs, printing
//       freshness and alert changes until interrupted
//
// Settings (KINESIS_STREAM, S3_BUCKET_*, DATABASE_URL, AWS_*) come from the environment and .env.
// The commands live in CommandSupport (LakehouseCommand), where the test fixtures' executables
// (Tests/Fixtures) run them with fault injection on; this one never turns it on.
import CommandSupport

@main
struct Lakehouse {
    static func main() async { await LakehouseCommand.main() }
}
