/// One alert from the moment it opened to the moment it resolved (event time).
public struct AlertEpisode: Sendable, Hashable {
    public var store: String
    public var product: String
    public var kind: String
    /// Microseconds since 1970 UTC; `resolved` is nil while the alert is open.
    public var opened: Int64
    public var resolved: Int64?

    public init(store: String, product: String, kind: String, opened: Int64, resolved: Int64?) {
        self.store = store
        self.product = product
        self.kind = kind
        self.opened = opened
        self.resolved = resolved
    }
}

/// How well alerts foretold the stockouts that really happened.
public struct AlertScores: Sendable, Hashable, CustomStringConvertible {
    /// What was scored (an alert kind, or the baseline rule).
    public var name: String
    /// True stockouts, and those an alert warned of at least ``AlertEvaluation/warning`` ahead.
    public var stockouts = 0
    public var caught = 0
    /// Alerts judged (opened at least a lead time before the end of the truth), and those a
    /// stockout followed within the lead time.
    public var alerts = 0
    public var confirmed = 0
    /// The median of how long before a caught stockout its warning opened, in hours.
    public var medianWarningHours: Double?

    public init(name: String) { self.name = name }

    /// caught ÷ stockouts (0 without stockouts).
    public var recall: Double { stockouts > 0 ? Double(caught) / Double(stockouts) : 0 }
    /// confirmed ÷ alerts (0 without alerts).
    public var precision: Double { alerts > 0 ? Double(confirmed) / Double(alerts) : 0 }
    /// The harmonic mean of recall and precision.
    public var f1: Double { recall + precision > 0 ? 2 * recall * precision / (recall + precision) : 0 }

    public var description: String {
        let warning = medianWarningHours.map { String(format: "%.1f h", $0) } ?? "-"
        return String(
            format:
                "%@: recall %.3f (%d of %d stockouts), precision %.3f (%d of %d alerts), F1 %.3f, median warning %@",
            name, recall, caught, stockouts, precision, confirmed, alerts, f1, warning)
    }
}

/// Scores alerts against a simulation's ground truth.
///
/// - A true stockout is **caught** when an alert of its store × product was open 12 hours
///   (``warning``) before it began: opened at or before that moment, not resolved by then.
/// - An alert is **confirmed** when the item was out of stock at some moment from its opening
///   to one lead time later (the lead time of the item's policy). Alerts opened less than a lead
///   time before the end of the truth cannot be judged and are left out.
public enum AlertEvaluation {
    /// How far ahead a warning must come.
    public static let warning: Int64 = 12 * 3_600_000_000

    /// Scores `episodes` (one kind, or one rule) against `truth`.
    ///
    /// - Parameters:
    ///   - leadTimeDays: the lead time of a store × product, in days.
    /// - Complexity: O(stockouts + alerts) after grouping by item.
    public static func score(
        _ episodes: [AlertEpisode], name: String, truth: GroundTruth,
        leadTimeDays: (_ store: String, _ product: String) -> Double
    ) -> AlertScores {
        struct Item: Hashable {
            var store: String
            var product: String
        }
        var byItem: [Item: [AlertEpisode]] = [:]
        for episode in episodes {
            byItem[Item(store: episode.store, product: episode.product), default: []].append(episode)
        }
        let end = truth.end ?? Int64.max
        var scores = AlertScores(name: name)
        var warnings: [Int64] = []
        for item in truth.items {
            let alerts = byItem[Item(store: item.store, product: item.product)] ?? []
            for stockout in item.stockouts {
                scores.stockouts += 1
                let moment = stockout[0] - warning
                let open = alerts.filter { $0.opened <= moment && ($0.resolved.map { $0 > moment } ?? true) }
                if let earliest = open.map(\.opened).min() {
                    scores.caught += 1
                    warnings.append(stockout[0] - earliest)
                }
            }
            let lead = Int64(leadTimeDays(item.store, item.product) * 86_400_000_000)
            for alert in alerts where alert.opened + lead <= end {
                scores.alerts += 1
                let window = alert.opened...(alert.opened + lead)
                if item.stockouts.contains(where: { $0[0] <= window.upperBound && $0[1] > window.lowerBound }) {
                    scores.confirmed += 1
                }
            }
        }
        if !warnings.isEmpty {
            let sorted = warnings.sorted()
            let middle = sorted.count / 2
            let median =
                sorted.count % 2 == 1 ? Double(sorted[middle]) : Double(sorted[middle - 1] + sorted[middle]) / 2
            scores.medianWarningHours = median / 3_600_000_000
        }
        return scores
    }

    /// The original project's rule, for comparison: a low-stock alert whenever an item's on hand
    /// is at or below a fixed number of units, the same for every product (default 5), whatever
    /// it sells. `movements` are one item's, in event-time order.
    public static func baselineEpisodes(
        store: String, product: String, movements: [StockMovement], threshold: Int64 = baselineThreshold
    ) -> [AlertEpisode] {
        var onHand: Int64 = 0
        var lastCount: Int64?
        var episodes: [AlertEpisode] = []
        var openedAt: Int64?
        for movement in movements {
            let covered = lastCount.map { movement.time <= $0 } ?? false
            switch movement.kind {
            case .sale: if !covered { onHand -= movement.quantity }
            case .restock: if !covered { onHand += movement.quantity }
            case .stockCount:
                if !covered {
                    onHand = movement.quantity
                    lastCount = movement.time
                }
            }
            let low = onHand > 0 && onHand <= threshold
            if low && openedAt == nil {
                openedAt = movement.time
            } else if !low, let opened = openedAt {
                episodes.append(
                    AlertEpisode(
                        store: store, product: product, kind: "BASELINE", opened: opened, resolved: movement.time))
                openedAt = nil
            }
        }
        if let openedAt {
            episodes.append(
                AlertEpisode(store: store, product: product, kind: "BASELINE", opened: openedAt, resolved: nil))
        }
        return episodes
    }

    /// The baseline's fixed threshold, in units.
    public static let baselineThreshold: Int64 = 5
}
