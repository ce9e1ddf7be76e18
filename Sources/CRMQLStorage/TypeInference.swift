import CRMQLCore

/// Parses one cell's bytes as a typed value. `strict` is for inference:
/// there a number with a superfluous leading zero (`007`, `02134`) is taken
/// as an identifier-like code, so a column of zip codes stays text instead of
/// losing its zeros. A declared type parses leniently.
enum CellParser {
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")

    /// The bytes without leading and trailing spaces and tabs.
    @inline(__always)
    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, bytes[start] == space || bytes[start] == tab { start += 1 }
        while end > start, bytes[end - 1] == space || bytes[end - 1] == tab { end -= 1 }
        return bytes[start..<end]
    }

    /// `[+-]?[0-9]+` within Int64; nil on overflow.
    static func int(_ raw: ArraySlice<UInt8>, strict: Bool) -> Int64? {
        let bytes = trimmed(raw)
        var index = bytes.startIndex
        guard index < bytes.endIndex else { return nil }
        var negative = false
        if bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        let digitsStart = index
        guard index < bytes.endIndex else { return nil }
        if strict, bytes[index] == UInt8(ascii: "0"), index + 1 < bytes.endIndex { return nil }
        var value: Int64 = 0
        while index < bytes.endIndex {
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
    static func number(_ raw: ArraySlice<UInt8>, strict: Bool) -> Double? {
        let bytes = trimmed(raw)
        var index = bytes.startIndex
        let end = bytes.endIndex
        func isDigit(_ at: Int) -> Bool { at < end && bytes[at] &- 48 < 10 }
        if index < end, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") { index += 1 }
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
            if index < end, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") { index += 1 }
            guard isDigit(index) else { return nil }
            while isDigit(index) { index += 1 }
        }
        guard index == end else { return nil }
        if let value = fastDecimal(bytes) { return value }
        guard let value = Double(String(decoding: bytes, as: UTF8.self)), value.isFinite else { return nil }
        return value
    }

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
    private static func fastDecimal(_ bytes: ArraySlice<UInt8>) -> Double? {
        var index = bytes.startIndex
        let end = bytes.endIndex
        var negative = false
        if bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
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
            if bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
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
    static func bool(_ raw: ArraySlice<UInt8>) -> Bool? {
        let bytes = trimmed(raw)
        guard bytes.count == 4 || bytes.count == 5 else { return nil }
        let lower = bytes.map { $0 | 0x20 }
        if lower.elementsEqual("true".utf8) { return true }
        if lower.elementsEqual("false".utf8) { return false }
        return nil
    }

    /// `YYYY-MM-DD` as days since the epoch.
    static func date(_ raw: ArraySlice<UInt8>) -> Int64? {
        let bytes = trimmed(raw)
        guard bytes.count == 10 else { return nil }
        let start = bytes.startIndex
        guard bytes[start + 4] == UInt8(ascii: "-"), bytes[start + 7] == UInt8(ascii: "-"),
              let year = digits(bytes, start, 4), let month = digits(bytes, start + 5, 2),
              let day = digits(bytes, start + 8, 2) else { return nil }
        let date = CivilDate(year: year, month: month, day: day)
        return date.isValid ? date.days : nil
    }

    @inline(__always)
    private static func digits(_ bytes: ArraySlice<UInt8>, _ start: Int, _ count: Int) -> Int64? {
        var value: Int64 = 0
        for index in start..<(start + count) {
            let digit = bytes[index] &- 48
            guard digit < 10 else { return nil }
            value = value * 10 + Int64(digit)
        }
        return value
    }

    /// An ISO 8601 datetime as seconds since the epoch (UTC).
    static func dateTime(_ raw: ArraySlice<UInt8>) -> Int64? {
        let bytes = trimmed(raw)
        guard bytes.count >= 16, bytes[bytes.startIndex + 4] == UInt8(ascii: "-") else { return nil }
        return DateParsing.parseDateTime(String(decoding: bytes, as: UTF8.self))
    }

    /// A datetime, or a date taken as its midnight.
    static func dateOrDateTime(_ raw: ArraySlice<UInt8>) -> Int64? {
        if let days = date(raw) {
            let (seconds, overflow) = days.multipliedReportingOverflow(by: 86_400)
            return overflow ? nil : seconds
        }
        return dateTime(raw)
    }
}

/// What the values of one column have in common, gathered one cell at a
/// time: the rule of LANGUAGE.md section 2 (int, else number, else bool,
/// else date / datetime, else text; text with few repeated values is an enum).
struct ColumnInference {
    /// Text columns with more distinct values than this are not enums.
    static let maximumEnumSymbols = 256

    private var canInt = true
    private var canNumber = true
    private var canBool = true
    private var canDate = true
    private var canDateOrDateTime = true
    private(set) var nonNullCount = 0
    /// Distinct texts while there are few enough for an enum; nil after.
    private var distinct: ByteKeyTable? = ByteKeyTable()

    mutating func add(_ cell: ArraySlice<UInt8>) {
        nonNullCount += 1
        if distinct != nil {
            distinct?.insert(cell, value: 0)
            if let count = distinct?.count, count > ColumnInference.maximumEnumSymbols { distinct = nil }
        }
        if canInt || canNumber {
            if (canInt && CellParser.int(cell, strict: true) != nil) {
                canBool = false; canDate = false; canDateOrDateTime = false
                return
            }
            canInt = false
            if canNumber && CellParser.number(cell, strict: true) != nil {
                canBool = false; canDate = false; canDateOrDateTime = false
                return
            }
            canNumber = false
        }
        if canBool {
            if CellParser.bool(cell) != nil {
                canDate = false; canDateOrDateTime = false
                return
            }
            canBool = false
        }
        if canDateOrDateTime {
            // A date fits a date column and a datetime one (as its midnight).
            if CellParser.date(cell) != nil { return }
            canDate = false
            if CellParser.dateTime(cell) == nil { canDateOrDateTime = false }
        }
    }

    /// The inferred type. A column with no values at all is text.
    func type(allowEnum: Bool) -> DataType {
        guard nonNullCount > 0 else { return .text }
        if canInt { return .int }
        if canNumber { return .number }
        if canBool { return .bool }
        if canDate { return .date }
        if canDateOrDateTime { return .datetime }
        if allowEnum, let distinct, distinct.count <= nonNullCount / 2 {
            return .enumeration(EnumType(distinct.texts.sorted()))
        }
        return .text
    }

    /// True when every value was a date or a datetime and at least one had a time.
    var sawOnlyDatesOrDateTimes: Bool { nonNullCount > 0 && canDateOrDateTime }
}
