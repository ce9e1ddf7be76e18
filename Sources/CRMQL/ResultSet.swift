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
    /// One text cell that a table or markdown shows as the text itself
    /// (`explain sql`), not boxed; csv and json write it as a result.
    var isDocument = false

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
        guard let index = lookup.exactIndex(of: name) else { return nil }
        return columns[index].value(at: row)
    }

    /// The position of the column named `name` (the first, when several
    /// share it); nil when none does.
    /// - Complexity: O(1).
    public func columnIndex(named name: String) -> Int? { lookup.exactIndex(of: name) }

    /// All rows as arrays of values. Allocates; prefer `value(row:column:)` for large results.
    public var rows: [[Value]] {
        (0..<rowCount).map { row in columns.indices.map { columns[$0].value(at: row) } }
    }
}

/// What one statement produced.
public enum StatementOutput: Sendable {
    /// A query's rows.
    case rows(ResultSet)
    /// A notice about what a statement did (`3 customers updated`,
    /// `saved 3 entities`): the shell writes these to standard error.
    case message(String)
    /// A statement's answer as text (`explain`'s plan, `help`): the shell
    /// writes it to standard output, as it writes rows.
    case text(String)
}

/// Column positions by name: exact, and loosely (case and `_` ignored) so
/// that a Swift property `orderCount` finds the column `order_count`.
struct ColumnLookup: Sendable {
    private let names: [String]
    /// Only for wide results: a few names are found sooner by comparing them
    /// in turn than by building a table first.
    private let exact: [String: Int]?
    /// Built on the first loose look-up: most results are never read by a
    /// Swift name, and folding every name cost a visible share of a short
    /// query. Nil when every name is its own loose key (`id`, `name`,
    /// `count()`), so a loose look-up is an exact one of the folded key.
    private let loose: LooseNames?

    init(_ names: [String]) {
        self.names = names
        if names.count > 16 {
            var exact: [String: Int] = [:]
            for (index, name) in names.enumerated() where exact[name] == nil { exact[name] = index }
            self.exact = exact
        } else {
            exact = nil
        }
        loose = names.allSatisfy(ColumnLookup.isOwnLooseKey) ? nil : LooseNames(names)
    }

    /// True when folding leaves `name` as it is: ASCII with no capital
    /// letter and no underscore. A byte scan, with no string made.
    private static func isOwnLooseKey(_ name: String) -> Bool {
        // A plain loop: the range-and-closure form cost hundreds of
        // instructions per short result.
        for byte in name.utf8 where byte >= 0x80 || byte == 0x5F || (byte >= 0x41 && byte <= 0x5A) { return false }
        return true
    }

    /// The first column with exactly this name.
    func exactIndex(of name: String) -> Int? {
        if let exact { return exact[name] }
        return names.firstIndex(of: name)
    }

    /// The column for a Swift name: the exact name first, then the loose match.
    func index(forKey key: String) -> Int? {
        if let index = exactIndex(of: key) { return index }
        let folded = ColumnLookup.looseKey(key)
        if let loose { return loose.index(folded) }
        return exactIndex(of: folded)
    }

    static func looseKey(_ name: String) -> String {
        String(name.lowercased().filter { $0 != "_" })
    }
}

/// The loose keys of a result's column names, folded once, when first asked.
final class LooseNames: Sendable {
    private let names: [String]
    private let table = Locked<[String: Int]?>(nil)

    init(_ names: [String]) { self.names = names }

    func index(_ key: String) -> Int? {
        table.withLock { table in
            if table == nil {
                var loose: [String: Int] = [:]
                for (index, name) in names.enumerated() {
                    let folded = ColumnLookup.looseKey(name)
                    if loose[folded] == nil { loose[folded] = index }
                }
                table = loose
            }
            return table?[key]
        }
    }
}
