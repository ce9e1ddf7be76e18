import CRMQLCore

/// The bytes of one cell, pointing into the file or into a reader's buffer.
typealias CellBytes = UnsafeBufferPointer<UInt8>

/// Parses one cell's bytes as a typed value. `strict` is for inference:
/// there a number with a superfluous leading zero (`007`, `02134`) is taken
/// as an identifier-like code, so a column of zip codes stays text instead of
/// losing its zeros. A declared type parses leniently.
///
/// Everything works on the bytes in place: a load parses millions of cells,
/// and building a `String` or an array for each would cost more than the
/// parse itself.
enum CellParser {
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let minus = UInt8(ascii: "-")
    static let plus = UInt8(ascii: "+")

    /// The bytes without leading and trailing spaces and tabs.
    @inline(__always)
    static func trimmed(_ bytes: CellBytes) -> CellBytes {
        var start = 0
        var end = bytes.count
        guard end > 0, bytes[0] == space || bytes[0] == tab || bytes[end - 1] == space || bytes[end - 1] == tab else { return bytes }
        while start < end, bytes[start] == space || bytes[start] == tab { start += 1 }
        while end > start, bytes[end - 1] == space || bytes[end - 1] == tab { end -= 1 }
        return CellBytes(rebasing: bytes[start..<end])
    }

    /// `[+-]?[0-9]+` within Int64; nil on overflow.
    @inline(__always)
    static func int(_ raw: CellBytes, strict: Bool) -> Int64? {
        let bytes = trimmed(raw)
        let end = bytes.count
        var index = 0
        guard index < end else { return nil }
        var negative = false
        if bytes[index] == minus || bytes[index] == plus {
            negative = bytes[index] == minus
            index += 1
        }
        let digitsStart = index
        guard index < end else { return nil }
        if strict, bytes[index] == UInt8(ascii: "0"), index + 1 < end { return nil }
        var value: Int64 = 0
        // Eighteen digits cannot overflow, so the checks start after them.
        let safeEnd = min(end, digitsStart + 18)
        while index < safeEnd {
            let digit = bytes[index] &- 48
            guard digit < 10 else { return nil }
            value = value &* 10 &- Int64(digit)
            index += 1
        }
        while index < end {
            let digit = bytes[index] &- 48
            guard digit < 10 else { return nil }
            // Accumulate negatively so Int64.min parses too.
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = shifted.subtractingReportingOverflow(Int64(digit))
            guard !overflow1, !overflow2 else { return nil }
            value = next
            index += 1
        }
        guard index > digitsStart else { return nil }
        if negative { return value }
        let (positive, overflow) = Int64(0).subtractingReportingOverflow(value)
        return overflow ? nil : positive
    }

    /// Decimal notation only: `[+-]?(d+[.d*]|.d+)([eE][+-]?d+)?`. Words such
    /// as `inf` or `nan` and hex floats are text, and so is anything too
    /// large for a double.
    static func number(_ raw: CellBytes, strict: Bool) -> Double? {
        let bytes = trimmed(raw)
        var index = 0
        let end = bytes.count
        @inline(__always) func isDigit(_ at: Int) -> Bool { at < end && bytes[at] &- 48 < 10 }
        if index < end, bytes[index] == minus || bytes[index] == plus { index += 1 }
        let integerStart = index
        while isDigit(index) { index += 1 }
        let integerDigits = index - integerStart
        if strict, integerDigits > 1, bytes[integerStart] == UInt8(ascii: "0") { return nil }
        var fractionDigits = 0
        if index < end, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let fractionStart = index
            while isDigit(index) { index += 1 }
            fractionDigits = index - fractionStart
        }
        guard integerDigits + fractionDigits > 0 else { return nil }
        if index < end, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < end, bytes[index] == minus || bytes[index] == plus { index += 1 }
            guard isDigit(index) else { return nil }
            while isDigit(index) { index += 1 }
        }
        guard index == end else { return nil }
        if let value = fastDecimal(bytes) { return value }
        guard let value = Double(String(decoding: bytes, as: UTF8.self)), value.isFinite else { return nil }
        return value
    }

    /// 10^0 … 10^22, each exact in a double.
    private static let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    /// Clinger's fast path: a decimal whose digits fit in 2^53 and whose
    /// exponent is within ±22 converts with one correctly rounded multiply
    /// or divide. Nil sends the caller to the general (slower) conversion.
    /// Expects text already checked to be decimal notation.
    @inline(__always)
    private static func fastDecimal(_ bytes: CellBytes) -> Double? {
        var index = 0
        let end = bytes.count
        var negative = false
        if bytes[index] == minus || bytes[index] == plus {
            negative = bytes[index] == minus
            index += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        var seenPoint = false
        while index < end {
            let byte = bytes[index]
            if byte == UInt8(ascii: ".") {
                seenPoint = true
            } else if byte &- 48 < 10 {
                if mantissa != 0 || byte != 48 { digits += 1 }
                guard digits <= 18 else { return nil }
                mantissa = mantissa * 10 + UInt64(byte &- 48)
                if seenPoint { exponent -= 1 }
            } else {
                break
            }
            index += 1
        }
        if index < end {
            // An exponent: [eE][+-]?digits
            index += 1
            var exponentNegative = false
            if bytes[index] == minus || bytes[index] == plus {
                exponentNegative = bytes[index] == minus
                index += 1
            }
            var written = 0
            while index < end {
                written = written * 10 + Int(bytes[index] &- 48)
                guard written < 1000 else { return nil }
                index += 1
            }
            exponent += exponentNegative ? -written : written
        }
        guard mantissa <= 1 << 53, exponent >= -22, exponent <= 22 else { return nil }
        var value = Double(mantissa)
        value = exponent >= 0 ? value * powersOfTen[exponent] : value / powersOfTen[-exponent]
        return negative ? -value : value
    }

    /// `true` or `false`, in any case.
    @inline(__always)
    static func bool(_ raw: CellBytes) -> Bool? {
        let bytes = trimmed(raw)
        if bytes.count == 4 {
            return bytes[0] | 0x20 == UInt8(ascii: "t") && bytes[1] | 0x20 == UInt8(ascii: "r")
                && bytes[2] | 0x20 == UInt8(ascii: "u") && bytes[3] | 0x20 == UInt8(ascii: "e") ? true : nil
        }
        if bytes.count == 5 {
            return bytes[0] | 0x20 == UInt8(ascii: "f") && bytes[1] | 0x20 == UInt8(ascii: "a")
                && bytes[2] | 0x20 == UInt8(ascii: "l") && bytes[3] | 0x20 == UInt8(ascii: "s")
                && bytes[4] | 0x20 == UInt8(ascii: "e") ? false : nil
        }
        return nil
    }

    /// `YYYY-MM-DD` as days since the epoch.
    @inline(__always)
    static func date(_ raw: CellBytes) -> Int64? {
        DateParsing.date(trimmed(raw))
    }

    /// An ISO 8601 datetime as seconds since the epoch (UTC), by the rules
    /// of `DateParsing.parseDateTime`.
    static func dateTime(_ raw: CellBytes) -> Int64? {
        DateParsing.dateTime(trimmed(raw))
    }

    /// A datetime, or a date taken as its midnight.
    @inline(__always)
    static func dateOrDateTime(_ raw: CellBytes) -> Int64? {
        if let days = date(raw) {
            let (seconds, overflow) = days.multipliedReportingOverflow(by: 86_400)
            return overflow ? nil : seconds
        }
        return dateTime(raw)
    }

    /// True when the cell, without spaces, starts with a minus sign: an int
    /// cell `-0` is zero, but as a number it is negative zero.
    static func hasMinusSign(_ raw: CellBytes) -> Bool {
        let bytes = trimmed(raw)
        return bytes.count > 0 && bytes[0] == minus
    }

    // MARK: Slices, for callers holding arrays

    static func int(_ raw: ArraySlice<UInt8>, strict: Bool) -> Int64? { raw.withUnsafeBufferPointer { int($0, strict: strict) } }
    static func number(_ raw: ArraySlice<UInt8>, strict: Bool) -> Double? { raw.withUnsafeBufferPointer { number($0, strict: strict) } }
    static func bool(_ raw: ArraySlice<UInt8>) -> Bool? { raw.withUnsafeBufferPointer { bool($0) } }
    static func date(_ raw: ArraySlice<UInt8>) -> Int64? { raw.withUnsafeBufferPointer { date($0) } }
    static func dateTime(_ raw: ArraySlice<UInt8>) -> Int64? { raw.withUnsafeBufferPointer { dateTime($0) } }
    static func dateOrDateTime(_ raw: ArraySlice<UInt8>) -> Int64? { raw.withUnsafeBufferPointer { dateOrDateTime($0) } }
}
