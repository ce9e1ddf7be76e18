extension AssociationRules {
    /// A `support:` or `confidence:` threshold as an exact decimal,
    /// `significand × 10^exponent`.
    ///
    /// Ratios of group counts are compared with the threshold in integers,
    /// never in floating point: `support: 0.01` must admit an itemset found in
    /// 300 of 30,000 groups, although 300.0 / 30000.0 and the double nearest
    /// 0.01 need not compare as the decimals do.
    public struct Threshold: Sendable, Hashable, CustomStringConvertible {
        /// The decimal digits, without trailing zeros (0 for zero).
        public let significand: UInt64
        /// The power of ten the significand is scaled by.
        public let exponent: Int

        /// The documented default of `support:`, 0.01.
        public static let defaultSupport = Threshold(significand: 1, exponent: -2)
        /// The documented default of `confidence:`, 0.3.
        public static let defaultConfidence = Threshold(significand: 3, exponent: -1)

        /// `significand × 10^exponent`, normalised (trailing zeros moved
        /// into the exponent; the exponent kept within ±100,000).
        public init(significand: UInt64, exponent: Int) {
            var significand = significand
            var exponent = min(max(exponent, -100_000), 100_000)
            if significand == 0 {
                exponent = 0
            } else {
                while significand % 10 == 0 && exponent < 100_000 {
                    significand /= 10
                    exponent += 1
                }
            }
            self.significand = significand
            self.exponent = exponent
        }

        /// Parses a non-negative decimal: `0.01`, `.5`, `3`, `1e-2`, `2.5E+1`,
        /// digits optionally grouped by `_`. Nil when the text is not such a
        /// number or is negative. Significant digits beyond the nineteenth
        /// are dropped (a double never has that many).
        public init?(decimal text: String) {
            var digits: UInt64 = 0
            var exponent = 0
            var sawDigit = false
            var inFraction = false
            var full = false
            var scalars = Substring(text).unicodeScalars.drop { $0 == " " || $0 == "\t" }
            while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
            if scalars.first == "+" { scalars.removeFirst() }
            while let scalar = scalars.first {
                if scalar == "_" {
                    scalars.removeFirst()
                    continue
                }
                if scalar == "." {
                    if inFraction { return nil }
                    inFraction = true
                    scalars.removeFirst()
                    continue
                }
                guard let digit = Self.digitValue(scalar) else { break }
                scalars.removeFirst()
                sawDigit = true
                if !full {
                    let (times10, overflow1) = digits.multipliedReportingOverflow(by: 10)
                    let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit))
                    if overflow1 || overflow2 {
                        full = true
                    } else {
                        digits = sum
                        if inFraction { exponent -= 1 }
                        continue
                    }
                }
                // A digit that no longer fits: in the integer part it still
                // scales the value; in the fraction it is dropped.
                if !inFraction { exponent += 1 }
            }
            guard sawDigit else { return nil }
            if let marker = scalars.first, marker == "e" || marker == "E" {
                scalars.removeFirst()
                var negative = false
                if let sign = scalars.first, sign == "+" || sign == "-" {
                    negative = sign == "-"
                    scalars.removeFirst()
                }
                var power = 0
                var sawExponentDigit = false
                while let scalar = scalars.first, let digit = Self.digitValue(scalar) {
                    scalars.removeFirst()
                    sawExponentDigit = true
                    power = min(power * 10 + digit, 1_000_000)
                }
                guard sawExponentDigit else { return nil }
                exponent += negative ? -power : power
            }
            guard scalars.isEmpty else { return nil }
            self.init(significand: digits, exponent: exponent)
        }

        /// The threshold a number literal denotes: the shortest decimal that
        /// reads back as `value` (so `0.01` is exactly one hundredth). Nil for
        /// negative, infinite or NaN values.
        public init?(_ value: Double) {
            guard value.isFinite, value >= 0 else { return nil }
            self.init(decimal: value == 0 ? "0" : value.description)
        }

        /// The smallest count `c` with `c / total >= self`, that is
        /// ⌈self × total⌉, computed exactly (saturating at `Int.max`).
        ///
        /// - Complexity: O(1).
        public func minimumCount(outOf total: Int) -> Int {
            guard total > 0, significand > 0 else { return 0 }
            let product = UInt128(significand) * UInt128(total)  // < 2^127
            if exponent >= 0 {
                guard exponent <= 38 else { return Int.max }
                let (scaled, overflow) = product.multipliedReportingOverflow(by: Self.powerOfTen(exponent))
                return overflow || scaled > UInt128(Int.max) ? Int.max : Int(scaled)
            }
            // Beyond 10^38 the quotient is below one: any positive count passes.
            guard -exponent <= 38 else { return 1 }
            let divisor = Self.powerOfTen(-exponent)
            let quotient = (product + divisor - 1) / divisor
            return quotient > UInt128(Int.max) ? Int.max : Int(quotient)
        }

        /// True when `count / total >= self`.
        public func admits(_ count: Int, outOf total: Int) -> Bool {
            count >= minimumCount(outOf: total)
        }

        /// The threshold as a plain decimal (`0.01`), or in scientific
        /// notation when that would be long (`1e-30`).
        public var description: String {
            let digits = String(significand)
            if exponent >= 0 {
                return exponent <= 20 ? digits + String(repeating: "0", count: exponent) : "\(digits)e\(exponent)"
            }
            let fractionDigits = -exponent
            if fractionDigits > 30 { return "\(digits)e\(exponent)" }
            if fractionDigits >= digits.count {
                return "0." + String(repeating: "0", count: fractionDigits - digits.count) + digits
            }
            let split = digits.index(digits.endIndex, offsetBy: -fractionDigits)
            return String(digits[..<split]) + "." + String(digits[split...])
        }

        private static func digitValue(_ scalar: Unicode.Scalar) -> Int? {
            guard scalar.value >= 48 && scalar.value <= 57 else { return nil }
            return Int(scalar.value - 48)
        }

        /// 10^power for power in 0...38 (the largest that fits in UInt128).
        private static func powerOfTen(_ power: Int) -> UInt128 {
            var result: UInt128 = 1
            for _ in 0..<min(max(power, 0), 38) { result *= 10 }
            return result
        }
    }
}
