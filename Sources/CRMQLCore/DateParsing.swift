/// ISO 8601 date and datetime text, as literals, CSV cells and options use it.
public enum DateParsing {
    /// `YYYY-MM-DD` to days since 1970-01-01; nil unless it is a real calendar day.
    public static func parseDate(_ text: some StringProtocol) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count == 10 else { return nil }
        return parseDate(bytes[...])
    }

    static func parseDate(_ bytes: ArraySlice<UInt8>) -> Int64? {
        guard bytes.count == 10 else { return nil }
        let b = Array(bytes)
        guard b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              let year = digits(b, 0, 4), let month = digits(b, 5, 2), let day = digits(b, 8, 2) else { return nil }
        let date = CivilDate(year: year, month: month, day: day)
        return date.isValid ? date.days : nil
    }

    /// `YYYY-MM-DDTHH:MM[:SS[.fff]]` with an optional `Z` or `±HH:MM` offset
    /// (a space may stand for `T`), to seconds since the epoch in UTC.
    /// Fractions of a second are accepted and dropped.
    public static func parseDateTime(_ text: some StringProtocol) -> Int64? {
        let b = Array(text.utf8)
        guard b.count >= 16, let days = parseDate(b[0..<10]),
              b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: " "),
              let hour = digits(b, 11, 2), b[13] == UInt8(ascii: ":"), let minute = digits(b, 14, 2),
              hour < 24, minute < 60 else { return nil }
        var index = 16
        var second: Int64 = 0
        if index < b.count, b[index] == UInt8(ascii: ":") {
            guard let s = digits(b, index + 1, 2), s < 60 else { return nil }
            second = s
            index += 3
            if index < b.count, b[index] == UInt8(ascii: ".") {
                index += 1
                let start = index
                while index < b.count, b[index] >= 48, b[index] <= 57 { index += 1 }
                if index == start { return nil }
            }
        }
        var offset: Int64 = 0
        if index < b.count {
            switch b[index] {
            case UInt8(ascii: "Z"), UInt8(ascii: "z"):
                index += 1
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                let sign: Int64 = b[index] == UInt8(ascii: "-") ? -1 : 1
                guard let oh = digits(b, index + 1, 2), oh <= 23 else { return nil }
                var om: Int64 = 0
                if index + 3 < b.count, b[index + 3] == UInt8(ascii: ":") {
                    guard let m = digits(b, index + 4, 2), m < 60 else { return nil }
                    om = m
                    index += 6
                } else if index + 5 <= b.count, let m = digits(b, index + 3, 2) {
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
        guard index == b.count else { return nil }
        return days * 86_400 + hour * 3600 + minute * 60 + second - offset
    }

    private static func digits(_ b: [UInt8], _ start: Int, _ count: Int) -> Int64? {
        guard start >= 0, start + count <= b.count else { return nil }
        var value: Int64 = 0
        for index in start..<(start + count) {
            let byte = b[index]
            guard byte >= 48, byte <= 57 else { return nil }
            value = value * 10 + Int64(byte - 48)
        }
        return value
    }
}
