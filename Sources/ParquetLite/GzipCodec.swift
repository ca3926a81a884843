import CZlib

/// GZIP through zlib: one gzip member when compressing; when decompressing, every member of a
/// concatenation, as the Parquet spec asks of readers.
enum GzipCodec {
    static let name = "GZIP"

    static func compress(_ input: UnsafeRawBufferPointer, level: Int32, appendingTo output: inout [UInt8]) throws {
        guard (1...9).contains(level) else {
            throw ParquetError(code: .invalidArgument, message: "gzip level \(level) is outside 1...9", codec: name)
        }
        var stream = z_stream()
        guard czlib_deflate_init_gzip(&stream, level) == Z_OK else {
            throw ParquetError(code: .compressionFailed, message: "zlib could not start a gzip stream", codec: name)
        }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(input.count)))
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: bound))
        let status = output.withUnsafeMutableBytes { buffer -> Int32 in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(input.count)
            stream.next_out = (buffer.baseAddress! + start).assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(bound)
            return deflate(&stream, Z_FINISH)
        }
        output.removeLast(Int(stream.avail_out))
        guard status == Z_STREAM_END else {
            output.removeSubrange(start...)
            throw ParquetError(
                code: .compressionFailed, message: "zlib could not compress \(input.count) bytes", codec: name,
                underlying: "deflate returned \(status)")
        }
    }

    static func decompress(_ input: UnsafeRawBufferPointer, uncompressedSize: Int) throws -> [UInt8] {
        // Deflate expands at most 1032:1: a larger declared size is corrupt, and refusing it
        // before allocating keeps a corrupt header from costing gigabytes.
        guard uncompressedSize <= input.count * 1032 + 1024 else {
            throw ParquetError(
                code: .decompressedSizeMismatch,
                message: "a page header declares \(uncompressedSize) bytes for \(input.count) bytes of gzip data",
                codec: name)
        }
        var output = [UInt8](repeating: 0, count: uncompressedSize)
        var produced = 0
        var consumed = 0
        // Members follow one another until the input ends.
        while consumed < input.count {
            var stream = z_stream()
            guard czlib_inflate_init_gzip(&stream) == Z_OK else {
                throw ParquetError(code: .corruptCompressedData, message: "zlib could not start inflating", codec: name)
            }
            defer { inflateEnd(&stream) }
            let status = output.withUnsafeMutableBytes { buffer -> Int32 in
                var spare: UInt8 = 0
                stream.next_in = UnsafeMutablePointer(
                    mutating: (input.baseAddress! + consumed).assumingMemoryBound(to: Bytef.self))
                stream.avail_in = uInt(input.count - consumed)
                if produced < uncompressedSize {
                    stream.next_out = (buffer.baseAddress! + produced).assumingMemoryBound(to: Bytef.self)
                    stream.avail_out = uInt(uncompressedSize - produced)
                    return inflate(&stream, Z_FINISH)
                }
                // No room left: any output at all means the data is longer than declared.
                return withUnsafeMutablePointer(to: &spare) { pointer in
                    stream.next_out = pointer
                    stream.avail_out = 1
                    return inflate(&stream, Z_FINISH)
                }
            }
            let wrote = Int(stream.total_out)
            guard status == Z_STREAM_END, produced + wrote <= uncompressedSize else {
                if status == Z_BUF_ERROR || produced + wrote > uncompressedSize || status == Z_OK {
                    throw ParquetError(
                        code: .decompressedSizeMismatch,
                        message: "gzip data does not decode to the \(uncompressedSize) bytes its header declares",
                        codec: name)
                }
                throw ParquetError(
                    code: .corruptCompressedData, message: "gzip data is corrupt or truncated", codec: name,
                    underlying: stream.msg.map { String(cString: $0) } ?? "inflate returned \(status)")
            }
            produced += wrote
            consumed += Int(stream.total_in)
        }
        guard produced == uncompressedSize else {
            throw ParquetError(
                code: .decompressedSizeMismatch,
                message: "gzip data decodes to \(produced) bytes but its header declares \(uncompressedSize)",
                codec: name)
        }
        return output
    }
}
