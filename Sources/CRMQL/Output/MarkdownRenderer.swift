import CRMQLCore

/// The markdown format: a GitHub-flavoured table, padded so that its text
/// lines up too.
///
/// ```
/// | id | name  | revenue |
/// |---:|-------|--------:|
/// |  1 | Alice | 12345.5 |
/// |  2 | Bob   |         |
/// ```
/// Null is an empty cell; numbers are plain (no separators) and
/// right-aligned; `|` and `\` are escaped, and control characters show as
/// escapes (`\n`) so a value cannot end its row.
enum MarkdownRenderer {
    /// TUNING: the delimiter row needs three characters per cell to read
    /// as one in every Markdown flavour.
    static let minimumWidth = 3

    static func render(_ result: ResultSet) -> String {
        let columnCount = min(result.columnNames.count, result.columns.count)
        guard columnCount > 0 else { return "" }
        let rightAligned = (0..<columnCount).map { result.columns[$0].type.isNumeric }
        let header = (0..<columnCount).map { cellText(result.columnNames[$0]) }
        let rows = (0..<result.rowCount).map { row in
            (0..<columnCount).map { column -> String in
                let value = result.safeValue(row: row, column: column)
                switch value {
                case .null: return ""
                case .number(let v) where v.isNaN: return "NaN"
                case .text, .symbol: return cellText(ValueFormatter.plain(value))
                // A page is read as a table is: `trunc(x, month)` shows `2026-06`.
                case .date(let days) where result.columns[column].period != nil:
                    return result.columns[column].period?.label(days: days) ?? ValueFormatter.plain(value)
                default: return ValueFormatter.plain(value)
                }
            }
        }
        var widths = header.map { max(minimumWidth, DisplayWidth.of($0)) }
        for row in rows {
            for (column, text) in row.enumerated() { widths[column] = max(widths[column], DisplayWidth.of(text)) }
        }

        func line(_ texts: [String]) -> String {
            let cells = texts.enumerated().map { column, text in
                let padding = String(repeating: " ", count: max(0, widths[column] - DisplayWidth.of(text)))
                return rightAligned[column] ? padding + text : text + padding
            }
            return "| " + cells.joined(separator: " | ") + " |\n"
        }
        let delimiter = widths.enumerated().map { column, width in
            rightAligned[column] ? String(repeating: "-", count: width + 1) + ":" : String(repeating: "-", count: width + 2)
        }
        var out = line(header) + "|" + delimiter.joined(separator: "|") + "|\n"
        for row in rows { out += line(row) }
        return out
    }

    /// Text made safe for a cell: backslashes first, so that the escapes
    /// added after them stay escapes.
    static func cellText(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0 == "\\" || $0 == "|" || CellText.needsEscape($0) }) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "|": out += "\\|"
            default:
                if CellText.needsEscape(scalar) { out += CellText.escape(scalar) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}
