import CRMQLCore
import CRMQLEngine
import CRMQLStorage

// The ways to run text, one for each need; every one takes the text, the
// name errors give it, and `$name` parameter values by name, with the same
// labels as a prepared statement's runs:
//
//     try db.execute(script)                        every statement, its outputs
//     try db.query(text, parameters: [...])         one query's rows
//     try db.stream(text, parameters: [...])        the rows one at a time
//     try db.statements(script)                     a script statement by statement
//     try db.prepare(text).query(parameters: [...]) one statement, many runs

extension Database {
    /// Runs every statement of `text` in order and returns what they
    /// produced: rows and messages, in order.
    ///
    /// Nothing runs when the text has a syntax error. Running stops at the
    /// first statement that fails, which leaves the store as it was before
    /// that statement; the statements before it keep their effect. To see
    /// each statement's output as soon as it is ready, to time statements or
    /// to go on after a failure, step through `statements(_:sourceName:parameters:)`.
    /// - Parameters:
    ///   - text: one or more statements.
    ///   - sourceName: the name errors give the text (`report.crmql`, `<input>`).
    ///   - parameters: values for `$name` parameters, by name (with or without
    ///     `$`), for these statements only; they win over `param` defaults and
    ///     never appear in an error's text.
    /// - Throws: `CRMQLError` for the syntax errors, or for the statement that failed.
    @discardableResult
    public func execute(_ text: String, sourceName: String = "<input>",
                        parameters: [String: any ValueConvertible] = [:]) throws(CRMQLError) -> [StatementOutput] {
        var statements = try self.statements(text, sourceName: sourceName, parameters: parameters)
        if let syntaxError = statements.syntaxError { throw syntaxError }
        var outputs: [StatementOutput] = []
        while let (_, produced) = try statements.step() { outputs += produced.map(Database.publicOutput) }
        return outputs
    }

    /// The statements of `text`, to run one at a time (see `StatementStream`):
    /// nothing runs until the first `next()`.
    /// - Parameters:
    ///   - text: one or more statements.
    ///   - sourceName: the name errors give the text.
    ///   - parameters: values for `$name` parameters, for these statements only.
    /// - Throws: `CRMQLError` when a parameter is given twice; syntax errors
    ///   are in the stream's `syntaxError`, and thrown in place by `next()`.
    public func statements(_ text: String, sourceName: String = "<input>",
                           parameters: [String: any ValueConvertible] = [:]) throws(CRMQLError) -> StatementStream {
        StatementStream(database: self, text: text, sourceName: sourceName, bindings: try Database.bindings(parameters))
    }

    /// Runs a query and returns its rows:
    /// `try db.query("select customers where points >= $min", parameters: ["min": 1000])`.
    /// - Parameters:
    ///   - text: a query, or statements that end with one (their other
    ///     output is dropped).
    ///   - sourceName: the name errors give the text.
    ///   - parameters: values for `$name` parameters, for this text only.
    /// - Throws: `CRMQLError` as `execute` does, and when the text has no query.
    public func query(_ text: String, sourceName: String = "<input>",
                      parameters: [String: any ValueConvertible] = [:]) throws(CRMQLError) -> ResultSet {
        var statements = try self.statements(text, sourceName: sourceName, parameters: parameters)
        if let syntaxError = statements.syntaxError { throw syntaxError }
        // Only the last result becomes public: the others are dropped unseen.
        var last: (names: [String], columns: [Column])?
        while let (_, produced) = try statements.step() {
            for case .rows(let names, let columns) in produced { last = (names, columns) }
        }
        guard let last else { throw CRMQLError(phase: .semantic, message: "the text has no query") }
        return ResultSet(columnNames: last.names, columns: last.columns)
    }

    /// Runs a query and decodes every row as `type`:
    /// `try db.query("select customers show name, points", as: Customer.self)`.
    /// - Parameters:
    ///   - text: a query, or statements that end with one.
    ///   - sourceName: the name errors give the text.
    ///   - parameters: values for `$name` parameters, for this text only.
    ///   - type: the type each row decodes into, property by column name (see `Row.decode`).
    public func query<T: Decodable>(_ text: String, sourceName: String = "<input>", parameters: [String: any ValueConvertible] = [:],
                                    as type: T.Type) throws(CRMQLError) -> [T] {
        try query(text, sourceName: sourceName, parameters: parameters).decode(type)
    }

    /// Runs a query and hands its rows over one at a time (see `ResultStream`).
    /// - Parameters:
    ///   - text: a query, or statements that end with one.
    ///   - sourceName: the name errors give the text.
    ///   - parameters: values for `$name` parameters, for this text only.
    public func stream(_ text: String, sourceName: String = "<input>",
                       parameters: [String: any ValueConvertible] = [:]) throws(CRMQLError) -> ResultStream<Row> {
        var statements = try self.statements(text, sourceName: sourceName, parameters: parameters)
        guard let stream = try statements.streamLast() else { throw CRMQLError(phase: .semantic, message: "the text has no query") }
        return stream
    }

    /// Runs a query and hands its rows over one at a time, each decoded as
    /// `type` only when it is reached.
    /// - Parameters:
    ///   - text: a query, or statements that end with one.
    ///   - sourceName: the name errors give the text.
    ///   - parameters: values for `$name` parameters, for this text only.
    ///   - type: the type each row decodes into, property by column name.
    public func stream<T: Decodable>(_ text: String, sourceName: String = "<input>", parameters: [String: any ValueConvertible] = [:],
                                     as type: T.Type) throws(CRMQLError) -> ResultStream<T> {
        try stream(text, sourceName: sourceName, parameters: parameters).decoding(type)
    }
}
