import CRMQLCore
import CRMQLStorage
import CRMQLSyntax

/// The store as it was on a date: `select customers as of 2025-12-31`.
///
/// Every child entity (one with a `ref` to another) loses the rows whose
/// date field is later than the date; `today` is the date. The query is
/// then planned and run over this view as over any store, so its
/// relations, measures and population functions see only the events up to
/// the date, with no operator knowing about time.
///
/// The view's filtered entities are new entity versions, and it has caches
/// of its own (indexes, measures): what it computes can never be taken for
/// the session's, and it does not push the session's out of theirs.
struct AsOfView {
    /// Plans and runs queries over the view.
    let runner: QueryRunner
    /// The view's `today`.
    let date: Int64
    /// Per child entity that lost rows: its name, the date field, the rows
    /// kept as positions in the stored entity (ascending).
    let filtered: [(entity: String, field: String, kept: [Int32])]

    /// The date field that decides whether a child entity's row happened by
    /// a date: its only date or datetime field, or the first of several.
    /// Nil for an entity that is not a child (has no ref) or has none.
    static func eventDateField(of entity: Entity) -> Int? {
        let isChild = entity.fields.contains { if case .ref = $0.type { return true } else { return false } }
        guard isChild else { return nil }
        return entity.fields.firstIndex { $0.type == .date || $0.type == .datetime }
    }

    /// The rows of `entity` whose date field is on or before `day` (rows
    /// with no date are kept: nothing says they happened later); nil when
    /// every row is kept.
    static func rowsUpTo(_ day: Int64, _ entity: Entity, field: Int) -> [Int32]? {
        let column = entity.columns[field]
        guard case .temporal(let values) = column.data else { return nil }
        // A datetime happened by the date when it is before the next midnight.
        let limit: Int64
        if column.type == .datetime {
            let (product, overflow) = day.addingReportingOverflow(1).partialValue.multipliedReportingOverflow(by: 86_400)
            limit = overflow ? Int64.max : product - 1
        } else {
            limit = day
        }
        let nulls = column.nulls
        var kept: [Int32] = []
        kept.reserveCapacity(values.count)
        var dropped = false
        values.withUnsafeBufferPointer { values in
            for row in 0..<values.count {
                if values[row] <= limit || nulls.isNull(row) { kept.append(Int32(row)) } else { dropped = true }
            }
        }
        return dropped ? kept : nil
    }

    /// The view of `runner`'s store on `day`, with a runner over it that
    /// shares the session's interrupt flag and the statement's limits.
    init(_ day: Int64, of outer: QueryRunner) throws {
        var store = outer.catalog.store
        var filtered: [(String, String, [Int32])] = []
        var subsets: [String: RowSubset] = [:]
        for entity in outer.catalog.store.allEntities {
            try outer.evaluator.services.checkInterrupt(materializing: entity.rowCount)
            guard let field = Self.eventDateField(of: entity), let kept = Self.rowsUpTo(day, entity, field: field) else { continue }
            var view = entity
            view.keepRows(kept)
            store[entity.name] = view
            filtered.append((entity.name, entity.fields[field].name, kept))
            subsets[entity.name] = RowSubset(source: entity, kept: kept, cache: outer.evaluator.services.indexes)
        }
        let catalog = Catalog(store: store, definitions: outer.catalog.definitions, parameters: outer.catalog.parameters,
                              hostFunctions: outer.catalog.hostFunctions, today: day,
                              fiscalYearStart: outer.catalog.fiscalYearStart, fastPathsEnabled: outer.catalog.fastPathsEnabled,
                              models: outer.catalog.models, parallelism: outer.catalog.parallelism)
        let services = ExecutionServices(viewOf: outer.evaluator.services, catalog: catalog, subsets: subsets)
        let evaluator = Evaluator(catalog: catalog, services: services)
        if outer.evaluator.trace != nil { evaluator.trace = [] }
        var runner = QueryRunner(catalog: catalog, evaluator: evaluator, source: outer.source, lets: outer.lets)
        runner.expanding = outer.expanding
        runner.parameterSlots = outer.parameterSlots
        self.runner = runner
        self.date = day
        self.filtered = filtered
    }

    /// What `explain` says of the view.
    var description: String {
        let date = CivilDate(days: date).iso
        if filtered.isEmpty { return "as of \(date): no child entity has later rows" }
        let parts = filtered.map { "\($0.entity) by \($0.field) (\($0.kept.count) rows)" }
        return "as of \(date): " + parts.joined(separator: ", ")
    }

    /// Runs `body` with the view's runner, then hands what it recorded to
    /// `outer`'s trace, so that a test holding `explain` to what runs sees it.
    func run<T>(for outer: QueryRunner, _ body: (QueryRunner) throws -> T) rethrows -> T {
        defer {
            if let trace = runner.evaluator.trace {
                outer.evaluator.trace?.formUnion(trace)
                runner.evaluator.trace = []
            }
        }
        return try body(runner)
    }
}

extension ExecutionServices {
    /// Services for an `as of` view: the session's interrupt flag and the
    /// running statement's budget, caches of its own. The ref indexes of the
    /// entities that lost rows (`subsets`) are gathered from the session's
    /// indexes of the full entities rather than built by key lookups.
    convenience init(viewOf outer: ExecutionServices, catalog: Catalog, subsets: [String: RowSubset] = [:]) {
        let stamp = StateStamp(entityVersions: catalog.store.entityVersions, definitionsGeneration: outer.stamp.definitionsGeneration,
                               today: catalog.today, fiscalYearStart: catalog.fiscalYearStart, fastPaths: catalog.fastPathsEnabled)
        self.init(interrupt: outer.interrupt, indexes: IndexCache(subsets: subsets), measures: MeasureCache(), stamp: stamp)
        budget = outer.budget
    }
}

extension QueryRunner {
    /// A constant date argument (`as of 2025-12-31`, `from: $start`,
    /// `to: today - 30 days`): a datetime counts by its day.
    func constantDate(_ expr: Expr, _ what: String) throws -> Int64 {
        let bound = try binder.bind(expr, in: Scope(entity: Entity(name: "", fields: [])))
        let column = try evaluator.unplanned { try evaluator.evaluate(bound, EvalContext(entity: Entity(name: "", fields: []), rows: [0])) }
        guard column.count >= 1 else { throw Diagnostic.semantic("\(what) needs a date, as in 2025-12-31", expr.range) }
        switch column.value(at: 0) {
        case .date(let day): return day
        case .datetime(let seconds): return CRMCalendar.date(seconds: seconds)
        default: throw Diagnostic.semantic("\(what) needs a date, as in 2025-12-31", expr.range)
        }
    }
}
