import CRMQLCore
import CRMQLEngine
import CRMQLSyntax

/// One statement parsed once and run many times with different parameter
/// values:
///
/// ```swift
/// let big = try db.prepare("select customers where points >= $min show name, points")
/// let gold = try big.query(parameters: ["min": 5000])
/// let silver = try big.query(parameters: ["min": 1000])
/// ```
///
/// Its runs take parameters with the same label and convention as
/// `Database.query(_:sourceName:parameters:)`: a host moves a query to a
/// prepared statement by moving its text, and nothing else changes.
///
/// Preparing parses the text and keeps the syntax tree. The first run of a
/// query binds and plans it with each parameter as a typed slot; later runs
/// fill the slots and keep the plan, so they neither parse, bind nor plan
/// again. The plan is made again, against the schema as it then is, when
/// the data, definitions, settings or indexes change or a value has another
/// type, so a prepared statement stays valid when entities are loaded or
/// fields defined after it was prepared.
///
/// Sendable: tasks may share one. Runs of a query proceed in parallel, each on
/// a snapshot of the session; runs of a statement that changes the session
/// take turns.
public struct PreparedStatement: Sendable {
    let database: Database
    let statement: Statement
    let source: SourceFile
    /// The statement's text.
    public var text: String { source.text }
    /// The parameters the text uses, without `$`, in order of first use.
    public let parameterNames: [String]

    init(database: Database, statement: Statement, source: SourceFile, parameterNames: [String]) {
        self.database = database
        self.statement = statement
        self.source = source
        self.parameterNames = parameterNames
    }

    /// True when the statement is a `select`: it returns rows.
    public var isQuery: Bool {
        if case .query = statement.kind { return true }
        return false
    }

    /// Runs the statement and returns what it produced: rows, a message,
    /// or nothing (like `Database.execute(_:sourceName:parameters:)` for one statement).
    /// - Parameter parameters: values for `$name` parameters by name (with or
    ///   without `$`), for this run only; a parameter left out takes the
    ///   session's value (`param`, `Options.parameters`), and is an error if
    ///   it has none. The values never appear in an error's text.
    /// - Throws: `CRMQLError`; the store is then as it was before the run.
    @discardableResult
    public func execute(parameters: [String: any ValueConvertible] = [:]) throws(CRMQLError) -> [StatementOutput] {
        let bindings = try Database.bindings(parameters)
        try requireValues(bindings)
        let (outputs, problems) = database.run(statement, source, bindings: bindings, interruptBaseline: database.interruptFlag.generation)
        if let problems { throw database.error(problems, source, bindings) }
        return outputs.map(Database.publicOutput)
    }

    /// Runs the query and returns its rows.
    /// - Parameter parameters: as for `execute(parameters:)`.
    /// - Throws: `CRMQLError`, also when the statement is not a query.
    public func query(parameters: [String: any ValueConvertible] = [:]) throws(CRMQLError) -> ResultSet {
        guard isQuery else { throw CRMQLError(phase: .semantic, message: "the prepared statement is not a query") }
        for output in try execute(parameters: parameters) {
            if case .rows(let rows) = output { return rows }
        }
        throw CRMQLError(phase: .semantic, message: "the prepared statement returned no rows")
    }

    /// Runs the query and decodes every row as `type` (see `Row.decode`).
    /// - Parameters:
    ///   - parameters: as for `execute(parameters:)`.
    ///   - type: the type each row decodes into, property by column name.
    public func query<T: Decodable>(parameters: [String: any ValueConvertible] = [:], as type: T.Type) throws(CRMQLError) -> [T] {
        try query(parameters: parameters).decode(type)
    }

    /// Runs the query and hands its rows over one at a time (see `ResultStream`).
    /// - Parameter parameters: as for `execute(parameters:)`.
    public func stream(parameters: [String: any ValueConvertible] = [:]) throws(CRMQLError) -> ResultStream<Row> {
        guard isQuery else { throw CRMQLError(phase: .semantic, message: "the prepared statement is not a query") }
        let bindings = try Database.bindings(parameters)
        try requireValues(bindings)
        let (cursor, outputs, problems) = database.openCursor(statement, source, bindings: bindings,
                                                               interruptBaseline: database.interruptFlag.generation)
        if let problems { throw database.error(problems, source, bindings) }
        // On a server the rows come whole (`Database(engine:)`).
        for case .rows(let names, let columns) in outputs { return ResultStream(ResultSet(columnNames: names, columns: columns)) }
        guard let cursor else { throw CRMQLError(phase: .semantic, message: "the prepared statement returned no rows") }
        let (database, source) = (self.database, self.source)
        return ResultStream(cursor: cursor) { diagnostics in database.error(diagnostics, source, bindings) }
    }

    /// Runs the query and hands its rows over one at a time, each decoded as
    /// `type` only when it is reached.
    /// - Parameters:
    ///   - parameters: as for `execute(parameters:)`.
    ///   - type: the type each row decodes into, property by column name.
    public func stream<T: Decodable>(parameters: [String: any ValueConvertible] = [:], as type: T.Type) throws(CRMQLError) -> ResultStream<T> {
        try stream(parameters: parameters).decoding(type)
    }

    /// Names the first parameter that has no value, at its use in the text,
    /// before any work is done.
    private func requireValues(_ bindings: [String: Value]) throws(CRMQLError) {
        let missing = parameterNames.filter { bindings[$0] == nil }
        if missing.isEmpty { return }
        let known = Set(database.engine.withLock { $0.parameterNames })
        guard let name = missing.first(where: { !known.contains($0) }) else { return }
        let (tokens, _) = Lexer.tokenize(source)
        let range = tokens.first { $0.kind == .parameter && $0.text == name }?.range
        let diagnostic = Diagnostic(.semantic, "parameter '$\(name)' has no value: bind it when running the statement", at: range)
        throw database.error([diagnostic], source, bindings)
    }
}

extension Database {
    /// Parses one statement for running many times (see `PreparedStatement`).
    /// - Throws: `CRMQLError` for a syntax error, or when `text` holds no
    ///   statement or more than one.
    public func prepare(_ text: String, sourceName: String = "<input>") throws(CRMQLError) -> PreparedStatement {
        let source = SourceFile(name: sourceName, text: text)
        let (script, diagnostics) = Parser.parse(source)
        if !diagnostics.isEmpty { throw error(diagnostics, source, [:]) }
        guard script.statements.count == 1, let statement = script.statements.first else {
            let count = script.statements.count
            throw CRMQLError(phase: .syntax, message: "prepare takes exactly one statement; the text has \(count)")
        }
        var names: [String] = []
        for token in Lexer.tokenize(source).tokens where token.kind == .parameter && !names.contains(token.text) {
            names.append(token.text)
        }
        return PreparedStatement(database: self, statement: statement, source: source, parameterNames: names)
    }
}
