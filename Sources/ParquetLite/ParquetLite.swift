/// ParquetLite reads and writes Apache Parquet files.
///
/// This release provides the page compression codecs (``CompressionCodec``) that the writer and
/// the reader are built on. ParquetLite depends only on zstd and snappy, so it can be used by any
/// Swift project on its own.
public enum ParquetLite {
    /// The version of the ParquetLite library, following semantic versioning.
    ///
    /// See the ParquetLite section of CHANGELOG.md for what each version changed.
    public static let version = "0.1.0"
}
