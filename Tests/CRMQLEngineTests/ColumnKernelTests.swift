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
        // A null row's flag is whatever an operator left there: true on
        // one side, false on the other, so that neither may count.
        let a = pairs.map { $0.0 ?? true }, b = pairs.map { $0.1 ?? false }
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
            // A null row's flag reads false, as the row loop left it.
            for row in pairs.indices where column.isNull(row) { XCTAssertFalse(column.bools[row]) }
            XCTAssertEqual(column.nulls.words.last.map { $0 != 0 }, true, "no trailing empty words")
            let plain = Evaluator.logic(isAnd: isAnd, a, NullBitmap(), b, NullBitmap(), pairs.count)
            XCTAssertEqual(plain.bools, zip(a, b).map { isAnd ? $0 && $1 : $0 || $1 })
            XCTAssertFalse(plain.nulls.hasNulls)
        }
    }
}


/// The elementwise kernels against the row loops they replace.
final class ElementwiseKernelTests: XCTestCase {
    func testArithmeticMarksRowsThatAreNotFiniteAsNull() {
        let a: [Double] = [1, 0, -3, 1e308, 5, 7.5]
        let b: [Double] = [0, 0, 2, 1e308, -0.0, 2.5]
        let divided = ElementwiseKernels.arithmetic(.divide, a, b, count: a.count, .serial)!
        XCTAssertEqual(divided.values, [0, 0, -1.5, 1, 0, 3])
        XCTAssertEqual((0..<a.count).map(divided.nonFinite.isNull), [true, true, false, false, true, false])
        let times = ElementwiseKernels.arithmetic(.multiply, a, b, count: a.count, .serial)!
        XCTAssertEqual((0..<a.count).map(times.nonFinite.isNull), [false, false, false, true, false, false])
        let remainder = ElementwiseKernels.arithmetic(.modulo, a, [2], count: a.count, .serial)!
        XCTAssertEqual(remainder.values, [1, 0, -1, 0, 1, 1.5])
        XCTAssertFalse(remainder.nonFinite.hasNulls)
    }

    func testMorselsGiveTheSameAnswersAsOneLoop() {
        var random = SeededRandom(state: 7)
        let n = 5_000
        let a = (0..<n).map { _ in Double(random.below(200)) - 100 }, b = (0..<n).map { _ in Double(random.below(9)) }
        var split = Parallelism(threads: 2)
        split.minimumRows = 64
        split.morselRows = 128
        for op in [ArithmeticOperator.add, .subtract, .multiply, .divide, .modulo] {
            let one = ElementwiseKernels.arithmetic(op, a, b, count: n, .serial)!
            let many = ElementwiseKernels.arithmetic(op, a, b, count: n, split)!
            XCTAssertEqual(one.values, many.values)
            XCTAssertEqual(one.nonFinite, many.nonFinite)
            for row in stride(from: 0, to: n, by: 97) where b[row] != 0 {
                XCTAssertFalse(one.nonFinite.isNull(row))
            }
        }
        for op in [ComparisonOperator.equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual] {
            XCTAssertEqual(ElementwiseKernels.compare(op, a, b, count: n, split), ElementwiseKernels.compare(op, a, b, count: n, .serial))
            XCTAssertEqual(ElementwiseKernels.compare(op, a, [3], count: n, split)?.filter { $0 }.count,
                           a.filter { op.holds($0, 3) }.count)
        }
    }
}

private extension ComparisonOperator {
    func holds(_ x: Double, _ y: Double) -> Bool {
        switch self {
        case .equal: return x == y
        case .notEqual: return x != y
        case .less: return x < y
        case .lessEqual: return x <= y
        case .greater: return x > y
        case .greaterEqual: return x >= y
        }
    }
}
