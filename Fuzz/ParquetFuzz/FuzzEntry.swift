// libFuzzer entry point for ParquetLite's reader, compiled together with ParquetLite's sources
// by scripts/fuzz-parquet.sh (`make fuzz-parquet`). Every input is read as a whole Parquet file:
// footer, every row group, every column, and the row view of the first rows. Any outcome but a
// value or a ParquetError (a crash, another error type, a hang, a runaway allocation) is a bug.

@_cdecl("LLVMFuzzerTestOneInput")
public func parquetFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var options = ParquetReader.Options()
    options.decodesColumnsConcurrently = false
    do {
        let reader = try ParquetReader(bytes: bytes, options: options)
        _ = try reader.rowGroups(where: nil)
        var batches = reader.rowGroupBatches()
        while let (_, batch) = try batches.next() {
            for row in batch.rows.prefix(64) { _ = row.json }
        }
    } catch is ParquetError {
        return 0
    } catch {
        fatalError("ParquetReader threw a non-ParquetError: \(error)")
    }
    return 0
}
