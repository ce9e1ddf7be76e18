import CRMQLCore
import CRMQLEngine
import CRMQLStorage
import CRMQLSyntax

/// An in-memory CRMQL database: the store, the session's definitions and
/// settings, and the interpreter that runs statements against them.
///
/// Safe to share between threads. Statements that only read (`select`,
/// `explain`, `describe`, `show`, `help`, `export`, `save`) run in parallel,
/// each on a snapshot of the session taken when it starts; statements that
/// change the session run one at a time, and a reader never sees one half
/// applied. `interrupt()` may be called from any thread.
public final class Database: Sendable {
    /// How a database is opened.
    public struct Options: Sendable {
        /// The session's `today` (`YYYY-MM-DD`); nil uses the system date.
        public var today: String?
        /// Refuse every statement that reads or writes a file.
        public var safe: Bool
        /// Parameter values by name (without `$`), as text; they override `param` defaults.
        /// Like values bound to a single statement, they never appear in an error's text.
        public var parameters: [String: String]
        /// Bounds on what one statement may take; see `Database.Limits`.
        public var limits: Limits

        /// Describes how to open a database.
        public init(today: String? = nil, safe: Bool = false, parameters: [String: String] = [:], limits: Limits = Limits()) {
            self.today = today
            self.safe = safe
            self.parameters = parameters
            self.limits = limits
        }
    }

    /// The session. Writers hold the lock while they run; readers hold it only
    /// to take a snapshot.
    let engine: Locked<Interpreter>
    let interruptFlag: InterruptFlag
    let progressMeter: ProgressMeter
    /// The session's parameter values as the host wrote them, kept out of errors.
    let sessionParameters: [String: String]
    /// Scripts already parsed, with their source, by source name and text.
    /// Parsing depends on the text alone, so an entry never goes stale; a
    /// host that runs the same query text again (a dashboard, a lookup by
    /// id) skips the parser, and gets the same `SourceFile` back, by which
    /// the engine finds the query's compiled plan.
    let parsedScripts = Locked(ParsedScripts())

    struct ParsedScripts {
        var table: [ParsedKey: (SourceFile, Script)] = [:]
        /// The text parsed or found last: a host that sends one query
        /// again and again finds it by comparing the text, without hashing it.
        var last: (key: ParsedKey, source: SourceFile, script: Script)?
    }
    /// A reader kept between reads while the session does not change.
    let idleReader = IdleReaderSlot()

    struct ParsedKey: Hashable, Sendable {
        var name: String
        var text: String
    }

    /// The text as a source, parsed: through `parsedScripts` for texts that
    /// parse cleanly.
    func parse(_ text: String, sourceName: String) -> (SourceFile, Script, [Diagnostic]) {
        // TUNING: long texts are scripts run once; short ones are queries
        // that come back. A small table, emptied when full, bounds memory.
        let cacheable = text.utf8.count <= 4096
        let key = ParsedKey(name: sourceName, text: text)
        if cacheable, let (source, script) = parsedScripts.withLock({ parsed -> (SourceFile, Script)? in
            if let last = parsed.last, last.key == key { return (last.source, last.script) }
            guard let found = parsed.table[key] else { return nil }
            parsed.last = (key, found.0, found.1)
            return found
        }) { return (source, script, []) }
        let source = SourceFile(name: sourceName, text: text)
        let (script, diagnostics) = Parser.parse(source)
        if cacheable, diagnostics.isEmpty {
            parsedScripts.withLock { parsed in
                if parsed.table.count >= 256 { parsed.table.removeAll() }
                parsed.table[key] = (source, script)
                parsed.last = (key, source, script)
            }
        }
        return (source, script, diagnostics)
    }

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
        interpreter.limits = options.limits
        progressMeter = interpreter.progress
        engine = Locked(interpreter)
        interruptFlag = flag
        sessionParameters = options.parameters
    }

    /// Runs every statement of `text` in order, handing each one's output to
    /// `output` as soon as it is ready. Stops at the first failing statement,
    /// which leaves the store as it was before that statement.
    /// - Parameter text: one or more statements.
    /// - Parameter sourceName: the name errors use (`report.crmql`, `<input>`).
    /// - Parameter parameters: values for `$name` parameters, by name (with or
    ///   without `$`), for these statements only; they win over `param` defaults
    ///   and never appear in an error's text.
    /// - Parameter statementFinished: called after each statement that
    ///   succeeded, with the time it took (what `--timer` reports).
    /// - Parameter output: called with each statement's rows or message.
    public func execute(_ text: String, sourceName: String = "<input>", parameters: [String: any ValueConvertible] = [:],
                        output: (StatementOutput) -> Void = { _ in },
                        statementFinished: (Duration) -> Void = { _ in }) throws(CRMQLError) {
        let bindings = try Database.bindings(parameters)
        _ = try execute(text, sourceName: sourceName, bindings: bindings, until: { output($0); return true },
                        statementFinished: statementFinished, timed: true)
    }

    /// Runs the statements of `text` like `execute`, while `output` returns
    /// true; when it returns false, no later output is
    /// handed over and no later statement runs (what a C host's row callback
    /// asks for when it returns non-zero). Returns false when stopped.
    @discardableResult
    public func run(_ text: String, sourceName: String = "<input>", parameters: [String: any ValueConvertible] = [:],
                    while output: (StatementOutput) -> Bool,
                    statementFinished: (Duration) -> Void = { _ in }) throws(CRMQLError) -> Bool {
        try execute(text, sourceName: sourceName, bindings: try Database.bindings(parameters), until: output,
                    statementFinished: statementFinished, timed: true)
    }

    /// - Parameter timed: whether to time each statement for
    ///   `statementFinished`; a short query that nobody times is spared two
    ///   clock readings.
    func execute(_ text: String, sourceName: String, bindings: [String: Value], until output: (StatementOutput) -> Bool,
                 statementFinished: (Duration) -> Void = { _ in }, timed: Bool = false) throws(CRMQLError) -> Bool {
        let baseline = interruptFlag.generation
        let (source, script, diagnostics) = parse(text, sourceName: sourceName)
        if !diagnostics.isEmpty { throw error(diagnostics, source, bindings) }
        let clock = ContinuousClock()
        for statement in script.statements {
            let start = timed ? clock.now : nil
            let (outputs, failure) = run(statement, source, bindings: bindings, interruptBaseline: baseline)
            let elapsed = start.map { clock.now - $0 }
            for engineOutput in outputs where !output(Database.publicOutput(engineOutput)) { return false }
            if let failure { throw error(failure, source, bindings) }
            if let elapsed { statementFinished(elapsed) }
        }
        return true
    }

    /// Runs every statement of `text`, going on after a failing one; each
    /// failure is reported to `failure` in source order among the outputs.
    public func executeAll(_ text: String, sourceName: String = "<input>", output: (StatementOutput) -> Void, failure: (CRMQLError) -> Void) {
        let baseline = interruptFlag.generation
        let (source, script, diagnostics) = parse(text, sourceName: sourceName)
        var pending = diagnostics.sorted { ($0.range?.start ?? 0) < ($1.range?.start ?? 0) }
        for statement in script.statements {
            let before = pending.prefix { ($0.range?.start ?? 0) <= statement.range.start }
            if !before.isEmpty {
                failure(error(Array(before), source, [:]))
                pending.removeFirst(before.count)
            }
            let (outputs, problems) = run(statement, source, bindings: [:], interruptBaseline: baseline)
            outputs.forEach { output(Database.publicOutput($0)) }
            if let problems { failure(error(problems, source, [:])) }
        }
        if !pending.isEmpty { failure(error(pending, source, [:])) }
    }

    /// One statement: its outputs, or the problems that made it fail. A read
    /// runs on a snapshot, outside the lock; a write holds the lock throughout.
    /// - Parameter interruptBaseline: the interrupt flag's generation when
    ///   the script started, so that `interrupt()` stops the rest of it;
    ///   nil counts requests since the flag's last `clear()`.
    func run(_ statement: Statement, _ source: SourceFile, bindings: [String: Value],
             interruptBaseline: UInt64? = nil) -> ([EngineOutput], [Diagnostic]?) {
        if Interpreter.isReadOnly(statement) {
            let (start, generation) = engine.withLock { writer -> (ReaderStart, Int) in
                let generation = writer.generation
                if let kept = idleReader.take(generation: generation) { return (.kept(kept), generation) }
                return (.snapshot(writer.snapshot()), generation)
            }
            // The interpreter is made outside the lock, which a write may be waiting for.
            let reader: IdleReader
            switch start {
            case .kept(let kept): reader = kept
            case .snapshot(let snapshot): reader = IdleReader(Interpreter(reading: snapshot))
            }
            defer { idleReader.put(reader, generation: generation) }
            return Database.run(statement, source, bindings, interruptBaseline, on: reader.interpreter)
        }
        return write { interpreter in
            Database.run(statement, source, bindings, interruptBaseline, on: interpreter)
        }
    }

    /// Runs `body` with the session's lock held, as a statement that may
    /// change the session: the reader kept for reads is let go first.
    func write<Result>(_ body: (Interpreter) -> sending Result) -> sending Result {
        engine.withLock { interpreter in
            idleReader.drop()
            let result = body(interpreter)
            idleReader.refuse(olderThan: interpreter.generation)
            return result
        }
    }

    private static func run(_ statement: Statement, _ source: SourceFile, _ bindings: [String: Value], _ interruptBaseline: UInt64?,
                            on interpreter: Interpreter) -> ([EngineOutput], [Diagnostic]?) {
        interpreter.interruptBaseline = interruptBaseline
        var outputs: [EngineOutput] = []
        do {
            try interpreter.execute(statement, source, binding: bindings) { outputs.append($0) }
            return (outputs, nil)
        } catch let list as DiagnosticList {
            return (outputs, list.diagnostics)
        } catch let diagnostic as Diagnostic {
            return (outputs, [diagnostic])
        } catch {
            return (outputs, [Diagnostic(.runtime, "\(ErrorText.of(error))", at: statement.range)])
        }
    }

    /// The public error for `diagnostics`, with every value the host supplied
    /// replaced by its parameter's name.
    func error(_ diagnostics: [Diagnostic], _ source: SourceFile, _ bindings: [String: Value]) -> CRMQLError {
        let redaction = ParameterRedaction(session: sessionParameters, bound: bindings)
        return CRMQLError(redaction.apply(to: diagnostics), source: source)
    }

    static func publicOutput(_ output: EngineOutput) -> StatementOutput {
        switch output {
        case .rows(let names, let columns): return .rows(ResultSet(columnNames: names, columns: columns))
        case .message(let text): return .message(text)
        }
    }

    /// Runs `text` and returns every statement's output.
    /// - Parameter text: one or more statements.
    /// - Parameter sourceName: the name errors use.
    /// - Parameter parameters: values for `$name` parameters, for these statements only.
    @discardableResult
    public func run(_ text: String, sourceName: String = "<input>", parameters: [String: any ValueConvertible] = [:]) throws(CRMQLError) -> [StatementOutput] {
        var outputs: [StatementOutput] = []
        _ = try execute(text, sourceName: sourceName, bindings: try Database.bindings(parameters), until: { outputs.append($0); return true })
        return outputs
    }

    /// Runs a query and returns its rows (the last result set of `text`).
    /// - Parameter text: a query, or statements that end with one.
    /// - Parameter parameters: values for `$name` parameters, for this text only:
    ///   `try db.query("select customers where points >= $min", parameters: ["min": 1000])`.
    public func query(_ text: String, parameters: [String: any ValueConvertible] = [:]) throws(CRMQLError) -> ResultSet {
        var last: ResultSet?
        _ = try execute(text, sourceName: "<input>", bindings: try Database.bindings(parameters), until: { output in
            if case .rows(let rows) = output { last = rows }
            return true
        })
        guard let last else { throw CRMQLError(phase: .semantic, message: "the text has no query") }
        return last
    }

    /// How far the running statement has got, from 0 to 1, when its work
    /// can be counted (a `load`); nil otherwise. Readable from any thread,
    /// for a progress bar with an estimate of the time left.
    public var progress: Double? { progressMeter.fraction }

    /// Asks the statements running now to stop, with the rest of their
    /// scripts; each fails with `interrupted` and leaves the store unchanged.
    /// Statements started afterwards are not affected. Callable from any
    /// thread or a signal-driven task.
    public func interrupt() { interruptFlag.set() }

    /// Whether `text` is a complete statement list or needs more lines (an
    /// open bracket or string, a trailing operator or keyword).
    public static func needsMoreInput(_ text: String) -> Bool {
        Parser.needsMoreInput(SourceFile(name: "<input>", text: text))
    }

    /// Every syntax error of `text`, found without running anything; nil
    /// when it parses. A host that runs a script in pieces (a shell's dot
    /// commands between statements) checks the whole script first, as
    /// `execute` does for one text.
    public static func syntaxErrors(_ text: String, sourceName: String = "<input>") -> CRMQLError? {
        let source = SourceFile(name: sourceName, text: text)
        let diagnostics = Parser.parse(source).diagnostics
        return diagnostics.isEmpty ? nil : CRMQLError(diagnostics, source: source)
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
