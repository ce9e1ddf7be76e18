import CCRMQL
import CRMQL
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a `crmql_stmt *` points to: a prepared statement, the values bound
/// to it, and where stepping through its result stands, with the C strings
/// handed out for the current row and columns.
///
/// Not thread-safe, as the header says of statements: one thread at a time.
final class StatementHandle {
    let database: DatabaseHandle
    let prepared: PreparedStatement
    /// The parameters' names with `$`, as `crmql_bind_parameter_name` returns them.
    private let parameterNames: [UnsafeMutablePointer<CChar>?]
    var bindings: [String: Value] = [:]

    /// The result being stepped through; nil before the statement runs.
    private var result: ResultSet?
    /// The current row; -1 before the first.
    private var row = -1
    private var finished = false
    private var columnNames: [UnsafeMutablePointer<CChar>?] = []
    private var declaredTypes: [UnsafeMutablePointer<CChar>?] = []
    /// Text of the current row's cells, made when first asked for.
    private var cellTexts: [Int: (text: UnsafeMutablePointer<CChar>?, bytes: Int)] = [:]

    init(database: DatabaseHandle, prepared: PreparedStatement) {
        self.database = database
        self.prepared = prepared
        self.parameterNames = prepared.parameterNames.map { CString.make("$" + $0) }
    }

    deinit {
        clearResult()
        parameterNames.forEach { free($0) }
    }

    /// The name a parameter index (1-based) binds; nil when out of range.
    func parameterName(at index: Int32) -> String? {
        let position = Int(index) - 1
        guard position >= 0, position < prepared.parameterNames.count else { return nil }
        return prepared.parameterNames[position]
    }

    func parameterNamePointer(at index: Int32) -> UnsafePointer<CChar>? {
        let position = Int(index) - 1
        guard position >= 0, position < parameterNames.count else { return nil }
        return parameterNames[position].map { UnsafePointer($0) }
    }

    /// Runs the statement or moves to its next row.
    func step() -> Int32 {
        if finished { reset() }
        if result == nil {
            do throws(CRMQLError) {
                let outputs = try prepared.execute(parameters: bindings)
                for case .rows(let rows) in outputs { result = rows }
            } catch {
                finished = true
                return database.record(error)
            }
            database.succeeded()
            guard let result else {
                finished = true
                return CRMQL_DONE
            }
            columnNames = result.columnNames.map { CString.make($0) }
            declaredTypes = result.columnTypes.map { CString.make($0.description) }
        }
        freeCellTexts()
        row += 1
        guard let result, row < result.rowCount else {
            finished = true
            return CRMQL_DONE
        }
        return CRMQL_ROW
    }

    /// Back to before the first run; bindings stay.
    func reset() {
        clearResult()
        finished = false
    }

    private func clearResult() {
        freeCellTexts()
        columnNames.forEach { free($0) }
        declaredTypes.forEach { free($0) }
        columnNames = []
        declaredTypes = []
        result = nil
        row = -1
    }

    private func freeCellTexts() {
        cellTexts.values.forEach { free($0.text) }
        cellTexts = [:]
    }

    // MARK: Columns

    /// The whole result of the last run; nil before it and for statements without rows.
    var currentResult: ResultSet? { result }

    var columnCount: Int32 { Int32(clamping: result?.columnNames.count ?? 0) }

    func columnName(_ column: Int32) -> UnsafePointer<CChar>? {
        guard column >= 0, Int(column) < columnNames.count else { return nil }
        return columnNames[Int(column)].map { UnsafePointer($0) }
    }

    func declaredType(_ column: Int32) -> UnsafePointer<CChar>? {
        guard column >= 0, Int(column) < declaredTypes.count else { return nil }
        return declaredTypes[Int(column)].map { UnsafePointer($0) }
    }

    /// The current row's cell; null out of range or with no current row.
    func cell(_ column: Int32) -> Value {
        guard let result, row >= 0, row < result.rowCount else { return .null }
        return result[row][Int(column)]
    }

    /// The cell as text; the handle owns it until the row changes.
    func text(_ column: Int32) -> (text: UnsafePointer<CChar>?, bytes: Int) {
        if let cached = cellTexts[Int(column)] { return (cached.text.map { UnsafePointer($0) }, cached.bytes) }
        let value = cell(column)
        if value.isNull { return (nil, 0) }
        let description = value.description
        let made = (text: CString.make(description), bytes: description.utf8.count)
        cellTexts[Int(column)] = made
        return (made.text.map { UnsafePointer($0) }, made.bytes)
    }

    /// The handle behind a `crmql_stmt *`; nil for NULL.
    static func from(_ pointer: OpaquePointer?) -> StatementHandle? {
        guard let pointer else { return nil }
        return Unmanaged<StatementHandle>.fromOpaque(UnsafeRawPointer(pointer)).takeUnretainedValue()
    }
}
