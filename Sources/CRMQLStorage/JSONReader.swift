import CRMQLCore

/// Reads JSON rows into a `TextTable`: either one array of objects, or
/// objects one after another (NDJSON, one object a line).
///
/// Values become cell text the way a CSV would hold them, so one inference
/// serves both formats: strings unescaped, numbers as written, `true` and
/// `false`, `null` (or a missing field) as null, and nested arrays or objects
/// as their JSON text. Columns are the fields in order of first appearance.
public enum JSONReader {
    /// Nesting deeper than this inside a row is refused rather than risking
    /// the stack.
    public static let maximumDepth = 256

    /// Reads a whole file.
    /// - Throws: a `Diagnostic` (phase `.io`) naming the line and column of a
    ///   syntax error or invalid UTF-8, or saying the file is empty.
    /// - Parameter poll: called every 1,024 records; what it throws stops the read.
    /// - Complexity: O(n) in the size of the file.
    public static func read(_ bytes: [UInt8], fileName: String, poll: () throws -> Void = {}) throws -> TextTable {
        if let bad = UTF8Check.firstInvalid(bytes) {
            let place = UTF8Check.location(of: bad, in: bytes)
            throw Diagnostic(.io, "\(fileName):\(place.line):\(place.column): invalid UTF-8 (byte 0x\(CSVReader.hex(bytes[bad])))", at: nil)
        }
        var parser = JSONParser(bytes: bytes, fileName: fileName)
        return try parser.readTable(poll: poll)
    }
}

/// One pass over the bytes; positions are byte offsets, turned into lines
/// and columns only for messages.
private struct JSONParser {
    let bytes: [UInt8]
    let fileName: String
    var index = 0
    /// Where each field's value went: column, and its range in `values`.
    var cellColumns: [Int32] = []
    var cellRanges: [Range<Int>] = []
    var cellIsNull: [Bool] = []
    var values: [UInt8] = []
    var recordCellStarts: [Int] = [0]
    var recordStarts: [Int] = []
    var recordRaw: [Range<Int>] = []
    var problems: [Int: String] = [:]
    var columns: [String] = []
    /// Field name bytes → column, so a known name costs no `String`.
    var columnIndex = ByteKeyTable()
    /// Reused for field names.
    var scratch: [UInt8] = []
    /// Per column, the last record that had it: finds a field given twice.
    var lastSeen: [Int] = []

    init(bytes: [UInt8], fileName: String) {
        self.bytes = bytes
        self.fileName = fileName
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
    }

    mutating func readTable(poll: () throws -> Void) throws -> TextTable {
        skipWhitespace()
        guard index < bytes.count else { throw Diagnostic(.io, "\(fileName): the file is empty", at: nil) }
        switch bytes[index] {
        case UInt8(ascii: "["): try readArray(poll: poll)
        case UInt8(ascii: "{"): try readObjectLines(poll: poll)
        default: throw error("expected '[' or '{' at the start of a JSON file", at: index)
        }
        return layOut()
    }

    /// `[ {...}, {...} ]`
    mutating func readArray(poll: () throws -> Void) throws {
        index += 1
        skipWhitespace()
        if peek == UInt8(ascii: "]") {
            index += 1
        } else {
            while true {
                skipWhitespace()
                if recordStarts.count & 1023 == 0 { try poll() }
                let start = index
                try readRecord()
                recordRaw.append(start..<index)
                skipWhitespace()
                guard let byte = peek else { throw error("the array is not closed: expected ',' or ']'", at: index) }
                index += 1
                if byte == UInt8(ascii: "]") { break }
                guard byte == UInt8(ascii: ",") else { throw error("expected ',' or ']' after an array element", at: index - 1) }
            }
        }
        skipWhitespace()
        if index < bytes.count { throw error("unexpected text after the closing ']'", at: index) }
    }

    /// `{...}\n{...}\n` — each record's raw bytes run to the end of its line.
    mutating func readObjectLines(poll: () throws -> Void) throws {
        while true {
            skipWhitespace()
            guard index < bytes.count else { return }
            if recordStarts.count & 1023 == 0 { try poll() }
            let start = max(lineStart(of: index), recordRaw.last?.upperBound ?? 0)
            try readRecord()
            while let byte = peek, byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == 13 { index += 1 }
            if peek == 10 { index += 1 }
            recordRaw.append(start..<index)
        }
    }

    /// One element: an object becomes a record; anything else is a record
    /// with a problem.
    mutating func readRecord() throws {
        let record = recordStarts.count
        recordStarts.append(index)
        defer { recordCellStarts.append(cellColumns.count) }
        guard peek == UInt8(ascii: "{") else {
            let kind = describe(peek)
            try skipValue(depth: 0)
            problems[record] = "expected an object, found \(kind)"
            return
        }
        index += 1
        skipWhitespace()
        if peek == UInt8(ascii: "}") { index += 1; return }
        while true {
            skipWhitespace()
            guard peek == UInt8(ascii: "\"") else { throw error("expected a field name in quotes", at: index) }
            try readStringIntoScratch()
            skipWhitespace()
            guard peek == UInt8(ascii: ":") else { throw error("expected ':' after the field name", at: index) }
            index += 1
            skipWhitespace()
            let column: Int
            if let known = columnIndex.find(scratch[...]) {
                column = Int(known)
            } else {
                column = columns.count
                columns.append(String(decoding: scratch, as: UTF8.self))
                columnIndex.insert(scratch[...], value: Int32(truncatingIfNeeded: column))
            }
            if column == lastSeen.count { lastSeen.append(-1) }
            let repeated = lastSeen[column] == record
            lastSeen[column] = record
            if repeated, problems[record] == nil {
                problems[record] = "field '\(columns[column])' appears twice"
            }
            try readCell(column: column)
            skipWhitespace()
            guard let byte = peek else { throw error("the object is not closed: expected ',' or '}'", at: index) }
            index += 1
            if byte == UInt8(ascii: "}") { return }
            guard byte == UInt8(ascii: ",") else { throw error("expected ',' or '}' after a field", at: index - 1) }
        }
    }

    mutating func readCell(column: Int) throws {
        let start = values.count
        var isNull = false
        switch peek {
        case UInt8(ascii: "\""):
            // Moved out and back so the string reader can mutate `self` too.
            var buffer = values
            values = []
            defer { values = buffer }
            try readString(into: &buffer)
        case UInt8(ascii: "n"):
            try expectWord("null")
            isNull = true
        case UInt8(ascii: "t"):
            try expectWord("true")
            values.append(contentsOf: "true".utf8)
        case UInt8(ascii: "f"):
            try expectWord("false")
            values.append(contentsOf: "false".utf8)
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            let valueStart = index
            try skipValue(depth: 1)
            values.append(contentsOf: bytes[valueStart..<index])
        default:
            let range = try readNumber()
            values.append(contentsOf: bytes[range])
        }
        cellColumns.append(Int32(truncatingIfNeeded: column))
        cellRanges.append(start..<values.count)
        cellIsNull.append(isNull)
    }

    // MARK: Values

    /// Appends the string's unescaped bytes to `out`.
    mutating func readString(into out: inout [UInt8]) throws {
        let open = index
        index += 1
        while true {
            guard index < bytes.count else { throw error("unclosed string", at: open) }
            // Copy the run up to the next quote, backslash or control character at once.
            var runEnd = index
            while runEnd < bytes.count {
                let byte = bytes[runEnd]
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { break }
                runEnd += 1
            }
            if runEnd > index {
                out.append(contentsOf: bytes[index..<runEnd])
                index = runEnd
                continue
            }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { index += 1; return }
            if byte < 0x20 { throw error("control character in a string (escape it)", at: index) }
            guard index + 1 < bytes.count else { throw error("unclosed string", at: open) }
            let escape = bytes[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "/"): out.append(UInt8(ascii: "/"))
            case UInt8(ascii: "b"): out.append(8)
            case UInt8(ascii: "f"): out.append(12)
            case UInt8(ascii: "n"): out.append(10)
            case UInt8(ascii: "r"): out.append(13)
            case UInt8(ascii: "t"): out.append(9)
            case UInt8(ascii: "u"):
                var scalar = try readHex4(at: index - 2)
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                        throw error("unpaired surrogate in \\u escape", at: index - 6)
                    }
                    index += 2
                    let low = try readHex4(at: index - 2)
                    guard low >= 0xDC00 && low < 0xE000 else { throw error("unpaired surrogate in \\u escape", at: index - 6) }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if scalar >= 0xDC00 && scalar < 0xE000 {
                    throw error("unpaired surrogate in \\u escape", at: index - 6)
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw error("invalid \\u escape", at: index - 6) }
                out.append(contentsOf: String(Character(unicode)).utf8)
            default:
                throw error("unknown escape '\\\(String(decoding: [escape], as: UTF8.self))'", at: index - 2)
            }
        }
    }

    mutating func skipString() throws {
        try readStringIntoScratch()
    }

    /// Reads a string into `scratch`, replacing what it held.
    mutating func readStringIntoScratch() throws {
        var buffer = scratch
        scratch = []
        buffer.removeAll(keepingCapacity: true)
        defer { scratch = buffer }
        try readString(into: &buffer)
    }

    mutating func readHex4(at escapeStart: Int) throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("\\u needs four hex digits", at: escapeStart) }
        var value: UInt32 = 0
        for offset in 0..<4 {
            let byte = bytes[index + offset]
            let digit: UInt32
            switch byte {
            case 48...57: digit = UInt32(byte - 48)
            case 65...70: digit = UInt32(byte - 55)
            case 97...102: digit = UInt32(byte - 87)
            default: throw error("\\u needs four hex digits", at: escapeStart)
            }
            value = value << 4 | digit
        }
        index += 4
        return value
    }

    /// `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`
    mutating func readNumber() throws -> Range<Int> {
        let start = index
        if peek == UInt8(ascii: "-") { index += 1 }
        guard let first = peek, isDigit(first) else { throw error("expected a value", at: start) }
        index += 1
        if first != UInt8(ascii: "0") { skipDigits() }
        if peek == UInt8(ascii: ".") {
            index += 1
            guard let digit = peek, isDigit(digit) else { throw error("expected digits after '.'", at: index) }
            skipDigits()
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            index += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
            guard let digit = peek, isDigit(digit) else { throw error("expected digits in the exponent", at: index) }
            skipDigits()
        }
        return start..<index
    }

    mutating func expectWord(_ word: String) throws {
        let start = index
        for byte in word.utf8 {
            guard peek == byte else { throw error("expected a value", at: start) }
            index += 1
        }
    }

    /// Steps over any value, checking its syntax.
    mutating func skipValue(depth: Int) throws {
        guard depth <= JSONReader.maximumDepth else { throw error("values nested more than \(JSONReader.maximumDepth) deep", at: index) }
        switch peek {
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "n"): try expectWord("null")
        case UInt8(ascii: "t"): try expectWord("true")
        case UInt8(ascii: "f"): try expectWord("false")
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            let isObject = peek == UInt8(ascii: "{")
            let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
            index += 1
            skipWhitespace()
            if peek == close { index += 1; return }
            while true {
                skipWhitespace()
                if isObject {
                    guard peek == UInt8(ascii: "\"") else { throw error("expected a field name in quotes", at: index) }
                    try skipString()
                    skipWhitespace()
                    guard peek == UInt8(ascii: ":") else { throw error("expected ':' after the field name", at: index) }
                    index += 1
                    skipWhitespace()
                }
                try skipValue(depth: depth + 1)
                skipWhitespace()
                guard let byte = peek else { throw error("unclosed \(isObject ? "object" : "array")", at: index) }
                index += 1
                if byte == close { return }
                guard byte == UInt8(ascii: ",") else { throw error("expected ',' or '\(Character(Unicode.Scalar(close)))'", at: index - 1) }
            }
        default:
            _ = try readNumber()
        }
    }

    // MARK: Helpers

    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }

    mutating func skipDigits() {
        while let byte = peek, isDigit(byte) { index += 1 }
    }

    mutating func skipWhitespace() {
        while let byte = peek, byte == 32 || byte == 9 || byte == 10 || byte == 13 { index += 1 }
    }

    func lineStart(of offset: Int) -> Int {
        var start = offset
        while start > 0, bytes[start - 1] != 10 { start -= 1 }
        return start
    }

    func describe(_ byte: UInt8?) -> String {
        switch byte {
        case UInt8(ascii: "["): return "an array"
        case UInt8(ascii: "\""): return "a string"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return "a bool"
        case UInt8(ascii: "n"): return "null"
        default: return "a number"
        }
    }

    func error(_ message: String, at offset: Int) -> Diagnostic {
        let place = UTF8Check.location(of: offset, in: bytes)
        return Diagnostic(.io, "\(fileName):\(place.line):\(place.column): \(message)", at: nil)
    }

    /// Builds the table once every column is known: each record gets one
    /// cell per column, null where the object lacked the field.
    func layOut() -> TextTable {
        var table = TextTable(source: bytes)
        table.columnNames = columns
        // Lines of record starts, counted in one forward sweep.
        var line = 1
        var scanned = 0
        var row = [Int](repeating: -1, count: columns.count)
        for record in recordStarts.indices {
            let start = recordStarts[record]
            while scanned < start {
                if bytes[scanned] == 10 { line += 1 }
                scanned += 1
            }
            for slot in row.indices { row[slot] = -1 }
            for cell in recordCellStarts[record]..<recordCellStarts[record + 1] { row[Int(cellColumns[cell])] = cell }
            for cell in row {
                if cell < 0 || cellIsNull[cell] {
                    table.appendCell(EmptyCollection<UInt8>())
                } else {
                    table.appendCell(values[cellRanges[cell]], emptyText: true)
                }
            }
            let problem = problems[record].map { RecordProblem(line: line, message: $0) }
            table.endRecord(line: line, raw: recordRaw[record], problem: problem)
        }
        return table
    }
}
