#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#elseif canImport(ucrt)
import ucrt
#endif

/// An integer result that does not fit in 64 bits. The language reports it
/// as an error ("integer overflow"), never as a wrapped value or a null.
public struct ArithmeticOverflow: Error, Sendable, CustomStringConvertible {
    /// The operation that overflowed, as the language writes it, e.g. `+`.
    public let operation: String

    /// An overflow in `operation`.
    public init(_ operation: String) { self.operation = operation }

    /// The message the language reports, e.g. `integer overflow in '+'`.
    public var description: String { "integer overflow in '\(operation)'" }
}

/// The numeric scalar functions and operators.
///
/// Two kinds of failure are kept apart by the signatures: a nil result is
/// SQL's null (division by zero, `sqrt(-1)`, a real result that is not
/// finite), while integer overflow throws `ArithmeticOverflow`, an error.
public enum MathFunctions {
    // MARK: - Rounding

    /// `round(x, digits)`: rounds half away from zero (`round(2.5)` is 3,
    /// `round(-2.5)` is -3) to `digits` decimals; negative `digits` round to
    /// tens, hundreds, … (`round(1250, -2)` is 1300).
    ///
    /// Ties are judged on the shortest decimal text of `x`, the one output
    /// shows, so `round(2.675, 2)` is 2.68 although the nearest double to
    /// 2.675 lies slightly below it.
    ///
    /// - Returns: nil when `x` is not finite.
    public static func round(_ x: Double, digits: Int64 = 0) -> Double? {
        guard x.isFinite else { return nil }
        if x == 0 { return x }
        // Beyond these no double has a digit to keep or to drop.
        if digits > 340 { return x }
        if digits < -340 { return 0 }
        let places = Int(digits)
        if Swift.abs(places) <= 22 {
            // Powers of ten up to 1e22 are exact doubles, so away from ties
            // one multiplication and one division give the correctly
            // rounded result.
            let power = exactPowerOfTen(Swift.abs(places))
            let scaled = places >= 0 ? x * power : x / power
            if Swift.abs(scaled) >= 0x1p53 { return x }
            let fraction = Swift.abs(scaled - scaled.rounded(.towardZero))
            if Swift.abs(fraction - 0.5) > 1e-7 {
                let rounded = scaled.rounded(.toNearestOrAwayFromZero)
                return places >= 0 ? rounded / power : rounded * power
            }
        }
        return decimalRound(x, places)
    }

    /// `round(x, digits)` of an int: exact, half away from zero; the result
    /// stays an int. Non-negative `digits` leave `x` as it is.
    /// - Throws: `ArithmeticOverflow` when the rounded value does not fit
    ///   (`round(9223372036854775807, -1)`).
    public static func round(_ x: Int64, digits: Int64) throws(ArithmeticOverflow) -> Int64 {
        guard digits < 0 else { return x }
        // 10^19 exceeds Int64: every int rounds to 0 or to ±10^19, which overflows.
        guard digits >= -18 else {
            if x.magnitude >= 5_000_000_000_000_000_000 { throw ArithmeticOverflow("round") }
            return 0
        }
        var power: Int64 = 1
        for _ in 0..<Int(-digits) { power *= 10 }
        var quotient = x / power
        let remainder = x % power
        if remainder.magnitude * 2 >= power.magnitude { quotient += x < 0 ? -1 : 1 }
        let (result, overflow) = quotient.multipliedReportingOverflow(by: power)
        if overflow { throw ArithmeticOverflow("round") }
        return result
    }

    /// `floor(x)`: the largest whole number not above `x`.
    public static func floor(_ x: Double) -> Double { x.rounded(.down) }

    /// `ceil(x)`: the smallest whole number not below `x`.
    public static func ceil(_ x: Double) -> Double { x.rounded(.up) }

    // MARK: - Real functions

    /// `sqrt(x)`; nil (null) for negative `x`.
    public static func sqrt(_ x: Double) -> Double? {
        x < 0 || !x.isFinite ? nil : x.squareRoot()
    }

    /// `ln(x)`, the natural logarithm; nil (null) for `x <= 0`.
    public static func ln(_ x: Double) -> Double? {
        x <= 0 || !x.isFinite ? nil : finite(cLog(x))
    }

    /// `exp(x)`; nil (null) when the result overflows to infinity.
    public static func exp(_ x: Double) -> Double? {
        finite(cExp(x))
    }

    /// `pow(x, y)`; nil (null) when the result is not a finite real number
    /// (`pow(-8, 1/3)`, `pow(0, -1)`, `pow(10, 400)`).
    public static func pow(_ x: Double, _ y: Double) -> Double? {
        finite(cPow(x, y))
    }

    /// `abs(x)` of a number.
    public static func abs(_ x: Double) -> Double { Swift.abs(x) }

    /// `abs(x)` of an int.
    /// - Throws: `ArithmeticOverflow` for `Int64.min`, whose magnitude does not fit.
    public static func abs(_ x: Int64) throws(ArithmeticOverflow) -> Int64 {
        if x == .min { throw ArithmeticOverflow("abs") }
        return Swift.abs(x)
    }

    // MARK: - Operators

    /// `a + b` of ints.
    public static func checkedAdd(_ a: Int64, _ b: Int64) throws(ArithmeticOverflow) -> Int64 {
        let (result, overflow) = a.addingReportingOverflow(b)
        if overflow { throw ArithmeticOverflow("+") }
        return result
    }

    /// `a - b` of ints.
    public static func checkedSubtract(_ a: Int64, _ b: Int64) throws(ArithmeticOverflow) -> Int64 {
        let (result, overflow) = a.subtractingReportingOverflow(b)
        if overflow { throw ArithmeticOverflow("-") }
        return result
    }

    /// `a * b` of ints.
    public static func checkedMultiply(_ a: Int64, _ b: Int64) throws(ArithmeticOverflow) -> Int64 {
        let (result, overflow) = a.multipliedReportingOverflow(by: b)
        if overflow { throw ArithmeticOverflow("*") }
        return result
    }

    /// Unary `-x` of an int.
    public static func checkedNegate(_ x: Int64) throws(ArithmeticOverflow) -> Int64 {
        if x == .min { throw ArithmeticOverflow("-") }
        return -x
    }

    /// `a % b` of ints: the remainder of truncated division, with the sign
    /// of `a` (`-7 % 3` is -1), as in SQL. Nil (null) when `b` is 0. Never
    /// overflows: `Int64.min % -1` is 0.
    public static func remainder(_ a: Int64, _ b: Int64) -> Int64? {
        guard b != 0 else { return nil }
        return a.remainderReportingOverflow(dividingBy: b).partialValue
    }

    /// `a % b` of numbers, with the sign of `a`; nil (null) when `b` is 0.
    public static func remainder(_ a: Double, _ b: Double) -> Double? {
        guard b != 0 else { return nil }
        return finite(a.truncatingRemainder(dividingBy: b))
    }

    /// `a / b`: always real division (`7 / 2` is 3.5); nil (null) when `b`
    /// is 0 or the quotient is not finite.
    public static func divide(_ a: Double, _ b: Double) -> Double? {
        guard b != 0 else { return nil }
        return finite(a / b)
    }

    /// `a / b` of ints, as real division.
    public static func divide(_ a: Int64, _ b: Int64) -> Double? {
        divide(Double(a), Double(b))
    }

    // MARK: - Internals

    @inline(__always)
    static func finite(_ x: Double) -> Double? { x.isFinite ? x : nil }

    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    private static func exactPowerOfTen(_ exponent: Int) -> Double {
        exponent >= 0 && exponent < powersOfTen.count ? powersOfTen[exponent] : 1
    }

    /// Rounds the shortest decimal text of `x` half away from zero at
    /// `places` decimals, and reads the result back.
    static func decimalRound(_ x: Double, _ places: Int) -> Double? {
        guard let decimal = ShortestDecimal(Swift.abs(x)) else { return x }
        // Digits kept: those before the decimal point plus `places` after it.
        let kept = decimal.pointPosition + places
        if kept >= decimal.digits.count { return x }
        if kept < 0 { return 0 }
        var digits = Array(decimal.digits.prefix(kept))
        var pointPosition = decimal.pointPosition
        if decimal.digits[kept] >= 5 {
            var index = digits.count - 1
            while index >= 0 && digits[index] == 9 {
                digits[index] = 0
                index -= 1
            }
            if index >= 0 {
                digits[index] += 1
            } else {
                digits.insert(1, at: 0)
                pointPosition += 1
            }
        }
        if digits.isEmpty || digits.allSatisfy({ $0 == 0 }) { return 0 }
        let text = "0." + String(digits.map { Character(Unicode.Scalar($0 + 48)) }) + "e\(pointPosition)"
        guard let magnitude = Double(text) else { return nil }
        return finite(x < 0 ? -magnitude : magnitude)
    }
}

/// A positive double's shortest round-trip decimal: the value is
/// 0.d₁d₂d₃… × 10^pointPosition.
struct ShortestDecimal {
    var digits: [UInt8]
    var pointPosition: Int

    init?(_ x: Double) {
        // Swift prints the shortest text that reads back exactly, e.g.
        // "2.675", "1e-07", "1.2345e+20".
        var digits: [UInt8] = []
        var pointPosition: Int?
        var exponent = 0
        var exponentSign = 1
        var inExponent = false
        for byte in x.description.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if inExponent {
                    // Double exponents have at most three digits.
                    guard exponent < 10_000 else { return nil }
                    exponent = exponent * 10 + Int(byte - 48)
                } else {
                    digits.append(byte - 48)
                }
            case UInt8(ascii: "."): pointPosition = digits.count
            case UInt8(ascii: "e"), UInt8(ascii: "E"): inExponent = true
            case UInt8(ascii: "-") where inExponent: exponentSign = -1
            case UInt8(ascii: "+") where inExponent: break
            default: return nil
            }
        }
        var position = (pointPosition ?? digits.count) + exponentSign * exponent
        // Leading zeros ("0.00123") carry no digits of their own.
        let leadingZeros = digits.prefix { $0 == 0 }.count
        digits.removeFirst(leadingZeros)
        position -= leadingZeros
        guard !digits.isEmpty else { return nil }
        self.digits = digits
        self.pointPosition = position
    }
}

// Inside `MathFunctions` its own `exp`, `pow` and `log` shadow the C
// library's; these file-level names reach the C functions.
@inline(__always) private func cExp(_ x: Double) -> Double { exp(x) }
@inline(__always) private func cPow(_ x: Double, _ y: Double) -> Double { pow(x, y) }
@inline(__always) private func cLog(_ x: Double) -> Double { log(x) }
