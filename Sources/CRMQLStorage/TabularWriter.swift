import CRMQLCore

/// The formats rows can be written in, by `export` and by the command line.
public enum TabularFormat: String, Sendable, Hashable, CaseIterable {
    case csv
    case json
    case ndjson

    /// The format a file name's extension names (`.csv`, `.json`, `.ndjson`
    /// or `.jsonl`), or nil.
    public init?(fileName: String) {
        let lower = fileName.lowercased()
        if lower.hasSuffix(".csv") { self = .csv }
        else if lower.hasSuffix(".json") { self = .json }
        else if lower.hasSuffix(".ndjson") || lower.hasSuffix(".jsonl") { self = .ndjson }
        else { return nil }
    }
}

/// Writes named columns as CSV, JSON or NDJSON bytes.
///
/// - CSV (RFC 4180): a header row, then one record a row, LF line ends
///   (CRLF on request). A cell is quoted when it holds the delimiter, a quote
///   or a line break, and empty text is written `""` so that it reads back as
///   text while null is an empty cell. Numbers print as `ValueFormatter`
///   prints them (the shortest form that reads back exactly), dates and
///   datetimes in ISO 8601, enums as their symbol, refs as the key value.
/// - JSON: one array of objects, one object a line. Numbers are JSON
///   numbers (NaN and infinities, which JSON cannot write, are null), null is
///   `null`, bools are `true`/`false`, dates, datetimes and enums are strings.
/// - NDJSON: the same objects, one a line, no array.
///
/// Rows are formatted a batch at a time, column by column (see
/// `CellFormatter`), then interleaved: each column's kind is decided once per
/// batch rather than once per cell.
public enum TabularWriter {
    /// Rows formatted per batch. TUNING: large enough to amortise the
    /// per-column work, small enough that the buffers stay in cache.
    static let batchSize = 1024

    /// Bytes of a whole result in `format`.
    /// - Complexity: O(rows × columns).
    public static func write(_ format: TabularFormat, names: [String], columns: [Column]) -> [UInt8] {
        write(format, names: names, columns: columns, poll: {})
    }

    /// Bytes of a whole result in `format`, stoppable.
    /// - Parameter poll: called before each batch of rows; what it throws
    ///   (an interrupt, a time limit) stops the writing.
    /// - Complexity: O(rows × columns).
    public static func write(_ format: TabularFormat, names: [String], columns: [Column],
                             poll: () throws -> Void) rethrows -> [UInt8] {
        var out: [UInt8] = []
        switch format {
        case .csv: try appendCSV(names: names, columns: columns, to: &out, poll: poll)
        case .json: try appendJSON(names: names, columns: columns, to: &out, poll: poll)
        case .ndjson: try appendNDJSON(names: names, columns: columns, to: &out, poll: poll)
        }
        return out
    }

    /// Appends CSV: the header row (unless `header` is false), then the rows.
    public static func appendCSV(names: [String], columns: [Column], delimiter: UInt8 = UInt8(ascii: ","),
                                 crlf: Bool = false, header: Bool = true, to out: inout [UInt8]) {
        appendCSV(names: names, columns: columns, delimiter: delimiter, crlf: crlf, header: header, to: &out, poll: {})
    }

    /// `appendCSV`, calling `poll` before each batch of rows.
    public static func appendCSV(names: [String], columns: [Column], delimiter: UInt8 = UInt8(ascii: ","),
                                 crlf: Bool = false, header: Bool = true, to out: inout [UInt8],
                                 poll: () throws -> Void) rethrows {
        let lineEnd: [UInt8] = crlf ? [13, 10] : [10]
        if header {
            for (index, name) in names.enumerated() {
                if index > 0 { out.append(delimiter) }
                appendCSVText(name, delimiter: delimiter, to: &out)
            }
            out.append(contentsOf: lineEnd)
        }
        let style = CellFormatter.Style.csv(delimiter: delimiter)
        try forEachBatch(columns, style: style, out: &out, poll: poll) { out, cells, row in
            for column in cells.indices {
                if column > 0 { out.append(delimiter) }
                cells[column].append(row, to: &out)
            }
            out.append(contentsOf: lineEnd)
        }
    }

    /// Appends one JSON array of objects, one object a line, and a final newline.
    public static func appendJSON(names: [String], columns: [Column], to out: inout [UInt8]) {
        appendJSON(names: names, columns: columns, to: &out, poll: {})
    }

    /// `appendJSON`, calling `poll` before each batch of rows.
    public static func appendJSON(names: [String], columns: [Column], to out: inout [UInt8],
                                  poll: () throws -> Void) rethrows {
        guard rows(in: columns) > 0 else {
            out.append(contentsOf: "[]\n".utf8)
            return
        }
        let keys = encodedKeys(names, count: columns.count)
        out.append(contentsOf: "[\n".utf8)
        var first = true
        try forEachBatch(columns, style: .json, out: &out, poll: poll) { out, cells, row in
            if !first { out.append(contentsOf: ",\n".utf8) }
            first = false
            appendObject(keys: keys, cells: cells, row: row, to: &out)
        }
        out.append(contentsOf: "\n]\n".utf8)
    }

    /// Appends one JSON object a line.
    public static func appendNDJSON(names: [String], columns: [Column], to out: inout [UInt8]) {
        appendNDJSON(names: names, columns: columns, to: &out, poll: {})
    }

    /// `appendNDJSON`, calling `poll` before each batch of rows.
    public static func appendNDJSON(names: [String], columns: [Column], to out: inout [UInt8],
                                    poll: () throws -> Void) rethrows {
        let keys = encodedKeys(names, count: columns.count)
        try forEachBatch(columns, style: .json, out: &out, poll: poll) { out, cells, row in
            appendObject(keys: keys, cells: cells, row: row, to: &out)
            out.append(10)
        }
    }

    /// Appends `text` as a JSON string literal, escaping quotes, backslashes,
    /// control characters and the JavaScript line separators U+2028, U+2029.
    public static func appendJSONString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        let contentStart = out.count
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [92, 34])
            case UInt8(ascii: "\\"): out.append(contentsOf: [92, 92])
            case 10: out.append(contentsOf: [92, UInt8(ascii: "n")])
            case 13: out.append(contentsOf: [92, UInt8(ascii: "r")])
            case 9: out.append(contentsOf: [92, UInt8(ascii: "t")])
            case 8: out.append(contentsOf: [92, UInt8(ascii: "b")])
            case 12: out.append(contentsOf: [92, UInt8(ascii: "f")])
            case 0..<0x20, 0x7F:
                out.append(contentsOf: "\\u00".utf8)
                out.append(contentsOf: CSVReader.hex(byte).lowercased().utf8)
            case 0xA8, 0xA9:
                // U+2028 and U+2029 (E2 80 A8/A9) are valid JSON but end lines in JavaScript.
                let count = out.count
                if count - contentStart >= 2, out[count - 2] == 0xE2, out[count - 1] == 0x80 {
                    out.removeLast(2)
                    out.append(contentsOf: (byte == 0xA8 ? "\\u2028" : "\\u2029").utf8)
                } else {
                    out.append(byte)
                }
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Appends `text` as one CSV cell, quoted when needed.
    public static func appendCSVText(_ text: String, delimiter: UInt8 = UInt8(ascii: ","), to out: inout [UInt8]) {
        let utf8 = text.utf8
        let needsQuotes = utf8.isEmpty || utf8.contains { $0 == delimiter || $0 == 34 || $0 == 10 || $0 == 13 }
        guard needsQuotes else {
            out.append(contentsOf: utf8)
            return
        }
        out.append(34)
        for byte in utf8 {
            if byte == 34 { out.append(34) }
            out.append(byte)
        }
        out.append(34)
    }

    // MARK: Batches

    /// Formats the rows a batch at a time and calls `emit` for each row with
    /// the batch's formatted cells.
    private static func forEachBatch(_ columns: [Column], style: CellFormatter.Style, out: inout [UInt8],
                                     poll: () throws -> Void,
                                     _ emit: (inout [UInt8], [CellFormatter.Batch], Int) -> Void) rethrows {
        let rowCount = rows(in: columns)
        guard rowCount > 0 else { return }
        let formatters = columns.map { CellFormatter(column: $0, style: style) }
        var cells = [CellFormatter.Batch](repeating: CellFormatter.Batch(), count: columns.count)
        var start = 0
        while start < rowCount {
            try poll()
            let batch = start..<min(start + batchSize, rowCount)
            for index in formatters.indices { formatters[index].format(batch, into: &cells[index]) }
            if start == 0 {
                let perRow = cells.reduce(0) { $0 + $1.bytes.count } / max(1, batch.count) + columns.count + 1
                out.reserveCapacity(out.count + perRow * rowCount)
            }
            for row in 0..<batch.count { emit(&out, cells, row) }
            start = batch.upperBound
        }
    }

    private static func appendObject(keys: [[UInt8]], cells: [CellFormatter.Batch], row: Int, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for column in cells.indices {
            if column > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: keys[column])
            out.append(UInt8(ascii: ":"))
            cells[column].append(row, to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// Each name as a JSON string; columns without a name are `columnN`.
    private static func encodedKeys(_ names: [String], count: Int) -> [[UInt8]] {
        (0..<count).map { index in
            var key: [UInt8] = []
            appendJSONString(index < names.count ? names[index] : "column\(index + 1)", to: &key)
            return key
        }
    }

    private static func rows(in columns: [Column]) -> Int {
        columns.map(\.count).max() ?? 0
    }
}
