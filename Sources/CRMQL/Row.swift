import CRMQLCore

/// One row of a result: a view into the result's columns that copies nothing.
///
/// Read a cell as a `Value` by position or name, as a Swift type with
/// `get`, or the whole row as a `Decodable` struct with `decode`:
///
/// ```swift
/// for row in try db.query("select customers show name, points limit 3") {
///     let name: String = try row.get("name")
///     let points = try row.get("points", as: Int?.self)
/// }
/// ```
public struct Row: Sendable {
    let result: ResultSet
    /// The row's position in its result, from 0.
    public let position: Int

    init(result: ResultSet, position: Int) {
        self.result = result
        self.position = position
    }

    /// The result's column names, in order.
    public var columnNames: [String] { result.columnNames }

    /// The number of columns.
    public var count: Int { result.columnNames.count }

    /// The cell in column `column` (from 0); null when there is no such column.
    /// - Complexity: O(1).
    public subscript(_ column: Int) -> Value {
        guard column >= 0, column < result.columns.count, position >= 0, position < result.rowCount else { return .null }
        return result.value(row: position, column: column)
    }

    /// The cell in the column named `name`; nil when no column has that name.
    /// - Complexity: O(1).
    public subscript(_ name: String) -> Value? {
        guard let column = result.lookup.exactIndex(of: name) else { return nil }
        return self[column]
    }

    /// Every cell, in column order.
    public var values: [Value] { (0..<count).map { self[$0] } }

    /// The cell in the column named `name` as a Swift value:
    /// `let name: String = try row.get("name")`. Ask for an optional type
    /// (`Int?`) where the cell may be null.
    /// - Throws: `CRMQLError` when no column has that name, or the cell is
    ///   null or of another type. The message names the column and the
    ///   types, never the cell's value.
    public func get<T: ValueConvertible>(_ name: String, as type: T.Type = T.self) throws(CRMQLError) -> T {
        guard let column = result.lookup.exactIndex(of: name) else {
            throw CRMQLError(phase: .runtime, message: "the result has no column '\(name)'; its columns are \(Row.list(columnNames))")
        }
        return try get(column, as: type)
    }

    /// The cell in column `column` (from 0) as a Swift value.
    /// - Throws: `CRMQLError` when there is no such column, or the cell is
    ///   null or of another type.
    public func get<T: ValueConvertible>(_ column: Int, as type: T.Type = T.self) throws(CRMQLError) -> T {
        guard column >= 0, column < count else {
            throw CRMQLError(phase: .runtime, message: "the result has no column \(column); it has \(count)")
        }
        let value = self[column]
        if let converted = T(crmqlValue: value) { return converted }
        throw CRMQLError(phase: .runtime, message: Row.mismatch(column: columnNames[column], value: value, type: T.self))
    }

    /// The row as a `Decodable` value: each stored property reads the column
    /// of its name (exactly, or ignoring case and `_`, so `orderCount` reads
    /// `order_count`); optional properties take null and missing columns.
    /// - Throws: `CRMQLError` naming the column that does not fit.
    public func decode<T: Decodable>(_ type: T.Type = T.self) throws(CRMQLError) -> T {
        do {
            return try T(from: RowDecoder(row: self))
        } catch let error as DecodingError {
            throw RowDecoder.publicError(error, decoding: T.self)
        } catch let error as CRMQLError {
            throw error
        } catch {
            // A type's own `init(from:)` threw: its message may quote the cell, so only the type is named.
            throw CRMQLError(phase: .runtime, message: "cannot decode \(T.self) from the row: its decoder failed")
        }
    }

    /// Why a cell does not convert to a Swift type, without the cell's value.
    static func mismatch(column: String, value: Value, type: Any.Type) -> String {
        if value.isNull { return "column '\(column)' is null; read it as an optional (\(type)?)" }
        return "column '\(column)' holds \(value.dataType.kindName), which does not convert to \(type)"
    }

    static func list(_ names: [String]) -> String {
        names.isEmpty ? "none" : names.map { "'\($0)'" }.joined(separator: ", ")
    }
}
