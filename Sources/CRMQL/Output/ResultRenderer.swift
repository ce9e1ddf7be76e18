import CRMQLCore
import CRMQLStorage

/// Writes a `ResultSet` as text in one of the output formats.
///
/// ```swift
/// let text = ResultRenderer.render(result, options: RenderOptions(format: .table, terminalWidth: 80))
/// print(text, terminator: "")
/// ```
/// Every line of the output, the last included, ends in `\n`.
public enum ResultRenderer {
    /// The text of `result` in `options.format`.
    ///
    /// - `table`: a box-drawn grid; numbers right-aligned, null as a dim `∅`,
    ///   control characters escaped (`\n`), fitted to `terminalWidth` and
    ///   `maxRows`, and a footer `(3 rows)`.
    /// - `csv`, `json`, `ndjson`: exact and complete, for tools, as `export`
    ///   writes them: CSV per RFC 4180 with a header row (LF line ends; null
    ///   an empty cell, the empty string `""`), JSON one array of objects
    ///   with one object a line, NDJSON one object a line.
    /// - `markdown`: a GitHub table; null is an empty cell.
    /// - Complexity: O(rows × columns) for the rows written.
    public static func render(_ result: ResultSet, options: RenderOptions) -> String {
        if result.isDocument, options.format == .table || options.format == .markdown, result.rowCount == 1,
           case .text(let text) = result.value(row: 0, column: 0) {
            return text.hasSuffix("\n") ? text : text + "\n"
        }
        switch options.format {
        case .table: return TableRenderer(result: result, options: options).render()
        case .csv: return machineReadable(result, .csv)
        case .json: return machineReadable(result, .json)
        case .ndjson: return machineReadable(result, .ndjson)
        case .markdown: return MarkdownRenderer.render(result)
        }
    }

    /// CSV, JSON and NDJSON are written exactly as `export` writes files,
    /// so a result reads the same on standard output and on disk.
    private static func machineReadable(_ result: ResultSet, _ format: TabularFormat) -> String {
        String(decoding: TabularWriter.write(format, names: result.columnNames, columns: result.columns), as: UTF8.self)
    }

    /// Whether to colour output: only at a terminal, and not when the
    /// `NO_COLOR` environment variable is set to anything but the empty
    /// string (https://no-color.org).
    public static func shouldUseColor(isTerminal: Bool, environment: [String: String]) -> Bool {
        guard isTerminal else { return false }
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
        return true
    }
}

extension ResultSet {
    /// One cell, or null where a malformed result has no data: renderers
    /// show what they can rather than trap.
    func safeValue(row: Int, column: Int) -> Value {
        guard column >= 0, column < columns.count, row >= 0, row < columns[column].count else { return .null }
        return columns[column].value(at: row)
    }
}

/// The rows a table shows: all of them, or the first and last when there
/// are more than the limit.
struct RowWindow: Sendable {
    /// Row indexes shown before the gap (all of them when there is no gap).
    let head: Range<Int>
    /// Row indexes shown after the gap.
    let tail: Range<Int>

    init(rowCount: Int, maxRows: Int?) {
        let count = max(0, rowCount)
        guard let maxRows, count > max(0, maxRows) else {
            head = 0..<count
            tail = count..<count
            return
        }
        let limit = max(0, maxRows)
        // Written so that `maxRows` near Int.max cannot overflow.
        let headCount = limit / 2 + limit % 2
        let tailCount = limit / 2
        head = 0..<headCount
        tail = (count - tailCount)..<count
    }

    /// Rows left out between head and tail.
    var hiddenCount: Int { tail.lowerBound - head.upperBound }
    var shownCount: Int { head.count + tail.count }
    var rows: [Int] { Array(head) + Array(tail) }
}

/// Footer and gap lines shared by the grid and the vertical layout.
enum TableText {
    /// TUNING: the footer names this many hidden columns at most.
    static let maximumHiddenNames = 12

    /// `(3 rows)`, `(1 row in 3.2 ms)`, `(20 rows, 2 columns hidden: email, region)`.
    static func footer(rowCount: Int, hiddenColumns: [String], elapsedMilliseconds: Double?, grouping: Bool) -> String {
        var text = "(" + count(rowCount, "row", "rows", grouping: grouping)
        if !hiddenColumns.isEmpty {
            // Naming them, as DuckDB does, tells what to ask for with `show`.
            let named = hiddenColumns.prefix(maximumHiddenNames).joined(separator: ", ")
            let more = hiddenColumns.count > maximumHiddenNames ? ", " + CellText.ellipsis : ""
            text += ", " + count(hiddenColumns.count, "column", "columns", grouping: grouping) + " hidden: " + named + more
        }
        if let elapsed = elapsedMilliseconds.flatMap(duration) { text += " in " + elapsed }
        return text + ")"
    }

    /// `… 960 more rows …`
    static func gap(hiddenRows: Int, grouping: Bool) -> String {
        CellText.ellipsis + " " + count(hiddenRows, "more row", "more rows", grouping: grouping) + " " + CellText.ellipsis
    }

    static func count(_ value: Int, _ singular: String, _ plural: String, grouping: Bool) -> String {
        let digits = String(value)
        return (grouping ? NumberGrouping.grouped(digits) : digits) + " " + (value == 1 ? singular : plural)
    }

    /// `3.2 ms` below a second, `1.25 s` above; nil for a value that is not
    /// a duration (negative, NaN, or absurdly large).
    static func duration(_ milliseconds: Double) -> String? {
        guard milliseconds.isFinite, milliseconds >= 0, milliseconds < 1e15 else { return nil }
        let tenths = Int64((milliseconds * 10).rounded())
        if tenths < 10_000 { return "\(tenths / 10).\(tenths % 10) ms" }
        let hundredthsOfSecond = Int64((milliseconds / 10).rounded())
        let fraction = hundredthsOfSecond % 100
        return "\(hundredthsOfSecond / 100).\(fraction < 10 ? "0" : "")\(fraction) s"
    }
}
