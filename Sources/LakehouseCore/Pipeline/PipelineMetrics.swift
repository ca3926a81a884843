import Metrics

/// What the pipeline counts and times, through swift-metrics: recorded in whatever backend the
/// process bootstraps (`lakehouse run --http` exposes them in Prometheus' format at `/metrics`),
/// and nothing when none is.
///
/// | metric | kind | labels |
/// |---|---|---|
/// | `lakehouse_ingest_records_total` | counter: records written to bronze | `shard` |
/// | `lakehouse_bronze_objects_total` | counter: bronze objects written | `shard` |
/// | `lakehouse_ingest_millis_behind_latest` | gauge: Kinesis's MillisBehindLatest at the last read | `shard` |
/// | `lakehouse_silver_rows_total` | counter: silver input rows by outcome | `outcome`: `valid`, `quarantined`, `duplicate` |
/// | `lakehouse_silver_batches_total` | counter: silver batches loaded | |
/// | `lakehouse_silver_batch_duration_seconds` | histogram: one silver run | |
/// | `lakehouse_gold_refresh_duration_seconds` | histogram: one gold refresh that applied batches | |
/// | `lakehouse_gold_rows_total` | counter: silver rows applied to gold | |
/// | `lakehouse_stage_errors_total` | counter: failed runs | `stage`: `ingest`, `silver`, `gold` |
package enum PipelineMetrics {
    /// A shard's reader wrote `records` records as one bronze object.
    static func flushed(shard: String, records: Int) {
        Counter(label: "lakehouse_ingest_records_total", dimensions: [("shard", shard)]).increment(by: records)
        Counter(label: "lakehouse_bronze_objects_total", dimensions: [("shard", shard)]).increment()
    }

    /// A shard's read said how far behind the tip it is.
    static func lag(shard: String, milliseconds: Int64) {
        Gauge(label: "lakehouse_ingest_millis_behind_latest", dimensions: [("shard", shard)]).record(milliseconds)
    }

    /// A silver run that loaded batches.
    static func silver(_ report: SilverJob.Report, seconds: Double) {
        let rows = [
            ("valid", report.counts.valid), ("quarantined", report.counts.quarantined),
            ("duplicate", report.counts.duplicates),
        ]
        for (outcome, count) in rows {
            Counter(label: "lakehouse_silver_rows_total", dimensions: [("outcome", outcome)]).increment(by: count)
        }
        Counter(label: "lakehouse_silver_batches_total").increment(by: report.batches)
        Timer(label: "lakehouse_silver_batch_duration_seconds").recordSeconds(seconds)
    }

    /// A gold refresh that applied batches.
    static func gold(_ report: GoldJob.Report, seconds: Double) {
        Counter(label: "lakehouse_gold_rows_total").increment(by: report.rows)
        Timer(label: "lakehouse_gold_refresh_duration_seconds").recordSeconds(seconds)
    }

    /// A run of `stage` failed.
    static func failed(_ stage: PipelineStage) {
        Counter(label: "lakehouse_stage_errors_total", dimensions: [("stage", stage.rawValue)]).increment()
    }
}
