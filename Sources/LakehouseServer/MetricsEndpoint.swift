import Hummingbird
import LakehouseCore
import PGLite
import Prometheus

/// `/metrics`: the process's metrics in Prometheus' text format. What this process recorded
/// through swift-metrics (the pipeline's counters and histograms, when `lakehouse run --http`
/// bootstrapped the registry), and gauges read from PostgreSQL at each scrape, which any process
/// can answer: gold's freshness, silver batches waiting for gold, open alerts by kind. Those
/// gauges are best effort: with PostgreSQL away the scrape still answers, with the process's own
/// metrics and the gauges as last read. An actor, so that each scrape sets and renders its own
/// readings without another's in between.
actor MetricsEndpoint {
    let registry: PrometheusCollectorRegistry
    /// Every alert kind a scrape has reported, so that one whose alerts all closed reads 0.
    private var kinds = Set(StockAlertKind.allCases.map(\.rawValue))

    static var freshness: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "lakehouse", metricName: "gold_freshness", unitName: "seconds",
            helpText: "Age of the newest event in gold, by the database's clock (0 before gold has one).")
    }
    static var pending: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "lakehouse", metricName: "silver_batches", unitName: "pending",
            helpText: "Silver batches loaded and not yet applied to gold.")
    }
    static var openAlerts: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "lakehouse", metricName: "open", unitName: "alerts", helpText: "Open item alerts, by kind.")
    }

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    /// Reads the gauges on `connection`, then renders the registry.
    /// The page: the gauges `status` read (when it could be read), then the registry, with no
    /// suspension between them.
    func scrape(_ status: PipelineStatus?) -> Response {
        if let status { record(status) }
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(
            status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
    }

    private func record(_ status: PipelineStatus) {
        registry.makeGauge(descriptor: Self.freshness).set(status.freshnessSeconds ?? 0)
        registry.makeGauge(descriptor: Self.pending).set(Double(status.silverBatchesPending))
        let counts = Dictionary(status.openAlerts.map { ($0.kind, $0.count) }, uniquingKeysWith: +)
        kinds.formUnion(counts.keys)
        for kind in kinds.sorted() {
            registry.makeGauge(descriptor: Self.openAlerts, labels: [("kind", kind)]).set(Double(counts[kind] ?? 0))
        }
    }
}
