import CRMQLCore
import CRMQLStorage
import CRMQLSyntax

/// The where clause as a plan: an access path, then the remaining
/// conjuncts in the order they run.
struct FilterPlan {
    var access: AccessPath
    var remaining: [BoundExpr]
}

extension QueryRunner {
    /// Plans `condition` over `rows` of `entity`. Indexes apply only when the
    /// rows are the whole stored entity (not a named query's selection).
    func planFilter(_ condition: BoundExpr, _ entity: Entity, _ rows: [Int32]) -> FilterPlan {
        let conjuncts = AccessPlanner.conjuncts(of: condition)
        let indexes = evaluator.services.indexes
        let isWholeEntity = catalog.store[entity.name]?.version == entity.version && rows.count == entity.rowCount
        var access = AccessPath(kind: .scan, rows: nil, detail: "SCAN \(entity.name)", estimate: rows.count, consumed: [])
        if isWholeEntity {
            access = AccessPlanner.choose(conjuncts, entity: entity, indexes: indexes, explicit: catalog.store.explicitIndexes)
        }
        let remaining = conjuncts.enumerated().filter { !access.consumed.contains($0.offset) }.map(\.element)
        return FilterPlan(access: access, remaining: AccessPlanner.ordered(remaining, entity: entity, indexes: indexes))
    }

    /// Runs a filter plan: the access path's rows, then each conjunct over
    /// the rows the previous ones kept.
    func runFilter(_ plan: FilterPlan, _ entity: Entity, _ rows: [Int32]) throws -> [Int32] {
        var kept = plan.access.rows ?? rows
        for conjunct in plan.remaining {
            if kept.isEmpty { break }
            kept = try evaluator.filter(conjunct, EvalContext(entity: entity, rows: kept))
        }
        return kept
    }

    /// `where` as the query runs it.
    func applyWhere(_ query: Query, _ entity: Entity, _ rows: [Int32]) throws -> [Int32] {
        guard let condition = query.whereClause else { return rows }
        let bound = try binder.bindCondition(condition, in: Scope(entity: entity), clause: "where")
        return try runFilter(planFilter(bound, entity, rows), entity, rows)
    }
}
