import CRMQLCore
import CRMQLStorage
import Synchronization

/// Requests from another thread to stop running statements (Ctrl-C, a
/// host's `interrupt()`); the evaluator polls it between column operations.
///
/// Requests are counted rather than flagged, so that threads running
/// statements at the same time never erase each other's: a statement
/// remembers the count when its script starts (its baseline) and stops once
/// the count differs. `clear()` and `isSet` keep the single-threaded view: a
/// statement without its own baseline stops for any request since the last
/// `clear()`.
public final class InterruptFlag: Sendable {
    private let requests = Atomic<UInt64>(0)
    private let handled = Atomic<UInt64>(0)
    public init() {}
    /// Asks every statement running now to stop.
    public func set() { requests.add(1, ordering: .relaxed) }
    /// Marks the requests made so far as handled.
    public func clear() { handled.store(requests.load(ordering: .relaxed), ordering: .relaxed) }
    /// True when a request came after the last `clear()`.
    public var isSet: Bool { requests.load(ordering: .relaxed) != handled.load(ordering: .relaxed) }
    /// The number of requests so far: a statement started now stops once this changes.
    public var generation: UInt64 { requests.load(ordering: .relaxed) }
    /// The count at the last `clear()`.
    var handledGeneration: UInt64 { handled.load(ordering: .relaxed) }
}

/// Computed-field columns over whole entities, shared by every statement of
/// a session, readers running in parallel included, and valid for one
/// `StateStamp`: a lookup with another stamp misses, so a reader of an older
/// state can never see a newer state's column or the other way round.
final class MeasureCache: Sendable {
    private struct Entries {
        var stamp: StateStamp?
        var columns: [String: Column] = [:]
    }

    private let entries = Locked(Entries())
    /// Models fitted at their first use, kept with the measures that use them.
    let models = ModelCache()

    func column(_ key: String, stamp: StateStamp) -> Column? {
        entries.withLock { $0.stamp == stamp ? $0.columns[key] : nil }
    }

    /// Keeps a column computed from `stamp`; a column of another state than
    /// the one cached replaces the whole cache, so old states do not pile up.
    func keep(_ column: Column, _ key: String, stamp: StateStamp) {
        entries.withLock { entries in
            if entries.stamp != stamp {
                entries.columns.removeAll()
                entries.stamp = stamp
            }
            entries.columns[key] = column
        }
    }
}

/// What the evaluator needs beyond the catalog: caches of derived data that
/// outlive one statement (computed measures, ref resolution, children lists),
/// the interrupt flag and the running statement's limits.
///
/// One per interpreter, so one thread at a time; the caches it holds are
/// shared between the interpreters of a session and safe across threads.
final class ExecutionServices {
    let interrupt: InterruptFlag
    let indexes: IndexCache
    let measures: MeasureCache
    /// Measures being computed, to catch a definition that uses itself.
    private var inProgress: Set<String> = []
    var stamp: StateStamp
    /// Set by `Interpreter.execute` when a statement starts. Read before
    /// every column operation: its accesses are not checked at run time for
    /// exclusivity, which cost more than the check itself. An interpreter, and
    /// so its services, is used by one thread at a time, and no access to the
    /// budget overlaps another (each is a single read or update).
    @exclusivity(unchecked) var budget = StatementBudget()

    init(interrupt: InterruptFlag, indexes: IndexCache, measures: MeasureCache, stamp: StateStamp) {
        self.interrupt = interrupt
        self.indexes = indexes
        self.measures = measures
        self.stamp = stamp
    }

    /// What lets an index build of the running statement stop: the same
    /// interrupt and deadline `checkInterrupt` checks, readable from any
    /// thread (`IndexBuild`). Made once; `arm()` gives it each statement's
    /// baseline and deadline, so starting a statement allocates nothing.
    private(set) lazy var buildStop: BuildStop = {
        let flag = interrupt
        let armed = armedBudget
        return BuildStop {
            let (baseline, deadline) = armed.withLock { $0 }
            if flag.generation != baseline { return true }
            if let deadline, ContinuousClock.now >= deadline { return true }
            return false
        }
    }()
    private let armedBudget = Locked<(UInt64, ContinuousClock.Instant?)>((0, nil))

    /// Starts a statement's budget: what `checkInterrupt` and `buildStop` check.
    func arm(_ budget: StatementBudget) {
        self.budget = budget
        armedBudget.withLock { $0 = (budget.interruptBaseline, budget.deadline) }
    }

    /// Stops the statement when it was interrupted or ran out of time.
    func checkInterrupt() throws {
        if interrupt.generation != budget.interruptBaseline { throw Diagnostic(.interrupted, "interrupted", at: nil) }
        // Reads single fields rather than copying the budget: this runs
        // several times in even the shortest query.
        if budget.hasDeadline, let deadline = budget.deadline, ContinuousClock.now >= deadline { try budget.checkDeadline() }
    }

    /// `checkInterrupt()`, and counts `values` more values computed against
    /// the statement's memory limit.
    func checkInterrupt(materializing values: Int) throws {
        try checkInterrupt()
        if budget.memoryLimit != nil { try budget.account(values: values) }
    }

    /// The value of a computed field for every row of its entity, computed
    /// once and reused until data, definitions or settings change.
    func computedColumn(entity: String, field: String, catalog: Catalog, evaluator: Evaluator, range: SourceRange) throws -> Column {
        let key = entity + "." + field
        if let column = measures.column(key, stamp: stamp) { return column }
        guard let target = catalog.store[entity] else { throw Diagnostic.runtime("unknown entity '\(entity)'", range) }
        if catalog.cachedComputed(entity: entity, field: field) == nil {
            var binder = Binder(catalog: catalog, source: SourceFile(name: "", text: ""))
            _ = try binder.computedType(entity: entity, field: field, range)
        }
        guard let bound = catalog.cachedComputed(entity: entity, field: field) else {
            throw Diagnostic.runtime("'\(field)' cannot be computed", range)
        }
        guard inProgress.insert(key).inserted else { throw Diagnostic.runtime("circular definition of '\(field)'", range) }
        defer { inProgress.remove(key) }
        let column = try evaluator.evaluate(bound, EvalContext(allOf: target)).expanded(to: target.rowCount)
        measures.keep(column, key, stamp: stamp)
        return column
    }

    /// For each child row, its parent's row (-1 for null or dangling refs).
    func refPositions(child: Entity, refField: Int, parent: Entity) throws -> [Int32] {
        guard let index = indexes.refIndex(child: child, field: child.fields[refField].name, parent: parent) else {
            // No index may also mean its build was stopped: then no answer.
            try checkInterrupt()
            return [Int32](repeating: -1, count: child.rowCount)
        }
        return index.parentRows
    }

    /// Both directions of a ref field; nil when it cannot be resolved.
    func refIndex(child: Entity, refField: Int, parent: Entity) -> RefIndex? {
        guard refField >= 0, refField < child.fields.count else { return nil }
        return indexes.refIndex(child: child, field: child.fields[refField].name, parent: parent)
    }

    /// Each parent row's children, as offsets into a list of child rows.
    func children(parent: Entity, child: Entity, refField: Int) throws -> (offsets: [Int32], rows: [Int32]) {
        guard let index = indexes.refIndex(child: child, field: child.fields[refField].name, parent: parent) else {
            try checkInterrupt()
            return ([Int32](repeating: 0, count: parent.rowCount + 1), [])
        }
        return (index.offsets, index.childRows)
    }
}

/// Identifies the state a cached measure was computed from.
struct StateStamp: Hashable, Sendable {
    var entityVersions: [UInt64]
    var definitionsGeneration: Int
    var today: Int64
    var fiscalYearStart: Int
    /// Measures computed with fast paths off are computed again with them
    /// on, so that each mode's answers come from its own operators.
    var fastPaths: Bool
}
