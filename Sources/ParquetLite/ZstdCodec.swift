import CZstd

/// Zstandard through libzstd's one-shot API.
enum ZstdCodec {
    static let name = "ZSTD"

    /// The levels libzstd accepts on this machine.
    static var levels: ClosedRange<Int32> { ZSTD_minCLevel()...ZSTD_maxCLevel() }

    static func validate(level: Int32) throws {
        guard levels.contains(level) else {
            throw ParquetError(
                code: .invalidArgument,
                message:
                    "zstd level \(level) is outside the supported range \(levels.lowerBound)...\(levels.upperBound)",
                codec: name
            )
        }
    }

    /// Compresses with a one-shot context.
    static func compress(_ input: UnsafeRawBufferPointer, level: Int32, appendingTo output: inout [UInt8]) throws {
        guard let context = ZSTD_createCCtx() else {
            throw ParquetError(code: .compressionFailed, message: "zstd could not allocate a context", codec: name)
        }
        defer { ZSTD_freeCCtx(context) }
        try compress(input, level: level, context: context, appendingTo: &output)
    }

    /// Compresses with `context`, which a caller reuses across many buffers.
    static func compress(
        _ input: UnsafeRawBufferPointer, level: Int32, context: OpaquePointer, appendingTo output: inout [UInt8]
    ) throws {
        try validate(level: level)
        let start = output.count
        let bound = ZSTD_compressBound(input.count)
        var written = 0
        var failure: String?
        output.append(contentsOf: repeatElement(0, count: bound))
        output.withUnsafeMutableBytes { buffer in
            let destination = buffer.baseAddress! + start
            let result = ZSTD_compressCCtx(context, destination, bound, input.baseAddress, input.count, level)
            if ZSTD_isError(result) != 0 {
                failure = String(cString: ZSTD_getErrorName(result))
            } else {
                written = result
            }
        }
        output.removeLast(bound - written)  // on failure `written` is 0: output is as it was
        if let failure {
            throw ParquetError(
                code: .compressionFailed,
                message: "zstd could not compress \(input.count) bytes at level \(level)",
                codec: name,
                underlying: failure
            )
        }
    }

    /// Checks, before anything is allocated, that `input` may decode to `uncompressedSize` bytes:
    /// the size the frame declares must not exceed it, and a size the frame leaves open must be
    /// plausible for the input's length, so a corrupt header cannot cost gigabytes.
    static func checkSize(_ input: UnsafeRawBufferPointer, uncompressedSize: Int) throws {
        let frameSize = ZSTD_getFrameContentSize(input.baseAddress, input.count)
        if frameSize == czstd_contentsize_error() && input.count > 0 {
            throw ParquetError(
                code: .corruptCompressedData, message: "zstd data of \(input.count) bytes does not start with a frame",
                codec: name)
        }
        let known = frameSize != czstd_contentsize_unknown() && frameSize != czstd_contentsize_error()
        if known && frameSize > UInt64(uncompressedSize) {
            throw ParquetError(
                code: .decompressedSizeMismatch,
                message: "zstd data declares \(frameSize) bytes but its page header declares \(uncompressedSize)",
                codec: name)
        }
        if (!known || frameSize < UInt64(uncompressedSize)) && uncompressedSize > max(1 << 20, input.count * 4096) {
            throw ParquetError(
                code: .decompressedSizeMismatch,
                message: "a page header declares \(uncompressedSize) bytes for \(input.count) bytes of zstd data",
                codec: name)
        }
    }

    static func decompress(_ input: UnsafeRawBufferPointer, uncompressedSize: Int) throws -> [UInt8] {
        try checkSize(input, uncompressedSize: uncompressedSize)
        return try [UInt8](unsafeUninitializedCapacity: uncompressedSize) { buffer, initialized in
            try decompress(input, into: UnsafeMutableRawBufferPointer(buffer), context: nil)
            initialized = uncompressedSize
        }
    }

    /// Decodes `input` into all of `output`, whose size the page header declares (checked with
    /// ``checkSize(_:uncompressedSize:)`` before `output` was sized); with `context`, a
    /// decompression context the caller reuses, else a one-shot one.
    static func decompress(
        _ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer, context: OpaquePointer?
    ) throws {
        let uncompressedSize = output.count
        let result = withUnsafeTemporaryAllocation(byteCount: 1, alignment: 1) { scratch in
            // zstd rejects a null destination even for an empty frame, so give it a valid address.
            let destination = output.baseAddress ?? scratch.baseAddress
            return context.map {
                ZSTD_decompressDCtx($0, destination, uncompressedSize, input.baseAddress, input.count)
            } ?? ZSTD_decompress(destination, uncompressedSize, input.baseAddress, input.count)
        }
        if ZSTD_isError(result) != 0 {
            let reason = String(cString: ZSTD_getErrorName(result))
            let tooSmall = ZSTD_getErrorCode(result) == ZSTD_error_dstSize_tooSmall
            throw ParquetError(
                code: tooSmall ? .decompressedSizeMismatch : .corruptCompressedData,
                message: tooSmall
                    ? "zstd data decodes to more than the \(uncompressedSize) bytes its page header declares"
                    : "zstd data of \(input.count) bytes could not be decoded",
                codec: name,
                underlying: reason
            )
        }
        guard result == uncompressedSize else {
            throw ParquetError(
                code: .decompressedSizeMismatch,
                message: "zstd data decodes to \(result) bytes but its page header declares \(uncompressedSize)",
                codec: name
            )
        }
    }
}
