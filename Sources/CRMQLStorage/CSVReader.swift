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
    /// - Parameter poll: called every 64 KB or 4,096 records read; what it
    ///   throws stops the read.
    public static func read(_ bytes: [UInt8], fileName: String, delimiter: UInt8 = UInt8(ascii: ","), header: Bool = true,
                            progress: ProgressMeter? = nil, poll: () throws -> Void = {}) throws -> TextTable {
        try checkDelimiter(delimiter, fileName: fileName)
        var table = TextTable(source: bytes)
        table.cellBytes.reserveCapacity(bytes.count)
        try bytes.withUnsafeBufferPointer { p in
            var scanner = CSVScanner(p, delimiter: delimiter, fileName: fileName, at: start(of: p))
            var sink = RecordSpansSink()
            var nextReport = 1 << 20
            var nextPoll = 0
            while let record = try scanner.next(into: &sink) {
                if scanner.index >= nextPoll || table.recordCount & 4095 == 0 {
                    try poll()
                    nextPoll = scanner.index + (1 << 16)
                }
                if scanner.index >= nextReport, let progress {
                    progress.report(scanner.index, of: p.count, phase: 0...0.5)
                    nextReport = scanner.index + (1 << 20)
                }
                for span in sink.spans {
                    // An empty quoted cell is empty text; an empty unquoted one is null.
                    scanner.bytes(of: span) { cell in table.appendCell(cell ?? CellBytes(start: nil, count: 0), emptyText: cell != nil) }
                }
                table.endRecord(line: record.line, raw: record.raw, problem: record.problem)
                if table.recordCount == 1 { reserve(for: p, from: scanner.index, cellsPerRecord: sink.spans.count, in: &table) }
                sink.spans.removeAll(keepingCapacity: true)
                scanner.scratch.removeAll(keepingCapacity: true)
            }
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

    static func checkDelimiter(_ delimiter: UInt8, fileName: String) throws {
        guard delimiter != quote, delimiter != lineFeed, delimiter != carriageReturn, delimiter < 0x80 else {
            throw Diagnostic(.io, "\(fileName): the delimiter must be one ASCII character other than a quote or a line break", at: nil)
        }
    }

    /// Where reading starts: after a UTF-8 byte order mark, if any.
    static func start(of p: UnsafeBufferPointer<UInt8>) -> CSVScanner.Position {
        let bom = p.count >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF
        return CSVScanner.Position(index: bom ? 3 : 0, line: 1)
    }

    /// A file's header row, read without the rest.
    struct Header {
        var names: [String]
        var line: Int
        /// Where the data records start.
        var dataStart: CSVScanner.Position
    }

    /// Reads the header row, for a load that then reads the records itself.
    /// Fails as `read(_:fileName:delimiter:header:progress:)` would: a quote
    /// left open anywhere in the file is reported before a bad header.
    static func readHeader(_ p: UnsafeBufferPointer<UInt8>, fileName: String, delimiter: UInt8) throws -> Header {
        var scanner = CSVScanner(p, delimiter: delimiter, fileName: fileName, at: start(of: p))
        var sink = RecordSpansSink()
        guard let record = try scanner.next(into: &sink) else {
            throw Diagnostic(.io, "\(fileName): the file is empty", at: nil)
        }
        var texts: [String] = []
        for span in sink.spans {
            scanner.bytes(of: span) { cell in texts.append(cell.map { String(decoding: $0, as: UTF8.self) } ?? "") }
        }
        let dataStart = scanner.position
        do {
            if let problem = record.problem { throw Diagnostic(.io, problem.rendered(fileName: fileName), at: nil) }
            let names = try columnNames(texts, fileName: fileName, line: record.line)
            return Header(names: names, line: record.line, dataStart: dataStart)
        } catch {
            _ = try scanner.skipToEnd()
            throw error
        }
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

    /// Sizes the table's arrays from the number of lines left, so a large
    /// file does not pay for repeated growth.
    private static func reserve(for p: UnsafeBufferPointer<UInt8>, from start: Int, cellsPerRecord: Int, in table: inout TextTable) {
        let lines = CSVScanner.countLineFeeds(p, from: start, to: p.count) + 2
        table.cellEnds.reserveCapacity(lines * max(1, cellsPerRecord))
        table.recordLines.reserveCapacity(lines)
        table.recordRaw.reserveCapacity(lines)
        table.recordCellStarts.reserveCapacity(lines + 1)
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
