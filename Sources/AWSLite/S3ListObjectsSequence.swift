/// The pages of a `ListObjectsV2` listing, fetched one request at a time as you iterate.
public struct S3ListObjectsSequence: AsyncSequence, Sendable {
    public typealias Element = S3ListPage

    let client: S3Client
    let bucket: String
    let prefix: String?
    let delimiter: String?
    let startAfter: String?
    let pageSize: Int

    public func makeAsyncIterator() -> Iterator { Iterator(sequence: self) }

    /// Every object of every page, in key order.
    ///
    /// - Complexity: one request per page; holds the whole listing in memory.
    public func allObjects() async throws -> [S3ObjectSummary] {
        var objects: [S3ObjectSummary] = []
        for try await page in self { objects += page.objects }
        return objects
    }

    /// Fetches the next page when asked.
    public struct Iterator: AsyncIteratorProtocol {
        let sequence: S3ListObjectsSequence
        var token: String?
        var finished = false

        init(sequence: S3ListObjectsSequence) { self.sequence = sequence }

        public mutating func next() async throws -> S3ListPage? {
            guard !finished else { return nil }
            let (page, next) = try await sequence.client.listPage(
                bucket: sequence.bucket, prefix: sequence.prefix, delimiter: sequence.delimiter,
                startAfter: sequence.startAfter, pageSize: sequence.pageSize, continuationToken: token)
            token = next
            finished = next == nil
            return page
        }
    }
}
