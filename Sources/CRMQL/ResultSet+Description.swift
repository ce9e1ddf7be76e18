import CRMQLCore
import CRMQLStorage

// `print(result)`, `print(row)` and string interpolation show a small table,
// as a person reading a log or a playground wants, never the columns'
// storage. `ResultRenderer` writes the full table a host chooses.

/// The table format with room for a log line or a playground: every column
/// fitted to a typical window, the middle rows elided past a screenful.
private let descriptionOptions = RenderOptions(
    format: .table,
    // TUNING: a 100-column line fits a terminal, a log viewer and a playground
    // sidebar; a wider result turns to one block per row instead.
    terminalWidth: 100,
    // TUNING: 20 rows show a result's shape without scrolling a log away.
    maxRows: 20,
    color: false
)

extension ResultSet: CustomStringConvertible, CustomDebugStringConvertible {
    /// The rows as a small table: at most 20 rows (the middle ones elided)
    /// and a footer with the row count, no colour.
    public var description: String { ResultRenderer.render(self, options: descriptionOptions) }

    /// The same table as `description`.
    public var debugDescription: String { description }
}

extension Row: CustomStringConvertible, CustomDebugStringConvertible {
    /// The row as a one-row table under its column names.
    public var description: String {
        let kept: [Int32] = (0..<result.rowCount).contains(position) ? [Int32(position)] : []
        let single = ResultSet(columnNames: columnNames, columns: result.columns.map { $0.gather(kept) })
        return ResultRenderer.render(single, options: descriptionOptions)
    }

    /// The same table as `description`.
    public var debugDescription: String { description }
}

extension StatementOutput: CustomStringConvertible {
    /// A result's table (see `ResultSet.description`), or the message.
    public var description: String {
        switch self {
        case .rows(let result): return result.description
        case .message(let text), .text(let text): return text
        }
    }
}
