/// Where things are in this repository, for tests and benchmarks run from a checkout.
public enum RepositoryPaths {
    /// The repository's root: this file is Sources/LakehouseTestSupport/RepositoryPaths.swift.
    public static let root: String = {
        var path = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        path.removeLast(3)
        return path.joined(separator: "/")
    }()

    /// The Python that has the interoperability tools (pyarrow, duckdb…): `LAKEHOUSE_PYTHON`,
    /// else the project's virtualenv that `make deps` creates.
    public static var python: String {
        if let configured = getenv("LAKEHOUSE_PYTHON").map({ String(cString: $0) }), !configured.isEmpty {
            return configured
        }
        return root + "/.venv/bin/python"
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
