import CRMQLCore
import CRMQLStorage

/// The rows a query returned: named, typed columns.
///
/// Stored column-wise, as the engine produced it; cells are read as `Value`.
public struct ResultSet: Sendable {
    /// Output column names: the alias, else the expression's source text.
    public let columnNames: [String]
    let columns: [Column]
    /// Number of rows.
    public let rowCount: Int

    init(columnNames: [String], columns: [Column]) {
        self.columnNames = columnNames
        self.columns = columns
        self.rowCount = columns.first?.count ?? 0
    }

    /// Builds a result from values, one array per row (for hosts and tests).
    public init(columnNames: [String], types: [DataType], rows: [[Value]]) {
        self.columnNames = columnNames
        self.columns = types.indices.map { index in
            Column.make(type: types[index], values: rows.map { index < $0.count ? $0[index] : .null })
        }
        self.rowCount = rows.count
    }

    /// The type of each column.
    public var columnTypes: [DataType] { columns.map(\.type) }

    /// One cell.
    /// - Complexity: O(1).
    public func value(row: Int, column: Int) -> Value { columns[column].value(at: row) }

    /// One cell by column name; nil when no column has that name.
    public func value(row: Int, column name: String) -> Value? {
        guard let index = columnNames.firstIndex(of: name) else { return nil }
        return columns[index].value(at: row)
    }

    /// All rows as arrays of values. Allocates; prefer `value(row:column:)` for large results.
    public var rows: [[Value]] {
        (0..<rowCount).map { row in columns.indices.map { columns[$0].value(at: row) } }
    }
}

/// What one statement produced.
public enum StatementOutput: Sendable {
    /// A query's rows.
    case rows(ResultSet)
    /// A message about what a statement did (`3 customers updated`) or
    /// introspection text (`describe`, `help`, `explain`).
    case message(String)
}
