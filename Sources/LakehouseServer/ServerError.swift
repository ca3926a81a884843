/// An error of the dashboard server: a code to match on and a message for a person, naming what
/// failed and what to do. Never holds a secret (a token or a password).
public struct ServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable {
        /// A setting cannot work: a port out of range, a non-loopback address without a token.
        case invalidConfiguration
    }

    /// What went wrong.
    public var code: Code
    /// What failed and what to do about it.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code.rawValue): \(message)" }
}
