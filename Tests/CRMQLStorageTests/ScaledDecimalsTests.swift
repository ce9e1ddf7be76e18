import CRMQLCore
import XCTest
@testable import CRMQLStorage

/// Counts of hundredths stand in for a money column only when they are
/// exact, and a comparison with any constant must keep the same rows from
/// the counts as from the doubles.
final class ScaledDecimalsTests: XCTestCase {
    func testOnlyWholeHundredthsScale() throws {
        let money = Column(type: .number, data: .number([140.24, 0, -3.5, 0.01, 21_474_836.47, 1e-2, 999_999.99]))
        let scaled = try XCTUnwrap(ScaledDecimals(column: money))
        XCTAssertEqual(scaled.counts, [14024, 0, -350, 1, 2_147_483_647, 1, 99_999_999])
        let withNull = Column(type: .number, data: .number([1.25, 0.123, 2]), nulls: NullBitmap(count: 3) { $0 == 1 })
        XCTAssertEqual(try XCTUnwrap(ScaledDecimals(column: withNull)).counts[0], 125, "a null row's value is not looked at")
        XCTAssertNil(ScaledDecimals(column: Column(type: .number, data: .number([1.5, 0.548]))), "thousandths")
        XCTAssertNil(ScaledDecimals(column: Column(type: .number, data: .number([21_474_836.48]))), "past 32 bits")
        XCTAssertNil(ScaledDecimals(column: Column(type: .number, data: .number([0.1 + 0.2]))), "not the double of 0.30")
        XCTAssertNil(ScaledDecimals(column: Column(type: .int, data: .int([1]))))
    }

    func testBoundsAgreeWithComparingTheValues() throws {
        var constants: [Double] = [0, -0.0, 500, 12.5, 12.345, -1, 0.01, 0.005, 99.99, 1e9, -1e9, 0.1 + 0.2, 1234.5678, 21_474_836.47]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            constants.append(Double(Int.random(in: -10_000_000...10_000_000, using: &generator)) / 100)
            constants.append(Double.random(in: -1e6...1e6, using: &generator))
        }
        for x in constants {
            let (atLeast, above) = try XCTUnwrap(ScaledDecimals.bounds(x), "\(x)")
            let guess = Int64((x * 100).rounded())
            for count in (guess - 6)...(guess + 6) {
                let value = ScaledDecimals.value(of: count)
                XCTAssertEqual(value > x, count >= above, "\(count) > \(x)")
                XCTAssertEqual(value >= x, count >= atLeast, "\(count) >= \(x)")
                XCTAssertEqual(value < x, count < atLeast, "\(count) < \(x)")
                XCTAssertEqual(value <= x, count < above, "\(count) <= \(x)")
                XCTAssertEqual(value == x, atLeast <= count && count < above, "\(count) == \(x)")
            }
        }
        XCTAssertNil(ScaledDecimals.bounds(.infinity))
        XCTAssertNil(ScaledDecimals.bounds(.nan))
        XCTAssertNil(ScaledDecimals.bounds(1e300))
    }
}
