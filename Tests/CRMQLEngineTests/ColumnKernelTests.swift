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

/// `and` and `or` over whole columns of flags give SQL's three-valued answers.
final class LogicColumnTests: XCTestCase {
    func testThreeValuedLogicOverArrays() {
        // Every pair of false, true and null, repeated past a word of rows.
        let states: [Bool?] = [false, true, nil]
        let pairs = (0..<300).map { (states[$0 % 3], states[($0 / 3) % 3]) }
        let a = pairs.map { $0.0 ?? false }, b = pairs.map { $0.1 ?? false }
        let aNulls = NullBitmap(count: pairs.count) { pairs[$0].0 == nil }
        let bNulls = NullBitmap(count: pairs.count) { pairs[$0].1 == nil }
        for isAnd in [true, false] {
            let column = Evaluator.logic(isAnd: isAnd, a, aNulls, b, bNulls, pairs.count)
            for (row, (x, y)) in pairs.enumerated() {
                let expected: Bool?
                if isAnd {
                    expected = x == false || y == false ? false : (x == nil || y == nil ? nil : true)
                } else {
                    expected = x == true || y == true ? true : (x == nil || y == nil ? nil : false)
                }
                let actual: Bool? = column.isNull(row) ? nil : column.bools[row]
                XCTAssertEqual(actual, expected, "\(isAnd ? "and" : "or") of \(String(describing: x)), \(String(describing: y))")
            }
            let plain = Evaluator.logic(isAnd: isAnd, a, NullBitmap(), b, NullBitmap(), pairs.count)
            XCTAssertEqual(plain.bools, zip(a, b).map { isAnd ? $0 && $1 : $0 || $1 })
            XCTAssertFalse(plain.nulls.hasNulls)
        }
    }
}
