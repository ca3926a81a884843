import Foundation

/// One panel of a page of line charts sharing an x axis: a title, a unit, named series.
public struct SVGPanel: Sendable {
    /// The panel's title.
    public var title: String
    /// The y axis's unit.
    public var unit: String
    /// Each series' name and points.
    public var series: [(name: String, points: [(Double, Double)])]

    /// A panel of `series`.
    public init(title: String, unit: String, series: [(String, [(Double, Double)])]) {
        self.title = title
        self.unit = unit
        self.series = series.map { (name: $0.0, points: $0.1) }
    }

    private static let colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]

    /// The panels stacked in one SVG document, each 900 × 260, with axes, ticks and a legend.
    public static func document(_ panels: [SVGPanel], xLabel: String) -> String {
        let width = 900.0
        let height = 260.0
        var out =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height) * panels.count)\" "
            + "font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        for (index, panel) in panels.enumerated() {
            out += panel.svg(top: Double(index) * height, width: width, height: height, xLabel: xLabel)
        }
        return out + "</svg>\n"
    }

    private func svg(top: Double, width: Double, height: Double, xLabel: String) -> String {
        let (left, right, upper, lower) = (70.0, 170.0, 28.0, 36.0)
        let points = series.flatMap(\.points)
        let xs = (points.map(\.0).min() ?? 0, max((points.map(\.0).max() ?? 1), (points.map(\.0).min() ?? 0) + 1))
        let yMax = max(points.map(\.1).max() ?? 1, 1e-9) * 1.1
        func px(_ x: Double) -> Double { left + (x - xs.0) / (xs.1 - xs.0) * (width - left - right) }
        func py(_ y: Double) -> Double { top + upper + (1 - y / yMax) * (height - upper - lower) }
        func f(_ value: Double) -> String { String(format: "%.1f", value) }
        var out =
            "<text x=\"\(f(left))\" y=\"\(f(top + 16))\" font-size=\"13\" font-weight=\"bold\">\(Self.escape(title))</text>\n"
        out +=
            "<line x1=\"\(f(left))\" y1=\"\(f(py(0)))\" x2=\"\(f(width - right))\" y2=\"\(f(py(0)))\" stroke=\"#333\"/>\n"
        out += "<line x1=\"\(f(left))\" y1=\"\(f(py(0)))\" x2=\"\(f(left))\" y2=\"\(f(py(yMax)))\" stroke=\"#333\"/>\n"
        for step in 0...4 {
            let y = yMax / 1.1 * Double(step) / 4
            out += "<text x=\"\(f(left - 6))\" y=\"\(f(py(y) + 4))\" text-anchor=\"end\">\(Self.number(y))</text>\n"
            out +=
                "<line x1=\"\(f(left))\" y1=\"\(f(py(y)))\" x2=\"\(f(width - right))\" y2=\"\(f(py(y)))\" stroke=\"#eee\"/>\n"
            let x = xs.0 + (xs.1 - xs.0) * Double(step) / 4
            out +=
                "<text x=\"\(f(px(x)))\" y=\"\(f(py(0) + 14))\" text-anchor=\"middle\">\(Self.number(x.rounded()))</text>\n"
        }
        out +=
            "<text x=\"\(f((left + width - right) / 2))\" y=\"\(f(top + height - 6))\" text-anchor=\"middle\">\(Self.escape(xLabel))</text>\n"
        out +=
            "<text x=\"14\" y=\"\(f(top + height / 2))\" transform=\"rotate(-90 14 \(f(top + height / 2)))\" text-anchor=\"middle\">\(Self.escape(unit))</text>\n"
        for (index, line) in series.enumerated() {
            let colour = Self.colours[index % Self.colours.count]
            let path = line.points.map { "\(f(px($0.0))),\(f(py($0.1)))" }.joined(separator: " ")
            out += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.5\" points=\"\(path)\"/>\n"
            let legendY = top + upper + 14 * Double(index) + 6
            out +=
                "<line x1=\"\(f(width - right + 10))\" y1=\"\(f(legendY))\" x2=\"\(f(width - right + 30))\" y2=\"\(f(legendY))\" stroke=\"\(colour)\" stroke-width=\"2\"/>\n"
            out += "<text x=\"\(f(width - right + 34))\" y=\"\(f(legendY + 4))\">\(Self.escape(line.name))</text>\n"
        }
        return out
    }

    private static func number(_ value: Double) -> String {
        value >= 100 || value == value.rounded() ? String(Int(value.rounded())) : String(format: "%.1f", value)
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
