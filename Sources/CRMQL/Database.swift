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
///
/// Text runs one way for each need (see <doc:RunningStatements>):
/// `execute(_:sourceName:parameters:)` for a script, `query(_:sourceName:parameters:)`
/// for one query's rows, `stream(_:sourceName:parameters:)` to read them one at
/// a time, `statements(_:sourceName:parameters:)` to run a script statement by
/// statement, and `prepare(_:sourceName:)` for a statement run many times.
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
        /// How many threads a statement's big scans, groupings and measures
        /// may use, from 1 to 256 (`set threads` changes it later); nil uses
        /// one per processor. Answers are the same whatever the count.
        public var threads: Int?

        /// Describes how to open a database.
        public init(today: String? = nil, safe: Bool = false, parameters: [String: String] = [:], limits: Limits = Limits(),
                    threads: Int? = nil) {
            self.today = today
            self.safe = safe
            self.parameters = parameters
            self.limits = limits
            self.threads = threads
        }
    }

    /// A database file is checkpointed and let go when its last user lets
    /// the database go (see `close()`).
    deinit {
        _ = try? engine.withLock { try $0.closeDatabase() }
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
        // Cached for the texts whose plans the engine caches: the same
        // source object is what finds a plan again. A small table, emptied
        // when full, bounds memory.
        let cacheable = text.utf8.count <= Interpreter.cachedTextLimit
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

    /// The server that runs queries and writes in place of the in-memory
    /// engine; nil for the in-memory engine (see `init(engine:options:)`).
    let server: (any QueryEngine)?

    /// Opens an empty in-memory database.
    /// - Throws: `CRMQLError` when an option is malformed (a bad `today`).
    public convenience init(options: Options = Options()) throws(CRMQLError) {
        try self.init(options: options, server: nil)
    }

    init(options: Options, server: (any QueryEngine)?) throws(CRMQLError) {
        self.server = server
        let flag = InterruptFlag()
        var sessionOptions = SessionOptions(safe: options.safe)
        if let threads = options.threads {
            guard (1...256).contains(threads) else {
                throw CRMQLError(phase: .io, message: "threads must be a number from 1 to 256, not \(threads)")
            }
            sessionOptions.threads = threads
        }
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

    /// One statement: its outputs, or the problems that made it fail. A read
    /// runs on a snapshot, outside the lock; a write holds the lock throughout.
    /// - Parameter interruptBaseline: the interrupt flag's generation when
    ///   the script started, so that `interrupt()` stops the rest of it;
    ///   nil counts requests since the flag's last `clear()`.
    func run(_ statement: Statement, _ source: SourceFile, bindings: [String: Value],
             interruptBaseline: UInt64? = nil) -> ([EngineOutput], [Diagnostic]?) {
        if let server, let routed = runOnServer(server, statement, source, bindings, interruptBaseline) { return routed }
        if Interpreter.isReadOnly(statement) {
            return read { interpreter in Database.run(statement, source, bindings, interruptBaseline, on: interpreter) }
        }
        return write { interpreter in
            Database.run(statement, source, bindings, interruptBaseline, on: interpreter)
        }
    }

    /// Runs `body` on a reader of the session: the reader kept from the
    /// last read while the session has not changed, else one over a new
    /// snapshot, made outside the lock, which a write may be waiting for.
    func read<Result>(_ body: (Interpreter) -> Result) -> Result {
        let (start, generation) = engine.withLock { writer -> (ReaderStart, Int) in
            let generation = writer.generation
            if let kept = idleReader.take(generation: generation) { return (.kept(kept), generation) }
            return (.snapshot(writer.snapshot()), generation)
        }
        let reader: IdleReader
        switch start {
        case .kept(let kept): reader = kept
        case .snapshot(let snapshot): reader = IdleReader(Interpreter(reading: snapshot))
        }
        defer { idleReader.put(reader, generation: generation) }
        return body(reader.interpreter)
    }

    /// Opens a cursor over a query's answer on a reader of the session (see
    /// `RowCursor`); nil with the statement's outputs when it is not a query,
    /// which then ran as `run` runs it. The cursor keeps nothing of the
    /// reader's but its snapshot's data, so the reader can serve the next
    /// read while the cursor is read.
    func openCursor(_ statement: Statement, _ source: SourceFile, bindings: [String: Value],
                    interruptBaseline: UInt64?) -> (RowCursor?, [EngineOutput], [Diagnostic]?) {
        guard case .query = statement.kind, server == nil else {
            let (outputs, problems) = run(statement, source, bindings: bindings, interruptBaseline: interruptBaseline)
            return (nil, outputs, problems)
        }
        return read { interpreter in
            interpreter.interruptBaseline = interruptBaseline
            do {
                return (try interpreter.openCursor(statement, source, binding: bindings), [], nil)
            } catch let list as DiagnosticList {
                return (nil, [], list.diagnostics)
            } catch let diagnostic as Diagnostic {
                return (nil, [], [diagnostic])
            } catch {
                return (nil, [], [Diagnostic(.runtime, ErrorText.of(error), at: statement.range)])
            }
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

    static func run(_ statement: Statement, _ source: SourceFile, _ bindings: [String: Value], _ interruptBaseline: UInt64?,
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
        case .text(let text): return .text(text)
        case .document(let name, let text):
            var result = ResultSet(columnNames: [name], columns: [Column.make(type: .text, values: [.text(text)])])
            result.isDocument = true
            return .rows(result)
        }
    }

    /// How far the running statement has got, from 0 to 1, when its work
    /// can be counted (a `load`); nil otherwise. Readable from any thread,
    /// for a progress bar with an estimate of the time left.
    public var progress: Double? { progressMeter.fraction }

    /// Asks the statements running now to stop, with the rest of their
    /// scripts; each fails with `interrupted` and leaves the store unchanged.
    /// Statements started afterwards are not affected. Callable from any
    /// thread or a signal-driven task.
    public func interrupt() {
        interruptFlag.set()
        server?.cancel()
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
