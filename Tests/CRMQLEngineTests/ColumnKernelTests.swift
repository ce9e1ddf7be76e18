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

/// `if`, `coalesce`, `sqrt`/`ln`/`exp` and `min`/`max` over whole columns
/// against the answers row by row: nulls, constants, ints among numbers.
final class ColumnFunctionTests: XCTestCase {
    private func value(_ column: Column, _ row: Int) -> Double? {
        column.isNull(column.count == 1 ? 0 : row) ? nil : column.doubles[column.count == 1 ? 0 : row]
    }

    func testWholeColumnFunctionsAnswerAsRowByRow() throws {
        var random = SeededRandom(state: 3)
        let evaluator = ScriptCorpus.session(demo: false).runner(SourceFile(name: "", text: "")).evaluator
        let n = 700
        let x = Column(type: .number, data: .number((0..<n).map { _ in Double(random.below(2_000)) / 10 - 50 }),
                       nulls: NullBitmap(count: n) { _ in random.below(6) == 0 })
        let y = Column(type: .int, data: .int((0..<n).map { _ in Int64(random.below(40)) - 20 }),
                       nulls: NullBitmap(count: n) { _ in random.below(4) == 0 })
        let half = Column.constant(.number(0.5), type: .number)
        let nothing = Column.nulls(1, type: .null)
        let flags = Column(type: .bool, data: .bool((0..<n).map { _ in random.below(2) == 0 }),
                           nulls: NullBitmap(count: n) { _ in random.below(7) == 0 })
        for (function, f) in [(ScalarFunction.sqrt, MathFunctions.sqrt), (.ln, MathFunctions.ln), (.exp, MathFunctions.exp)] {
            let column = try XCTUnwrap(evaluator.numberColumn(function, [x], type: .number, n))
            for row in 0..<n { XCTAssertEqual(value(column, row), value(x, row).flatMap(f), "\(function) row \(row)") }
        }
        for function in [ScalarFunction.min, .max] {
            let column = try XCTUnwrap(evaluator.numberColumn(function, [half, x, y, nothing], type: .number, n))
            for row in 0..<n {
                let present = [0.5, value(x, row), value(y, row)].compactMap { $0 }
                XCTAssertEqual(value(column, row), function == .min ? present.min() : present.max(), "\(function) row \(row)")
            }
        }
        let chosen = try XCTUnwrap(evaluator.pickedColumn(.if, [flags, x, y], type: .number, n))
        let merged = try XCTUnwrap(evaluator.pickedColumn(.coalesce, [nothing, x, y, half], type: .number, n))
        for row in 0..<n {
            let condition = !flags.isNull(row) && flags.bools[row]
            XCTAssertEqual(value(chosen, row), condition ? value(x, row) : value(y, row), "if row \(row)")
            XCTAssertEqual(value(merged, row), value(x, row) ?? value(y, row) ?? 0.5, "coalesce row \(row)")
        }
        // Texts and enums are the general loop's.
        let texts = Column(type: .text, data: .text((0..<n).map { "t\($0)" }))
        XCTAssertNil(evaluator.pickedColumn(.coalesce, [texts, texts], type: .text, n))
    }
}
