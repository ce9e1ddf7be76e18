import CRMQLCore
import CRMQLEngine
import CRMQLSyntax

/// A script run one statement at a time: each `next()` runs the next
/// statement and returns what it produced, so a host shows a statement's
/// rows before the next statement starts, times each one, and stops
/// whenever it likes (later statements then never run).
///
/// ```swift
/// var statements = try db.statements(script, sourceName: "report.crmql")
/// if let syntaxError = statements.syntaxError { throw syntaxError }
/// while let statement = try statements.next() {
///     for output in statement.outputs { print(output) }
/// }
/// ```
///
/// The whole text is parsed when the stream is made. A text with syntax
/// errors still runs its well-formed statements: each syntax error is thrown
/// by `next()` in its place among them. A host that runs nothing unless the
/// whole text parses, as `Database.execute` does, checks `syntaxError` first.
///
/// A failing statement leaves the store as it was before it; `next()`
/// throws its error and moves past it, so calling `next()` again goes on
/// with the statement after (a notebook that reports every error), and not
/// calling it stops the script (a shell that stops at the first).
/// `Database.interrupt()` stops every statement of the stream not yet finished.
public struct StatementStream: Sendable {
    fileprivate let database: Database
    fileprivate let source: SourceFile
    fileprivate let statements: [Statement]
    fileprivate let bindings: [String: Value]
    /// The interrupt flag's generation when the stream was made, so that an
    /// interrupt stops the rest of the script too.
    fileprivate let interruptBaseline: UInt64
    /// Syntax errors not thrown yet, in source order.
    private var pendingSyntaxErrors: [Diagnostic]
    fileprivate var position = 0

    /// Every syntax error of the text, as one error; nil when it parses.
    public let syntaxError: CRMQLError?

    init(database: Database, text: String, sourceName: String, bindings: [String: Value]) {
        self.database = database
        self.bindings = bindings
        interruptBaseline = database.interruptFlag.generation
        let (source, script, diagnostics) = database.parse(text, sourceName: sourceName)
        self.source = source
        statements = script.statements
        pendingSyntaxErrors = diagnostics.sorted { ($0.range?.start ?? 0) < ($1.range?.start ?? 0) }
        syntaxError = diagnostics.isEmpty ? nil : database.error(diagnostics, source, bindings)
    }

    /// Runs the next statement and returns what it produced; nil after the last.
    /// - Throws: `CRMQLError` for the statement that failed (the store is
    ///   then as it was before it), or for a syntax error met in the text;
    ///   the stream moves past it either way.
    public mutating func next() throws(CRMQLError) -> ExecutedStatement? {
        let clock = ContinuousClock()
        let start = clock.now
        guard let (range, outputs) = try step() else { return nil }
        return ExecutedStatement(outputs: outputs.map(Database.publicOutput), duration: clock.now - start, range: range)
    }

    /// `next()` with the engine's outputs as they are and no clock read,
    /// for `Database.query` and `execute`, which keep only some of the
    /// outputs and time nothing (a short query is spared two readings).
    mutating func step() throws(CRMQLError) -> (SourceRange, [EngineOutput])? {
        let nextStart = position < statements.count ? statements[position].range.start : Int.max
        let before = pendingSyntaxErrors.prefix { ($0.range?.start ?? 0) <= nextStart }
        if !before.isEmpty {
            pendingSyntaxErrors.removeFirst(before.count)
            throw database.error(Array(before), source, bindings)
        }
        guard position < statements.count else { return nil }
        let statement = statements[position]
        position += 1
        let (outputs, problems) = database.run(statement, source, bindings: bindings, interruptBaseline: interruptBaseline)
        if let problems { throw database.error(problems, source, bindings) }
        return (statement.range, outputs)
    }
}

extension StatementStream {
    /// Runs every statement but the last, then opens a cursor over the
    /// last when it is a query (see `ResultStream`); when it is not, runs it
    /// and returns the rows it produced, if any.
    mutating func streamLast() throws(CRMQLError) -> ResultStream<Row>? {
        if let syntaxError { throw syntaxError }
        guard !statements.isEmpty else { return nil }
        while position < statements.count - 1 { _ = try step() }
        let statement = statements[position]
        position += 1
        let (cursor, outputs, problems) = database.openCursor(statement, source, bindings: bindings, interruptBaseline: interruptBaseline)
        if let problems { throw database.error(problems, source, bindings) }
        if let cursor {
            let (database, source, bindings) = (self.database, self.source, self.bindings)
            return ResultStream(cursor: cursor) { diagnostics in database.error(diagnostics, source, bindings) }
        }
        var last: ResultSet?
        for case .rows(let names, let columns) in outputs { last = ResultSet(columnNames: names, columns: columns) }
        return last.map { ResultStream($0) }
    }
}

/// One statement of a `StatementStream`, run.
public struct ExecutedStatement: Sendable {
    /// What the statement produced, in order: rows, messages, or nothing
    /// (`define`, `param`, `create index`).
    public let outputs: [StatementOutput]
    /// How long the statement took to run (what the shell's `--timer` reports).
    public let duration: Duration
    /// Where the statement is in the text, as UTF-8 byte offsets.
    public let range: SourceRange
}
