import XCTest
import CRMQLCore
import CRMQLStorage
@testable import CRMQLEngine

/// `unionNulls` takes whole columns a word at a time; a one-row column
/// stands for every row, so a null constant nulls them all.
final class ColumnOpsTests: XCTestCase {
    func testUnionNullsOfColumnsAndConstants() {
        let count = 130
        let left = Column(type: .int, data: .int(Array(repeating: 1, count: count)), nulls: NullBitmap(count: count) { $0 % 4 == 1 })
        let right = Column(type: .int, data: .int(Array(repeating: 2, count: count)), nulls: NullBitmap(count: count) { $0 % 7 == 2 })
        let present = Column(type: .int, data: .int([5]))
        let absent = Column(type: .int, data: .int([0]), nulls: NullBitmap(count: 1) { _ in true })
        let cases: [(Column, Column, (Int) -> Bool)] = [
            (left, right, { $0 % 4 == 1 || $0 % 7 == 2 }),
            (left, present, { $0 % 4 == 1 }),
            (present, right, { $0 % 7 == 2 }),
            (left, absent, { _ in true }),
            (absent, present, { _ in true }),
        ]
        for (index, (a, b, expected)) in cases.enumerated() {
            let nulls = unionNulls(a, b, count: count)
            XCTAssertEqual((0..<count).map { nulls.isNull($0) }, (0..<count).map(expected), "case \(index)")
        }
        XCTAssertTrue(unionNulls(absent, present, count: 1).isNull(0))
        XCTAssertFalse(unionNulls(present, present, count: count).hasNulls)
    }
}
