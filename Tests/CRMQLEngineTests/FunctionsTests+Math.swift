import XCTest
@testable import CRMQLEngine

final class FunctionsMathTests: XCTestCase {
    func testRoundHalfAwayFromZero() {
        XCTAssertEqual(MathFunctions.round(2.5), 3)
        XCTAssertEqual(MathFunctions.round(-2.5), -3)
        XCTAssertEqual(MathFunctions.round(0.5), 1)
        XCTAssertEqual(MathFunctions.round(1.4999), 1)
        XCTAssertEqual(MathFunctions.round(0.49999999999999994), 0)
        XCTAssertEqual(MathFunctions.round(0), 0)
    }

    func testRoundToDigitsJudgesTiesOnTheDecimalText() {
        XCTAssertEqual(MathFunctions.round(2.675, digits: 2), 2.68)
        XCTAssertEqual(MathFunctions.round(1.005, digits: 2), 1.01)
        XCTAssertEqual(MathFunctions.round(-1.005, digits: 2), -1.01)
        XCTAssertEqual(MathFunctions.round(0.285, digits: 2), 0.29)
        XCTAssertEqual(MathFunctions.round(9.995, digits: 2), 10)
        XCTAssertEqual(MathFunctions.round(0.1 + 0.2, digits: 1), 0.3)
        XCTAssertEqual(MathFunctions.round(2.345678, digits: 2), 2.35)
        XCTAssertEqual(MathFunctions.round(-2.344, digits: 2), -2.34)
        XCTAssertEqual(MathFunctions.round(0.000123456, digits: 5), 0.00012)
        XCTAssertEqual(MathFunctions.round(0.000125, digits: 5), 0.00013)
        XCTAssertEqual(MathFunctions.round(1.23e-7, digits: 30), 1.23e-7)
        XCTAssertEqual(MathFunctions.round(Double.leastNonzeroMagnitude, digits: 400), Double.leastNonzeroMagnitude)
        XCTAssertEqual(MathFunctions.round(Double.leastNonzeroMagnitude, digits: 2), 0)
    }

    func testRoundToNegativeDigits() {
        XCTAssertEqual(MathFunctions.round(1234.5678, digits: -2), 1200)
        XCTAssertEqual(MathFunctions.round(1250.0, digits: -2), 1300)
        XCTAssertEqual(MathFunctions.round(-1250.0, digits: -2), -1300)
        XCTAssertEqual(MathFunctions.round(999.0, digits: -3), 1000)
        XCTAssertEqual(MathFunctions.round(499.0, digits: -3), 0)
        XCTAssertEqual(MathFunctions.round(123.456, digits: -400), 0)
        XCTAssertEqual(MathFunctions.round(1.5e300, digits: -300), 2e300)
    }

    func testRoundLeavesHugeAndExactValues() {
        XCTAssertEqual(MathFunctions.round(1e300, digits: 2), 1e300)
        XCTAssertEqual(MathFunctions.round(1.7976931348623157e308, digits: 2), 1.7976931348623157e308)
        XCTAssertEqual(MathFunctions.round(123.456, digits: 400), 123.456)
        XCTAssertEqual(MathFunctions.round(123.456, digits: .max), 123.456)
        XCTAssertEqual(MathFunctions.round(123.456, digits: .min), 0)
        XCTAssertNil(MathFunctions.round(.infinity))
        XCTAssertNil(MathFunctions.round(.nan, digits: 2))
    }

    func testRoundIntegers() throws {
        XCTAssertEqual(try MathFunctions.round(1250, digits: -2), 1300)
        XCTAssertEqual(try MathFunctions.round(-1250, digits: -2), -1300)
        XCTAssertEqual(try MathFunctions.round(1249, digits: -2), 1200)
        XCTAssertEqual(try MathFunctions.round(5, digits: 3), 5)
        XCTAssertEqual(try MathFunctions.round(Int64.min, digits: -18), -9_000_000_000_000_000_000)
        XCTAssertEqual(try MathFunctions.round(4_999_999_999_999_999_999, digits: -19), 0)
        XCTAssertEqual(try MathFunctions.round(123, digits: .min), 0)
        XCTAssertThrowsError(try MathFunctions.round(Int64.max, digits: -1))
        XCTAssertThrowsError(try MathFunctions.round(Int64.max, digits: -19))
        XCTAssertThrowsError(try MathFunctions.round(Int64.min, digits: -40))
    }

    func testRealFunctionsGiveNullOutsideTheirDomain() {
        XCTAssertEqual(MathFunctions.sqrt(16), 4)
        XCTAssertNil(MathFunctions.sqrt(-1))
        XCTAssertEqual(MathFunctions.sqrt(0), 0)
        XCTAssertEqual(MathFunctions.ln(1), 0)
        XCTAssertEqual(MathFunctions.ln(2.718281828459045)!, 1, accuracy: 1e-15)
        XCTAssertNil(MathFunctions.ln(0))
        XCTAssertNil(MathFunctions.ln(-3))
        XCTAssertEqual(MathFunctions.exp(0), 1)
        XCTAssertNil(MathFunctions.exp(1000))
        XCTAssertEqual(MathFunctions.exp(-1000), 0)
        XCTAssertEqual(MathFunctions.pow(2, 10), 1024)
        XCTAssertEqual(MathFunctions.pow(9, 0.5), 3)
        XCTAssertNil(MathFunctions.pow(-8, 1.0 / 3))
        XCTAssertNil(MathFunctions.pow(0, -1))
        XCTAssertNil(MathFunctions.pow(10, 400))
        XCTAssertEqual(MathFunctions.floor(-2.5), -3)
        XCTAssertEqual(MathFunctions.ceil(-2.5), -2)
        XCTAssertEqual(MathFunctions.abs(-2.5), 2.5)
    }

    func testIntegerOverflowThrows() throws {
        XCTAssertThrowsError(try MathFunctions.abs(Int64.min)) { error in
            XCTAssertEqual("\(error)", "integer overflow in 'abs'")
        }
        XCTAssertEqual(try MathFunctions.abs(Int64(-7)), 7)
        XCTAssertThrowsError(try MathFunctions.checkedAdd(.max, 1))
        XCTAssertThrowsError(try MathFunctions.checkedSubtract(.min, 1))
        XCTAssertThrowsError(try MathFunctions.checkedMultiply(.min, -1))
        XCTAssertThrowsError(try MathFunctions.checkedMultiply(4_000_000_000, 4_000_000_000))
        XCTAssertThrowsError(try MathFunctions.checkedNegate(.min))
        XCTAssertEqual(try MathFunctions.checkedAdd(.max - 1, 1), .max)
        XCTAssertEqual(try MathFunctions.checkedMultiply(-3, 7), -21)
        XCTAssertEqual(try MathFunctions.checkedNegate(.max), -.max)
    }

    func testDivisionIsRealAndZeroGivesNull() {
        XCTAssertEqual(MathFunctions.divide(Int64(7), Int64(2)), 3.5)
        XCTAssertNil(MathFunctions.divide(Int64(7), Int64(0)))
        XCTAssertNil(MathFunctions.divide(0.0, 0.0))
        XCTAssertNil(MathFunctions.divide(1e308, 1e-308))
        XCTAssertEqual(MathFunctions.divide(-1.0, 4.0), -0.25)
    }

    func testRemainder() {
        XCTAssertEqual(MathFunctions.remainder(Int64(7), Int64(3)), 1)
        XCTAssertEqual(MathFunctions.remainder(Int64(-7), Int64(3)), -1)
        XCTAssertEqual(MathFunctions.remainder(Int64(7), Int64(-3)), 1)
        XCTAssertNil(MathFunctions.remainder(Int64(7), Int64(0)))
        XCTAssertEqual(MathFunctions.remainder(Int64.min, Int64(-1)), 0)
        XCTAssertEqual(MathFunctions.remainder(7.5, 2.0), 1.5)
        XCTAssertEqual(MathFunctions.remainder(-7.5, 2.0), -1.5)
        XCTAssertNil(MathFunctions.remainder(7.5, 0.0))
    }
}
