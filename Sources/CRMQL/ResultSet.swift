import CRMQLCore
import CRMQLStorage

/// The rows a query returned: named, typed columns.
///
/// Stored column-wise, as the engine produced it; cells are read as `Value`.
/// A result is also a collection of `Row`s, each a view that copies nothing:
/// `for row in result { let name: String = try row.get("name") }`.
public struct ResultSet: Sendable {
    /// Output column names: the alias, else the expression's source text.
    public let columnNames: [String]
    let columns: [Column]
    /// Number of rows.
    public let rowCount: Int
    /// Column positions by name, built once for every row to share.
    let lookup: ColumnLookup

    init(columnNames: [String], columns: [Column]) {
        self.columnNames = columnNames
        self.columns = columns
        self.rowCount = columns.first?.count ?? 0
        self.lookup = ColumnLookup(columnNames)
    }

    /// Builds a result from values, one array per row (for hosts and tests).
    public init(columnNames: [String], types: [DataType], rows: [[Value]]) {
        self.columnNames = columnNames
        self.columns = types.indices.map { index in
            Column.make(type: types[index], values: rows.map { index < $0.count ? $0[index] : .null })
        }
        self.rowCount = rows.count
        self.lookup = ColumnLookup(columnNames)
    }

    /// The type of each column.
    public var columnTypes: [DataType] { columns.map(\.type) }

    /// One cell.
    /// - Complexity: O(1).
    public func value(row: Int, column: Int) -> Value { columns[column].value(at: row) }

    /// One cell by column name; nil when no column has that name.
    public func value(row: Int, column name: String) -> Value? {
        guard let index = lookup.exact[name] else { return nil }
        return columns[index].value(at: row)
    }

    /// The position of the column named `name` (the first, when several
    /// share it); nil when none does.
    /// - Complexity: O(1).
    public func columnIndex(named name: String) -> Int? { lookup.exact[name] }

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

/// Column positions by name: exact, and loosely (case and `_` ignored) so
/// that a Swift property `orderCount` finds the column `order_count`.
struct ColumnLookup: Sendable {
    let exact: [String: Int]
    let loose: [String: Int]

    init(_ names: [String]) {
        var exact: [String: Int] = [:]
        var loose: [String: Int] = [:]
        for (index, name) in names.enumerated() {
            if exact[name] == nil { exact[name] = index }
            let key = ColumnLookup.looseKey(name)
            if loose[key] == nil { loose[key] = index }
        }
        self.exact = exact
        self.loose = loose
    }

    /// The column for a Swift name: the exact name first, then the loose match.
    func index(forKey key: String) -> Int? { exact[key] ?? loose[ColumnLookup.looseKey(key)] }

    static func looseKey(_ name: String) -> String {
        String(name.lowercased().filter { $0 != "_" })
    }
}
