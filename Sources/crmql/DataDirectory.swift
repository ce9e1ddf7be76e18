import Foundation

/// `--data DIR`: every `DIR/<entity>.csv`, as `load` statements in an order
/// where referenced entities come first.
///
/// A file whose header has a column named like another entity in the
/// singular (`customer` in `orders.csv` when `customers.csv` is there) refers
/// to it, and the engine makes that column a `ref` only if the entity it
/// names is already loaded.
struct DataDirectory {
    /// One CSV file to load.
    struct Table {
        let entity: String
        let path: String
        let columns: [String]
    }

    let tables: [Table]

    /// Reads the directory's CSV file names and header lines.
    /// - Throws: `ShellError` when the directory cannot be read.
    init(path: String) throws {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue,
              let names = try? manager.contentsOfDirectory(atPath: path) else {
            throw ShellError("--data: cannot read directory '\(path)'")
        }
        let directory = path.hasSuffix("/") ? path : path + "/"
        tables = names.filter { $0.hasSuffix(".csv") && !$0.hasPrefix(".") && $0.count > 4 }.sorted().map { name in
            let filePath = directory + name
            return Table(entity: String(name.dropLast(4)), path: filePath, columns: DataDirectory.header(of: filePath))
        }
    }

    /// The tables with every referenced entity before the tables that refer
    /// to it; otherwise alphabetical. Entities caught in a cycle load
    /// alphabetically after the rest.
    var loadOrder: [Table] {
        let byEntity = Dictionary(tables.map { ($0.entity, $0) }, uniquingKeysWith: { first, _ in first })
        var dependencies: [String: Set<String>] = [:]
        for table in tables {
            let columns = Set(table.columns)
            dependencies[table.entity] = Set(tables.map(\.entity).filter { other in
                other != table.entity && !DataDirectory.singulars(of: other).isDisjoint(with: columns)
            })
        }
        var ordered: [Table] = []
        var done: Set<String> = []
        while ordered.count < tables.count {
            let ready = tables.filter { !done.contains($0.entity) && (dependencies[$0.entity] ?? []).isSubset(of: done) }
            let next = ready.first ?? tables.first { !done.contains($0.entity) }
            guard let next, let table = byEntity[next.entity] else { break }
            ordered.append(table)
            done.insert(next.entity)
        }
        return ordered
    }

    /// The `load` statements, in load order.
    var statements: [String] {
        loadOrder.map { "load \(DataDirectory.name($0.entity)) from \(DataDirectory.stringLiteral($0.path))" }
    }

    /// The singular forms a column naming `entity` may take:
    /// `customers` → `customer`, `categories` → `category`, `boxes` → `box`.
    static func singulars(of entity: String) -> Set<String> {
        var forms: Set<String> = []
        if entity.hasSuffix("ies") { forms.insert(String(entity.dropLast(3)) + "y") }
        if entity.hasSuffix("es") { forms.insert(String(entity.dropLast(2))) }
        if entity.hasSuffix("s") { forms.insert(String(entity.dropLast())) }
        forms.remove("")
        return forms
    }

    /// The column names of a CSV file's first line (quotes removed); empty
    /// when it cannot be read. Only the start of the file is read.
    static func header(of path: String) -> [String] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: 64 * 1024) else { return [] }
        var bytes = Array(data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        var columns: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                if inQuotes, index + 1 < bytes.count, bytes[index + 1] == byte {
                    field.append(byte)
                    index += 1
                } else {
                    inQuotes.toggle()
                }
            } else if inQuotes {
                field.append(byte)
            } else if byte == UInt8(ascii: ",") {
                columns.append(String(decoding: field, as: UTF8.self))
                field = []
            } else if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                break
            } else {
                field.append(byte)
            }
            index += 1
        }
        columns.append(String(decoding: field, as: UTF8.self))
        return columns.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// An entity name as CRMQL source: bare when it is a plain identifier,
    /// else backquoted.
    static func name(_ entity: String) -> String {
        let plain = entity.first.map { $0.isLetter || $0 == "_" } == true
            && entity.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
        return plain ? entity : "`" + entity.filter { $0 != "`" } + "`"
    }

    /// A CRMQL string literal holding `text` exactly.
    static func stringLiteral(_ text: String) -> String {
        var out = "\""
        for character in text {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.append(character)
            }
        }
        return out + "\""
    }
}
