/// Where a sound record came from, for messages and rejected lines.
struct RowOrigin {
    /// Index of the record among the file's data records.
    var record: Int
    /// 1-based line on which it starts.
    var line: Int
    /// Its bytes in the file, line break included.
    var raw: Range<Int>
}

/// A record a load refuses before looking at its cells: unreadable, or with
/// the wrong number of cells.
struct Misfit {
    var origin: RowOrigin
    /// The reader's problem, if any; else the cell count was wrong.
    var problem: RecordProblem?
    var cellCount: Int
}

/// Up to a few thousand sound records (the expected number of cells, no
/// problem), their cells laid out column by column, so a load converts a
/// whole column of the batch in one tight loop instead of switching on the
/// field's type for every cell.
///
/// Valid only during the call that hands it out: it points into buffers
/// its source reuses.
struct RecordBatch {
    /// Sound records in this batch.
    let rowCount: Int
    /// Number of sound records in earlier batches: row `r` of this batch is
    /// sound row `firstRow + r` of the file.
    let firstRow: Int
    /// Spans of cell `c` of row `r` at `c * stride + r`.
    let spans: UnsafePointer<CellSpan>
    let stride: Int
    /// What offsets ≥ 0 point into.
    let base: UnsafePointer<UInt8>?
    /// What negative offsets point into.
    let scratch: UnsafePointer<UInt8>?
    let origins: UnsafeBufferPointer<RowOrigin>
    /// Refused records between the previous batch and the end of this one.
    let misfits: [Misfit]

    /// The bytes of a cell, or nil when it is null.
    @inline(__always)
    func cell(_ row: Int, _ column: Int) -> CellBytes? {
        let span = spans[column &* stride &+ row]
        if span.count < 0 { return nil }
        if span.offset >= 0 { return CellBytes(start: base.map { $0 + span.offset }, count: span.count) }
        return CellBytes(start: scratch.map { $0 + (-span.offset - 1) }, count: span.count)
    }
}

/// Records for a load, read batch by batch, as often as the load needs:
/// a second reading is rare (a column that changes type late, messages for
/// duplicate keys) but must see exactly the same records.
protocol RecordSource {
    /// The bytes that `RowOrigin.raw` ranges point into.
    var sourceBytes: [UInt8] { get }
    /// Hands every record to `body` in file order, in batches.
    /// - Parameter progress: whether to report reading progress.
    func forEachBatch(progress: Bool, _ body: (RecordBatch) throws -> Void) throws
}

/// How many rows a batch holds: enough that the per-batch work is lost in
/// the noise, few enough that a batch's spans stay in cache.
private func batchRows(columns: Int) -> Int {
    max(64, min(4096, 65_536 / max(1, columns)))
}

/// Writes spans into a batch, column by column.
private struct BatchSink: CellSink {
    let spans: UnsafeMutablePointer<CellSpan>
    let stride: Int
    let columns: Int
    var row = 0

    @inline(__always)
    mutating func take(_ span: CellSpan, at column: Int) {
        if column < columns { spans[column &* stride &+ row] = span }
    }
}

/// The data records of a CSV file with a header, read straight from the
/// file's bytes.
struct CSVRecords: RecordSource {
    let sourceBytes: [UInt8]
    let delimiter: UInt8
    let fileName: String
    /// Where the first data record may start (after the header).
    let start: CSVScanner.Position
    /// Cells a sound record has.
    let expectedCells: Int
    let progress: ProgressMeter?

    func forEachBatch(progress report: Bool, _ body: (RecordBatch) throws -> Void) throws {
        let stride = batchRows(columns: expectedCells)
        let columns = max(1, expectedCells)
        var spans = [CellSpan](repeating: .null, count: stride * columns)
        var origins: [RowOrigin] = []
        origins.reserveCapacity(stride)
        var misfits: [Misfit] = []
        var firstRow = 0
        var record = 0
        var nextReport = 0
        try sourceBytes.withUnsafeBufferPointer { p in
            var scanner = CSVScanner(p, delimiter: delimiter, fileName: fileName, at: start)
            try spans.withUnsafeMutableBufferPointer { spanBuffer in
                guard let spanBase = spanBuffer.baseAddress else { return }
                var sink = BatchSink(spans: spanBase, stride: stride, columns: expectedCells)
                while true {
                    let scanned = try scanner.next(into: &sink)
                    if let scanned {
                        let origin = RowOrigin(record: record, line: scanned.line, raw: scanned.raw)
                        record += 1
                        if scanned.problem == nil, scanned.cellCount == expectedCells {
                            origins.append(origin)
                            sink.row += 1
                        } else {
                            misfits.append(Misfit(origin: origin, problem: scanned.problem, cellCount: scanned.cellCount))
                        }
                        if sink.row < stride, misfits.count < stride { continue }
                    }
                    if sink.row > 0 || !misfits.isEmpty {
                        if report, let progress, scanner.index >= nextReport {
                            progress.report(scanner.index, of: p.count)
                            nextReport = scanner.index + (1 << 20)
                        }
                        let rowCount = sink.row
                        try origins.withUnsafeBufferPointer { originBuffer in
                            try scanner.scratch.withUnsafeBufferPointer { scratch in
                                try body(RecordBatch(rowCount: rowCount, firstRow: firstRow, spans: UnsafePointer(spanBase), stride: stride,
                                                     base: p.baseAddress, scratch: scratch.baseAddress, origins: originBuffer, misfits: misfits))
                            }
                        }
                        firstRow += rowCount
                        sink.row = 0
                        origins.removeAll(keepingCapacity: true)
                        misfits.removeAll(keepingCapacity: true)
                        scanner.scratch.removeAll(keepingCapacity: true)
                    }
                    if scanned == nil { break }
                }
            }
        }
    }
}

/// The records of a `TextTable` (a JSON file, a CSV without header).
struct TableRecords: RecordSource {
    let table: TextTable
    let expectedCells: Int
    let progress: ProgressMeter?

    var sourceBytes: [UInt8] { table.source }

    func forEachBatch(progress report: Bool, _ body: (RecordBatch) throws -> Void) throws {
        let stride = batchRows(columns: expectedCells)
        let columns = max(1, expectedCells)
        var spans = [CellSpan](repeating: .null, count: stride * columns)
        var origins: [RowOrigin] = []
        origins.reserveCapacity(stride)
        var misfits: [Misfit] = []
        var firstRow = 0
        var rows = 0
        try table.cellBytes.withUnsafeBufferPointer { cellBytes in
            try spans.withUnsafeMutableBufferPointer { spanBuffer in
                guard let spanBase = spanBuffer.baseAddress else { return }

                func flush() throws {
                    try origins.withUnsafeBufferPointer { originBuffer in
                        try body(RecordBatch(rowCount: rows, firstRow: firstRow, spans: UnsafePointer(spanBase), stride: stride,
                                             base: cellBytes.baseAddress, scratch: nil, origins: originBuffer, misfits: misfits))
                    }
                    firstRow += rows
                    rows = 0
                    origins.removeAll(keepingCapacity: true)
                    misfits.removeAll(keepingCapacity: true)
                }

                for record in 0..<table.recordCount {
                    if report, record & 0xFFFF == 0, let progress { progress.report(record, of: table.recordCount) }
                    let origin = RowOrigin(record: record, line: table.line(ofRecord: record), raw: table.recordRaw[record])
                    let cellCount = table.cellCount(ofRecord: record)
                    if let problem = table.problems[record] {
                        misfits.append(Misfit(origin: origin, problem: problem, cellCount: cellCount))
                        continue
                    }
                    guard cellCount == expectedCells else {
                        misfits.append(Misfit(origin: origin, problem: nil, cellCount: cellCount))
                        continue
                    }
                    let first = table.recordCellStarts[record]
                    for column in 0..<expectedCells {
                        let cellIndex = first + column
                        let start = cellIndex == 0 ? 0 : table.cellEnds[cellIndex - 1]
                        let end = table.cellEnds[cellIndex]
                        let isNull = start == end && !table.emptyTextCells.contains(cellIndex)
                        spanBase[column * stride + rows] = isNull ? .null : CellSpan(offset: start, count: end - start)
                    }
                    origins.append(origin)
                    rows += 1
                    if rows == stride { try flush() }
                }
                if rows > 0 || !misfits.isEmpty { try flush() }
            }
        }
    }
}
