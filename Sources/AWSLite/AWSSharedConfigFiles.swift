import Foundation

/// The AWS shared files, `~/.aws/credentials` and `~/.aws/config`, as the AWS SDKs read them.
///
/// Both are INI files. In the credentials file a section is a profile name (`[default]`,
/// `[etl]`); in the config file it is `[default]` or `[profile etl]`. Keys are lower-cased; `#`
/// and `;` start comment lines; indented lines (nested service settings) are ignored.
struct AWSSharedConfigFiles: Sendable {
    /// The path of the credentials file and the config file, whether or not they exist.
    let credentialsPath: String
    let configPath: String
    private let credentials: [String: [String: String]]
    private let config: [String: [String: String]]

    /// Reads the files named by `AWS_SHARED_CREDENTIALS_FILE` and `AWS_CONFIG_FILE`, else those in
    /// `~/.aws/` (home from `HOME`). Missing files are empty.
    init(environment: [String: String]) throws {
        let home = environment["HOME"] ?? NSHomeDirectory()
        credentialsPath =
            environment["AWS_SHARED_CREDENTIALS_FILE"].map(Self.expandingTilde(home)) ?? "\(home)/.aws/credentials"
        configPath = environment["AWS_CONFIG_FILE"].map(Self.expandingTilde(home)) ?? "\(home)/.aws/config"
        credentials = try Self.parse(path: credentialsPath, isConfig: false)
        config = try Self.parse(path: configPath, isConfig: true)
    }

    /// A setting of `profile`: from the credentials file first, then the config file.
    func value(_ key: String, profile: String) -> String? {
        credentials[profile]?[key] ?? config[profile]?[key]
    }

    /// Whether either file has a section for `profile`.
    func hasProfile(_ profile: String) -> Bool { credentials[profile] != nil || config[profile] != nil }

    private static func expandingTilde(_ home: String) -> (String) -> String {
        { $0.hasPrefix("~/") ? home + $0.dropFirst() : $0 }
    }

    private static func parse(path: String, isConfig: Bool) throws -> [String: [String: String]] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw AWSError(
                code: .invalidConfiguration,
                message: "\(path) cannot be read as UTF-8 text: \(error.localizedDescription)")
        }
        var sections: [String: [String: String]] = [:]
        var current: String?
        for rawLine in text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
            if rawLine.first?.isWhitespace == true { continue }  // nested settings (`s3 =` blocks)
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                var name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                if isConfig {
                    if name.hasPrefix("profile ") {
                        name = String(name.dropFirst("profile ".count)).trimmingCharacters(in: .whitespaces)
                    } else if name != "default" {
                        current = nil  // `[sso-session x]`, `[services x]`: not profiles
                        continue
                    }
                }
                current = name
                sections[name, default: [:]] = sections[name] ?? [:]
                continue
            }
            guard let section = current, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            sections[section]?[key] = value
        }
        return sections
    }
}
