import CLibPQ
import CRMQL
import Foundation

// The server's tables as entities: every base table of the current schema
// (`information_schema.columns`), each column typed by the standard CRM
// model where it names the field (`customers.stage` is the lifecycle enum,
// `orders.quantity` an int), otherwise by its SQL type. A standard field
// whose column has another kind of type is refused, naming both.

extension PostgreSQLEngine {
    /// The tables of the server's current schema as entities.
    public func entities() throws(QueryEngineError) -> [Schema.Entity] {
        // The comment carries an enum's symbols when crmql made the table
        // (`load` of a new entity), so that a later session sorts it alike.
        let sql = """
            SELECT c.table_name, c.column_name, c.data_type,
                   col_description(format('%I.%I', c.table_schema, c.table_name)::regclass, c.ordinal_position::int)
            FROM information_schema.columns AS c
            JOIN information_schema.tables AS t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
            ORDER BY c.table_name, c.ordinal_position
            """
        let rows = try run(ServerQuery(sql: sql, columnNames: ["table", "column", "type", "comment"],
                                       valueTypes: [.text, .text, .text, .text]), timeLimit: nil)
        var tables: [(name: String, columns: [(name: String, sqlType: String, comment: String?)])] = []
        for row in rows {
            guard case .text(let table) = row[0], case .text(let column) = row[1], case .text(let type) = row[2] else { continue }
            let comment: String? = if case .text(let text) = row[3] { text } else { nil }
            if tables.last?.name != table { tables.append((table, [])) }
            tables[tables.count - 1].columns.append((column, type, comment))
        }
        let names = Set(tables.map(\.name))
        // Key types first, for refs: a table's `id`.
        var keyKinds: [String: DataType] = [:]
        for table in tables {
            if let id = table.columns.first(where: { $0.name == "id" }), let type = PostgreSQLEngine.crmqlType(id.sqlType), type == .int || type == .text {
                keyKinds[table.name] = type
            }
        }
        var entities: [Schema.Entity] = []
        for table in tables {
            let standard = Schema.standardFieldTypes(of: table.name) ?? [:]
            var fields: [Schema.Field] = []
            for column in table.columns {
                guard let sqlKind = PostgreSQLEngine.crmqlType(column.sqlType) else {
                    throw QueryEngineError(.schema, "\(displayName): column \(table.name).\(column.name) has the type \(column.sqlType), which crmql cannot read (int, number, text, bool, date and datetime types are)")
                }
                var type = sqlKind
                if let allowed = standard[column.name] {
                    guard let chosen = PostgreSQLEngine.fit(sqlKind, to: allowed) else {
                        let wanted = allowed.map(PostgreSQLEngine.kindName).joined(separator: " or ")
                        throw QueryEngineError(.schema, "\(displayName): column \(table.name).\(column.name) is \(column.sqlType) on the server, but the CRM model makes \(column.name) \(wanted)")
                    }
                    type = chosen
                } else if sqlKind == .text, let symbols = column.comment.flatMap(PostgreSQLEngine.enumSymbols) {
                    type = .enumeration(EnumType(symbols))
                } else if column.name != "id", let parent = names.first(where: { PostgreSQLEngine.singular($0) == column.name && $0 != table.name }),
                          let keyKind = keyKinds[parent], keyKind == sqlKind {
                    type = .ref(parent)
                }
                fields.append(Schema.Field(name: column.name, type: type, isKey: column.name == "id" && (type == .int || type == .text)))
            }
            entities.append(Schema.Entity(name: table.name, fields: fields))
        }
        return entities
    }

    /// The number columns of a table whose values are all whole hundredths.
    public func moneyFields(of table: String, among numberFields: [String]) throws(QueryEngineError) -> Set<String> {
        guard !numberFields.isEmpty else { return [] }
        // The test crmql makes in memory: the value is the double nearest
        // to its hundredths (within ±21 million), and one value at least.
        let tests = numberFields.map { name in
            let column = PostgreSQLEngine.identifier(name)
            return "coalesce(bool_and(abs(\(column)) < 21474836.48 AND \(column) = CAST(round(CAST(\(column) AS NUMERIC), 2) AS DOUBLE PRECISION)), FALSE)"
        }
        let sql = "SELECT " + tests.joined(separator: ", ") + " FROM " + PostgreSQLEngine.identifier(table)
        let rows = try run(ServerQuery(sql: sql, columnNames: numberFields, valueTypes: numberFields.map { _ in .bool }), timeLimit: nil)
        guard let row = rows.first else { return [] }
        return Set(zip(numberFields, row).compactMap { $1 == .bool(true) ? $0 : nil })
    }

    /// The statements making a table for a new entity: its key indexed, an
    /// enum's symbols in the column's comment.
    static func createTable(_ name: String, _ fields: [Schema.Field]) -> [String] {
        let columns = fields.map { field in "\(identifier(field.name)) \(sqlTypeName(field.type))" }
        var statements = ["CREATE TABLE \(identifier(name)) (\(columns.joined(separator: ", ")))"]
        // An index for the joins on the key; its uniqueness crmql checks
        // itself after each change, to refuse a duplicate in its own words.
        if let key = fields.first(where: \.isKey) {
            statements.append("CREATE INDEX ON \(identifier(name)) (\(identifier(key.name)))")
        }
        for field in fields {
            guard let symbols = field.enumSymbols,
                  let json = try? JSONSerialization.data(withJSONObject: symbols), let text = String(data: json, encoding: .utf8) else { continue }
            statements.append("COMMENT ON COLUMN \(identifier(name)).\(identifier(field.name)) IS \(literal(enumMark + text))")
        }
        return statements
    }

    static let enumMark = "crmql enum "

    static func enumSymbols(_ comment: String) -> [String]? {
        guard comment.hasPrefix(enumMark), let data = comment.dropFirst(enumMark.count).data(using: .utf8),
              let symbols = try? JSONSerialization.jsonObject(with: data) as? [String], !symbols.isEmpty else { return nil }
        return symbols
    }

    /// The crmql type a SQL type holds; nil for one crmql cannot read.
    static func crmqlType(_ sqlType: String) -> DataType? {
        switch sqlType {
        case "smallint", "integer", "bigint": return .int
        case "double precision", "real", "numeric": return .number
        case "text", "character varying", "character", "name": return .text
        case "boolean": return .bool
        case "date": return .date
        case "timestamp without time zone", "timestamp with time zone": return .datetime
        default: return nil
        }
    }

    /// The model's type for a column of `kind`, when the column can hold it:
    /// an enum in text, a number in any numeric column.
    static func fit(_ kind: DataType, to allowed: [DataType]) -> DataType? {
        for wanted in allowed {
            switch (wanted, kind) {
            case (.enumeration, .text), (.number, .int), (.number, .number): return wanted
            case (let a, let b) where a == b: return wanted
            default: continue
            }
        }
        return nil
    }

    static func kindName(_ type: DataType) -> String {
        switch type {
        case .enumeration(let enumType): return "enum(\(enumType.symbols.joined(separator: ", ")))"
        default: return sqlTypeName(type).lowercased() == "bigint" ? "int" : "\(type)"
        }
    }

    static func sqlTypeName(_ type: DataType) -> String {
        switch type {
        case .int, .ref: return "BIGINT"
        case .number: return "DOUBLE PRECISION"
        case .text, .enumeration, .null: return "TEXT"
        case .bool: return "BOOLEAN"
        case .date: return "DATE"
        case .datetime: return "TIMESTAMP"
        }
    }

    static func singular(_ entity: String) -> String {
        entity.hasSuffix("s") && entity.count > 1 ? String(entity.dropLast()) : entity
    }
}
