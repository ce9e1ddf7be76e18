import CLibPQ
import CRMQL
import Foundation

/// Runs a database's queries and changes on a PostgreSQL server through
/// libpq, the client library psql itself uses: the connection string, the
/// `PG*` environment variables, `~/.pgpass`, service files and
/// cancellation behave exactly as they do in psql.
///
/// ```swift
/// let engine = try PostgreSQLEngine(connecting: "postgresql://ann@db.example.com/crm")
/// let db = try Database(engine: engine)
/// ```
///
/// One connection, used by one statement at a time; `cancel()` may come
/// from any thread (it is libpq's `PQcancel`).
public final class PostgreSQLEngine: QueryEngine, @unchecked Sendable {
    /// The connection string without its password.
    public let displayName: String
    let address: ConnectionAddress
    /// Held while a statement uses `connection`.
    private let lock = NSLock()
    private var connection: OpaquePointer?
    /// libpq's handle for cancelling from another thread; its own lock,
    /// so that a cancel does not wait for the statement it stops.
    private let cancelLock = NSLock()
    private var cancelHandle: OpaquePointer?
    /// The `statement_timeout` set on the connection, in milliseconds (0: none).
    private var timeoutInForce: Int64 = 0

    /// Connects; the string is a libpq connection string
    /// (`postgresql://user@host:port/db?sslmode=require`, or `host=… dbname=…`).
    /// A password comes best from `PGPASSWORD` or `~/.pgpass`, as for psql.
    /// - Throws: `QueryEngineError` (`.connection`) when the server cannot be
    ///   reached or refuses the login; the message never holds the password.
    public init(connecting connectionString: String) throws(QueryEngineError) {
        var secrets = ConnectionAddress(connectionString)
        if let password = ProcessInfo.processInfo.environment["PGPASSWORD"], !password.isEmpty {
            secrets = secrets.adding(secret: password)
        }
        address = secrets
        displayName = secrets.redacted
        // The string comes last, so what it says wins over these defaults:
        // a server that does not answer fails the connection in ten seconds
        // rather than hanging.
        let keywords = ["connect_timeout", "application_name", "dbname"]
        let values = ["10", "crmql", connectionString]
        let conn = PostgreSQLEngine.withCStrings(keywords) { keys in
            PostgreSQLEngine.withCStrings(values) { vals in PQconnectdbParams(keys, vals, 1) }
        }
        guard let conn, PQstatus(conn) == CONNECTION_OK else {
            let message = conn.map { PostgreSQLEngine.lines(String(cString: PQerrorMessage($0))) } ?? "out of memory"
            if let conn { PQfinish(conn) }
            throw QueryEngineError(.connection, "cannot connect to \(secrets.redacted): \(secrets.scrub(message))")
        }
        connection = conn
        cancelHandle = PQgetCancel(conn)
        // Values cross as text in these forms: dates ISO, datetimes in UTC,
        // doubles in their shortest exact form.
        for setting in ["SET TimeZone = 'UTC'", "SET DateStyle = 'ISO, YMD'", "SET extra_float_digits = 1", "SET client_encoding = 'UTF8'"] {
            let result = PQexec(conn, setting)
            defer { PQclear(result) }
            if PQresultStatus(result) != PGRES_COMMAND_OK {
                let message = PostgreSQLEngine.lines(String(cString: PQerrorMessage(conn)))
                throw QueryEngineError(.connection, "\(secrets.redacted): \(secrets.scrub(message))")
            }
        }
    }

    deinit {
        if let cancelHandle { PQfreeCancel(cancelHandle) }
        if let connection { PQfinish(connection) }
    }

    /// Asks the server to stop the statement running now (`PQcancel`, on
    /// a connection of its own); the statement then fails as cancelled.
    public func cancel() {
        cancelLock.lock()
        defer { cancelLock.unlock() }
        guard let cancelHandle else { return }
        var buffer = [CChar](repeating: 0, count: 256)
        _ = PQcancel(cancelHandle, &buffer, Int32(buffer.count))
    }

    /// Runs a query with its parameters bound (`PQexecParams`) and reads
    /// each cell as its column's type.
    public func run(_ query: ServerQuery, timeLimit: Duration?) throws(QueryEngineError) -> [[Value]] {
        lock.lock()
        defer { lock.unlock() }
        let conn = try usableConnection()
        try setTimeout(timeLimit, conn)
        let result = execute(conn, query.sql, query.parameters)
        defer { PQclear(result) }
        try check(result, conn, PGRES_TUPLES_OK)
        let columns = Int(PQnfields(result))
        guard columns == query.valueTypes.count else {
            throw QueryEngineError(.schema, "the server answered with \(columns) columns where the query has \(query.valueTypes.count)")
        }
        let count = Int(PQntuples(result))
        var rows: [[Value]] = []
        rows.reserveCapacity(count)
        for row in 0..<count {
            var values: [Value] = []
            values.reserveCapacity(columns)
            for column in 0..<columns {
                if PQgetisnull(result, Int32(row), Int32(column)) != 0 {
                    values.append(.null)
                    continue
                }
                let text = String(cString: PQgetvalue(result, Int32(row), Int32(column)))
                do {
                    values.append(try WireValues.value(text, query.valueTypes[column]))
                } catch {
                    throw QueryEngineError(.schema, "the server's value for '\(query.columnNames[column])' does not fit the model: \(error.message)")
                }
            }
            rows.append(values)
        }
        return rows
    }

    /// Runs changes between `BEGIN` and `COMMIT`, rolled back at the first
    /// that fails.
    public func write(_ changes: [ServerChange], timeLimit: Duration?) throws(QueryEngineError) -> [Int] {
        lock.lock()
        defer { lock.unlock() }
        let conn = try usableConnection()
        try setTimeout(timeLimit, conn)
        try command(conn, "BEGIN")
        var counts: [Int] = []
        do throws(QueryEngineError) {
            for change in changes {
                switch change {
                case .statement(let sql, let parameters):
                    let result = execute(conn, sql, parameters)
                    defer { PQclear(result) }
                    try check(result, conn, PGRES_COMMAND_OK)
                    counts.append(Int(String(cString: PQcmdTuples(result))) ?? 0)
                case .copy(let table, let rows):
                    try copy(conn, table, rows)
                    counts.append(rows.rowCount)
                case .createTable(let name, let fields):
                    for sql in PostgreSQLEngine.createTable(name, fields) { try command(conn, sql) }
                    counts.append(0)
                case .refuseIf(let sql, let message):
                    let result = execute(conn, sql, [])
                    defer { PQclear(result) }
                    try check(result, conn, PGRES_TUPLES_OK)
                    if PQntuples(result) > 0 {
                        let first = PQnfields(result) > 0 && PQgetisnull(result, 0, 0) == 0 ? String(cString: PQgetvalue(result, 0, 0)) : ""
                        throw QueryEngineError(.constraint, message.replacingOccurrences(of: "{}", with: first))
                    }
                    counts.append(0)
                }
            }
            try command(conn, "COMMIT")
        } catch {
            if PQstatus(conn) == CONNECTION_OK { _ = try? command(conn, "ROLLBACK") }
            throw error
        }
        return counts
    }

    // MARK: The connection

    /// The connection, reset once when the server dropped it.
    private func usableConnection() throws(QueryEngineError) -> OpaquePointer {
        guard let conn = connection else { throw QueryEngineError(.connection, "the connection to \(displayName) is closed") }
        if PQstatus(conn) != CONNECTION_OK {
            PQreset(conn)
            guard PQstatus(conn) == CONNECTION_OK else {
                throw QueryEngineError(.connection, "lost the connection to \(displayName): \(address.scrub(PostgreSQLEngine.lines(String(cString: PQerrorMessage(conn)))))")
            }
            cancelLock.lock()
            if let cancelHandle { PQfreeCancel(cancelHandle) }
            cancelHandle = PQgetCancel(conn)
            cancelLock.unlock()
            timeoutInForce = 0
        }
        return conn
    }

    /// The time limit as the server's `statement_timeout`, set only when it changes.
    private func setTimeout(_ limit: Duration?, _ conn: OpaquePointer) throws(QueryEngineError) {
        var milliseconds: Int64 = 0
        if let limit {
            let (seconds, attoseconds) = limit.components
            milliseconds = max(1, seconds &* 1000 &+ attoseconds / 1_000_000_000_000_000)
        }
        guard milliseconds != timeoutInForce else { return }
        try command(conn, "SET statement_timeout = \(milliseconds)")
        timeoutInForce = milliseconds
    }

    /// A statement with its parameters bound as text: `$n` slots, never spliced.
    private func execute(_ conn: OpaquePointer, _ sql: String, _ parameters: [Value]) -> OpaquePointer? {
        let texts = parameters.map(WireValues.text)
        var pointers: [UnsafeMutablePointer<CChar>?] = texts.map { $0.flatMap { strdup($0) } }
        defer { pointers.forEach { free($0) } }
        return pointers.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: max(buffer.count, 1)) { values in
                PQexecParams(conn, sql, Int32(texts.count), nil, texts.isEmpty ? nil : values, nil, nil, 0)
            }
        }
    }

    private func command(_ conn: OpaquePointer, _ sql: String) throws(QueryEngineError) {
        let result = PQexec(conn, sql)
        defer { PQclear(result) }
        try check(result, conn, PGRES_COMMAND_OK)
    }

    /// Rows appended with `COPY … FROM STDIN` in the text format.
    private func copy(_ conn: OpaquePointer, _ table: String, _ rows: ResultSet) throws(QueryEngineError) {
        let sql = "COPY \(PostgreSQLEngine.identifier(table)) (\(rows.columnNames.map(PostgreSQLEngine.identifier).joined(separator: ", "))) FROM STDIN"
        let start = PQexec(conn, sql)
        defer { PQclear(start) }
        try check(start, conn, PGRES_COPY_IN)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        var failure: String?
        func flush() {
            guard !buffer.isEmpty, failure == nil else { return }
            let sent = buffer.withUnsafeBufferPointer { bytes in
                bytes.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) { PQputCopyData(conn, $0, Int32(bytes.count)) }
            }
            if sent != 1 { failure = PostgreSQLEngine.lines(String(cString: PQerrorMessage(conn))) }
            buffer.removeAll(keepingCapacity: true)
        }
        let width = rows.columnNames.count
        for row in 0..<rows.rowCount {
            for index in 0..<width {
                let value = rows.value(row: row, column: index)
                if index > 0 { buffer.append(UInt8(ascii: "\t")) }
                guard let text = WireValues.text(value) else {
                    buffer.append(contentsOf: Array("\\N".utf8))
                    continue
                }
                for byte in text.utf8 {
                    switch byte {
                    case UInt8(ascii: "\\"): buffer.append(contentsOf: [92, 92])
                    case UInt8(ascii: "\t"): buffer.append(contentsOf: [92, UInt8(ascii: "t")])
                    case UInt8(ascii: "\n"): buffer.append(contentsOf: [92, UInt8(ascii: "n")])
                    case UInt8(ascii: "\r"): buffer.append(contentsOf: [92, UInt8(ascii: "r")])
                    default: buffer.append(byte)
                    }
                }
            }
            buffer.append(UInt8(ascii: "\n"))
            // TUNING: a megabyte a message keeps the socket busy without
            // holding a second copy of a big load.
            if buffer.count >= 1 << 20 { flush() }
        }
        flush()
        _ = PQputCopyEnd(conn, failure)
        var firstError: QueryEngineError?
        while let result = PQgetResult(conn) {
            if firstError == nil {
                do throws(QueryEngineError) { try check(result, conn, PGRES_COMMAND_OK) } catch { firstError = error }
            }
            PQclear(result)
        }
        if let firstError { throw firstError }
        if let failure { throw QueryEngineError(.connection, "\(displayName): \(address.scrub(failure))") }
    }

    /// Fails unless the result has the status a statement of its kind
    /// ends with: a timeout, a cancel, a lost connection and the server's
    /// refusals each as their own kind.
    private func check(_ result: OpaquePointer?, _ conn: OpaquePointer, _ expected: ExecStatusType) throws(QueryEngineError) {
        if let result, PQresultStatus(result) == expected { return }
        let state = result.flatMap { PQresultErrorField($0, Int32(UInt8(ascii: "C"))) }.map { String(cString: $0) }
        let primary = result.flatMap { PQresultErrorField($0, Int32(UInt8(ascii: "M"))) }.map { String(cString: $0) }
        let message = address.scrub(primary ?? PostgreSQLEngine.lines(String(cString: PQerrorMessage(conn))))
        if PQstatus(conn) != CONNECTION_OK {
            throw QueryEngineError(.connection, "lost the connection to \(displayName): \(message)")
        }
        if state == "57014" {
            throw QueryEngineError(message.contains("timeout") ? .timeout : .cancelled, message)
        }
        let kind: QueryEngineError.Kind = state == "42P01" || state == "42703" ? .schema : .server
        throw QueryEngineError(kind, "the server refused the statement: \(message)" + (state.map { " (SQLSTATE \($0))" } ?? ""))
    }

    // MARK: Text

    static func identifier(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    static func literal(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }

    /// libpq's multi-line messages on one line.
    static func lines(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: "; ")
    }

    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) } + [nil]
        defer { pointers.forEach { free($0) } }
        return pointers.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: buffer.count) { body($0) }
        }
    }
}
