/// How a column's values are encoded in its data pages.
public enum ParquetValueEncoding: Sendable, Hashable {
    /// A PLAIN dictionary page and RLE_DICTIONARY data pages, falling back to PLAIN for the rest
    /// of the column chunk once the dictionary passes
    /// ``ParquetWriter/Configuration/dictionaryPageSizeLimit``. BOOLEAN columns, which have no
    /// dictionary encoding, are written PLAIN.
    case dictionary
    /// PLAIN.
    case plain
    /// DELTA_BINARY_PACKED (INT32 and INT64 columns only).
    case deltaBinaryPacked
}

/// The data page format.
public enum ParquetDataPageVersion: Sendable, Hashable {
    /// DATA_PAGE: levels and values compressed together; what every reader understands.
    case v1
    /// DATA_PAGE_V2: levels stored uncompressed before the compressed values.
    case v2
}

extension ParquetWriter {
    /// Settings of a ``ParquetWriter``. Every default is stated on its property; they match
    /// Arrow's Parquet writer except where noted.
    public struct Configuration: Sendable {
        /// The page compression. Default: zstd at level 1 (``CompressionCodec/defaultZstdLevel``).
        public var codec: CompressionCodec = .zstd()
        /// The value encoding of every column without an override. Default: ``ParquetValueEncoding/dictionary``.
        public var encoding: ParquetValueEncoding = .dictionary
        /// The size in bytes past which a column chunk's dictionary stops growing and the rest of
        /// the chunk is written PLAIN. Default: 1 MiB.
        public var dictionaryPageSizeLimit = 1 << 20
        /// The encoded size in bytes at which a data page is closed. Default: 1 MiB.
        public var dataPageSize = 1 << 20
        /// The number of rows at which a data page is closed. Default: 20,000.
        public var dataPageRowLimit = 20_000
        /// The number of rows at which a row group is closed. Default: 1,048,576 (Arrow's).
        public var rowGroupRowLimit = 1 << 20
        /// The buffered (encoded, compressed) size in bytes at which a row group is closed; memory
        /// use is bounded by about this much. Default: 128 MiB.
        public var rowGroupByteLimit = 128 << 20
        /// The data page format. Default: ``ParquetDataPageVersion/v1``.
        public var dataPageVersion: ParquetDataPageVersion = .v1
        /// Whether each page header carries a CRC32 of the page's bytes. Default: `false`.
        public var writesPageChecksums = false
        /// The length in bytes past which string and byte-array min/max statistics are
        /// truncated (min rounded down, max rounded up, both marked inexact); `nil` keeps them
        /// whole. Default: 64.
        public var statisticsTruncateLength: Int? = 64
        /// The file's `created_by`. Default: `parquet-lite version <ParquetLite.version>`.
        public var createdBy = "parquet-lite version \(ParquetLite.version)"
        /// Key-value metadata stored in the footer, written in key order. Default: none.
        public var keyValueMetadata: [String: String] = [:]
        /// Per-column overrides, by column name. Default: none.
        public var columns: [String: ColumnConfiguration] = [:]
        /// Whether columns are encoded (and their pages compressed) on several threads at once.
        /// Default: `true`.
        public var encodesColumnsConcurrently = true

        /// The defaults.
        public init() {}
    }

    /// Settings of one column that differ from the file's.
    public struct ColumnConfiguration: Sendable, Hashable {
        /// The column's value encoding; `nil` keeps the file's.
        public var encoding: ParquetValueEncoding?
        /// The column's compression; `nil` keeps the file's.
        public var codec: CompressionCodec?
        /// The column's dictionary size limit; `nil` keeps the file's.
        public var dictionaryPageSizeLimit: Int?

        /// An override; unset members keep the file's settings.
        public init(
            encoding: ParquetValueEncoding? = nil, codec: CompressionCodec? = nil, dictionaryPageSizeLimit: Int? = nil
        ) {
            self.encoding = encoding
            self.codec = codec
            self.dictionaryPageSizeLimit = dictionaryPageSizeLimit
        }
    }
}

/// One column's settings after overrides, as the column writer uses them.
struct ColumnSettings {
    var encoding: ParquetValueEncoding
    var codec: CompressionCodec
    var dictionaryPageSizeLimit: Int
    var dataPageSize: Int
    var dataPageRowLimit: Int
    var dataPageVersion: ParquetDataPageVersion
    var writesPageChecksums: Bool
    var statisticsTruncateLength: Int?

    init(column: ParquetColumn, configuration: ParquetWriter.Configuration) throws {
        let override = configuration.columns[column.name]
        encoding = override?.encoding ?? configuration.encoding
        codec = override?.codec ?? configuration.codec
        dictionaryPageSizeLimit = override?.dictionaryPageSizeLimit ?? configuration.dictionaryPageSizeLimit
        dataPageSize = configuration.dataPageSize
        dataPageRowLimit = configuration.dataPageRowLimit
        dataPageVersion = configuration.dataPageVersion
        writesPageChecksums = configuration.writesPageChecksums
        statisticsTruncateLength = configuration.statisticsTruncateLength
        if encoding == .deltaBinaryPacked, column.physicalType != .int32, column.physicalType != .int64 {
            throw ParquetError(
                code: .invalidArgument,
                message:
                    "column '\(column.name)': DELTA_BINARY_PACKED is for INT32 and INT64 columns, not \(column.physicalType)",
                column: column.name)
        }
        if column.physicalType == .boolean, encoding == .dictionary { encoding = .plain }
        guard dataPageSize > 0, dataPageRowLimit > 0, dictionaryPageSizeLimit >= 0 else {
            throw ParquetError(
                code: .invalidArgument,
                message: "page size, page row limit and dictionary limit must be positive",
                column: column.name)
        }
        try codec.validate()
    }
}
