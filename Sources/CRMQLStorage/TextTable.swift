/// A problem that makes one record unusable while the rest of the file still
/// reads: with `skip_bad` the record is rejected, otherwise it fails the load.
public struct RecordProblem: Sendable, Hashable {
    /// 1-based physical line of the problem (a quoted cell may span lines).
    public var line: Int
    /// 1-based column in characters, when the problem has a precise place.
    public var column: Int?
    /// What is wrong, without the file and line.
    public var message: String

    /// A problem at a line and, optionally, a column.
    public init(line: Int, column: Int? = nil, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    /// `file:line[:column]: message`.
    public func rendered(fileName: String) -> String {
        if let column { return "\(fileName):\(line):\(column): \(message)" }
        return "\(fileName):\(line): \(message)"
    }
}

/// The cells of a CSV or JSON file before they are typed: what the readers
/// produce and the loader consumes.
///
/// Cells are kept as UTF-8 bytes in one flat buffer rather than one `String`
/// each, so a million-row file costs a handful of arrays, and type inference
/// can test `42` as an int without building text first.
public struct TextTable: Sendable {
    /// Column names: the header row, the JSON keys in order of first
    /// appearance, or `column1`, `column2`, … without a header.
    public internal(set) var columnNames: [String] = []
    /// 1-based line of the header row, when the file has one.
    public internal(set) var headerLine: Int?
    /// The file's bytes, which each record's raw range points into.
    public let source: [UInt8]
    var cellBytes: [UInt8] = []
    /// End offset in `cellBytes` of each cell; a cell starts where the
    /// previous one ends.
    var cellEnds: [Int] = []
    /// Empty cells that are empty text (`""` in CSV, `""` in JSON) rather than
    /// null. Sparse: most files have none.
    var emptyTextCells: Set<Int> = []
    /// Index in `cellEnds` of each record's first cell, plus one past the end.
    var recordCellStarts: [Int] = [0]
    var recordLines: [Int] = []
    var recordRaw: [Range<Int>] = []
    /// Records that could not be read cleanly, by record index.
    public internal(set) var problems: [Int: RecordProblem] = [:]

    init(source: [UInt8]) {
        self.source = source
    }

    /// Number of data records (the header is not one).
    public var recordCount: Int { recordLines.count }

    /// 1-based physical line on which a record starts.
    public func line(ofRecord record: Int) -> Int { recordLines[record] }

    /// The record's exact bytes in the file, including its line break when it
    /// has one: what a `.rejected` file repeats unchanged.
    public func rawBytes(ofRecord record: Int) -> ArraySlice<UInt8> { source[recordRaw[record]] }

    /// How many cells the record has.
    public func cellCount(ofRecord record: Int) -> Int {
        recordCellStarts[record + 1] - recordCellStarts[record]
    }

    /// The bytes of a cell, or nil when the cell is null (empty and not
    /// quoted) or missing.
    @inline(__always)
    public func cell(_ record: Int, _ column: Int) -> ArraySlice<UInt8>? {
        let cellIndex = recordCellStarts[record] + column
        guard column >= 0, cellIndex < recordCellStarts[record + 1] else { return nil }
        let start = cellIndex == 0 ? 0 : cellEnds[cellIndex - 1]
        let end = cellEnds[cellIndex]
        if start == end && !emptyTextCells.contains(cellIndex) { return nil }
        return cellBytes[start..<end]
    }

    /// The text of a cell, or nil when it is null.
    public func text(_ record: Int, _ column: Int) -> String? {
        cell(record, column).map { String(decoding: $0, as: UTF8.self) }
    }

    // MARK: Building

    mutating func appendCell(_ bytes: some Sequence<UInt8>, emptyText: Bool = false) {
        cellBytes.append(contentsOf: bytes)
        endCell(emptyText: emptyText)
    }

    /// Ends a cell whose bytes are already in `cellBytes`.
    mutating func endCell(emptyText: Bool) {
        let start = cellEnds.last ?? 0
        if emptyText && cellBytes.count == start { emptyTextCells.insert(cellEnds.count) }
        cellEnds.append(cellBytes.count)
    }

    mutating func endRecord(line: Int, raw: Range<Int>, problem: RecordProblem?) {
        if let problem { problems[recordLines.count] = problem }
        recordLines.append(line)
        recordRaw.append(raw)
        recordCellStarts.append(cellEnds.count)
    }

    /// Takes the first record out as the header, returning its cells.
    mutating func removeFirstRecord() -> [String] {
        guard recordCount > 0 else { return [] }
        let names = (0..<cellCount(ofRecord: 0)).map { text(0, $0) ?? "" }
        recordCellStarts.removeFirst()
        recordLines.removeFirst()
        recordRaw.removeFirst()
        var shifted: [Int: RecordProblem] = [:]
        for (record, problem) in problems where record > 0 { shifted[record - 1] = problem }
        problems = shifted
        return names
    }
}
