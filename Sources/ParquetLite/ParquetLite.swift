/// ParquetLite reads and writes Apache Parquet files.
///
/// This release writes Parquet (``ParquetWriter``) with the page compression codecs
/// (``CompressionCodec``) and decodes footers (``ParquetFileMetadata``); the full reader comes next. ParquetLite depends only on zstd, snappy and
/// zlib, so it can be used by any Swift project on its own.
public enum ParquetLite {
    /// The version of the ParquetLite library, following semantic versioning.
    ///
    /// See the ParquetLite section of CHANGELOG.md for what each version changed.
    public static let version = "0.3.0"
}
