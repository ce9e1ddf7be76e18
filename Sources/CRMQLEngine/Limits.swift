import CRMQLCore
import CRMQLSyntax

/// Bounds a host sets on what one statement may take. A statement that goes
/// past one fails with phase `.limit`, and, like any failing statement,
/// leaves the session as it was. `nil` means unbounded.
public struct ExecutionLimits: Sendable, Hashable {
    /// Longest time one statement may run. Checked between column
    /// operations, so a statement stops within one operation of the limit.
    public var timeLimit: Duration?
    /// Most rows one result may have.
    public var maxResultRows: Int?
    /// Deepest expression a statement may contain, counted as the parser
    /// counts it (`a + b` is 2 deep); the parser itself refuses more than
    /// `Parser.maximumNestingDepth`.
    public var maxNestingDepth: Int?
    /// Most bytes one statement may materialise, estimated as 16 bytes per
    /// value of every intermediate column it computes. It is a running total,
    /// not a peak, so it overestimates; it stops runaway statements before
    /// they exhaust memory.
    public var maxMemoryBytes: Int?

    /// Describes the bounds; `nil` leaves one unbounded.
    public init(timeLimit: Duration? = nil, maxResultRows: Int? = nil, maxNestingDepth: Int? = nil, maxMemoryBytes: Int? = nil) {
        self.timeLimit = timeLimit
        self.maxResultRows = maxResultRows
        self.maxNestingDepth = maxNestingDepth
        self.maxMemoryBytes = maxMemoryBytes
    }

    /// The estimate `maxMemoryBytes` is compared with, per value computed.
    static let bytesPerValue = 16

    /// A duration as a message shows it: `250 ms`, `2 s`.
    public static func describe(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = attoseconds / 1_000_000_000_000_000
        guard milliseconds != 0 else { return "\(seconds) s" }
        let (total, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return "\(seconds) s" }
        return "\(total.addingReportingOverflow(milliseconds).partialValue) ms"
    }

    /// A byte count as a message shows it: `512 bytes`, `64 MB`.
    static func describe(bytes: Int) -> String {
        if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MB" }
        if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10) KB" }
        return "\(bytes) bytes"
    }
}

/// What the running statement may still use, set when it starts and
/// checked while it runs (by `ExecutionServices.checkInterrupt`).
struct StatementBudget {
    /// The interrupt flag's generation when the statement's script started:
    /// a request made after it stops the statement.
    var interruptBaseline: UInt64 = 0
    var deadline: ContinuousClock.Instant?
    /// Whether `deadline` is set. The instant is a resilient type whose
    /// copies go through its metadata, so the poll of a statement with no
    /// time limit asks this plain flag first.
    var hasDeadline = false
    var timeLimit: Duration?
    var memoryLimit: Int?
    var memoryUsed = 0

    init() {}

    init(limits: ExecutionLimits, interruptBaseline: UInt64) {
        self.interruptBaseline = interruptBaseline
        timeLimit = limits.timeLimit
        deadline = limits.timeLimit.map { ContinuousClock.now.advanced(by: $0) }
        hasDeadline = deadline != nil
        memoryLimit = limits.maxMemoryBytes
    }

    /// Fails once the statement has run past its time limit.
    func checkDeadline() throws {
        guard let deadline, let timeLimit, ContinuousClock.now >= deadline else { return }
        throw Diagnostic(.limit, "the statement ran longer than the time limit of \(ExecutionLimits.describe(timeLimit))", at: nil)
    }

    /// Counts `values` more values computed; fails past the memory limit.
    mutating func account(values: Int) throws {
        guard let memoryLimit else { return }
        let (bytes, overflow) = values.multipliedReportingOverflow(by: ExecutionLimits.bytesPerValue)
        let (total, overflowAgain) = memoryUsed.addingReportingOverflow(bytes)
        memoryUsed = overflow || overflowAgain ? Int.max : total
        if memoryUsed > memoryLimit {
            throw Diagnostic(.limit, "the statement needs more memory than the limit of \(ExecutionLimits.describe(bytes: memoryLimit))", at: nil)
        }
    }
}

extension ExecutionLimits {
    /// Fails when a result has more rows than allowed.
    public func checkResultRows(_ count: Int, _ range: SourceRange) throws {
        guard let maximum = maxResultRows, count > maximum else { return }
        throw Diagnostic(.limit, "the result has \(count) rows, more than the limit of \(maximum)", at: range)
    }

    /// Fails when an expression of `statement` is nested deeper than allowed,
    /// pointing at the first node past the limit.
    func checkNesting(_ statement: Statement) throws {
        guard let maximum = maxNestingDepth else { return }
        var pending: [(Expr, Int)] = NestingDepth.expressions(of: statement).map { ($0, 1) }
        // An explicit stack, so that however the tree was built, measuring it cannot overflow the call stack.
        while let (expr, depth) = pending.popLast() {
            if depth > maximum {
                throw Diagnostic(.limit, "expression nested more than \(maximum) deep (the limit)", at: expr.range)
            }
            for child in NestingDepth.children(of: expr) { pending.append((child, depth + 1)) }
        }
    }
}

/// The expressions of a statement and of each expression, for measuring depth.
enum NestingDepth {
    static func expressions(of statement: Statement) -> [Expr] {
        switch statement.kind {
        case .query(let query), .letQuery(_, let query), .explain(let query, _), .explainSQL(let query, _):
            return expressions(of: query)
        case .export(let query, let path), .exportChart(_, let query, let path):
            return expressions(of: query) + [path]
        case .param(_, let value), .set(_, let value):
            return [value]
        case .define(_, _, let expr):
            return [expr]
        case .load(_, let path, let options):
            return [path] + options.map(\.value)
        case .insert(_, _, let rows):
            return rows.flatMap { $0 }
        case .update(_, let assignments, let condition):
            return assignments.map(\.value) + (condition.map { [$0] } ?? [])
        case .delete(_, let condition, _):
            return condition.map { [$0] } ?? []
        case .save(let path), .open(let path), .openDatabase(let path):
            return [path]
        case .createEntity, .createIndex, .dropIndex, .describe, .showEntities, .showIndexes, .help,
             .dropModel, .describeModel, .showModels:
            return []
        case .model(_, let fit):
            return fit.arguments.map(\.value) + (fit.fitted ?? []).map(\.value)
        }
    }

    static func expressions(of query: Query) -> [Expr] {
        var exprs: [Expr] = []
        if case .function(_, let arguments, _) = query.source { exprs += arguments.map(\.value) }
        if let condition = query.whereClause { exprs.append(condition) }
        for item in (query.groupBy ?? []) + (query.show ?? []) {
            if case .expr(let expr, _) = item { exprs.append(expr) }
        }
        if let having = query.having { exprs.append(having) }
        exprs += (query.orderBy ?? []).map(\.expr)
        if let limit = query.limit { exprs.append(limit) }
        if let offset = query.offset { exprs.append(offset) }
        return exprs
    }

    static func children(of expr: Expr) -> [Expr] {
        switch expr.kind {
        case .literal, .duration, .identifier, .parameter, .fiscalPeriod:
            return []
        case .member(let base, _), .unary(_, let base), .isNull(let base, _), .inDateRange(let base, _, _), .labeled(_, let base):
            return [base]
        case .binary(_, let left, let right):
            return [left, right]
        case .between(let operand, let low, let high, _):
            return [operand, low, high]
        case .inList(let operand, let items, _):
            return [operand] + items
        case .call(_, let arguments, _), .tuple(let arguments):
            return arguments
        case .filtered(let base, let condition):
            return [base, condition]
        case .caseWhen(let branches, let otherwise):
            return branches.flatMap { [$0.condition, $0.value] } + (otherwise.map { [$0] } ?? [])
        }
    }
}
