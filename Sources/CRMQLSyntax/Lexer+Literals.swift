import CRMQLCore

// Numbers, ISO dates and datetimes, and strings.
extension Lexer {
    // MARK: - Numbers and dates

    /// `42`, `1_000_000`, `3.14`, `1e6`, `2.5E-3`; or a date/datetime when the
    /// digits have the exact ISO shape `dddd-dd-dd`.
    mutating func lexNumber() {
        let start = position
        if looksLikeDate(at: start) {
            lexDate()
            return
        }
        var end = start
        var magnitude: UInt64? = 0
        var isFloat = false
        var digits: [UInt8] = []
        func scanDigits(accumulate: Bool) {
            while end < bytes.count {
                let byte = bytes[end]
                if ASCII.isDigit(byte) {
                    digits.append(byte)
                    if accumulate, let current = magnitude {
                        let (times10, overflow1) = current.multipliedReportingOverflow(by: 10)
                        let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte - ASCII.zero))
                        magnitude = overflow1 || overflow2 ? nil : sum
                    }
                    end += 1
                } else if byte == ASCII.underscore, isDigit(at: end + 1), end > start {
                    // `_` only groups digits: `1_000`, never `1_` or `1__0`.
                    end += 1
                } else {
                    break
                }
            }
        }
        scanDigits(accumulate: true)
        if end < bytes.count, bytes[end] == ASCII.dot, isDigit(at: end + 1) {
            isFloat = true
            digits.append(ASCII.dot)
            end += 1
            scanDigits(accumulate: false)
        }
        if end < bytes.count, bytes[end] | 0x20 == UInt8(ascii: "e") {
            var exponentStart = end + 1
            if exponentStart < bytes.count, bytes[exponentStart] == ASCII.plus || bytes[exponentStart] == ASCII.minus {
                exponentStart += 1
            }
            if isDigit(at: exponentStart) {
                isFloat = true
                digits.append(UInt8(ascii: "e"))
                if bytes[end + 1] == ASCII.minus { digits.append(ASCII.minus) }
                end = exponentStart
                scanDigits(accumulate: false)
            }
        }
        if identifierCharacter(at: end) {
            let wordEnd = identifierEnd(from: end)
            report("invalid number '\(text(start, wordEnd))'", start, wordEnd)
            emit(.invalid, from: start, to: wordEnd, hasError: true)
            return
        }
        if isFloat {
            let value = Double(String(decoding: digits, as: UTF8.self))
            guard let value, value.isFinite else {
                report("number '\(text(start, end))' is out of range", start, end)
                emit(.number, from: start, to: end, value: .number(0), hasError: true)
                return
            }
            emit(.number, from: start, to: end, value: .number(value))
        } else {
            // An integer too large even for its magnitude is reported by the
            // parser, which also handles the one magnitude only a minus fits.
            emit(.integer, from: start, to: end, value: .integer(magnitude))
        }
    }

    /// `dddd-dd-dd` not followed by another digit: the shape of an ISO date.
    /// `10-3` and `2026 - 03 - 31` keep their arithmetic meaning.
    func looksLikeDate(at start: Int) -> Bool {
        guard start + 10 <= bytes.count else { return false }
        for offset in 0..<10 {
            let byte = bytes[start + offset]
            let ok = offset == 4 || offset == 7 ? byte == ASCII.minus : ASCII.isDigit(byte)
            if !ok { return false }
        }
        return !isDigit(at: start + 10)
    }

    /// A date, or a datetime when `THH:MM` follows: `2026-03-31T14:30:00+08:00`.
    mutating func lexDate() {
        let start = position
        var end = start + 10
        let isDateTime = end + 6 <= bytes.count && bytes[end] == UInt8(ascii: "T")
            && isDigit(at: end + 1) && isDigit(at: end + 2) && bytes[end + 3] == ASCII.colon
            && isDigit(at: end + 4) && isDigit(at: end + 5)
        if isDateTime {
            end += 6
            if hasTwoDigits(afterSeparator: ASCII.colon, at: end) {
                end += 3
                if end < bytes.count, bytes[end] == ASCII.dot, isDigit(at: end + 1) {
                    end += 1
                    while isDigit(at: end) { end += 1 }
                }
            }
            if end < bytes.count, bytes[end] == UInt8(ascii: "Z") {
                end += 1
            } else if end < bytes.count, bytes[end] == ASCII.plus || bytes[end] == ASCII.minus,
                      isDigit(at: end + 1), isDigit(at: end + 2), hasTwoDigits(afterSeparator: ASCII.colon, at: end + 3) {
                end += 6
            }
        }
        if identifierCharacter(at: end) {
            let wordEnd = identifierEnd(from: end)
            report("invalid date '\(text(start, wordEnd))'", start, wordEnd)
            emit(.invalid, from: start, to: wordEnd, hasError: true)
            return
        }
        let literal = text(start, end)
        if isDateTime {
            if let seconds = DateParsing.parseDateTime(literal) {
                emit(.datetime, from: start, to: end, value: .datetime(seconds))
            } else {
                report("invalid datetime '\(literal)'", start, end)
                emit(.datetime, from: start, to: end, value: .datetime(0), hasError: true)
            }
        } else if let days = DateParsing.parseDate(literal) {
            emit(.date, from: start, to: end, value: .date(days))
        } else {
            report("invalid date '\(literal)'; expected a real calendar day as YYYY-MM-DD", start, end)
            emit(.date, from: start, to: end, value: .date(0), hasError: true)
        }
    }

    func hasTwoDigits(afterSeparator separator: UInt8, at index: Int) -> Bool {
        index < bytes.count && bytes[index] == separator && isDigit(at: index + 1) && isDigit(at: index + 2)
    }

    // MARK: - Strings

    /// `'...'` or `"..."` with `\\ \" \' \n \t \u{...}` escapes. A run of
    /// plain bytes is copied in one go, so a huge literal costs one scan.
    mutating func lexString() {
        let start = position
        let quote = bytes[start]
        var index = start + 1
        var segmentStart = index
        var decoded: [UInt8] = []
        var hasError = false
        while true {
            index = scanPlain(from: index, quote: quote)
            guard index < bytes.count else {
                report("unterminated string", start, start + 1, incomplete: true)
                decoded.append(contentsOf: bytes[segmentStart..<bytes.count])
                emit(.string, from: start, to: bytes.count, value: .text(String(decoding: decoded, as: UTF8.self)), hasError: true)
                return
            }
            if bytes[index] == quote { break }
            // A backslash.
            decoded.append(contentsOf: bytes[segmentStart..<index])
            let (consumed, ok) = decodeEscape(at: index, into: &decoded)
            if !ok { hasError = true }
            index += consumed
            segmentStart = index
        }
        let value: String
        if decoded.isEmpty {
            value = text(segmentStart, index)
        } else {
            decoded.append(contentsOf: bytes[segmentStart..<index])
            value = String(decoding: decoded, as: UTF8.self)
        }
        emit(.string, from: start, to: index + 1, value: .text(value), hasError: hasError)
    }

    /// The index of the next quote or backslash at or after `index`, or the end.
    func scanPlain(from index: Int, quote: UInt8) -> Int {
        bytes.withUnsafeBufferPointer { buffer in
            var cursor = index
            while cursor < buffer.count {
                let byte = buffer[cursor]
                if byte == quote || byte == ASCII.backslash { return cursor }
                cursor += 1
            }
            return cursor
        }
    }

    /// Decodes the escape whose backslash is at `index`; returns how many
    /// bytes it spans and whether it was valid (an invalid one is reported).
    mutating func decodeEscape(at index: Int, into decoded: inout [UInt8]) -> (Int, Bool) {
        guard index + 1 < bytes.count else {
            // The string is unterminated; the caller reports that.
            return (1, true)
        }
        let next = bytes[index + 1]
        switch next {
        case ASCII.backslash, ASCII.doubleQuote, ASCII.singleQuote:
            decoded.append(next)
        case UInt8(ascii: "n"):
            decoded.append(ASCII.newline)
        case UInt8(ascii: "t"):
            decoded.append(ASCII.tab)
        case UInt8(ascii: "u"):
            return decodeUnicodeEscape(at: index, into: &decoded)
        default:
            let (scalar, length) = scalar(at: index + 1)
            let shown = scalar.properties.isWhitespace || scalar.value < 0x20 ? "" : String(scalar)
            report("invalid escape sequence '\\\(shown)' in a string; use \\\\, \\\", \\', \\n, \\t or \\u{...}",
                   index, index + 1 + length)
            return (1 + length, false)
        }
        return (2, true)
    }

    /// `\u{1F600}`: one to eight hex digits naming a Unicode scalar.
    mutating func decodeUnicodeEscape(at index: Int, into decoded: inout [UInt8]) -> (Int, Bool) {
        var cursor = index + 2
        guard cursor < bytes.count, bytes[cursor] == UInt8(ascii: "{") else {
            report("invalid escape sequence '\\u'; write a Unicode scalar as \\u{hex}", index, index + 2)
            return (2, false)
        }
        cursor += 1
        var value: UInt32 = 0
        var digitCount = 0
        while cursor < bytes.count, let digit = hexValue(bytes[cursor]) {
            if digitCount < 8 { value = value << 4 | digit }
            digitCount += 1
            cursor += 1
        }
        guard cursor < bytes.count, bytes[cursor] == UInt8(ascii: "}") else {
            report("invalid escape sequence '\(text(index, cursor))'; write a Unicode scalar as \\u{hex}", index, cursor)
            return (cursor - index, false)
        }
        cursor += 1
        guard digitCount >= 1, digitCount <= 8, let scalar = Unicode.Scalar(value) else {
            report("invalid Unicode scalar '\(text(index, cursor))' in a string", index, cursor)
            return (cursor - index, false)
        }
        decoded.append(contentsOf: Array(String(scalar).utf8))
        return (cursor - index, true)
    }

    func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case ASCII.zero...ASCII.nine: return UInt32(byte - ASCII.zero)
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }
}
