import CCRMQL
import CRMQL
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The database functions of crmql.h: open, close, exec, errors, interrupt,
// limits. Each is exported under its C name; the header documents them.

/// `crmql_open`, as `crmql.h` documents it.
@_cdecl("crmql_open")
public func crmqlOpen(_ snapshot: UnsafePointer<CChar>?, _ db: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    crmqlOpenV2(snapshot, 0, nil, db)
}

/// `crmql_open_v2`, as `crmql.h` documents it.
@_cdecl("crmql_open_v2")
public func crmqlOpenV2(_ snapshot: UnsafePointer<CChar>?, _ flags: Int32, _ today: UnsafePointer<CChar>?,
                        _ db: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guard let db else { return CRMQL_MISUSE }
    db.pointee = nil
    let known = CRMQL_OPEN_SAFE | CRMQL_OPEN_DEMO | CRMQL_OPEN_DATABASE | CRMQL_OPEN_READONLY
    var failure: (code: Int32, message: String)?
    var database: Database?
    if flags & ~known != 0 {
        failure = (CRMQL_MISUSE, "unknown flags \(flags & ~known) for crmql_open_v2")
    } else if flags & CRMQL_OPEN_READONLY != 0, flags & CRMQL_OPEN_DATABASE == 0 {
        failure = (CRMQL_MISUSE, "CRMQL_OPEN_READONLY needs CRMQL_OPEN_DATABASE")
    } else if flags & CRMQL_OPEN_DATABASE != 0, (snapshot.map(CString.read) ?? "").isEmpty {
        failure = (CRMQL_MISUSE, "CRMQL_OPEN_DATABASE needs a file name")
    } else {
        let options = Database.Options(today: today.map(CString.read), safe: flags & CRMQL_OPEN_SAFE != 0)
        do throws(CRMQLError) {
            let path = snapshot.map(CString.read) ?? ""
            let opened: Database
            if flags & CRMQL_OPEN_DATABASE != 0 {
                opened = try Database(path: path, readOnly: flags & CRMQL_OPEN_READONLY != 0, options: options)
            } else {
                opened = path.isEmpty ? try Database(options: options) : try Database(snapshot: path, options: options)
            }
            if flags & CRMQL_OPEN_DEMO != 0 { try opened.loadDemo() }
            database = opened
        } catch {
            failure = (CStatus.code(of: error.phase), error.description)
        }
    }
    let handle = DatabaseHandle(database: database)
    if let failure { handle.record(failure.code, failure.message) }
    db.pointee = OpaquePointer(Unmanaged.passRetained(handle).toOpaque())
    return failure?.code ?? CRMQL_OK
}

/// `crmql_close`, as `crmql.h` documents it.
@_cdecl("crmql_close")
public func crmqlClose(_ db: OpaquePointer?) -> Int32 {
    guard let db else { return CRMQL_OK }
    // Statements hold their own reference, so the handle outlives this call while any remains.
    Unmanaged<DatabaseHandle>.fromOpaque(UnsafeRawPointer(db)).release()
    return CRMQL_OK
}

/// `crmql_exec`, as `crmql.h` documents it.
@_cdecl("crmql_exec")
public func crmqlExec(_ db: OpaquePointer?, _ text: UnsafePointer<CChar>?, _ callback: crmql_callback?,
                      _ context: UnsafeMutableRawPointer?, _ errmsg: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    errmsg?.pointee = nil
    guard let handle = DatabaseHandle.from(db), let database = handle.database, let text else {
        return misuse(DatabaseHandle.from(db), "crmql_exec needs an open database and text", errmsg)
    }
    do throws(CRMQLError) {
        // Statement by statement: when the callback asks to stop, no later
        // row is handed over and no later statement runs.
        var statements = try database.statements(CString.read(text))
        if let syntaxError = statements.syntaxError { throw syntaxError }
        while let statement = try statements.next() {
            for case .rows(let result) in statement.outputs {
                guard let callback, !RowCallback.deliver(result, to: callback, context: context) else { continue }
                handle.record(CRMQL_ABORT, "the callback asked to stop")
                errmsg?.pointee = CString.make("the callback asked to stop")
                return CRMQL_ABORT
            }
        }
        return handle.succeeded()
    } catch {
        errmsg?.pointee = CString.make(error.description)
        return handle.record(error)
    }
}

/// Hands a result's rows to a `crmql_exec` callback as C strings.
enum RowCallback {
    /// False when the callback asked to stop.
    static func deliver(_ result: ResultSet, to callback: crmql_callback, context: UnsafeMutableRawPointer?) -> Bool {
        let names = result.columnNames.map { CString.make($0) }
        defer { names.forEach { free($0) } }
        let nameArray = names.map { UnsafePointer($0) }
        for row in result {
            let cells = row.values.map { $0.isNull ? nil : CString.make($0.description) }
            let cellArray = cells.map { $0.map { UnsafePointer($0) } }
            let status = cellArray.withUnsafeBufferPointer { values in
                nameArray.withUnsafeBufferPointer { columnNames in
                    callback(context, Int32(clamping: result.columnNames.count), values.baseAddress, columnNames.baseAddress)
                }
            }
            cells.forEach { free($0) }
            if status != 0 { return false }
        }
        return true
    }
}

/// `crmql_errcode`, as `crmql.h` documents it.
@_cdecl("crmql_errcode")
public func crmqlErrcode(_ db: OpaquePointer?) -> Int32 {
    DatabaseHandle.from(db)?.code ?? CRMQL_MISUSE
}

/// `crmql_errmsg`, as `crmql.h` documents it.
@_cdecl("crmql_errmsg")
public func crmqlErrmsg(_ db: OpaquePointer?) -> UnsafePointer<CChar>? {
    guard let handle = DatabaseHandle.from(db) else { return crmql_errstr(CRMQL_MISUSE) }
    return handle.message
}

/// `crmql_error_offset`, as `crmql.h` documents it.
@_cdecl("crmql_error_offset")
public func crmqlErrorOffset(_ db: OpaquePointer?) -> Int32 {
    DatabaseHandle.from(db)?.offset ?? -1
}

/// `crmql_error_phase`, as `crmql.h` documents it.
@_cdecl("crmql_error_phase")
public func crmqlErrorPhase(_ db: OpaquePointer?) -> UnsafePointer<CChar>? {
    let phase = DatabaseHandle.from(db)?.phase ?? "misuse"
    return UnsafeRawPointer(phase.utf8Start).assumingMemoryBound(to: CChar.self)
}

/// `crmql_interrupt`, as `crmql.h` documents it.
@_cdecl("crmql_interrupt")
public func crmqlInterrupt(_ db: OpaquePointer?) {
    DatabaseHandle.from(db)?.database?.interrupt()
}

/// `crmql_limit`, as `crmql.h` documents it.
@_cdecl("crmql_limit")
public func crmqlLimit(_ db: OpaquePointer?, _ id: Int32, _ value: Int64) -> Int64 {
    guard let database = DatabaseHandle.from(db)?.database else { return -1 }
    var limits = database.limits
    let previous: Int64
    let bound: Int? = value == unlimited ? nil : Int(exactly: value)
    let apply = value >= 0
    switch id {
    case CRMQL_LIMIT_TIME_MS:
        previous = limits.timeLimit.map(milliseconds) ?? unlimited
        if apply { limits.timeLimit = value == unlimited ? nil : .milliseconds(value) }
    case CRMQL_LIMIT_RESULT_ROWS:
        previous = limits.maxResultRows.map { Int64($0) } ?? unlimited
        if apply { limits.maxResultRows = bound }
    case CRMQL_LIMIT_NESTING_DEPTH:
        previous = limits.maxNestingDepth.map { Int64($0) } ?? unlimited
        if apply { limits.maxNestingDepth = bound }
    case CRMQL_LIMIT_MEMORY_BYTES:
        previous = limits.maxMemoryBytes.map { Int64($0) } ?? unlimited
        if apply { limits.maxMemoryBytes = bound }
    default:
        return -1
    }
    if apply { database.limits = limits }
    return previous
}

/// A duration in whole milliseconds, saturating.
private func milliseconds(_ duration: Duration) -> Int64 {
    let (seconds, attoseconds) = duration.components
    let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1000)
    if overflow { return unlimited }
    let (total, overflowAgain) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
    return overflowAgain ? unlimited : total
}

/// Records and returns `CRMQL_MISUSE`.
func misuse(_ handle: DatabaseHandle?, _ message: String,
            _ errmsg: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = nil) -> Int32 {
    handle?.record(CRMQL_MISUSE, message)
    errmsg?.pointee = CString.make(message)
    return CRMQL_MISUSE
}

/// `CRMQL_UNLIMITED`, the value of a limit that is not set.
let unlimited = Int64.max
