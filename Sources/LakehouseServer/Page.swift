import Hummingbird

/// A page of a list: `limit` (1 to 500, default 50) and `offset` (0 to 1,000,000, default 0),
/// from the query string. Anything else is a 400 that names the parameter and its range.
struct Page: Sendable {
    var limit: Int
    var offset: Int

    static let maximumLimit = 500
    static let maximumOffset = 1_000_000

    init(limit: Int = 50, offset: Int = 0) {
        self.limit = limit
        self.offset = offset
    }

    /// The page `request` asks for.
    ///
    /// - Throws: `HTTPError(.badRequest)` naming the parameter, its range and what was sent.
    init(_ request: Request) throws {
        let parameters = request.uri.queryParameters
        self.init(
            limit: try Self.integer(parameters[values: "limit"], "limit", default: 50, 1...Self.maximumLimit),
            offset: try Self.integer(parameters[values: "offset"], "offset", default: 0, 0...Self.maximumOffset))
    }

    static func integer(
        _ given: [Substring], _ name: String, default value: Int, _ range: ClosedRange<Int>
    ) throws -> Int {
        guard let text = given.last.map(String.init) else { return value }
        guard given.count == 1, let number = Int(text), range.contains(number) else {
            throw HTTPError(
                .badRequest,
                message: "\(name) must be one whole number from \(range.lowerBound) to \(range.upperBound); "
                    + "got \(Self.shown(given.map(String.init).joined(separator: ",")))")
        }
        return number
    }

    /// A request's text as an error message may show it: at most 40 characters, control
    /// characters as `?`.
    static func shown(_ text: String) -> String {
        let cleaned = String(
            text.unicodeScalars.prefix(40).map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
        return "\"\(cleaned)\(text.unicodeScalars.count > 40 ? "…" : "")\""
    }
}
