import XCTest
@testable import CRMQLStorage

final class SetBitsTests: XCTestCase {
    /// The plain loop the decoder replaces.
    private func expected(_ words: [UInt64], base: Int) -> [Int32] {
        var rows: [Int32] = []
        for (index, word) in words.enumerated() {
            for bit in 0..<64 where word & (1 << UInt64(bit)) != 0 { rows.append(Int32(base + index * 64 + bit)) }
        }
        return rows
    }

    func testDecodesEveryDensityAndTheEightBitEdge() {
        var generator = SystemRandomNumberGenerator()
        // Empty, sparse, around eight bits a word (the unconditional
        // writes' edge), dense and full words.
        for ones in [0, 1, 3, 7, 8, 9, 16, 40, 63, 64] {
            let words: [UInt64] = (0..<200).map { _ in
                var word: UInt64 = 0
                while word.nonzeroBitCount < ones { word |= 1 << UInt64.random(in: 0..<64, using: &generator) }
                return word
            }
            XCTAssertEqual(words.withUnsafeBufferPointer { SetBits.positions($0) }, expected(words, base: 0), "\(ones) bits a word")
            XCTAssertEqual(words.withUnsafeBufferPointer { SetBits.positions($0, base: 1 << 20) }, expected(words, base: 1 << 20))
        }
        XCTAssertEqual([UInt64]().withUnsafeBufferPointer { SetBits.positions($0) }, [])
        XCTAssertEqual([UInt64(0), 0].withUnsafeBufferPointer { SetBits.positions($0) }, [])
    }

    func testDecodeAppendsFromAnOffset() {
        let words: [UInt64] = [0b1011, 0, UInt64.max]
        var out = [Int32](repeating: -1, count: 3 + 64 + SetBits.slack + 5)
        let end = words.withUnsafeBufferPointer { words in
            out.withUnsafeMutableBufferPointer { SetBits.decode(words, base: 0, into: $0, at: 5) }
        }
        XCTAssertEqual(end, 5 + 3 + 64)
        XCTAssertEqual(Array(out[0..<5]), [-1, -1, -1, -1, -1], "nothing before the offset is written")
        XCTAssertEqual(Array(out[5..<end]), expected(words, base: 0))
    }
}
