import XCTest
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

    func testPickedKeepsTheRowsAtPassingIndexes() {
        let rows: [Int32] = (0..<200).map { Int32($0 * 3 + 1) }
        let bits = RowSelection.bits(count: rows.count) { $0 % 5 == 4 }
        XCTAssertEqual(RowSelection.picked(from: rows, bits), rows.indices.filter { $0 % 5 == 4 }.map { rows[$0] })
    }
}
