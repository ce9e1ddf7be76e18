import CRMQLCore
import CRMQLStorage
import Synchronization

/// A flag another thread sets to stop the running statement (Ctrl-C, a host's
/// `interrupt()`); the evaluator polls it between column operations.
public final class InterruptFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    public init() {}
    public func set() { flag.store(true, ordering: .relaxed) }
    public func clear() { flag.store(false, ordering: .relaxed) }
    public var isSet: Bool { flag.load(ordering: .relaxed) }
}

/// What the evaluator needs beyond the catalog: caches of derived data that
/// outlive one statement (computed measures, ref resolution, children lists),
/// and the interrupt flag.
final class ExecutionServices {
    let interrupt: InterruptFlag
    let indexes: IndexCache
    /// Computed-field columns over whole entities, valid while `stamp` holds.
    private var computed: [String: Column] = [:]
    private var computedStamp: StateStamp?
    private var inProgress: Set<String> = []
    var stamp: StateStamp

    init(interrupt: InterruptFlag, indexes: IndexCache, stamp: StateStamp) {
        self.interrupt = interrupt
        self.indexes = indexes
        self.stamp = stamp
    }

    func checkInterrupt() throws {
        if interrupt.isSet { throw Diagnostic(.interrupted, "interrupted", at: nil) }
    }

    /// The value of a computed field for every row of its entity, computed
    /// once and reused until data, definitions or settings change.
    func computedColumn(entity: String, field: String, catalog: Catalog, evaluator: Evaluator, range: SourceRange) throws -> Column {
        if computedStamp != stamp {
            computed.removeAll()
            computedStamp = stamp
        }
        let key = entity + "." + field
        if let column = computed[key] { return column }
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
        computed[key] = column
        return column
    }

    /// For each child row, its parent's row (-1 for null or dangling refs).
    func refPositions(child: Entity, refField: Int, parent: Entity) -> [Int32] {
        guard let index = indexes.refIndex(child: child, field: child.fields[refField].name, parent: parent) else {
            return [Int32](repeating: -1, count: child.rowCount)
        }
        return index.parentRows
    }

    /// Each parent row's children, as offsets into a list of child rows.
    func children(parent: Entity, child: Entity, refField: Int) -> (offsets: [Int32], rows: [Int32]) {
        guard let index = indexes.refIndex(child: child, field: child.fields[refField].name, parent: parent) else {
            return ([Int32](repeating: 0, count: parent.rowCount + 1), [])
        }
        return (index.offsets, index.childRows)
    }
}

/// Identifies the state a cached measure was computed from.
struct StateStamp: Hashable {
    var entityVersions: [UInt64]
    var definitionsGeneration: Int
    var today: Int64
    var fiscalYearStart: Int
}
