import CSnappy

/// Snappy through its C API (raw snappy blocks, as Parquet stores them: no framing format).
enum SnappyCodec {
    static let name = "SNAPPY"

    static func compress(_ input: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]) throws {
        let start = output.count
        let bound = snappy_max_compressed_length(input.count)
        var written = bound
        output.append(contentsOf: repeatElement(0, count: bound))
        let status = output.withUnsafeMutableBytes { buffer in
            // snappy reads nothing from an empty input but still wants a valid pointer.
            withUnsafeTemporaryAllocation(byteCount: 1, alignment: 1) { scratch in
                snappy_compress(
                    (input.baseAddress ?? UnsafeRawPointer(scratch.baseAddress!)).assumingMemoryBound(to: CChar.self),
                    input.count,
                    (buffer.baseAddress! + start).assumingMemoryBound(to: CChar.self),
                    &written
                )
            }
        }
        guard status == SNAPPY_OK else {
            output.removeLast(bound)
            throw ParquetError(
                code: .compressionFailed,
                message: "snappy could not compress \(input.count) bytes",
                codec: name,
                underlying: "snappy_status \(status.rawValue)"
            )
        }
        output.removeLast(bound - written)
    }

    /// Checks that `input` is a snappy block declaring exactly `uncompressedSize` bytes.
    static func checkSize(_ input: UnsafeRawBufferPointer, uncompressedSize: Int) throws {
        guard let source = input.baseAddress?.assumingMemoryBound(to: CChar.self) else {
            throw ParquetError(
                code: .corruptCompressedData,
                message: "snappy data is empty; a valid snappy block holds at least its length header",
                codec: name
            )
        }
        var declared = 0
        guard snappy_uncompressed_length(source, input.count, &declared) == SNAPPY_OK else {
            throw ParquetError(
                code: .corruptCompressedData,
                message: "snappy data of \(input.count) bytes has an unreadable length header",
                codec: name
            )
        }
        guard declared == uncompressedSize else {
            throw ParquetError(
                code: .decompressedSizeMismatch,
                message: "snappy data declares \(declared) bytes but its page header declares \(uncompressedSize)",
                codec: name
            )
        }
    }

    static func decompress(_ input: UnsafeRawBufferPointer, uncompressedSize: Int) throws -> [UInt8] {
        try checkSize(input, uncompressedSize: uncompressedSize)
        return try [UInt8](unsafeUninitializedCapacity: uncompressedSize) { buffer, initialized in
            try decompress(input, into: UnsafeMutableRawBufferPointer(buffer))
            initialized = uncompressedSize
        }
    }

    /// Decodes `input`, checked with ``checkSize(_:uncompressedSize:)``, into all of `output`.
    static func decompress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws {
        let uncompressedSize = output.count
        var written = uncompressedSize
        let status = withUnsafeTemporaryAllocation(byteCount: 1, alignment: 1) { scratch in
            snappy_uncompress(
                input.baseAddress!.assumingMemoryBound(to: CChar.self), input.count,
                (output.baseAddress ?? scratch.baseAddress!).assumingMemoryBound(to: CChar.self), &written)
        }
        guard status == SNAPPY_OK else {
            throw ParquetError(
                code: .corruptCompressedData,
                message: "snappy data of \(input.count) bytes could not be decoded",
                codec: name,
                underlying: "snappy_status \(status.rawValue)"
            )
        }
        guard written == uncompressedSize else {
            throw ParquetError(
                code: .decompressedSizeMismatch,
                message: "snappy data decodes to \(written) bytes but its page header declares \(uncompressedSize)",
                codec: name
            )
        }
    }
}
