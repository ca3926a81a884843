import Foundation
import ParquetLiteTestSupport
import Testing

@testable import ParquetLite

@Suite("ParquetLite value buffers: values written once into reserved room, and nothing committed on a fault")
struct ValueBufferTests {
    @Test("OutputArray keeps what was committed across growth, drops the room, adopts a first array")
    func outputArray() {
        var array = OutputArray<Int32>()
        array.reserve(4)
        #expect(array.room == 4 && array.count == 0)
        array.append(room: 3) { target in
            for index in 0..<3 { target[index] = Int32(index) }
            return 2  // a third slot was written but not committed
        }
        // Past the reservation: the array grows and keeps the committed values.
        array.append(room: 100) { target in
            for index in 0..<100 { target[index] = Int32(1000 + index) }
            return 100
        }
        #expect(array.count == 102 && array.room >= 102)
        array.append(room: 5) { _ in 0 }
        let values = array.finish()
        #expect(values == [0, 1] + (0..<100).map { Int32(1000 + $0) })
        #expect(array.count == 0)

        var adopted = OutputArray<Double>()
        adopted.append(contentsOf: [1.5, 2.5])
        adopted.append(contentsOf: [3.5])
        #expect(adopted.finish() == [1.5, 2.5, 3.5])
    }

    /// Byte arrays as Swift arrays, to compare.
    static func arrays(_ values: ParquetColumnBatch.Values) -> [[UInt8]] {
        guard case .byteArray(let arrays) = values else { return [] }
        return (0..<arrays.count).map { Array(arrays.bytes[Int(arrays.offsets[$0])..<Int(arrays.offsets[$0 + 1])]) }
    }

    @Test("gathered byte arrays of 0 to 40 bytes, in blocks, short of the room reserved: the values picked")
    func gatheredByteArrays() throws {
        let words: [[UInt8]] = [
            [], Array("abc".utf8), Array(repeating: 7, count: 16), Array(repeating: 9, count: 17),
            Array(repeating: 1, count: 40),
        ]
        let dictionary = PageDictionary(.byteArray(ParquetByteArrays(values: words)))
        #expect(dictionary.longest == 40)
        var buffer = ValueBuffer(physicalType: .byteArray, width: 0, column: "c")
        buffer.reserve(values: 2, bytes: 3)  // far too small: the room must grow
        var expected: [[UInt8]] = []
        for block in 0..<3 {
            let indices = (0..<(500 + block)).map { UInt32(($0 * 7 + block) % words.count) }
            expected += indices.map { words[Int($0)] }
            try indices.withUnsafeBufferPointer { try buffer.appendGathered(dictionary, $0) }
        }
        #expect(Self.arrays(buffer.finish()) == expected)
    }

    @Test("a PLAIN page whose last length runs past its bytes commits nothing: the values before it stay whole")
    func plainFault() throws {
        var buffer = ValueBuffer(physicalType: .byteArray, width: 0, column: "c")
        func page(_ values: [[UInt8]], claim: UInt32? = nil) -> [UInt8] {
            var bytes: [UInt8] = []
            for (index, value) in values.enumerated() {
                let length = index == values.count - 1 ? claim ?? UInt32(value.count) : UInt32(value.count)
                withUnsafeBytes(of: length.littleEndian) { bytes += $0 }
                bytes += value
            }
            return bytes
        }
        let corrupt: (String, Int) -> ParquetError = {
            ParquetError(code: .corruptMetadata, message: $0, byteOffset: $1)
        }
        let good = page([Array("one".utf8), Array("three".utf8)])
        try good.withUnsafeBytes { try buffer.appendPlainByteArrays($0, count: 2, corrupt: corrupt) }
        let bad = page([Array("lost".utf8), Array("cut".utf8)], claim: 99)
        let error = #expect(throws: ParquetError.self) {
            try bad.withUnsafeBytes { try buffer.appendPlainByteArrays($0, count: 2, corrupt: corrupt) }
        }
        #expect(error?.message.contains("99 bytes") == true)
        #expect(Self.arrays(buffer.finish()) == [Array("one".utf8), Array("three".utf8)])
    }

    @Test("a PLAIN page whose first length takes the bytes the later lengths need is refused before any copy")
    func plainLengthsPastPage() throws {
        // 20 values in 80 bytes: only 0 bytes of values fit, yet the first length (76) fits
        // in what follows it.
        var page: [UInt8] = []
        withUnsafeBytes(of: UInt32(76).littleEndian) { page += $0 }
        page += [UInt8](repeating: 0xAB, count: 76)
        var buffer = ValueBuffer(physicalType: .byteArray, width: 0, column: "c")
        let corrupt: (String, Int) -> ParquetError = {
            ParquetError(code: .corruptMetadata, message: $0, byteOffset: $1)
        }
        let error = #expect(throws: ParquetError.self) {
            try page.withUnsafeBytes { try buffer.appendPlainByteArrays($0, count: 20, corrupt: corrupt) }
        }
        #expect(error?.message.contains("run past their page") == true)
        #expect(Self.arrays(buffer.finish()) == [])
    }

    @Test("a block picking short values from a dictionary holding a long one gets room for what it picks")
    func longDictionaryValue() throws {
        let words: [[UInt8]] = [Array("short".utf8), [UInt8](repeating: 5, count: 300_000)]
        let dictionary = PageDictionary(.byteArray(ParquetByteArrays(values: words)))
        var buffer = ValueBuffer(physicalType: .byteArray, width: 0, column: "c")
        let indices = (0..<4096).map { UInt32($0 == 17 ? 1 : 0) }
        try indices.withUnsafeBufferPointer { try buffer.appendGathered(dictionary, $0) }
        #expect(Self.arrays(buffer.finish()) == indices.map { words[Int($0)] })
    }

    @Test("a dictionary column whose common values are its longest reads back whole (the room holds them all)")
    func skewedDictionary() async throws {
        // The dictionary's mean length is far below the values' mean: the room must not be
        // sized from the dictionary's mean.
        var values = (0..<300).map { "s\($0)" }
        values += Array(repeating: String(repeating: "long value ", count: 9), count: 20_000)
        let sink = ParquetMemorySink()
        let writer = try ParquetWriter(schema: try ParquetSchema([.string("s")]), sink: sink)
        try await writer.write([.strings(values)])
        try await writer.close()
        let read = try ParquetReader(bytes: sink.bytes).read()
        let column = try #require(read.columns[0].primitive)
        #expect(Self.arrays(column.values) == values.map { Array($0.utf8) })
    }
}
