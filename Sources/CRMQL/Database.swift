import CRMQLCore
import CRMQLEngine
import CRMQLStorage
import CRMQLSyntax
import Synchronization

/// An in-memory CRMQL database: the store, the session's definitions and
/// settings, and the interpreter that runs statements against them.
///
/// Safe to share between threads: statements run one at a time, and
/// `interrupt()` may be called from any thread.
public final class Database: Sendable {
    /// How a database is opened.
    public struct Options: Sendable {
        /// The session's `today` (`YYYY-MM-DD`); nil uses the system date.
        public var today: String?
        /// Refuse every statement that reads or writes a file.
        public var safe: Bool
        /// Parameter values by name (without `$`), as text; they override `param` defaults.
        public var parameters: [String: String]

        public init(today: String? = nil, safe: Bool = false, parameters: [String: String] = [:]) {
            self.today = today
            self.safe = safe
            self.parameters = parameters
        }
    }

    let engine: Mutex<Interpreter>
    let interruptFlag: InterruptFlag
    let progressMeter: ProgressMeter

    /// Opens an empty in-memory database.
    /// - Throws: `CRMQLError` when an option is malformed (a bad `today`).
    public init(options: Options = Options()) throws(CRMQLError) {
        let flag = InterruptFlag()
        var sessionOptions = SessionOptions(safe: options.safe)
        if let today = options.today {
            guard let days = DateParsing.parseDate(today) else {
                throw CRMQLError(phase: .io, message: "invalid date '\(today)' for today; expected YYYY-MM-DD")
            }
            sessionOptions.today = days
        }
        let interpreter = Interpreter(options: sessionOptions, interrupt: flag)
        for (name, text) in options.parameters { interpreter.overrideParameter(name, text: text) }
        progressMeter = interpreter.progress
        engine = Mutex(interpreter)
        interruptFlag = flag
    }

    /// Runs every statement of `text` in order, handing each one's output to
    /// `output` as soon as it is ready. Stops at the first failing statement,
    /// which leaves the store as it was before that statement.
    /// - Parameter sourceName: the name errors use (`report.crmql`, `<input>`).
    /// - Parameter statementFinished: called after each statement that
    ///   succeeded, with the time it took (what `--timer` reports).
    public func execute(_ text: String, sourceName: String = "<input>", output: (StatementOutput) -> Void = { _ in },
                        statementFinished: (Duration) -> Void = { _ in }) throws(CRMQLError) {
        let source = SourceFile(name: sourceName, text: text)
        interruptFlag.clear()
        let (script, diagnostics) = Parser.parse(source)
        if !diagnostics.isEmpty { throw CRMQLError(diagnostics, source: source) }
        let clock = ContinuousClock()
        for statement in script.statements {
            let start = clock.now
            let (outputs, failure) = run(statement, source)
            let elapsed = clock.now - start
            outputs.forEach { output(Database.publicOutput($0)) }
            if let failure { throw CRMQLError(failure, source: source) }
            statementFinished(elapsed)
        }
    }

    /// Runs every statement of `text`, going on after a failing one; each
    /// failure is reported to `failure` in source order among the outputs.
    public func executeAll(_ text: String, sourceName: String = "<input>", output: (StatementOutput) -> Void, failure: (CRMQLError) -> Void) {
        let source = SourceFile(name: sourceName, text: text)
        interruptFlag.clear()
        let (script, diagnostics) = Parser.parse(source)
        var pending = diagnostics.sorted { ($0.range?.start ?? 0) < ($1.range?.start ?? 0) }
        for statement in script.statements {
            let before = pending.prefix { ($0.range?.start ?? 0) <= statement.range.start }
            if !before.isEmpty {
                failure(CRMQLError(Array(before), source: source))
                pending.removeFirst(before.count)
            }
            let (outputs, problems) = run(statement, source)
            outputs.forEach { output(Database.publicOutput($0)) }
            if let problems { failure(CRMQLError(problems, source: source)) }
        }
        if !pending.isEmpty { failure(CRMQLError(pending, source: source)) }
    }

    /// One statement under the lock: its outputs, or the problems that made it fail.
    private func run(_ statement: Statement, _ source: SourceFile) -> ([EngineOutput], [Diagnostic]?) {
        engine.withLock { interpreter in
            var outputs: [EngineOutput] = []
            do {
                try interpreter.execute(statement, source) { outputs.append($0) }
                return (outputs, nil)
            } catch let list as DiagnosticList {
                return (outputs, list.diagnostics)
            } catch let diagnostic as Diagnostic {
                return (outputs, [diagnostic])
            } catch {
                return (outputs, [Diagnostic(.runtime, "\(error)", at: statement.range)])
            }
        }
    }

    private static func publicOutput(_ output: EngineOutput) -> StatementOutput {
        switch output {
        case .rows(let names, let columns): return .rows(ResultSet(columnNames: names, columns: columns))
        case .message(let text): return .message(text)
        }
    }

    /// Runs `text` and returns every statement's output.
    @discardableResult
    public func run(_ text: String, sourceName: String = "<input>") throws(CRMQLError) -> [StatementOutput] {
        var outputs: [StatementOutput] = []
        try execute(text, sourceName: sourceName) { outputs.append($0) }
        return outputs
    }

    /// Runs a query and returns its rows (the last result set of `text`).
    public func query(_ text: String) throws(CRMQLError) -> ResultSet {
        var last: ResultSet?
        try execute(text) { if case .rows(let rows) = $0 { last = rows } }
        guard let last else { throw CRMQLError(phase: .semantic, message: "the text has no query") }
        return last
    }

    /// How far the running statement has got, from 0 to 1, when its work
    /// can be counted (a `load`); nil otherwise. Readable from any thread,
    /// for a progress bar with an estimate of the time left.
    public var progress: Double? { progressMeter.fraction }

    /// Asks the running statement to stop; it fails with `interrupted` and
    /// leaves the store unchanged. Callable from any thread or a signal-driven task.
    public func interrupt() { interruptFlag.set() }

    /// Whether `text` is a complete statement list or needs more lines (an
    /// open bracket or string, a trailing operator or keyword).
    public static func needsMoreInput(_ text: String) -> Bool {
        Parser.needsMoreInput(SourceFile(name: "<input>", text: text))
    }
}

extension Database {
    /// The query `previous` refined by a clause line, as an analyst builds a
    /// query step by step: `show name, loyalty` after a `select` appends
    /// that clause (replacing one the query had), `and …` narrows its
    /// `where`. Nil when `line` is not such a clause or `previous` is not one
    /// `select`.
    public static func refine(_ previous: String, with line: String) -> String? {
        QueryRefinement.refine(previous: previous, with: line)
    }

    /// True when `text` is exactly one `select`: a query a clause line can refine.
    public static func isSingleQuery(_ text: String) -> Bool {
        QueryRefinement.isSingleQuery(text)
    }
}
