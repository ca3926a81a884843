import CZstd

/// Compresses the pages of one column writer, keeping codec state (a zstd context) between
/// pages: creating a context per page costs more than compressing a small page.
final class PageCompressor {
    let codec: CompressionCodec
    private var zstdContext: OpaquePointer?

    init(codec: CompressionCodec) { self.codec = codec }

    deinit { if let zstdContext { ZSTD_freeCCtx(zstdContext) } }

    /// Appends the compressed form of `input` to `output`.
    func compress(_ input: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]) throws {
        guard codec.thriftValue == CompressionCodec.zstd().thriftValue else {
            try codec.compress(input, appendingTo: &output)
            return
        }
        if zstdContext == nil { zstdContext = ZSTD_createCCtx() }
        guard let context = zstdContext else {
            throw ParquetError(code: .compressionFailed, message: "zstd could not allocate a context", codec: "ZSTD")
        }
        try ZstdCodec.compress(
            input, level: codec.level ?? CompressionCodec.defaultZstdLevel, context: context, appendingTo: &output)
    }
}
