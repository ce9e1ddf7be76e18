import XCTest
@testable import CRMQLStorage

final class NullBitmapTests: XCTestCase {
    func testUnionHoldsTheRowsNullInEitherAndCountsThem() {
        let a = NullBitmap(count: 200) { $0 % 3 == 0 }
        let b = NullBitmap(count: 70) { $0 % 5 == 0 }
        let union = a.union(b)
        XCTAssertEqual(union, b.union(a))
        for row in 0..<200 { XCTAssertEqual(union.isNull(row), row % 3 == 0 || (row < 70 && row % 5 == 0), "row \(row)") }
        XCTAssertEqual(union.nullCount, (0..<200).filter { $0 % 3 == 0 || ($0 < 70 && $0 % 5 == 0) }.count)
        XCTAssertEqual(a.union(NullBitmap()), a)
        XCTAssertEqual(NullBitmap().union(b), b)
        XCTAssertFalse(NullBitmap().union(NullBitmap()).hasNulls)
    }
}
