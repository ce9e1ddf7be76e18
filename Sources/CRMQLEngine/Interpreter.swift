import CRMQLCore
import CRMQLStorage
import CRMQLSyntax
import Foundation
import Synchronization

/// Settings a host fixes when it opens a session.
public struct SessionOptions: Sendable {
    /// The session's `today`; nil means the system date.
    public var today: Int64?
    /// When true, no statement may read or write files.
    public var safe: Bool
    /// The session's threads to start with (`set threads`); nil: one per
    /// processor.
    public var threads: Int?
    public init(today: Int64? = nil, safe: Bool = false, threads: Int? = nil) {
        self.today = today
        self.safe = safe
        self.threads = threads
    }
}

/// What one executed statement produced.
public enum EngineOutput: Sendable {
    case rows(names: [String], columns: [Column])
    /// A notice about what a statement did (`3 customers updated`).
    case message(String)
    /// A statement's answer as text: `explain`'s plan, `help`.
    case text(String)
    /// A statement's answer that is one text (`explain sql`): a result of
    /// one row and one column named `name` for hosts and in csv or json,
    /// the text itself in a table at a terminal.
    case document(name: String, text: String)
}

/// Everything a statement may change. A statement runs against this state and
/// the interpreter keeps the result only when the statement succeeds, which is
/// what makes every statement all-or-nothing.
struct SessionState: Sendable {
    var store = Store()
    var definitions: [String: [Definition]] = [:]
    var definitionsGeneration = 0
    var lets: [String: LetQuery] = [:]
    var parameters: [String: Value] = [:]
    var today: Int64
    /// Whether `today` was fixed by `set today` (or the demo data) rather
    /// than given by the host; a database file keeps only a fixed one.
    var todayIsSet = false
    /// Each `param`'s default as declared, whatever a host overrides it with:
    /// what a database file keeps.
    var parameterDefaults: [String: Value] = [:]
    var fiscalYearStart = 1
    /// `set fast_paths = on|off`.
    var fastPaths = FastPaths.defaultEnabled
    /// `set threads = N`, and from what size a loop is split.
    var parallelism = Parallelism.sessionDefault
    /// How tables write numbers: `readable` or `plain` (`set number_format`).
    var numberFormat = "readable"
    /// Fitted models by name (`model name = ...`), and the prelude's, fitted at first use.
    var models: [String: ModelEntry] = [:]
}

/// Runs CRMQL scripts against a session: parse, bind, execute, one statement
/// at a time, stopping at the first failure.
///
/// One thread at a time runs an interpreter, and no access to its
/// per-statement state overlaps another, so the hottest of it is read
/// without the runtime's exclusivity checks, which cost more than the
/// reads on the shortest queries.
public final class Interpreter {
    @exclusivity(unchecked) var state: SessionState { didSet { generation &+= 1 } }
    /// Changes with every change to what a statement could see: the state,
    /// the limits, host functions and parameter overrides. Equal
    /// generations mean a snapshot taken at the first still describes the
    /// session, so a host may keep reading through the same reader.
    @exclusivity(unchecked) public private(set) var generation = 0
    let options: SessionOptions
    let interrupt: InterruptFlag
    /// How far a countable statement (a load) has got; read by other threads.
    public let progress = ProgressMeter()
    let indexes: IndexCache
    let measures: MeasureCache
    /// Parameter values a host supplied as text; they win over `param` defaults.
    var parameterOverrides: [String: String] = [:] { didSet { generation &+= 1 } }
    public var hostFunctions: [String: HostFunction] = [:] {
        didSet {
            hostFunctionsGeneration = Interpreter.nextGeneration()
            plans.clear()
            generation &+= 1
        }
    }
    /// Identifies this set of host functions in the plan cache, so that a
    /// reader still running with the functions as they were cannot leave a
    /// plan a later query would take.
    var hostFunctionsGeneration = 0
    /// Queries compiled for running again, shared with snapshots' readers.
    let plans: PlanCache
    /// The plans this interpreter ran since its state last changed.
    @exclusivity(unchecked) var recentPlans = RecentPlans()
    let services: ExecutionServices
    /// Bounds on each statement a host submits from now on.
    public var limits = ExecutionLimits() { didSet { generation &+= 1 } }
    /// The interrupt flag's generation when the host's current script
    /// started: requests made after it stop the script's statements. Nil
    /// uses the generation of the flag's last `clear()`.
    public var interruptBaseline: UInt64?
    /// Set by `openCursor`: the query being run opens a cursor, kept in
    /// `openedCursor`, instead of computing its columns.
    @exclusivity(unchecked) var cursorRequested = false
    var openedCursor: RowCursor?
    /// When set, collects the operators every query's plan runs: what the
    /// tests hold `explain` to.
    @exclusivity(unchecked) var operatorTrace: Set<OperatorName>?
    /// How many `execute` calls are under way: a statement a statement runs
    /// (the script of `open`) shares the limits of the one the host submitted.
    @exclusivity(unchecked) private var executing = 0
    /// The database file this session logs its changes to, and the record
    /// being replayed while one opens.
    var durable = DurableContext()

    public init(options: SessionOptions, interrupt: InterruptFlag) {
        self.options = options
        self.interrupt = interrupt
        self.state = SessionState(today: options.today ?? Interpreter.systemToday())
        if let threads = options.threads { state.parallelism.threads = min(max(threads, 1), Parallelism.maximumThreads) }
        self.indexes = IndexCache()
        self.measures = MeasureCache()
        self.plans = PlanCache()
        services = ExecutionServices(interrupt: interrupt, indexes: indexes, measures: measures, stamp: Interpreter.stamp(of: state))
    }

    /// An interpreter for statements that only read, over a snapshot of a
    /// session; it shares the session's caches and interrupt flag.
    public init(reading snapshot: SessionSnapshot) {
        options = snapshot.options
        interrupt = snapshot.interrupt
        state = snapshot.state
        indexes = snapshot.indexes
        measures = snapshot.measures
        plans = snapshot.plans
        parameterOverrides = snapshot.parameterOverrides
        hostFunctions = snapshot.hostFunctions
        hostFunctionsGeneration = snapshot.hostFunctionsGeneration
        limits = snapshot.limits
        services = ExecutionServices(interrupt: interrupt, indexes: indexes, measures: measures, stamp: Interpreter.stamp(of: state))
    }

    /// The longest text whose queries' plans are kept for running again;
    /// a host that caches parsed texts uses the same bound, so that the
    /// same source object finds its plans.
    public static var cachedTextLimit: Int { PlanCache.maximumTextBytes }

    /// Whether a safe-mode session refuses every file operation.
    public var isSafe: Bool { options.safe }

    static func systemToday() -> Int64 {
        let seconds = Int64(Date().timeIntervalSince1970)
        return CivilDate.floorDivide(seconds, 86_400).0
    }

    /// A host's value for `$name`, as text; typed like a literal when used.
    public func overrideParameter(_ name: String, text: String) {
        parameterOverrides[name] = text
        state.parameters[name] = Interpreter.literal(fromText: text)
    }

    /// Reads `--param` text the way a literal would be written.
    static func literal(fromText text: String) -> Value {
        if let int = Int64(text) { return .int(int) }
        if let number = Double(text), number.isFinite { return .number(number) }
        if text == "true" || text == "false" { return .bool(text == "true") }
        if let date = DateParsing.parseDate(text) { return .date(date) }
        if let datetime = DateParsing.parseDateTime(text) { return .datetime(datetime) }
        return .text(text)
    }

    /// The current store, for hosts and tools that read the schema.
    public var store: Store { state.store }
    public var today: Int64 { state.today }
    /// The session's `number_format` setting: `readable` or `plain`.
    public var numberFormat: String { state.numberFormat }
    /// The values `set number_format` takes.
    public static let numberFormats: Set<String> = ["readable", "plain"]
    /// Computed fields by entity, in definition order.
    public var definitions: [String: [Definition]] { state.definitions }
    public var namedQueryNames: [String] { Array(state.lets.keys) }
    public var parameterNames: [String] { Array(state.parameters.keys) }
    /// The type of a computed field, or nil when it cannot be computed now.
    public func computedFieldType(entity: String, field: String) -> DataType? {
        guard let definition = state.definitions[entity]?.first(where: { $0.name == field }) else { return nil }
        var binder = Binder(catalog: makeCatalog(), source: definition.source)
        return try? binder.computedType(entity: entity, field: field, definition.expr.range)
    }

    /// Built-in and host function names, for completion.
    public var functionNames: [String] { builtinFunctionNames + hostFunctions.keys }

    var stamp: StateStamp { Interpreter.stamp(of: state) }

    static func stamp(of state: SessionState) -> StateStamp {
        StateStamp(entityVersions: state.store.entityVersions, definitionsGeneration: state.definitionsGeneration,
                   today: state.today, fiscalYearStart: state.fiscalYearStart, fastPaths: state.fastPaths)
    }

    func makeCatalog() -> Catalog {
        Catalog(store: state.store, definitions: state.definitions, parameters: state.parameters,
                hostFunctions: hostFunctions, today: state.today, fiscalYearStart: state.fiscalYearStart,
                fastPathsEnabled: state.fastPaths, models: state.models, parallelism: state.parallelism)
    }

    // MARK: Running

    /// Parses the whole text first (so every syntax error is reported at
    /// once), then runs the statements in order, stopping at the first that
    /// fails; that statement leaves the state as it was.
    public func run(_ source: SourceFile, output: (EngineOutput) -> Void) throws {
        let (script, diagnostics) = Parser.parse(source)
        if !diagnostics.isEmpty { throw DiagnosticList(diagnostics) }
        for statement in script.statements {
            try execute(statement, source, output: output)
        }
    }

    /// Runs one statement; when it fails, the session is as it was before it.
    public func execute(_ statement: Statement, _ source: SourceFile, output: (EngineOutput) -> Void) throws {
        // A statement that only reads leaves the state as it found it, so
        // it has nothing to undo: a short query need not copy the state.
        let saved = Interpreter.isReadOnly(statement) ? nil : state
        let submitted = executing == 0
        // What the statement's log record must pin, taken before it runs.
        let pinned = submitted && saved != nil && durable.file != nil ? (today: state.today, parameters: state.parameters) : nil
        executing += 1
        defer {
            executing -= 1
            progress.clear()
        }
        do {
            if submitted {
                services.arm(StatementBudget(limits: limits, interruptBaseline: interruptBaseline ?? interrupt.handledGeneration))
                try limits.checkNesting(statement)
            }
            if pinned != nil { try checkLoggable(statement, source) }
            try services.checkInterrupt()
            services.stamp = stamp
            // A change reports success (its message) only once it is durable.
            var held: [EngineOutput] = []
            func hold(_ produced: EngineOutput) { if pinned == nil { output(produced) } else { held.append(produced) } }
            if submitted {
                try IndexBuild.withStop(services.buildStop) { try dispatch(statement, source, output: hold) }
            } else {
                try dispatch(statement, source, output: hold)
            }
            if let pinned {
                try commit(statement, source, today: pinned.today, parameters: pinned.parameters)
                held.forEach(output)
            }
        } catch let diagnostic as Diagnostic where diagnostic.phase == .limit && diagnostic.range == nil {
            if let saved { rollBack(to: saved) }
            throw Diagnostic(.limit, diagnostic.message, at: statement.range)
        } catch {
            if let saved { rollBack(to: saved) }
            durable.loadedBytes = nil
            throw error
        }
    }

    /// Restores the state a failed statement started from. Its definitions
    /// generation is the one it had: generations are never reused, so
    /// measures cached under the failed statement's definitions cannot be
    /// taken for the restored ones'.
    private func rollBack(to saved: SessionState) {
        state = saved
    }

    private static let generations = Atomic<Int>(0)

    /// A generation no state of any session has had: the definitions' and
    /// the host functions' versions, taken from one counter, as every
    /// entity's version is (`Entity.version`).
    static func nextGeneration() -> Int {
        generations.add(1, ordering: .relaxed).newValue
    }

    /// Hands result rows out, within the limit on result rows.
    private func emitRows(_ names: [String], _ columns: [Column], _ statement: Statement, output: (EngineOutput) -> Void) throws {
        try limits.checkResultRows(columns.first?.count ?? 0, statement.range)
        output(.rows(names: names, columns: columns))
    }

    private func dispatch(_ statement: Statement, _ source: SourceFile, output: (EngineOutput) -> Void) throws {
        switch statement.kind {
        case .query(let query):
            if cursorRequested {
                openedCursor = try makeCursor(query, source)
                try limits.checkResultRows(openedCursor?.rowCount ?? 0, statement.range)
                return
            }
            let result = try runQuery(query, source)
            try emitRows(result.names, result.columns, statement, output: output)
        case .letQuery(let name, let query):
            try defineLet(name, query, statement, source)
        case .param(let name, let value):
            try declareParameter(name, value, source)
        case .set(let name, let value):
            try set(name, value, source)
        case .define(let entity, let field, let expr):
            try define(entity, field, expr, source)
        case .createEntity(let name, let fields):
            try createEntity(name, fields)
        case .load(let entity, let path, let options):
            output(.message(try load(entity, path, options, source)))
        case .insert(let entity, let fields, let rows):
            output(.message(try insert(entity, fields, rows, source)))
        case .update(let entity, let assignments, let condition):
            output(.message(try update(entity, assignments, condition, source)))
        case .delete(let entity, let condition, let cascade):
            output(.message(try delete(entity, condition, cascade: cascade, source)))
        case .createIndex(let entity, let field):
            try createIndex(entity, field)
        case .dropIndex(let entity, let field):
            try dropIndex(entity, field)
        case .export(let query, let path):
            output(.message(try export(query, path, source)))
        case .exportChart(let kind, let query, let path):
            output(.message(try exportChart(kind, query, path, source)))
        case .save(let path):
            output(.message(try save(path, source)))
        case .open(let path):
            output(.message(try open(path, source)))
        case .openDatabase(let path):
            output(.message(try openDatabase(path, source)))
        case .explain(let query, let analyze):
            output(.text(try explain(query, analyze: analyze, source)))
        case .explainSQL(let query, let dialect):
            output(.document(name: "sql", text: try explainSQL(query, dialect: dialect, source)))
        case .describe(let entity):
            let result = try describe(entity)
            try emitRows(result.names, result.columns, statement, output: output)
        case .showEntities:
            let result = showEntities()
            try emitRows(result.names, result.columns, statement, output: output)
        case .showIndexes:
            let result = showIndexes()
            try emitRows(result.names, result.columns, statement, output: output)
        case .help(let topic):
            output(.text(Help.text(topic: topic?.text)))
        case .model(let name, let fit):
            output(.message(try defineModel(name, fit, source)))
        case .dropModel(let name):
            try dropModel(name)
        case .describeModel(let name):
            let result = try describeModel(name, source)
            try emitRows(result.names, result.columns, statement, output: output)
        case .showModels:
            let result = showModels()
            try emitRows(result.names, result.columns, statement, output: output)
        }
    }

    func runner(_ source: SourceFile) -> QueryRunner {
        let catalog = makeCatalog()
        let evaluator = Evaluator(catalog: catalog, services: services)
        if operatorTrace != nil { evaluator.trace = [] }
        return QueryRunner(catalog: catalog, evaluator: evaluator, source: source, lets: state.lets)
    }

    /// Runs a query: every query is planned and its plan run.
    func runQuery(_ query: Query, _ source: SourceFile) throws -> QueryOutput {
        let runner = runner(source)
        defer { if let trace = runner.evaluator.trace { operatorTrace?.formUnion(trace) } }
        let (plan, bound, fresh) = try plannedQuery(query, source, runner)
        try services.checkInterrupt()
        return try runner.execute(plan, bound, run: PlanRun(fresh: fresh))
    }

    /// A query's plan and its bound query with this run's parameter values.
    /// A query over a stored entity keeps its plan in the plan cache, so a
    /// query text run again, or a prepared statement run with new values,
    /// is neither bound nor planned again; any other query is planned for
    /// this run. `fresh` tells whether the plan was made for this run (its
    /// index probe still holds).
    func plannedQuery(_ query: Query, _ source: SourceFile, _ runner: QueryRunner) throws -> (PhysicalPlan, BoundQuery, fresh: Bool) {
        // A query `as of` a date is planned over a view made for its run.
        guard case .named(let name) = query.source, query.asOf == nil, let entity = state.store[name.text],
              source.text.utf8.count <= PlanCache.maximumTextBytes else {
            let plan = try runner.plan(query)
            return (plan, plan.query, true)
        }
        var compiled = recentPlans.find(source, query.range.start, generation: generation)
        var fresh = false
        if compiled == nil {
            let key = PlanCache.Key(source: source, offset: query.range.start, stamp: services.stamp,
                                    indexes: state.store.explicitIndexes, parameterTypes: state.parameters.mapValues(\.dataType),
                                    hostFunctions: hostFunctionsGeneration)
            compiled = plans.lookup(key)
            if compiled == nil {
                do {
                    let made = try runner.compile(query, entity)
                    // An index build stopped by the limits leaves a plan without the index: never kept.
                    try services.checkInterrupt()
                    plans.keep(made, key)
                    compiled = made
                    fresh = true
                } catch is ParameterDependence {
                    // What the query means depends on a value: planned for this run's values alone.
                    let plan = try runner.plan(query)
                    return (plan, plan.query, true)
                }
            }
            if let compiled { recentPlans.keep(compiled, source, query.range.start, generation: generation) }
        }
        if let compiled, let bound = compiled.usesParameters ? compiled.query.instantiated(state.parameters) : compiled.query {
            return (compiled.plan, bound, fresh && !compiled.usesParameters)
        }
        // A value that does not fit the slot it was compiled for.
        let plan = try runner.plan(query)
        return (plan, plan.query, true)
    }

    /// Refuses a file operation in safe mode.
    func requireFiles(_ what: String, _ range: SourceRange) throws {
        // A replayed load reads its bytes from the log, not from a file.
        if options.safe, !durable.isReplaying { throw Diagnostic(.io, "\(what) is not allowed in safe mode: no statement may read or write files", at: range) }
    }

    /// A statement's file name: a string literal or a text parameter.
    func path(_ expr: Expr, _ source: SourceFile) throws -> String {
        switch expr.kind {
        case .literal(.text(let text)): return text
        case .parameter(let name):
            if case .text(let text)? = state.parameters[name] { return text }
            throw Diagnostic.semantic("parameter '$\(name)' must hold a file name", expr.range)
        default:
            throw Diagnostic.semantic("expected a file name in quotes", expr.range)
        }
    }
}
