#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CRMQLCore

/// Where one cell's bytes are, without copying them: most cells are a range
/// of the file itself. A quoted cell with `""` escapes (or stray text after
/// its closing quote) has to be rewritten, and lives in the scanner's
/// scratch buffer instead.
struct CellSpan {
    /// Offset in the file when ≥ 0; else `-(offset + 1)` in the scratch buffer.
    var offset: Int
    /// Number of bytes, or -1 for a null cell (empty and unquoted).
    var count: Int

    static let null = CellSpan(offset: 0, count: -1)
}

/// One record the scanner has read: its place in the file and its cell count.
struct ScannedRecord {
    /// The record's bytes in the file, including its line break.
    var raw: Range<Int>
    /// 1-based physical line on which the record starts.
    var line: Int
    var cellCount: Int
    /// Set when the record cannot be used (invalid UTF-8, text after a closing quote).
    var problem: RecordProblem?
}

/// Receives the cells of a record as the scanner finds them.
protocol CellSink {
    mutating func take(_ span: CellSpan, at column: Int)
}

/// The CSV tokenizer behind `CSVReader` and the loader (rules in
/// `CSVReader`): reads one record at a time from bytes in memory, handing
/// out cell spans rather than copies, so a load never holds the file's
/// cells twice.
///
/// The buffer must stay valid while the scanner is in use; it lives inside
/// the caller's `withUnsafeBufferPointer`.
struct CSVScanner {
    static let quote = UInt8(ascii: "\"")
    static let lineFeed: UInt8 = 10
    static let carriageReturn: UInt8 = 13

    /// Where a scan stands, so a later scan can resume there (the loader
    /// reads the header, then the rows, then perhaps the rows again).
    struct Position {
        var index: Int
        var line: Int
    }

    let p: UnsafeBufferPointer<UInt8>
    let delimiter: UInt8
    let fileName: String
    private(set) var index: Int
    private(set) var line: Int
    /// Offset of the first invalid UTF-8 byte at or after `index`, or the
    /// end of the file: found for the whole file at once, which is far
    /// cheaper than validating record by record.
    private var nextInvalid: Int
    /// Rewritten cells of the records read since it was last cleared.
    var scratch: [UInt8] = []
    private let delimiterPattern: UInt64

    init(_ p: UnsafeBufferPointer<UInt8>, delimiter: UInt8, fileName: String, at position: Position) {
        self.p = p
        self.delimiter = delimiter
        self.fileName = fileName
        index = min(max(0, position.index), p.count)
        line = position.line
        nextInvalid = UTF8Check.firstInvalid(p, in: index..<p.count) ?? p.count
        delimiterPattern = UInt64(delimiter) &* 0x0101_0101_0101_0101
    }

    /// The scan's current place.
    var position: Position { Position(index: index, line: line) }

    /// Reads the next record, handing its cells to `sink`; nil at the end.
    /// Blank lines are skipped.
    /// - Throws: a `Diagnostic` for a quote that is never closed.
    @inline(__always)
    mutating func next<Sink: CellSink>(into sink: inout Sink) throws -> ScannedRecord? {
        let count = p.count
        while index < count, p[index] == CSVScanner.lineFeed || p[index] == CSVScanner.carriageReturn {
            index = skipLineBreak(at: index)
            line += 1
        }
        guard index < count else { return nil }
        let recordStart = index
        let recordLine = line
        var problemOffset = -1
        var column = 0
        while true {
            let span: CellSpan
            if index < count, p[index] == CSVScanner.quote {
                span = try quotedCell(problemOffset: &problemOffset)
            } else {
                let cellStart = index
                index = scanUnquoted(from: index)
                span = index == cellStart ? .null : CellSpan(offset: cellStart, count: index - cellStart)
            }
            sink.take(span, at: column)
            column += 1
            if index < count, p[index] == delimiter {
                index += 1
                continue
            }
            break
        }
        if index < count {
            index = skipLineBreak(at: index)
            line += 1
        }
        var problem: RecordProblem?
        if problemOffset >= 0 {
            let place = UTF8Check.location(of: problemOffset, in: p, from: recordStart, startLine: recordLine)
            problem = RecordProblem(line: place.line, column: place.column, message: "unexpected text after a closing quote")
        } else if nextInvalid < index {
            let place = UTF8Check.location(of: nextInvalid, in: p, from: recordStart, startLine: recordLine)
            problem = RecordProblem(line: place.line, column: place.column,
                                    message: "invalid UTF-8 (byte 0x\(CSVReader.hex(p[nextInvalid])))")
        }
        if nextInvalid < index {
            // Validation resumes at a record boundary, exactly where a
            // record-by-record check would start.
            nextInvalid = UTF8Check.firstInvalid(p, in: index..<count) ?? count
        }
        return ScannedRecord(raw: recordStart..<index, line: recordLine, cellCount: column, problem: problem)
    }

    /// A cell starting with a quote, `index` on that quote.
    private mutating func quotedCell(problemOffset: inout Int) throws -> CellSpan {
        let count = p.count
        let quoteLine = line
        index += 1
        let contentStart = index
        var contentEnd = index
        var scratchStart = -1
        while true {
            guard let closing = find(CSVScanner.quote, from: index) else {
                throw Diagnostic(.io, "\(fileName):\(quoteLine): unclosed quote: the quoted cell that starts on this line never ends", at: nil)
            }
            line += countLineFeeds(from: index, to: closing)
            if closing + 1 < count, p[closing + 1] == CSVScanner.quote {
                if scratchStart < 0 { scratchStart = scratch.count }
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: p[index..<closing]))
                scratch.append(CSVScanner.quote)
                index = closing + 2
            } else {
                if scratchStart >= 0 { scratch.append(contentsOf: UnsafeBufferPointer(rebasing: p[index..<closing])) }
                contentEnd = closing
                index = closing + 1
                break
            }
        }
        if index < count, p[index] != delimiter, p[index] != CSVScanner.lineFeed, p[index] != CSVScanner.carriageReturn {
            // Keep the stray text so the cell still reads, but the record is suspect.
            if problemOffset < 0 { problemOffset = index }
            let strayStart = index
            index = scanUnquoted(from: index)
            if scratchStart < 0 {
                scratchStart = scratch.count
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: p[contentStart..<contentEnd]))
            }
            scratch.append(contentsOf: UnsafeBufferPointer(rebasing: p[strayStart..<index]))
        }
        if scratchStart >= 0 { return CellSpan(offset: -(scratchStart + 1), count: scratch.count - scratchStart) }
        return CellSpan(offset: contentStart, count: contentEnd - contentStart)
    }

    /// The end of an unquoted cell: the next delimiter or line break.
    /// Looks at eight bytes at a time, since most of a file is unquoted cells.
    @inline(__always)
    private func scanUnquoted(from start: Int) -> Int {
        var index = start
        let count = p.count
        if let base = p.baseAddress {
            let raw = UnsafeRawPointer(base)
            while index + 8 <= count {
                let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                let found = CSVScanner.zeroBytes(word ^ delimiterPattern)
                    | CSVScanner.zeroBytes(word ^ 0x0A0A_0A0A_0A0A_0A0A)
                    | CSVScanner.zeroBytes(word ^ 0x0D0D_0D0D_0D0D_0D0D)
                if found != 0 { return index + found.trailingZeroBitCount >> 3 }
                index += 8
            }
        }
        while index < count {
            let byte = p[index]
            if byte == delimiter || byte == CSVScanner.lineFeed || byte == CSVScanner.carriageReturn { break }
            index += 1
        }
        return index
    }

    /// The high bit of each byte of `word` that is zero. Bits above the
    /// lowest zero byte may be false alarms, so only the lowest set bit
    /// (the first byte in memory) is meaningful.
    @inline(__always)
    private static func zeroBytes(_ word: UInt64) -> UInt64 {
        (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080
    }

    /// The index just past the line break at `index` (LF, CRLF or CR).
    @inline(__always)
    private func skipLineBreak(at index: Int) -> Int {
        if p[index] == CSVScanner.carriageReturn, index + 1 < p.count, p[index + 1] == CSVScanner.lineFeed { return index + 2 }
        return index + 1
    }

    private func find(_ byte: UInt8, from start: Int) -> Int? {
        guard let base = p.baseAddress, start < p.count else { return nil }
        guard let found = memchr(base + start, Int32(byte), p.count - start) else { return nil }
        return UnsafeRawPointer(found) - UnsafeRawPointer(base)
    }

    private func countLineFeeds(from start: Int, to end: Int) -> Int {
        CSVScanner.countLineFeeds(p, from: start, to: end)
    }

    /// Line feeds in `p[start..<end]`.
    static func countLineFeeds(_ p: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int {
        guard let base = p.baseAddress, start < end else { return 0 }
        var lines = 0
        var index = start
        while index < end, let found = memchr(base + index, Int32(lineFeed), end - index) {
            lines += 1
            index = (UnsafeRawPointer(found) - UnsafeRawPointer(base)) + 1
        }
        return lines
    }

    /// How many bytes of `p[start...]` equal `byte`, eight at a time: sizes
    /// a load's arrays from the number of lines before reading them.
    static func count(_ byte: UInt8, in p: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard let base = p.baseAddress else { return 0 }
        let raw = UnsafeRawPointer(base)
        let pattern = UInt64(byte) &* 0x0101_0101_0101_0101
        var index = max(0, start)
        var total = 0
        while index + 8 <= p.count {
            let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) ^ pattern
            // Exact per byte (unlike `zeroBytes`): a byte is zero iff its low
            // seven bits and its high bit are both clear.
            let low = (word & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7F7F_7F7F_7F7F_7F7F
            total += (~(low | word) & 0x8080_8080_8080_8080).nonzeroBitCount
            index += 8
        }
        while index < p.count {
            if p[index] == byte { total += 1 }
            index += 1
        }
        return total
    }
}

/// A sink that keeps nothing: for reading on only to find the end of the
/// file, or a quote that never closes.
struct DiscardingSink: CellSink {
    @inline(__always)
    mutating func take(_ span: CellSpan, at column: Int) {}
}

/// A sink that keeps one record's spans in order.
struct RecordSpansSink: CellSink {
    var spans: [CellSpan] = []

    @inline(__always)
    mutating func take(_ span: CellSpan, at column: Int) { spans.append(span) }
}

extension CSVScanner {
    /// The bytes of a span this scanner handed out (from the file or from
    /// `scratch`), or nil for a null cell.
    func bytes(of span: CellSpan, _ body: (CellBytes?) throws -> Void) rethrows {
        if span.count < 0 { return try body(nil) }
        if span.offset >= 0 {
            return try body(CellBytes(rebasing: p[span.offset..<(span.offset + span.count)]))
        }
        let start = -span.offset - 1
        try scratch.withUnsafeBufferPointer { try body(CellBytes(rebasing: $0[start..<(start + span.count)])) }
    }

    /// Reads on to the end of the file, keeping nothing: an unclosed quote
    /// anywhere fails a read before any other problem is reported.
    /// - Returns: the number of records read.
    mutating func skipToEnd() throws -> Int {
        var sink = DiscardingSink()
        var records = 0
        while try next(into: &sink) != nil {
            records += 1
            scratch.removeAll(keepingCapacity: true)
        }
        return records
    }
}
