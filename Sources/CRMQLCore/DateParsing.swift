/// ISO 8601 date and datetime text, as literals, CSV cells and options use it.
///
/// One parser for all of them: the byte functions are what a load calls for
/// every cell, in place, and the text functions hand them a string's UTF-8.
/// They are `@inlinable` so that a load's cell loop, in another module,
/// gets them inlined as if they were its own.
public enum DateParsing {
    /// `YYYY-MM-DD` to days since 1970-01-01; nil unless it is a real calendar day.
    public static func parseDate(_ text: some StringProtocol) -> Int64? {
        var text = String(text)
        return text.withUTF8 { date($0) }
    }

    /// `YYYY-MM-DDTHH:MM[:SS[.fff]]` with an optional `Z` or `±HH:MM` offset
    /// (a space may stand for `T`), to seconds since the epoch in UTC.
    /// Fractions of a second are accepted and dropped.
    public static func parseDateTime(_ text: some StringProtocol) -> Int64? {
        var text = String(text)
        return text.withUTF8 { dateTime($0) }
    }

    /// `parseDate` of exactly these bytes.
    @inlinable @inline(__always)
    public static func date(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard bytes.count == 10 else { return nil }
        return dateDigits(bytes)
    }

    /// `parseDateTime` of exactly these bytes.
    @inlinable
    public static func dateTime(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        let count = b.count
        guard count >= 16, let days = dateDigits(b),
              b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: " "),
              let hour = digits(b, 11, 2), b[13] == UInt8(ascii: ":"), let minute = digits(b, 14, 2),
              hour < 24, minute < 60 else { return nil }
        var index = 16
        var second: Int64 = 0
        if index < count, b[index] == UInt8(ascii: ":") {
            guard let s = digits(b, index + 1, 2), s < 60 else { return nil }
            second = s
            index += 3
            if index < count, b[index] == UInt8(ascii: ".") {
                index += 1
                let start = index
                while index < count, b[index] >= 48, b[index] <= 57 { index += 1 }
                if index == start { return nil }
            }
        }
        var offset: Int64 = 0
        if index < count {
            switch b[index] {
            case UInt8(ascii: "Z"), UInt8(ascii: "z"):
                index += 1
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                let sign: Int64 = b[index] == UInt8(ascii: "-") ? -1 : 1
                guard let oh = digits(b, index + 1, 2), oh <= 23 else { return nil }
                var om: Int64 = 0
                if index + 3 < count, b[index + 3] == UInt8(ascii: ":") {
                    guard let m = digits(b, index + 4, 2), m < 60 else { return nil }
                    om = m
                    index += 6
                } else if index + 5 <= count, let m = digits(b, index + 3, 2) {
                    om = m
                    index += 5
                } else {
                    index += 3
                }
                offset = sign * (oh * 3600 + om * 60)
            default:
                return nil
            }
        }
        guard index == count else { return nil }
        return days * 86_400 + hour * 3600 + minute * 60 + second - offset
    }

    /// The calendar day written `YYYY-MM-DD` in the first ten bytes (which
    /// the caller has checked are there).
    @inlinable @inline(__always)
    static func dateDigits(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let year = digits(bytes, 0, 4), let month = digits(bytes, 5, 2), let day = digits(bytes, 8, 2) else { return nil }
        // Years 0…9999 cannot overflow Hinnant's arithmetic; the check is the calendar's.
        guard month >= 1, month <= 12, day >= 1, day <= CivilDate.daysInMonth(year: year, month: month) else { return nil }
        return CivilDate(year: year, month: month, day: day).days
    }

    /// `count` decimal digits at `start`, or nil when a byte is not a digit
    /// or the bytes run out.
    @inlinable @inline(__always)
    static func digits(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> Int64? {
        guard start >= 0, start + count <= bytes.count else { return nil }
        var value: Int64 = 0
        for index in start..<(start + count) {
            let digit = bytes[index] &- 48
            guard digit < 10 else { return nil }
            value = value * 10 + Int64(digit)
        }
        return value
    }
}
