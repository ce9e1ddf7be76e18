import CCRMQL
import CRMQL

// The statement functions of crmql.h: prepare, bind, step, columns,
// finalize. Each is exported under its C name; the header documents them.

/// `crmql_prepare`, as `crmql.h` documents it.
@_cdecl("crmql_prepare")
public func crmqlPrepare(_ db: OpaquePointer?, _ text: UnsafePointer<CChar>?, _ stmt: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    stmt?.pointee = nil
    guard let handle = DatabaseHandle.from(db), let database = handle.database, let text, let stmt else {
        return misuse(DatabaseHandle.from(db), "crmql_prepare needs an open database, text and a place for the statement")
    }
    do throws(CRMQLError) {
        let prepared = try database.prepare(CString.read(text))
        let statement = StatementHandle(database: handle, prepared: prepared)
        stmt.pointee = OpaquePointer(Unmanaged.passRetained(statement).toOpaque())
        return handle.succeeded()
    } catch {
        return handle.record(error)
    }
}

/// `crmql_db_handle`, as `crmql.h` documents it.
@_cdecl("crmql_db_handle")
public func crmqlDatabaseHandle(_ stmt: OpaquePointer?) -> OpaquePointer? {
    guard let statement = StatementHandle.from(stmt) else { return nil }
    return OpaquePointer(Unmanaged.passUnretained(statement.database).toOpaque())
}

/// `crmql_finalize`, as `crmql.h` documents it.
@_cdecl("crmql_finalize")
public func crmqlFinalize(_ stmt: OpaquePointer?) -> Int32 {
    guard let stmt else { return CRMQL_OK }
    Unmanaged<StatementHandle>.fromOpaque(UnsafeRawPointer(stmt)).release()
    return CRMQL_OK
}

/// `crmql_bind_parameter_count`, as `crmql.h` documents it.
@_cdecl("crmql_bind_parameter_count")
public func crmqlBindParameterCount(_ stmt: OpaquePointer?) -> Int32 {
    Int32(clamping: StatementHandle.from(stmt)?.prepared.parameterNames.count ?? 0)
}

/// `crmql_bind_parameter_name`, as `crmql.h` documents it.
@_cdecl("crmql_bind_parameter_name")
public func crmqlBindParameterName(_ stmt: OpaquePointer?, _ index: Int32) -> UnsafePointer<CChar>? {
    StatementHandle.from(stmt)?.parameterNamePointer(at: index)
}

/// `crmql_bind_parameter_index`, as `crmql.h` documents it.
@_cdecl("crmql_bind_parameter_index")
public func crmqlBindParameterIndex(_ stmt: OpaquePointer?, _ name: UnsafePointer<CChar>?) -> Int32 {
    guard let statement = StatementHandle.from(stmt), let name else { return 0 }
    var text = CString.read(name)
    if text.hasPrefix("$") { text.removeFirst() }
    guard let position = statement.prepared.parameterNames.firstIndex(of: text) else { return 0 }
    return Int32(clamping: position + 1)
}

/// Binds `value` to parameter `index`, recording the outcome.
private func bind(_ stmt: OpaquePointer?, _ index: Int32, _ value: Value) -> Int32 {
    guard let statement = StatementHandle.from(stmt) else { return CRMQL_MISUSE }
    guard let name = statement.parameterName(at: index) else {
        let count = statement.prepared.parameterNames.count
        statement.database.record(CRMQL_RANGE, "parameter index \(index) is out of range: the statement has \(count) parameter(s), numbered from 1")
        return CRMQL_RANGE
    }
    statement.bindings[name] = value
    return statement.database.succeeded()
}

/// `crmql_bind_null`, as `crmql.h` documents it.
@_cdecl("crmql_bind_null")
public func crmqlBindNull(_ stmt: OpaquePointer?, _ index: Int32) -> Int32 {
    bind(stmt, index, .null)
}

/// `crmql_bind_int64`, as `crmql.h` documents it.
@_cdecl("crmql_bind_int64")
public func crmqlBindInt64(_ stmt: OpaquePointer?, _ index: Int32, _ value: Int64) -> Int32 {
    bind(stmt, index, .int(value))
}

/// `crmql_bind_double`, as `crmql.h` documents it.
@_cdecl("crmql_bind_double")
public func crmqlBindDouble(_ stmt: OpaquePointer?, _ index: Int32, _ value: Double) -> Int32 {
    bind(stmt, index, value.crmqlValue)
}

/// `crmql_bind_bool`, as `crmql.h` documents it.
@_cdecl("crmql_bind_bool")
public func crmqlBindBool(_ stmt: OpaquePointer?, _ index: Int32, _ value: Int32) -> Int32 {
    bind(stmt, index, .bool(value != 0))
}

/// `crmql_bind_text`, as `crmql.h` documents it.
@_cdecl("crmql_bind_text")
public func crmqlBindText(_ stmt: OpaquePointer?, _ index: Int32, _ text: UnsafePointer<CChar>?, _ bytes: Int32) -> Int32 {
    guard let text else { return bind(stmt, index, .null) }
    return bind(stmt, index, .text(bytes < 0 ? CString.read(text) : CString.read(text, count: Int(bytes))))
}

/// `crmql_bind_date`, as `crmql.h` documents it.
@_cdecl("crmql_bind_date")
public func crmqlBindDate(_ stmt: OpaquePointer?, _ index: Int32, _ iso: UnsafePointer<CChar>?) -> Int32 {
    guard let statement = StatementHandle.from(stmt) else { return CRMQL_MISUSE }
    guard let iso else { return bind(stmt, index, .null) }
    let text = CString.read(iso)
    guard let value = Value.date(iso: text) ?? Value.datetime(iso: text) else {
        // The text is not echoed: it is a bound value, and may be personal data.
        statement.database.record(CRMQL_ERROR, "crmql_bind_date: the text is not an ISO date (YYYY-MM-DD) or datetime")
        return CRMQL_ERROR
    }
    return bind(stmt, index, value)
}

/// `crmql_clear_bindings`, as `crmql.h` documents it.
@_cdecl("crmql_clear_bindings")
public func crmqlClearBindings(_ stmt: OpaquePointer?) -> Int32 {
    guard let statement = StatementHandle.from(stmt) else { return CRMQL_MISUSE }
    statement.bindings = [:]
    return CRMQL_OK
}

/// `crmql_step`, as `crmql.h` documents it.
@_cdecl("crmql_step")
public func crmqlStep(_ stmt: OpaquePointer?) -> Int32 {
    StatementHandle.from(stmt)?.step() ?? CRMQL_MISUSE
}

/// `crmql_reset`, as `crmql.h` documents it.
@_cdecl("crmql_reset")
public func crmqlReset(_ stmt: OpaquePointer?) -> Int32 {
    guard let statement = StatementHandle.from(stmt) else { return CRMQL_MISUSE }
    statement.reset()
    return CRMQL_OK
}

/// `crmql_column_count`, as `crmql.h` documents it.
@_cdecl("crmql_column_count")
public func crmqlColumnCount(_ stmt: OpaquePointer?) -> Int32 {
    StatementHandle.from(stmt)?.columnCount ?? 0
}

/// `crmql_column_name`, as `crmql.h` documents it.
@_cdecl("crmql_column_name")
public func crmqlColumnName(_ stmt: OpaquePointer?, _ column: Int32) -> UnsafePointer<CChar>? {
    StatementHandle.from(stmt)?.columnName(column)
}

/// `crmql_column_decltype`, as `crmql.h` documents it.
@_cdecl("crmql_column_decltype")
public func crmqlColumnDecltype(_ stmt: OpaquePointer?, _ column: Int32) -> UnsafePointer<CChar>? {
    StatementHandle.from(stmt)?.declaredType(column)
}

/// `crmql_column_type`, as `crmql.h` documents it.
@_cdecl("crmql_column_type")
public func crmqlColumnType(_ stmt: OpaquePointer?, _ column: Int32) -> Int32 {
    switch StatementHandle.from(stmt)?.cell(column) ?? .null {
    case .null: return CRMQL_NULL
    case .int: return CRMQL_INT
    case .number: return CRMQL_NUMBER
    case .text: return CRMQL_TEXT
    case .bool: return CRMQL_BOOL
    case .date: return CRMQL_DATE
    case .datetime: return CRMQL_DATETIME
    case .symbol: return CRMQL_ENUM
    }
}

/// `crmql_column_int64`, as `crmql.h` documents it.
@_cdecl("crmql_column_int64")
public func crmqlColumnInt64(_ stmt: OpaquePointer?, _ column: Int32) -> Int64 {
    switch StatementHandle.from(stmt)?.cell(column) ?? .null {
    case .null: return 0
    case .int(let value), .date(let value), .datetime(let value): return value
    case .number(let value):
        if value.isNaN { return 0 }
        if value >= 9.2e18 { return Int64.max }
        if value <= -9.2e18 { return Int64.min }
        return Int64(value.rounded(.towardZero))
    case .text(let text): return Int64(text.trimmingSpaces) ?? 0
    case .bool(let value): return value ? 1 : 0
    case .symbol(let code, _): return Int64(code)
    }
}

/// `crmql_column_double`, as `crmql.h` documents it.
@_cdecl("crmql_column_double")
public func crmqlColumnDouble(_ stmt: OpaquePointer?, _ column: Int32) -> Double {
    switch StatementHandle.from(stmt)?.cell(column) ?? .null {
    case .null: return 0
    case .number(let value): return value
    case .int(let value), .date(let value), .datetime(let value): return Double(value)
    case .text(let text): return Double(text.trimmingSpaces) ?? 0
    case .bool(let value): return value ? 1 : 0
    case .symbol(let code, _): return Double(code)
    }
}

/// `crmql_column_text`, as `crmql.h` documents it.
@_cdecl("crmql_column_text")
public func crmqlColumnText(_ stmt: OpaquePointer?, _ column: Int32) -> UnsafePointer<CChar>? {
    StatementHandle.from(stmt)?.text(column).text
}

/// `crmql_column_bytes`, as `crmql.h` documents it.
@_cdecl("crmql_column_bytes")
public func crmqlColumnBytes(_ stmt: OpaquePointer?, _ column: Int32) -> Int32 {
    Int32(clamping: StatementHandle.from(stmt)?.text(column).bytes ?? 0)
}

extension String {
    /// The text without leading and trailing spaces, as C's conversions read numbers.
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
