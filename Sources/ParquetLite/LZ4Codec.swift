import CLZ4

/// LZ4 pages: LZ4_RAW (a bare LZ4 block, the codec Parquet recommends) both ways, and the
/// deprecated LZ4 codec for reading, which old Hadoop-based writers framed as blocks each led by
/// big-endian 4-byte uncompressed and compressed sizes (read as a bare block when that framing
/// does not fit, as Arrow does).
enum LZ4Codec {
    static let name = "LZ4_RAW"

    static func compress(_ input: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]) throws {
        guard input.count <= Int(LZ4_MAX_INPUT_SIZE) else {
            throw ParquetError(
                code: .compressionFailed, message: "LZ4 cannot compress a page of \(input.count) bytes", codec: name)
        }
        let bound = Int(LZ4_compressBound(Int32(input.count)))
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: bound))
        let written = output.withUnsafeMutableBytes { buffer in
            LZ4_compress_default(
                input.baseAddress?.assumingMemoryBound(to: CChar.self),
                (buffer.baseAddress! + start).assumingMemoryBound(to: CChar.self), Int32(input.count), Int32(bound))
        }
        guard written > 0 || input.isEmpty else {
            output.removeLast(bound)
            throw ParquetError(code: .compressionFailed, message: "LZ4 failed to compress a page", codec: name)
        }
        output.removeLast(bound - Int(written))
    }

    /// Decodes one LZ4 block into exactly `size` bytes at `target`; `false` when it does not.
    private static func block(_ input: UnsafeRawBufferPointer, into target: UnsafeMutableRawBufferPointer) -> Bool {
        guard input.count <= Int(Int32.max), target.count <= Int(Int32.max) else { return false }
        if target.isEmpty { return input.count == 1 && input[0] == 0 || input.isEmpty }
        let written = LZ4_decompress_safe(
            input.baseAddress?.assumingMemoryBound(to: CChar.self),
            target.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(input.count), Int32(target.count))
        return written == target.count
    }

    /// LZ4_RAW: one block that must decode to exactly `uncompressedSize` bytes. The block is
    /// decoded with one byte of room to spare, so that a block one byte longer than declared is
    /// told apart (a size mismatch) from a corrupt one.
    static func decompressRaw(_ input: UnsafeRawBufferPointer, uncompressedSize: Int, codec: String = name) throws
        -> [UInt8]
    {
        try plausible(input, uncompressedSize, codec)
        guard input.count <= Int(Int32.max), uncompressedSize < Int(Int32.max) else {
            throw ParquetError(code: .corruptCompressedData, message: "\(codec) data over 2 GiB", codec: codec)
        }
        if uncompressedSize == 0 && (input.isEmpty || input.count == 1 && input[0] == 0) { return [] }
        var output = [UInt8](repeating: 0, count: uncompressedSize + 1)
        let written = output.withUnsafeMutableBytes { target in
            LZ4_decompress_safe(
                input.baseAddress?.assumingMemoryBound(to: CChar.self),
                target.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(input.count), Int32(target.count))
        }
        guard written >= 0 else {
            throw ParquetError(
                code: .corruptCompressedData,
                message:
                    "\(codec) data of \(input.count) bytes could not be decoded into the \(uncompressedSize) bytes its page header declares",
                codec: codec)
        }
        guard Int(written) == uncompressedSize else {
            throw ParquetError(
                code: .decompressedSizeMismatch,
                message:
                    "\(codec) data decodes to \(written == uncompressedSize + 1 ? "more than" : "\(written)") bytes but its page header declares \(uncompressedSize)",
                codec: codec)
        }
        output.removeLast()
        return output
    }

    /// The deprecated LZ4 codec: Hadoop-framed blocks, else one bare block.
    static func decompressHadoop(_ input: UnsafeRawBufferPointer, uncompressedSize: Int) throws -> [UInt8] {
        try plausible(input, uncompressedSize, "LZ4")
        var output = [UInt8](repeating: 0, count: uncompressedSize)
        let framed = output.withUnsafeMutableBytes { target -> Bool in
            var position = 0
            var written = 0
            func bigEndian(_ at: Int) -> Int { (0..<4).reduce(0) { $0 << 8 | Int(input[at + $1]) } }
            while position < input.count {
                guard input.count - position >= 8 else { return false }
                let size = bigEndian(position)
                let compressed = bigEndian(position + 4)
                position += 8
                guard compressed <= input.count - position, size <= target.count - written else { return false }
                let source = UnsafeRawBufferPointer(rebasing: input[position..<(position + compressed)])
                guard block(source, into: UnsafeMutableRawBufferPointer(rebasing: target[written..<(written + size)]))
                else { return false }
                position += compressed
                written += size
            }
            return written == target.count
        }
        if framed { return output }
        return try decompressRaw(input, uncompressedSize: uncompressedSize, codec: "LZ4")
    }

    /// LZ4 expands at most 255:1; a page header claiming more is corrupt, and is refused before
    /// anything is allocated for it.
    private static func plausible(_ input: UnsafeRawBufferPointer, _ size: Int, _ codec: String) throws {
        guard size <= max(64, input.count * 255) else {
            throw ParquetError(
                code: .decompressedSizeMismatch,
                message: "a page header declares \(size) bytes for \(input.count) bytes of LZ4 data", codec: codec)
        }
    }
}
