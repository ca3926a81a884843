/// An HTTP request: method, absolute URL, headers and an in-memory body.
public struct HTTPRequest: Sendable {
    /// The method, upper case (`GET`, `PUT`, `POST`, `HEAD`, `DELETE`).
    public var method: String
    /// The absolute URL, `http://` or `https://`, with any query string already encoded.
    public var url: String
    /// The headers in the order they are sent. Names are sent as given.
    public var headers: [(name: String, value: String)]
    /// The body; empty for none.
    public var body: [UInt8]

    /// Creates a request.
    public init(method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The URL without its query string, which may carry a presigned signature: the form used in
    /// logs and error messages.
    public var redactedURL: String {
        guard let query = url.firstIndex(of: "?") else { return url }
        return String(url[..<query]) + "?…"
    }
}

/// An HTTP response: status, headers and the whole body.
public struct HTTPResponse: Sendable {
    /// The status code of the final response (after any `100 Continue`).
    public var status: Int
    /// The headers of the final response, in the order received.
    public var headers: [(name: String, value: String)]
    /// The body.
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The value of the first header named `name`, compared case-insensitively.
    ///
    /// - Complexity: O(number of headers).
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// The body decoded as UTF-8 (invalid sequences replaced).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
