import XCTest
import CRMQLStorage
@testable import CRMQLEngine

/// The bit-at-a-time selection must keep what a plain filter keeps, at every
/// length around a word's 64 rows, where an off-by-one would hide.
final class RowSelectionTests: XCTestCase {
    func testPositionsMatchAPlainFilterAtEveryWordBoundary() {
        for count in [0, 1, 2, 63, 64, 65, 127, 128, 129, 1_000] {
            for modulus in [1, 2, 3, 7, 64] {
                let passes = { (index: Int) in index % modulus == 0 }
                let expected = (0..<count).filter(passes).map { Int32($0) }
                XCTAssertEqual(RowSelection.positions(RowSelection.bits(count: count, where: passes)), expected,
                               "count \(count), every \(modulus)th")
            }
            let none = RowSelection.bits(count: count) { _ in false }
            XCTAssertEqual(RowSelection.positions(none), [])
        }
    }

    /// The eight-bytes-at-a-time test must find every byte value, next to
    /// every other (a borrow between bytes would show here), at every
    /// length around a word, with and without nulls, negated or not.
    func testByteEqualityMatchesAPlainComparison() {
        var generator = SystemRandomNumberGenerator()
        for count in [0, 1, 7, 8, 9, 63, 64, 65, 127, 128, 129, 520] {
            let values: [UInt8] = (0..<count).map { index in
                switch index % 4 {
                case 0: return UInt8(truncatingIfNeeded: index / 4)
                case 1: return 0
                case 2: return 255
                default: return UInt8.random(in: 0...255, using: &generator)
                }
            }
            for nulls in [NullBitmap(), NullBitmap(count: count) { $0 % 5 == 2 }] {
                for byte: UInt8 in [0, 1, 7, 128, 254, 255] {
                    for negated in [false, true] {
                        let bits = values.withUnsafeBufferPointer { RowSelection.bits(of: $0, equalTo: byte, negated: negated, nulls: nulls) }
                        let expected = values.indices.filter { (values[$0] == byte) != negated && !nulls.isNull($0) }.map { Int32($0) }
                        XCTAssertEqual(RowSelection.positions(bits), expected, "count \(count), byte \(byte), negated \(negated)")
                    }
                }
            }
        }
    }

    func testPickedKeepsTheRowsAtPassingIndexes() {
        let rows: [Int32] = (0..<200).map { Int32($0 * 3 + 1) }
        let bits = RowSelection.bits(count: rows.count) { $0 % 5 == 4 }
        XCTAssertEqual(RowSelection.picked(from: rows, bits), rows.indices.filter { $0 % 5 == 4 }.map { rows[$0] })
    }
}
