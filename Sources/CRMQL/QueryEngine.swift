import CRMQLCore

/// A SQL server that runs a database's queries and writes in place of the
/// in-memory engine: `Database(engine:options:)` opens a session whose
/// entities are the server's tables. The in-memory engine stays the default
/// and the reference; an engine must give the same rows it would on the
/// same data.
///
/// The database compiles every query itself (so errors keep their carets)
/// and hands the engine one statement with its parameters as values to
/// bind; the engine only moves statements and values to and from the
/// server. Calls come one at a time; `cancel()` may come from any thread.
public protocol QueryEngine: AnyObject, Sendable {
    /// Where the engine runs, for messages and prompts. It never holds a
    /// password.
    var displayName: String { get }
    /// The server's tables as entities, typed by the standard CRM model
    /// where it names them.
    /// - Throws: `QueryEngineError` when the catalog cannot be read or a
    ///   table disagrees with the model (a standard field of another type).
    func entities() throws(QueryEngineError) -> [Schema.Entity]
    /// The fields among `numberFields` of a table whose values are all whole
    /// hundredths, with at least one present: money, which crmql adds
    /// exactly and a table prints with two places, as it does in memory.
    func moneyFields(of table: String, among numberFields: [String]) throws(QueryEngineError) -> Set<String>
    /// Runs one query and returns its rows, each value of the type the
    /// query gives its column (`ServerQuery.valueTypes`).
    /// - Parameter timeLimit: the longest the server may take; nil for no limit.
    func run(_ query: ServerQuery, timeLimit: Duration?) throws(QueryEngineError) -> [[Value]]
    /// Runs changes in one transaction, all or nothing, and returns the
    /// number of rows each changed.
    func write(_ changes: [ServerChange], timeLimit: Duration?) throws(QueryEngineError) -> [Int]
    /// Stops the statement running now, if any; callable from any thread.
    func cancel()
}

/// A query compiled for a server.
public struct ServerQuery: Sendable {
    /// The statement, with `$1`, `$2`, … where its parameters are.
    public let sql: String
    /// The values of `$1`, `$2`, …, bound by the engine, never spliced into `sql`.
    public let parameters: [Value]
    /// The answer's column names.
    public let columnNames: [String]
    /// The type each column's values take: a ref column's values are its
    /// parent's keys (int or text).
    public let valueTypes: [DataType]
    /// The tables the statement reads.
    public let tables: [String]

    /// Describes a query (for engines' tests).
    public init(sql: String, parameters: [Value] = [], columnNames: [String], valueTypes: [DataType], tables: [String] = []) {
        self.sql = sql
        self.parameters = parameters
        self.columnNames = columnNames
        self.valueTypes = valueTypes
        self.tables = tables
    }
}

/// One change sent to a server inside a write's transaction.
public enum ServerChange: Sendable {
    /// A statement with its parameters, counted by the rows it changed.
    case statement(sql: String, parameters: [Value])
    /// Rows appended to a table through the server's bulk path (`COPY`),
    /// into the columns the result's columns are named after; counted by
    /// the rows sent. Columnar, as crmql holds them, so that a big load is
    /// not copied row by row first.
    case copy(table: String, rows: ResultSet)
    /// A new table with these fields (refs hold their parent's key type).
    case createTable(name: String, fields: [Schema.Field])
    /// A query run after the changes before it: when it returns a row, the
    /// transaction is rolled back and the write fails (`.constraint`) with
    /// `message`, its `{}` replaced by the row's first value. How crmql's
    /// own rules (unique keys, refs that point at a row) hold on a server
    /// whose tables do not enforce them.
    case refuseIf(sql: String, message: String)
}

/// What went wrong in a query engine, in words an analyst can act on. The
/// message never holds a password.
public struct QueryEngineError: Error, Sendable, CustomStringConvertible {
    /// Why it failed.
    public enum Kind: Sendable {
        /// The server could not be reached, refused the login or dropped the connection.
        case connection
        /// The server's tables disagree with the model.
        case schema
        /// The server refused or failed the statement.
        case server
        /// The statement ran past its time limit and was stopped.
        case timeout
        /// The statement was cancelled (`Database.interrupt()`, Ctrl-C).
        case cancelled
        /// A change would break a key or a ref (`ServerChange.refuseIf`).
        case constraint
    }

    /// Why it failed.
    public let kind: Kind
    /// The message.
    public let message: String

    /// Describes a failure.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
