import CRMQLCore
import CRMQLStorage
import CRMQLSyntax

/// The where clause as a plan: an access path, then the remaining
/// conjuncts in the order they run.
struct FilterPlan {
    var access: AccessPath
    /// Every conjunct, in the order they run.
    var order: [Int]
    var remaining: [BoundExpr]

    init(access: AccessPath, conjuncts: [BoundExpr], order: [Int]) {
        self.access = access
        self.order = order
        // A loop, not filter and map: when the index answers every conjunct,
        // as a key lookup does, no array is made at all.
        var remaining: [BoundExpr] = []
        for index in order where !access.consumed.contains(index) { remaining.append(conjuncts[index]) }
        self.remaining = remaining
    }
}

extension QueryRunner {
    /// Plans `condition` over `rows` of `entity`. Indexes apply only when the
    /// rows are the whole stored entity (not a named query's selection).
    func planFilter(_ condition: BoundExpr, _ entity: Entity, _ rows: [Int32]) -> FilterPlan {
        let conjuncts = AccessPlanner.conjuncts(of: condition)
        let indexes = evaluator.services.indexes
        let isWholeEntity = catalog.store[entity.name]?.version == entity.version && rows.count == entity.rowCount
        var access = AccessPath.scan(entity, estimate: rows.count)
        if isWholeEntity {
            access = AccessPlanner.choose(conjuncts, entity: entity, indexes: indexes, explicit: catalog.store.explicitIndexes)
        }
        return FilterPlan(access: access, conjuncts: conjuncts, order: AccessPlanner.order(conjuncts, entity: entity, indexes: indexes, store: catalog.store))
    }

    /// The plan a compiled query chose, for this run's conjuncts: the same
    /// access path and order, with only the index probe made again. An index
    /// that cannot serve the values (dropped, or a value it cannot hold)
    /// leaves a scan.
    func replan(_ condition: BoundExpr, _ entity: Entity, access choice: AccessChoice, order: [Int]) -> FilterPlan {
        let conjuncts = AccessPlanner.conjuncts(of: condition)
        let access = AccessPlanner.access(choice, conjuncts, entity: entity, indexes: evaluator.services.indexes)
        return FilterPlan(access: access ?? .scan(entity, estimate: entity.rowCount), conjuncts: conjuncts, order: order)
    }

    /// Runs a filter plan: the access path's rows, then each conjunct over
    /// the rows the previous ones kept. The kept rows stay a bitmap where
    /// the filter kept them as one.
    func runSelection(_ plan: FilterPlan, _ entity: Entity, _ rows: [Int32]) throws -> KeptRows {
        // A point lookup's index answers every conjunct: no context to make.
        if let access = plan.access.kept, plan.remaining.isEmpty { return access }
        let kept = plan.access.rows ?? rows
        if kept.isEmpty || plan.remaining.isEmpty { return .rows(kept) }
        return try evaluator.selection(conjuncts: plan.remaining, EvalContext(entity: entity, rows: kept))
    }
}
