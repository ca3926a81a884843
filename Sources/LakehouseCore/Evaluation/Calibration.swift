/// How well the model's stated risks match what happened: each risk of running empty before the
/// next delivery against whether the shelf did, in probability bins of a tenth.
public struct Calibration: Sendable {
    /// One bin: predictions with a probability in [low, low + 0.1).
    public struct Bin: Sendable, Hashable {
        /// The bin's lower bound: 0, 0.1, … 0.9 (the last bin includes 1).
        public var low: Double
        /// Predictions that fell in the bin.
        public var count: Int
        /// The mean predicted probability of the bin's predictions (0 when it is empty).
        public var predicted: Double
        /// The share of the bin's predictions whose shelf did run empty (0 when it is empty).
        public var observed: Double
    }

    /// The ten bins, from [0, 0.1) to [0.9, 1], empty ones included.
    public var bins: [Bin]
    /// Predictions judged (those whose item had a later delivery in the simulation).
    public var judged: Int
    /// Expected calibration error: Σ (bin count ÷ judged) × |predicted − observed|.
    public var expectedCalibrationError: Double

    /// Judges `predictions` against the shelves of `outcome`, a run of `configuration`.
    public init(predictions: [RiskPrediction], outcome: SimulationOutcome, configuration: SimulationConfiguration) {
        var pairs: [(probability: Double, happened: Bool)] = []
        pairs.reserveCapacity(predictions.count)
        let products = configuration.products
        for prediction in predictions {
            let item = outcome.items[prediction.store * products + prediction.product]
            guard let restock = item.restockTimes.first(where: { $0 > prediction.time }) else { continue }
            // Judged until the next delivery, and never past the morning after the day it was
            // due (the risk allows one late day): a delivery the model did not expect, or one it
            // expected that never came, does not stretch the window.
            let day = StoreSimulator.dayMicros
            let midnight = EventTimestamp.floorDivide(prediction.time, day) * day
            let next = min(restock, midnight + Int64(prediction.days + 1) * day + 6 * 3_600_000_000)
            var happened = false
            var index = 0
            while index + 1 < item.emptyIntervals.count, !happened {
                let from = max(item.emptyIntervals[index], prediction.time)
                let to = min(item.emptyIntervals[index + 1], next)
                if from < to && configuration.openMicros(from: from, to: to) > 0 { happened = true }
                index += 2
            }
            pairs.append((prediction.probability, happened))
        }
        self.init(pairs: pairs)
    }

    /// What was judged: each prediction's probability and whether the shelf ran empty.
    public var pairs: [(probability: Double, happened: Bool)]

    /// The calibration of (probability, happened) pairs.
    public init(pairs: [(probability: Double, happened: Bool)]) {
        var counts = [Int](repeating: 0, count: 10)
        var sums = [Double](repeating: 0, count: 10)
        var hits = [Int](repeating: 0, count: 10)
        for pair in pairs {
            let bin = min(max(Int(pair.probability * 10), 0), 9)
            counts[bin] += 1
            sums[bin] += pair.probability
            if pair.happened { hits[bin] += 1 }
        }
        let judged = pairs.count
        let bins = (0..<10).map { bin in
            Bin(
                low: Double(bin) / 10, count: counts[bin],
                predicted: counts[bin] > 0 ? sums[bin] / Double(counts[bin]) : 0,
                observed: counts[bin] > 0 ? Double(hits[bin]) / Double(counts[bin]) : 0)
        }
        self.pairs = pairs
        self.judged = judged
        self.bins = bins
        expectedCalibrationError =
            judged > 0
            ? bins.reduce(0) { $0 + Double($1.count) / Double(judged) * abs($1.predicted - $1.observed) } : 0
    }
}
