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
///   text while null is an empty cell. Numbers print in the shortest form that
///   reads back exactly (`ValueFormatter`), dates and datetimes in ISO 8601,
///   enums as their symbol, refs as the key value.
/// - JSON: one array of objects, one object a line. Numbers are JSON
///   numbers (NaN and infinities, which JSON cannot write, are null), null is
///   `null`, bools are `true`/`false`, dates, datetimes and enums are strings.
/// - NDJSON: the same objects, one a line, no array.
public enum TabularWriter {
    /// Bytes of a whole result in `format`.
    /// - Complexity: O(rows × columns).
    public static func write(_ format: TabularFormat, names: [String], columns: [Column]) -> [UInt8] {
        var out: [UInt8] = []
        switch format {
        case .csv: appendCSV(names: names, columns: columns, to: &out)
        case .json: appendJSON(names: names, columns: columns, to: &out)
        case .ndjson: appendNDJSON(names: names, columns: columns, to: &out)
        }
        return out
    }

    /// Appends CSV: the header row, then the rows.
    public static func appendCSV(names: [String], columns: [Column], delimiter: UInt8 = UInt8(ascii: ","),
                                 crlf: Bool = false, header: Bool = true, to out: inout [UInt8]) {
        let rowCount = rows(in: columns)
        out.reserveCapacity(out.count + rowCount * max(1, columns.count) * 8)
        if header {
            for (index, name) in names.enumerated() {
                if index > 0 { out.append(delimiter) }
                appendCSVText(name, delimiter: delimiter, to: &out)
            }
            endLine(crlf: crlf, &out)
        }
        for row in 0..<rowCount {
            for (index, column) in columns.enumerated() {
                if index > 0 { out.append(delimiter) }
                appendCSVCell(column, row, delimiter: delimiter, to: &out)
            }
            endLine(crlf: crlf, &out)
        }
    }

    /// Appends one JSON array of objects, one object a line, and a final newline.
    public static func appendJSON(names: [String], columns: [Column], to out: inout [UInt8]) {
        let rowCount = rows(in: columns)
        guard rowCount > 0 else {
            out.append(contentsOf: "[]\n".utf8)
            return
        }
        let keys = encodedKeys(names)
        out.append(contentsOf: "[\n".utf8)
        for row in 0..<rowCount {
            appendObject(keys: keys, columns: columns, row: row, to: &out)
            if row + 1 < rowCount { out.append(UInt8(ascii: ",")) }
            out.append(10)
        }
        out.append(contentsOf: "]\n".utf8)
    }

    /// Appends one JSON object a line.
    public static func appendNDJSON(names: [String], columns: [Column], to out: inout [UInt8]) {
        let keys = encodedKeys(names)
        for row in 0..<rows(in: columns) {
            appendObject(keys: keys, columns: columns, row: row, to: &out)
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

    // MARK: Cells

    private static func appendCSVCell(_ column: Column, _ row: Int, delimiter: UInt8, to out: inout [UInt8]) {
        guard row < column.count, !column.isNull(row) else { return }
        switch column.data {
        case .int(let values): appendInt(values[row], to: &out)
        case .number(let values): out.append(contentsOf: ValueFormatter.number(values[row]).utf8)
        case .text(let values): appendCSVText(values[row], delimiter: delimiter, to: &out)
        case .bool(let values): out.append(contentsOf: (values[row] ? "true" : "false").utf8)
        case .temporal(let values): out.append(contentsOf: temporalText(values[row], column.type).utf8)
        case .codes(let codes):
            if let symbol = symbol(codes[row], column.type) { appendCSVText(symbol, delimiter: delimiter, to: &out) }
        }
    }

    private static func appendJSONCell(_ column: Column, _ row: Int, to out: inout [UInt8]) {
        guard row < column.count, !column.isNull(row) else {
            out.append(contentsOf: "null".utf8)
            return
        }
        switch column.data {
        case .int(let values): appendInt(values[row], to: &out)
        case .number(let values):
            let value = values[row]
            out.append(contentsOf: (value.isFinite ? ValueFormatter.number(value) : "null").utf8)
        case .text(let values): appendJSONString(values[row], to: &out)
        case .bool(let values): out.append(contentsOf: (values[row] ? "true" : "false").utf8)
        case .temporal(let values):
            out.append(34)
            out.append(contentsOf: temporalText(values[row], column.type).utf8)
            out.append(34)
        case .codes(let codes):
            if let symbol = symbol(codes[row], column.type) {
                appendJSONString(symbol, to: &out)
            } else {
                out.append(contentsOf: "null".utf8)
            }
        }
    }

    private static func appendObject(keys: [[UInt8]], columns: [Column], row: Int, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (index, column) in columns.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            if index < keys.count { out.append(contentsOf: keys[index]) } else { out.append(contentsOf: "\"column\(index + 1)\"".utf8) }
            out.append(UInt8(ascii: ":"))
            appendJSONCell(column, row, to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    private static func encodedKeys(_ names: [String]) -> [[UInt8]] {
        names.map { name in
            var key: [UInt8] = []
            appendJSONString(name, to: &key)
            return key
        }
    }

    private static func temporalText(_ value: Int64, _ type: DataType) -> String {
        if case .datetime = type { return CivilDate.isoDateTime(seconds: value) }
        return CivilDate(days: value).iso
    }

    private static func symbol(_ code: Int32, _ type: DataType) -> String? {
        guard case .enumeration(let symbols) = type, code >= 0, Int(code) < symbols.symbols.count else { return nil }
        return symbols.symbols[Int(code)]
    }

    /// Decimal digits of an int without building a `String`.
    @inline(__always)
    static func appendInt(_ value: Int64, to out: inout [UInt8]) {
        if value == 0 { out.append(48); return }
        var magnitude = value.magnitude
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            while magnitude > 0 {
                buffer[count] = UInt8(magnitude % 10) + 48
                magnitude /= 10
                count += 1
            }
            for index in stride(from: count - 1, through: 0, by: -1) { out.append(buffer[index]) }
        }
    }

    private static func rows(in columns: [Column]) -> Int {
        columns.map(\.count).max() ?? 0
    }

    private static func endLine(crlf: Bool, _ out: inout [UInt8]) {
        if crlf { out.append(13) }
        out.append(10)
    }
}
