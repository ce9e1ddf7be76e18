import XCTest
import CRMQLCore
import CRMQLStorage
@testable import CRMQLEngine

/// The one-pass `x ± y` of money columns gives what counting units by
/// rounding gives, for every sign and size of decimal.
final class DecimalSumTests: XCTestCase {
    func testOnePassSumsAreTheUnitCounts() throws {
        var random = SystemRandomNumberGenerator()
        for places in 0...2 {
            let scale = Evaluator.pow10(places)
            let units = (0..<5_000).map { _ in Int64.random(in: -10_000_000_000...10_000_000_000, using: &random) }
            let xs = units.map { Double($0) / scale }
            let ys = units.reversed().map { Double($0 / 7) / scale }
            for subtract in [false, true] {
                let column = try XCTUnwrap(Evaluator.decimalSum(subtract: subtract, xs, ys, places: places))
                let expected = zip(xs, ys).map { x, y -> Double in
                    let a = Int64((x * scale).rounded()), b = Int64((y * scale).rounded())
                    return Double(subtract ? a - b : a + b) / scale
                }
                XCTAssertEqual(column.doubles, expected, "places \(places), subtract \(subtract)")
                XCTAssertEqual(column.style, .decimal(places: places))
            }
        }
        XCTAssertNil(Evaluator.decimalSum(subtract: false, [1e16], [1], places: 2), "past the exact range")
    }
}
