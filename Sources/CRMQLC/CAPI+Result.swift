import CCRMQL
import CRMQL
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The result functions of crmql.h: a whole result held by the caller, its
// columns copied out in bulk. What a data frame library needs to take a
// million rows without a call per cell.

/// What a `crmql_result *` points to: one result and the C strings handed
/// out for its column names, types and enum symbols.
final class ResultHandle {
    let result: ResultSet
    private let names: [UnsafeMutablePointer<CChar>?]
    private let declaredTypes: [UnsafeMutablePointer<CChar>?]
    private let symbols: [[UnsafeMutablePointer<CChar>?]]

    init(_ result: ResultSet) {
        self.result = result
        names = result.columnNames.map { CString.make($0) }
        declaredTypes = result.columnTypes.map { CString.make($0.description) }
        symbols = result.columnTypes.map { type in
            guard case .enumeration(let enumType) = type else { return [] }
            return enumType.symbols.map { CString.make($0) }
        }
    }

    deinit {
        names.forEach { free($0) }
        declaredTypes.forEach { free($0) }
        symbols.joined().forEach { free($0) }
    }

    func name(_ column: Int32) -> UnsafePointer<CChar>? { Self.element(names, column) }
    func declaredType(_ column: Int32) -> UnsafePointer<CChar>? { Self.element(declaredTypes, column) }

    func symbolCount(_ column: Int32) -> Int32 {
        guard column >= 0, Int(column) < symbols.count else { return 0 }
        return Int32(clamping: symbols[Int(column)].count)
    }

    func symbol(_ column: Int32, _ index: Int32) -> UnsafePointer<CChar>? {
        guard column >= 0, Int(column) < symbols.count else { return nil }
        return Self.element(symbols[Int(column)], index)
    }

    private static func element(_ array: [UnsafeMutablePointer<CChar>?], _ index: Int32) -> UnsafePointer<CChar>? {
        guard index >= 0, Int(index) < array.count else { return nil }
        return array[Int(index)].map { UnsafePointer($0) }
    }

    /// A new handle the caller owns, as a C pointer.
    static func retained(_ result: ResultSet) -> OpaquePointer {
        OpaquePointer(Unmanaged.passRetained(ResultHandle(result)).toOpaque())
    }

    static func from(_ pointer: OpaquePointer?) -> ResultHandle? {
        guard let pointer else { return nil }
        return Unmanaged<ResultHandle>.fromOpaque(UnsafeRawPointer(pointer)).takeUnretainedValue()
    }
}

/// `crmql_stmt_result`, as `crmql.h` documents it.
@_cdecl("crmql_stmt_result")
public func crmqlStatementResult(_ stmt: OpaquePointer?) -> OpaquePointer? {
    guard let result = StatementHandle.from(stmt)?.currentResult else { return nil }
    return ResultHandle.retained(result)
}

/// `crmql_result_free`, as `crmql.h` documents it.
@_cdecl("crmql_result_free")
public func crmqlResultFree(_ result: OpaquePointer?) {
    guard let result else { return }
    Unmanaged<ResultHandle>.fromOpaque(UnsafeRawPointer(result)).release()
}

/// `crmql_result_row_count`, as `crmql.h` documents it.
@_cdecl("crmql_result_row_count")
public func crmqlResultRowCount(_ result: OpaquePointer?) -> Int64 {
    Int64(ResultHandle.from(result)?.result.rowCount ?? 0)
}

/// `crmql_result_column_count`, as `crmql.h` documents it.
@_cdecl("crmql_result_column_count")
public func crmqlResultColumnCount(_ result: OpaquePointer?) -> Int32 {
    Int32(clamping: ResultHandle.from(result)?.result.columnNames.count ?? 0)
}

/// `crmql_result_column_name`, as `crmql.h` documents it.
@_cdecl("crmql_result_column_name")
public func crmqlResultColumnName(_ result: OpaquePointer?, _ column: Int32) -> UnsafePointer<CChar>? {
    ResultHandle.from(result)?.name(column)
}

/// `crmql_result_column_decltype`, as `crmql.h` documents it.
@_cdecl("crmql_result_column_decltype")
public func crmqlResultColumnDecltype(_ result: OpaquePointer?, _ column: Int32) -> UnsafePointer<CChar>? {
    ResultHandle.from(result)?.declaredType(column)
}

/// `crmql_result_column_storage`, as `crmql.h` documents it.
@_cdecl("crmql_result_column_storage")
public func crmqlResultColumnStorage(_ result: OpaquePointer?, _ column: Int32) -> Int32 {
    switch ResultHandle.from(result)?.result.storage(ofColumn: Int(column)) ?? .null {
    case .null: return CRMQL_NULL
    case .integer: return CRMQL_INT
    case .number: return CRMQL_NUMBER
    case .text: return CRMQL_TEXT
    case .bool: return CRMQL_BOOL
    case .date: return CRMQL_DATE
    case .datetime: return CRMQL_DATETIME
    case .enumeration: return CRMQL_ENUM
    }
}

/// `crmql_result_enum_count`, as `crmql.h` documents it.
@_cdecl("crmql_result_enum_count")
public func crmqlResultEnumCount(_ result: OpaquePointer?, _ column: Int32) -> Int32 {
    ResultHandle.from(result)?.symbolCount(column) ?? 0
}

/// `crmql_result_enum_symbol`, as `crmql.h` documents it.
@_cdecl("crmql_result_enum_symbol")
public func crmqlResultEnumSymbol(_ result: OpaquePointer?, _ column: Int32, _ index: Int32) -> UnsafePointer<CChar>? {
    ResultHandle.from(result)?.symbol(column, index)
}

/// `crmql_result_copy_int64`, as `crmql.h` documents it.
@_cdecl("crmql_result_copy_int64")
public func crmqlResultCopyInt64(_ result: OpaquePointer?, _ column: Int32, _ values: UnsafeMutablePointer<Int64>?,
                                 _ valid: UnsafeMutablePointer<UInt8>?, _ count: Int64) -> Int64 {
    guard let handle = ResultHandle.from(result), let values, let valid, count > 0, let rows = Int(exactly: count) else { return 0 }
    return Int64(handle.result.copyIntegers(column: Int(column), into: UnsafeMutableBufferPointer(start: values, count: rows),
                                            valid: UnsafeMutableBufferPointer(start: valid, count: rows)))
}

/// `crmql_result_copy_double`, as `crmql.h` documents it.
@_cdecl("crmql_result_copy_double")
public func crmqlResultCopyDouble(_ result: OpaquePointer?, _ column: Int32, _ values: UnsafeMutablePointer<Double>?,
                                  _ valid: UnsafeMutablePointer<UInt8>?, _ count: Int64) -> Int64 {
    guard let handle = ResultHandle.from(result), let values, let valid, count > 0, let rows = Int(exactly: count) else { return 0 }
    return Int64(handle.result.copyNumbers(column: Int(column), into: UnsafeMutableBufferPointer(start: values, count: rows),
                                           valid: UnsafeMutableBufferPointer(start: valid, count: rows)))
}

/// `crmql_result_text_bytes`, as `crmql.h` documents it.
@_cdecl("crmql_result_text_bytes")
public func crmqlResultTextBytes(_ result: OpaquePointer?, _ column: Int32) -> Int64 {
    Int64(ResultHandle.from(result)?.result.textByteCount(column: Int(column)) ?? 0)
}

/// `crmql_result_copy_text`, as `crmql.h` documents it.
@_cdecl("crmql_result_copy_text")
public func crmqlResultCopyText(_ result: OpaquePointer?, _ column: Int32, _ bytes: UnsafeMutablePointer<UInt8>?, _ capacity: Int64,
                                _ offsets: UnsafeMutablePointer<Int64>?, _ valid: UnsafeMutablePointer<UInt8>?, _ rows: Int64) -> Int32 {
    guard let handle = ResultHandle.from(result), let offsets, let valid,
          let byteCount = Int(exactly: max(0, capacity)), let rowCount = Int(exactly: max(0, rows)) else { return CRMQL_MISUSE }
    guard rowCount == handle.result.rowCount else { return CRMQL_RANGE }
    // A column of only empty or null cells needs no bytes, and may be given no buffer.
    var empty: UInt8 = 0
    let copied = withUnsafeMutablePointer(to: &empty) { fallback in
        handle.result.copyText(column: Int(column),
                               bytes: UnsafeMutableBufferPointer(start: bytes ?? fallback, count: bytes == nil ? 0 : byteCount),
                               offsets: UnsafeMutableBufferPointer(start: offsets, count: rowCount + 1),
                               valid: UnsafeMutableBufferPointer(start: valid, count: rowCount))
    }
    return copied ? CRMQL_OK : CRMQL_RANGE
}
