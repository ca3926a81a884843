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
        self.init(
            limit: try Self.integer(request, "limit", default: 50, 1...Self.maximumLimit),
            offset: try Self.integer(request, "offset", default: 0, 0...Self.maximumOffset))
    }

    /// The whole number `name` of `request`'s query (decoded as forms send it), `value` when absent.
    ///
    /// - Throws: `HTTPError(.badRequest)` for anything but one number in `range`.
    static func integer(_ request: Request, _ name: String, default value: Int, _ range: ClosedRange<Int>) throws
        -> Int
    {
        let given = formValues(request.uri.query ?? "", name)
        guard let text = given.last else { return value }
        guard given.count == 1, let number = Int(text), range.contains(number) else {
            throw HTTPError(
                .badRequest,
                message: "\(name) must be one whole number from \(range.lowerBound) to \(range.upperBound); "
                    + "got \(Self.shown(given.joined(separator: ",")))")
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
