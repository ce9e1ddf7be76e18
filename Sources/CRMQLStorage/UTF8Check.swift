/// UTF-8 validation over raw bytes that says where the first bad byte is, so
/// a message can name its line and column.
enum UTF8Check {
    /// Offset of the first byte in `range` that does not belong to a
    /// well-formed UTF-8 sequence, or nil when the range is valid.
    static func firstInvalid(_ p: UnsafeBufferPointer<UInt8>, in range: Range<Int>) -> Int? {
        guard let base = p.baseAddress else { return nil }
        let raw = UnsafeRawPointer(base)
        var index = max(0, range.lowerBound)
        let end = min(range.upperBound, p.count)
        while index < end {
            // Most CRM files are nearly all ASCII: skip eight bytes at a time.
            while index + 8 <= end, raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                index += 8
            }
            guard index < end else { return nil }
            let lead = p[index]
            if lead < 0x80 { index += 1; continue }
            let length: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return index
            }
            guard index + length <= end else { return index }
            let second = p[index + 1]
            guard second >= low, second <= high else { return index }
            for offset in 2..<max(2, length) where p[index + offset] & 0xC0 != 0x80 { return index }
            index += length
        }
        return nil
    }

    static func firstInvalid(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { firstInvalid($0, in: 0..<$0.count) }
    }

    /// 1-based line and character column of `offset`, counting from a point
    /// known to start line `startLine`.
    static func location(of offset: Int, in p: UnsafeBufferPointer<UInt8>, from start: Int, startLine: Int) -> (line: Int, column: Int) {
        var line = startLine
        var lineStart = start
        var index = start
        let end = min(offset, p.count)
        while index < end {
            if p[index] == 10 { line += 1; lineStart = index + 1 }
            index += 1
        }
        var column = 1
        index = lineStart
        while index < end {
            if p[index] & 0xC0 != 0x80 { column += 1 }
            index += 1
        }
        return (line, column)
    }

    static func location(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        bytes.withUnsafeBufferPointer { location(of: offset, in: $0, from: 0, startLine: 1) }
    }
}
