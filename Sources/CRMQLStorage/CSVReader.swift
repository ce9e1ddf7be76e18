#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CRMQLCore

/// Reads CSV (RFC 4180) from raw bytes into a `TextTable`.
///
/// Rules, beyond RFC 4180:
/// - a UTF-8 byte order mark at the start is dropped;
/// - records end at LF, CRLF or a lone CR; blank lines hold no record;
/// - `""` (a quoted empty cell) is empty text, an empty unquoted cell is null;
/// - a quote inside an unquoted cell is an ordinary character.
///
/// Problems that spoil one record (text after a closing quote, invalid
/// UTF-8) are recorded in `TextTable.problems` so the loader can reject that
/// record alone; an unclosed quote swallows the rest of the file and fails
/// the read.
public enum CSVReader {
    static let quote = UInt8(ascii: "\"")
    static let lineFeed: UInt8 = 10
    static let carriageReturn: UInt8 = 13

    /// Reads a whole file.
    /// - Parameters:
    ///   - bytes: the file's bytes.
    ///   - fileName: the name messages use (`customers.csv:17: …`).
    ///   - delimiter: the cell separator, one ASCII byte.
    ///   - header: when true the first record names the columns; otherwise
    ///     columns are named `column1`, `column2`, … after the widest record.
    /// - Throws: a `Diagnostic` (phase `.io`) for an empty file, an unclosed
    ///   quote, or a header that cannot name columns.
    /// - Complexity: O(n) in the size of the file.
    /// - Parameter progress: told how much of the file is read, as the first
    ///   half of a load.
    public static func read(_ bytes: [UInt8], fileName: String, delimiter: UInt8 = UInt8(ascii: ","), header: Bool = true,
                            progress: ProgressMeter? = nil) throws -> TextTable {
        guard delimiter != quote, delimiter != lineFeed, delimiter != carriageReturn, delimiter < 0x80 else {
            throw Diagnostic(.io, "\(fileName): the delimiter must be one ASCII character other than a quote or a line break", at: nil)
        }
        var table = TextTable(source: bytes)
        table.cellBytes.reserveCapacity(bytes.count)
        let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        try bytes.withUnsafeBufferPointer { buffer in
            try parse(buffer, from: start, delimiter: delimiter, fileName: fileName, into: &table, progress: progress)
        }
        guard table.recordCount > 0 else {
            throw Diagnostic(.io, "\(fileName): the file is empty", at: nil)
        }
        if header {
            if let problem = table.problems[0] {
                throw Diagnostic(.io, problem.rendered(fileName: fileName), at: nil)
            }
            let headerLine = table.line(ofRecord: 0)
            let names = table.removeFirstRecord()
            table.headerLine = headerLine
            table.columnNames = try columnNames(names, fileName: fileName, line: headerLine)
        } else {
            var widest = 0
            for record in 0..<table.recordCount { widest = max(widest, table.cellCount(ofRecord: record)) }
            table.columnNames = (0..<widest).map { "column\($0 + 1)" }
        }
        return table
    }

    /// The column names of a header row: trimmed, an empty name becomes
    /// `columnN`, and two columns may not share a name.
    static func columnNames(_ cells: [String], fileName: String, line: Int) throws -> [String] {
        var seen = Set<String>()
        var names: [String] = []
        for (index, cell) in cells.enumerated() {
            var name = cell.trimmingSpaces
            if name.isEmpty { name = "column\(index + 1)" }
            guard seen.insert(name).inserted else {
                throw Diagnostic(.io, "\(fileName):\(line): the header names column '\(name)' twice", at: nil)
            }
            names.append(name)
        }
        return names
    }

    /// Just the header's column names, for deciding the order in which
    /// several files load (`Loader.dependencyOrder`) without reading them whole.
    public static func header(of bytes: [UInt8], delimiter: UInt8 = UInt8(ascii: ",")) -> [String] {
        var end = 0
        var inQuotes = false
        while end < bytes.count {
            let byte = bytes[end]
            if byte == quote { inQuotes.toggle() } else if !inQuotes && (byte == lineFeed || byte == carriageReturn) { break }
            end += 1
        }
        guard let table = try? read(Array(bytes[0..<end]), fileName: "", delimiter: delimiter, header: true) else { return [] }
        return table.columnNames
    }

    private static func parse(_ p: UnsafeBufferPointer<UInt8>, from start: Int, delimiter: UInt8,
                              fileName: String, into table: inout TextTable, progress: ProgressMeter?) throws {
        let count = p.count
        var index = start
        var line = 1
        var nextReport = 1 << 20
        while index < count {
            if index >= nextReport, let progress {
                progress.report(index, of: count, phase: 0...0.5)
                nextReport = index + (1 << 20)
            }
            let recordStart = index
            let recordLine = line
            // A blank line holds no record.
            if p[index] == lineFeed || p[index] == carriageReturn {
                index = skipLineBreak(p, at: index)
                line += 1
                continue
            }
            var problemOffset: Int?
            while true {
                if index < count, p[index] == quote {
                    let quoteLine = line
                    index += 1
                    while true {
                        guard let closing = find(quote, in: p, from: index) else {
                            throw Diagnostic(.io, "\(fileName):\(quoteLine): unclosed quote: the quoted cell that starts on this line never ends", at: nil)
                        }
                        line += countLineFeeds(p, from: index, to: closing)
                        table.cellBytes.append(contentsOf: UnsafeBufferPointer(rebasing: p[index..<closing]))
                        if closing + 1 < count, p[closing + 1] == quote {
                            table.cellBytes.append(quote)
                            index = closing + 2
                        } else {
                            index = closing + 1
                            break
                        }
                    }
                    if index < count, p[index] != delimiter, p[index] != lineFeed, p[index] != carriageReturn {
                        // Keep the stray text so the cell still reads, but the record is suspect.
                        if problemOffset == nil { problemOffset = index }
                        let strayStart = index
                        index = scanUnquoted(p, from: index, delimiter: delimiter)
                        table.cellBytes.append(contentsOf: UnsafeBufferPointer(rebasing: p[strayStart..<index]))
                    }
                    table.endCell(emptyText: true)
                } else {
                    let cellStart = index
                    index = scanUnquoted(p, from: index, delimiter: delimiter)
                    table.appendCell(UnsafeBufferPointer(rebasing: p[cellStart..<index]))
                }
                if index < count, p[index] == delimiter {
                    index += 1
                    continue
                }
                break
            }
            if index < count {
                index = skipLineBreak(p, at: index)
                line += 1
            }
            var problem: RecordProblem?
            if let offset = problemOffset {
                let place = UTF8Check.location(of: offset, in: p, from: recordStart, startLine: recordLine)
                problem = RecordProblem(line: place.line, column: place.column, message: "unexpected text after a closing quote")
            } else if let bad = UTF8Check.firstInvalid(p, in: recordStart..<index) {
                let place = UTF8Check.location(of: bad, in: p, from: recordStart, startLine: recordLine)
                problem = RecordProblem(line: place.line, column: place.column,
                                        message: "invalid UTF-8 (byte 0x\(hex(p[bad])))")
            }
            table.endRecord(line: recordLine, raw: recordStart..<index, problem: problem)
            if table.recordCount == 1 { reserve(for: p, from: index, cellsPerRecord: table.cellEnds.count, in: &table) }
        }
    }

    /// Sizes the table's arrays from the number of lines left, so a large
    /// file does not pay for repeated growth.
    private static func reserve(for p: UnsafeBufferPointer<UInt8>, from start: Int, cellsPerRecord: Int, in table: inout TextTable) {
        let lines = countLineFeeds(p, from: start, to: p.count) + 2
        table.cellEnds.reserveCapacity(lines * max(1, cellsPerRecord))
        table.recordLines.reserveCapacity(lines)
        table.recordRaw.reserveCapacity(lines)
        table.recordCellStarts.reserveCapacity(lines + 1)
    }

    @inline(__always)
    private static func scanUnquoted(_ p: UnsafeBufferPointer<UInt8>, from start: Int, delimiter: UInt8) -> Int {
        var index = start
        let count = p.count
        while index < count {
            let byte = p[index]
            if byte == delimiter || byte == lineFeed || byte == carriageReturn { break }
            index += 1
        }
        return index
    }

    /// The index just past the line break at `index` (LF, CRLF or CR).
    @inline(__always)
    private static func skipLineBreak(_ p: UnsafeBufferPointer<UInt8>, at index: Int) -> Int {
        if p[index] == carriageReturn, index + 1 < p.count, p[index + 1] == lineFeed { return index + 2 }
        return index + 1
    }

    private static func find(_ byte: UInt8, in p: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard let base = p.baseAddress, start < p.count else { return nil }
        guard let found = memchr(base + start, Int32(byte), p.count - start) else { return nil }
        return UnsafeRawPointer(found) - UnsafeRawPointer(base)
    }

    private static func countLineFeeds(_ p: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int {
        guard let base = p.baseAddress else { return 0 }
        var lines = 0
        var index = start
        while index < end, let found = memchr(base + index, Int32(lineFeed), end - index) {
            lines += 1
            index = (UnsafeRawPointer(found) - UnsafeRawPointer(base)) + 1
        }
        return lines
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }
}

extension String {
    /// The text without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var scalars = Substring(self).unicodeScalars[...]
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
