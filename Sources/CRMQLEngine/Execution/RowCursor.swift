import CRMQLCore
import CRMQLStorage
import CRMQLSyntax
import Foundation

/// A query's answer handed out a chunk of rows at a time: the operators
/// below the projection have run when the cursor opens (filter, sort,
/// limit: they need every row), and the shown items are evaluated only for
/// the rows a reader asks for, so a host that reads the first rows of a
/// million, or stops early, never computes the rest.
///
/// A cursor owns its evaluation: a catalog, an evaluator and execution
/// services of its own over the snapshot of the session it opened on, so it
/// shares nothing mutable with the interpreter that opened it, and reads
/// stay correct however the session changes afterwards. Each fetch is
/// bounded like a statement: the time and memory limits apply to it, and an
/// interrupt requested since the cursor opened stops it.
public final class RowCursor: @unchecked Sendable {
    /// The output column names.
    public let names: [String]
    /// The output column types.
    public let types: [DataType]
    /// The number of rows the answer has.
    public let rowCount: Int

    private enum Source {
        case answer([Column])
        case rows(runner: QueryRunner, plan: PhysicalPlan, bound: BoundQuery, entity: Entity, rows: [Int32])
    }

    private let source: Source
    private let limits: ExecutionLimits
    private let interruptBaseline: UInt64
    // A cursor may be shared by copies of a host's stream; one fetch at a time.
    private let lock = NSLock()

    init(answer output: QueryOutput, types: [DataType]) {
        names = output.names
        self.types = types
        rowCount = output.columns.first?.count ?? 0
        source = .answer(output.columns)
        limits = ExecutionLimits()
        interruptBaseline = 0
    }

    init(runner: QueryRunner, plan: PhysicalPlan, bound: BoundQuery, entity: Entity, rows: [Int32],
         limits: ExecutionLimits, interruptBaseline: UInt64) {
        names = bound.names
        types = bound.items.map { $0.expr.type }
        rowCount = rows.count
        source = .rows(runner: runner, plan: plan, bound: bound, entity: entity, rows: rows)
        self.limits = limits
        self.interruptBaseline = interruptBaseline
    }

    /// The columns of the rows in `range` (clamped to the answer).
    /// - Throws: a `Diagnostic` when evaluating them fails, runs past a
    ///   limit or is interrupted.
    public func columns(_ range: Range<Int>) throws -> [Column] {
        let clamped = range.clamped(to: 0..<rowCount)
        switch source {
        case .answer(let columns):
            let rows = clamped.map { Int32($0) }
            return columns.map { $0.gather(rows) }
        case .rows(let runner, let plan, let bound, let entity, let rows):
            lock.lock()
            defer { lock.unlock() }
            let services = runner.evaluator.services
            services.arm(StatementBudget(limits: limits, interruptBaseline: interruptBaseline))
            var projected: [Column] = []
            try IndexBuild.withStop(services.buildStop) {
                projected = try runner.project(plan, bound, entity, rows: Array(rows[clamped]))
            }
            return projected
        }
    }
}

extension Interpreter {
    /// Opens a cursor over a query's answer instead of computing its shown
    /// columns whole (see `RowCursor`); nil when `statement` is not a query,
    /// which then has to run with `execute`. Parameters in `values` hold for
    /// this query, as in `execute(_:_:binding:output:)`.
    public func openCursor(_ statement: Statement, _ source: SourceFile, binding values: [String: Value]) throws -> RowCursor? {
        guard case .query = statement.kind else { return nil }
        cursorRequested = true
        defer {
            cursorRequested = false
            openedCursor = nil
        }
        try execute(statement, source, binding: values) { _ in }
        return openedCursor
    }

    /// The cursor of a query run with `cursorRequested` set: the query is
    /// planned as any query is (through the plan cache), its operators
    /// below the projection run now, and the cursor evaluates the rest.
    func makeCursor(_ query: Query, _ source: SourceFile) throws -> RowCursor {
        let runner = runner(source)
        let (plan, bound, fresh) = try plannedQuery(query, source, runner)
        try services.checkInterrupt()
        // A query `as of` a date runs over a view of its own: computed whole.
        if plan.asOf != nil {
            let output = try runner.execute(plan, bound, run: PlanRun(fresh: fresh))
            return RowCursor(answer: output, types: output.columns.map(\.type))
        }
        let unprojected = try runner.executeBelowProjection(plan, bound, run: PlanRun(fresh: fresh))
        switch unprojected {
        case .output(let output):
            return RowCursor(answer: output, types: output.columns.map(\.type))
        case .rows(let entity, let rows):
            let own = ExecutionServices(interrupt: interrupt, indexes: indexes, measures: measures, stamp: stamp)
            let catalog = makeCatalog()
            let evaluator = Evaluator(catalog: catalog, services: own)
            // What the filter computed for every row serves the chunks too.
            evaluator.relationMemo = runner.evaluator.relationMemo
            return RowCursor(runner: QueryRunner(catalog: catalog, evaluator: evaluator, source: source, lets: state.lets),
                             plan: plan, bound: bound, entity: entity, rows: rows,
                             limits: limits, interruptBaseline: services.budget.interruptBaseline)
        }
    }
}
