import CCRMQL
import CRMQL
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The script functions of crmql.h: run a text of many statements one output
// at a time, the way a notebook cell runs, and the completion and
// inspection of names a notebook's editor asks for.

/// What a `crmql_script *` points to: a statement stream and the outputs of
/// the statement it ran last that were not handed over yet.
final class ScriptHandle {
    let database: DatabaseHandle
    var stream: StatementStream
    var pending: [StatementOutput?] = []
    var range: (start: Int, end: Int) = (-1, -1)

    init(database: DatabaseHandle, stream: StatementStream) {
        self.database = database
        self.stream = stream
    }

    static func from(_ pointer: OpaquePointer?) -> ScriptHandle? {
        guard let pointer else { return nil }
        return Unmanaged<ScriptHandle>.fromOpaque(UnsafeRawPointer(pointer)).takeUnretainedValue()
    }
}

/// `crmql_script_open`, as `crmql.h` documents it.
@_cdecl("crmql_script_open")
public func crmqlScriptOpen(_ db: OpaquePointer?, _ text: UnsafePointer<CChar>?, _ sourceName: UnsafePointer<CChar>?,
                            _ script: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    script?.pointee = nil
    guard let handle = DatabaseHandle.from(db), let database = handle.database, let text, let script else {
        return misuse(DatabaseHandle.from(db), "crmql_script_open needs an open database, text and a place for the script")
    }
    do throws(CRMQLError) {
        let stream = try database.statements(CString.read(text), sourceName: sourceName.map(CString.read) ?? "<input>")
        script.pointee = OpaquePointer(Unmanaged.passRetained(ScriptHandle(database: handle, stream: stream)).toOpaque())
        return handle.succeeded()
    } catch {
        return handle.record(error)
    }
}

/// `crmql_script_next`, as `crmql.h` documents it.
@_cdecl("crmql_script_next")
public func crmqlScriptNext(_ script: OpaquePointer?, _ result: UnsafeMutablePointer<OpaquePointer?>?,
                            _ text: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    result?.pointee = nil
    text?.pointee = nil
    guard let handle = ScriptHandle.from(script) else { return CRMQL_MISUSE }
    if handle.pending.isEmpty {
        do throws(CRMQLError) {
            guard let executed = try handle.stream.next() else { return CRMQL_DONE }
            handle.range = (executed.range.start, executed.range.end)
            // A statement that produced nothing still reports once, so the
            // caller can tell which statement ran.
            handle.pending = executed.outputs.isEmpty ? [nil] : executed.outputs
        } catch {
            handle.range = error.problems.first?.range.map { ($0.start, $0.end) } ?? (-1, -1)
            return handle.database.record(error)
        }
    }
    handle.database.succeeded()
    switch handle.pending.removeFirst() {
    case .rows(let rows)?:
        result?.pointee = ResultHandle.retained(rows)
        return CRMQL_ROW
    case .message(let message)?, .text(let message)?:
        text?.pointee = CString.make(message)
        return CRMQL_OK
    case nil:
        return CRMQL_OK
    }
}

/// `crmql_script_range`, as `crmql.h` documents it.
@_cdecl("crmql_script_range")
public func crmqlScriptRange(_ script: OpaquePointer?, _ start: UnsafeMutablePointer<Int32>?, _ end: UnsafeMutablePointer<Int32>?) -> Int32 {
    guard let handle = ScriptHandle.from(script) else { return CRMQL_MISUSE }
    start?.pointee = Int32(clamping: handle.range.start)
    end?.pointee = Int32(clamping: handle.range.end)
    return CRMQL_OK
}

/// `crmql_script_close`, as `crmql.h` documents it.
@_cdecl("crmql_script_close")
public func crmqlScriptClose(_ script: OpaquePointer?) {
    guard let script else { return }
    Unmanaged<ScriptHandle>.fromOpaque(UnsafeRawPointer(script)).release()
}

/// `crmql_complete`, as `crmql.h` documents it.
@_cdecl("crmql_complete")
public func crmqlComplete(_ db: OpaquePointer?, _ text: UnsafePointer<CChar>?, _ cursor: Int32,
                          _ start: UnsafeMutablePointer<Int32>?) -> UnsafeMutablePointer<CChar>? {
    guard let handle = DatabaseHandle.from(db), let database = handle.database, let text else { return nil }
    let source = CString.read(text)
    let bytes = Array(source.utf8)
    let end = min(max(0, Int(cursor)), bytes.count)
    let candidates = Completion(schema: database.schema).candidates(for: source, cursor: end)
    start?.pointee = Int32(clamping: NameAtCursor.wordStart(bytes, end))
    return CString.make(candidates.joined(separator: "\n"))
}

/// `crmql_inspect`, as `crmql.h` documents it.
@_cdecl("crmql_inspect")
public func crmqlInspect(_ db: OpaquePointer?, _ text: UnsafePointer<CChar>?, _ cursor: Int32) -> UnsafeMutablePointer<CChar>? {
    guard let handle = DatabaseHandle.from(db), let database = handle.database, let text else { return nil }
    let bytes = Array(CString.read(text).utf8)
    guard let name = NameAtCursor.name(bytes, min(max(0, Int(cursor)), bytes.count)),
          let description = NameAtCursor.describe(name, in: database.schema) else { return nil }
    return CString.make(description)
}

/// The name a cursor is in or just after, and what a schema says of it.
enum NameAtCursor {
    private static func isNameByte(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "_") || byte == UInt8(ascii: "$") || byte >= 0x80
            || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    /// Where the word completion replaces begins: after the opening quote
    /// inside an unfinished string (a file name), else at the start of the
    /// name just before the cursor.
    static func wordStart(_ bytes: [UInt8], _ cursor: Int) -> Int {
        let quotes = bytes[0..<cursor].indices.filter { bytes[$0] == UInt8(ascii: "\"") }
        if quotes.count % 2 == 1, let open = quotes.last { return open + 1 }
        var start = cursor
        while start > 0, isNameByte(bytes[start - 1]) { start -= 1 }
        return start
    }

    /// The whole name around the cursor, with the entity before a dot when
    /// there is one (`customers.revenue`); nil when the cursor is on no name.
    static func name(_ bytes: [UInt8], _ cursor: Int) -> String? {
        var start = cursor
        while start > 0, isNameByte(bytes[start - 1]) { start -= 1 }
        var end = cursor
        while end < bytes.count, isNameByte(bytes[end]) { end += 1 }
        guard start < end else { return nil }
        if start > 1, bytes[start - 1] == UInt8(ascii: "."), isNameByte(bytes[start - 2]) {
            var owner = start - 1
            while owner > 0, isNameByte(bytes[owner - 1]) { owner -= 1 }
            return String(decoding: bytes[owner..<end], as: UTF8.self)
        }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// What the schema knows of `name`: an entity's fields, a field's type,
    /// a computed field's (measure's) definition, a parameter or function.
    static func describe(_ name: String, in schema: Schema) -> String? {
        let parts = name.split(separator: ".").map(String.init)
        let field = parts.last ?? name
        let owners = parts.count > 1 ? schema.entities.filter { $0.name == parts[0] } : schema.entities
        if parts.count == 1, let entity = schema.entity(named: field) {
            var lines = ["entity \(entity.name): \(entity.rowCount) rows"]
            lines += entity.fields.map { "  \($0.name): \($0.type.description)\($0.isKey ? " key" : "")" }
            lines += entity.computedFields.map { "  \($0.name) = \($0.definition)" }
            if !entity.relations.isEmpty { lines.append("  relations: " + entity.relations.joined(separator: ", ")) }
            return lines.joined(separator: "\n")
        }
        var found: [String] = []
        for entity in owners {
            if let stored = entity.field(named: field) {
                found.append("\(entity.name).\(stored.name): \(stored.type.description)\(stored.isKey ? " key" : "")")
            }
            for computed in entity.computedFields where computed.name == field {
                let type = computed.type.map { " (\($0.description))" } ?? ""
                let origin = computed.fromPrelude ? "  -- from the CRM prelude" : ""
                found.append("define \(entity.name).\(computed.name) = \(computed.definition)\(type)\(origin)")
            }
        }
        if !found.isEmpty { return found.joined(separator: "\n") }
        if field.hasPrefix("$"), schema.parameters.contains(String(field.dropFirst())) { return "parameter \(field)" }
        if schema.namedQueries.contains(field) { return "named query \(field) (let)" }
        if schema.functions.contains(field) { return "function \(field)" }
        return nil
    }
}
