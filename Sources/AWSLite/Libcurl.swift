import CCurl

/// Facts about the libcurl that AWSLite is linked against.
public enum Libcurl {
    /// Initialises libcurl once per process, before the first handle; thread-safe because Swift
    /// runs a global's initialiser exactly once.
    static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    /// The libcurl version, for example `7.88.1`.
    public static var version: String {
        _ = initialized
        guard let info = ccurl_version_info(), let text = info.pointee.version else { return "unknown" }
        return String(cString: text)
    }

    /// The TLS library libcurl uses, for example `OpenSSL/3.0.17`; `nil` if built without TLS.
    public static var tlsBackend: String? {
        _ = initialized
        return ccurl_version_info()?.pointee.ssl_version.map { String(cString: $0) }
    }

    /// The URL schemes libcurl supports (`http`, `https`, …).
    public static var protocols: [String] {
        _ = initialized
        guard var cursor = ccurl_version_info()?.pointee.protocols else { return [] }
        var names: [String] = []
        while let name = cursor.pointee {
            names.append(String(cString: name))
            cursor += 1
        }
        return names
    }
}
