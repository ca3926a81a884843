/// The pages of a `ListObjectsV2` listing, fetched one request at a time as you iterate.
public struct S3ListObjectsSequence: AsyncSequence, Sendable {
    /// One page: up to the `pageSize` given to ``S3Client/listObjectsV2(bucket:prefix:delimiter:startAfter:pageSize:)``
    /// objects, plus the common prefixes when listing with a delimiter.
    public typealias Element = S3ListPage

    let client: S3Client
    let bucket: String
    let prefix: String?
    let delimiter: String?
    let startAfter: String?
    let pageSize: Int

    /// Starts the listing from its first page; each iterator sends its own requests, so two iterations list twice.
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

        /// Sends one `ListObjectsV2` request for the page after the last one returned.
        ///
        /// - Returns: The next page, or `nil` after the page S3 marked as the last (not truncated).
        /// - Throws: ``AWSError`` when the request fails, or with code ``AWSError/Code/invalidResponse`` when S3 sends
        ///   a truncated page without a continuation token. After an error the iterator may be called again to retry
        ///   the same page.
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
