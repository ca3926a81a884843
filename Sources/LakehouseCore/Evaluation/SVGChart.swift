import Foundation

/// A small scatter-and-line chart written as SVG: axes with ticks, one series per colour, an
/// optional diagonal, a legend. Enough for the evaluation's plots, with no dependency.
package struct SVGChart: Sendable {
    /// One series: points joined by a line (or not), each point optionally sized.
    package struct Series: Sendable {
        package var name: String
        package var points: [(x: Double, y: Double)]
        package var joined: Bool
        /// Labels drawn beside the points (same count as points, or empty).
        package var labels: [String]
        /// Whether labels go below the points (above by default).
        package var labelsBelow: Bool

        package init(
            name: String, points: [(x: Double, y: Double)], joined: Bool, labels: [String] = [],
            labelsBelow: Bool = false
        ) {
            self.name = name
            self.points = points
            self.joined = joined
            self.labels = labels
            self.labelsBelow = labelsBelow
        }
    }

    package var title: String
    package var xLabel: String
    package var yLabel: String
    package var series: [Series]
    /// Draws y = x (for a reliability diagram).
    package var diagonal = false
    /// Fixed ranges (nil: from the data, with a margin).
    package var xRange: ClosedRange<Double>?
    package var yRange: ClosedRange<Double>?

    package init(title: String, xLabel: String, yLabel: String, series: [Series]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
    }

    private static let colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]

    /// The chart as an SVG document.
    package func svg(width: Double = 780, height: Double = 480) -> String {
        let all = series.flatMap(\.points)
        let plot = SVGPlot(
            width: width, height: height, xs: Self.range(all.map(\.x), xRange), ys: Self.range(all.map(\.y), yRange))
        var out = plot.header(title: title) + plot.ticks() + plot.axisLabels(x: xLabel, y: yLabel)
        if diagonal { out += plot.diagonal() }
        for (index, series) in series.enumerated() {
            out += plot.marks(series, colour: Self.colours[index % Self.colours.count], legendRow: index)
        }
        return out + "</svg>\n"
    }

    /// `fixed`, or the range of `values` with a margin (0...1 when there are none).
    private static func range(_ values: [Double], _ fixed: ClosedRange<Double>?) -> ClosedRange<Double> {
        if let fixed { return fixed }
        guard let low = values.min(), let high = values.max() else { return 0...1 }
        let span = max(high - low, abs(high) * 0.1, 1e-9)
        return (low - span * 0.08)...(high + span * 0.08)
    }

    /// About five round ticks across `range`.
    static func ticks(_ range: ClosedRange<Double>) -> [Double] {
        let span = range.upperBound - range.lowerBound
        guard span > 0 else { return [range.lowerBound] }
        let raw = span / 5
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var tick = (range.lowerBound / step).rounded(.up) * step
        var ticks: [Double] = []
        while tick <= range.upperBound + step * 1e-9 {
            ticks.append(tick)
            tick += step
        }
        return ticks
    }

    static func format(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude >= 1_000_000 { return String(format: "%.1fM", value / 1_000_000) }
        if magnitude >= 10_000 { return String(format: "%.0fk", value / 1000) }
        if magnitude >= 100 || value == value.rounded() { return String(format: "%.0f", value) }
        return String(format: "%.3g", value)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}

/// The plot of one SVG document: the document's size, the data's ranges, where a value lands,
/// and the markup of each part.
private struct SVGPlot {
    let width: Double
    let height: Double
    let xs: ClosedRange<Double>
    let ys: ClosedRange<Double>
    let left = 80.0
    let right = 230.0
    let top = 40.0
    let bottom = 60.0

    var plotWidth: Double { width - left - right }
    var plotHeight: Double { height - top - bottom }

    /// The document x of data value `x`.
    func px(_ x: Double) -> Double { left + (x - xs.lowerBound) / (xs.upperBound - xs.lowerBound) * plotWidth }

    /// The document y of data value `y`.
    func py(_ y: Double) -> Double {
        top + plotHeight - (y - ys.lowerBound) / (ys.upperBound - ys.lowerBound) * plotHeight
    }

    /// A coordinate as the document writes it.
    func f(_ value: Double) -> String { String(format: "%.1f", value) }

    /// The document's start: white background, `title`, and the plot's frame.
    func header(title: String) -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(f(width))" height="\(f(height))" \
        viewBox="0 0 \(f(width)) \(f(height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(f(width / 2))" y="22" text-anchor="middle" font-size="15">\(SVGChart.escape(title))</text>
        <rect x="\(f(left))" y="\(f(top))" width="\(f(plotWidth))" height="\(f(plotHeight))" fill="none" stroke="#333"/>

        """
    }

    /// Each axis's ticks, grid lines and tick labels, x first.
    func ticks() -> String {
        var out = ""
        for tick in SVGChart.ticks(xs) {
            out += """
                <line x1="\(f(px(tick)))" y1="\(f(top + plotHeight))" x2="\(f(px(tick)))" y2="\(f(top + plotHeight + 5))" stroke="#333"/>
                <line x1="\(f(px(tick)))" y1="\(f(top))" x2="\(f(px(tick)))" y2="\(f(top + plotHeight))" stroke="#eee"/>
                <text x="\(f(px(tick)))" y="\(f(top + plotHeight + 18))" text-anchor="middle">\(SVGChart.format(tick))</text>

                """
        }
        for tick in SVGChart.ticks(ys) {
            out += """
                <line x1="\(f(left - 5))" y1="\(f(py(tick)))" x2="\(f(left))" y2="\(f(py(tick)))" stroke="#333"/>
                <line x1="\(f(left))" y1="\(f(py(tick)))" x2="\(f(left + plotWidth))" y2="\(f(py(tick)))" stroke="#eee"/>
                <text x="\(f(left - 8))" y="\(f(py(tick) + 4))" text-anchor="end">\(SVGChart.format(tick))</text>

                """
        }
        return out
    }

    /// The axes' labels: `x` below the plot, `y` turned along its left side.
    func axisLabels(x: String, y: String) -> String {
        """
        <text x="\(f(left + plotWidth / 2))" y="\(f(height - 18))" text-anchor="middle">\(SVGChart.escape(x))</text>
        <text x="18" y="\(f(top + plotHeight / 2))" text-anchor="middle" \
        transform="rotate(-90 18 \(f(top + plotHeight / 2)))">\(SVGChart.escape(y))</text>

        """
    }

    /// The dashed line y = x, over the part of it both ranges hold.
    func diagonal() -> String {
        let low = max(xs.lowerBound, ys.lowerBound)
        let high = min(xs.upperBound, ys.upperBound)
        return """
            <line x1="\(f(px(low)))" y1="\(f(py(low)))" x2="\(f(px(high)))" y2="\(f(py(high)))" \
            stroke="#999" stroke-dasharray="4 4"/>

            """
    }

    /// One series in `colour`: its line (when joined), points and labels, and its legend entry
    /// on row `legendRow`.
    func marks(_ series: SVGChart.Series, colour: String, legendRow: Int) -> String {
        var out = ""
        if series.joined, series.points.count > 1 {
            let path = series.points.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
            out += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\"/>\n"
        }
        for (position, point) in series.points.enumerated() {
            out += "<circle cx=\"\(f(px(point.x)))\" cy=\"\(f(py(point.y)))\" r=\"4\" fill=\"\(colour)\"/>\n"
            if position < series.labels.count, !series.labels[position].isEmpty {
                out += """
                    <text x="\(f(px(point.x) + 6))" y="\(f(py(point.y) + (series.labelsBelow ? 14 : -6)))" font-size="10" \
                    fill="\(colour)">\(SVGChart.escape(series.labels[position]))</text>

                    """
            }
        }
        let legendY = top + 10 + Double(legendRow) * 20
        out += """
            <circle cx="\(f(left + plotWidth + 20))" cy="\(f(legendY))" r="5" fill="\(colour)"/>
            <text x="\(f(left + plotWidth + 32))" y="\(f(legendY + 4))">\(SVGChart.escape(series.name))</text>

            """
        return out
    }
}
