import CRMQLCore
import CRMQLStorage

/// What flows from one operator of a plan to the next.
private enum Flow {
    /// Rows of the plan's entity, ascending or in the order a sort gave.
    case rows(KeptRows)
    /// Groups: each shown column's value per group, the groups kept in
    /// order, and how to evaluate an order key over groups. Boxed, so that
    /// a flow of rows, passed between every pair of operators, stays small.
    indirect case groups(outputs: [Column], kept: [Int32], context: EvalContext?)
    case output(QueryOutput)

    var count: Int {
        switch self {
        case .rows(let rows): return rows.count
        case .groups(_, let kept, _): return kept.count
        case .output(let output): return output.columns.first?.count ?? 0
        }
    }
}

/// How one run of a plan is watched: `explain analyze` times each
/// operator, and tests record which operators ran.
struct PlanRun {
    /// Set for `explain analyze`: each node's rows and time are written
    /// into it (on a plan made for that run alone).
    var analyze = false
    /// True when the plan was made for this run, so an index search's rows
    /// as the planner probed them are still right.
    var fresh = true
}

extension QueryRunner {
    /// The entity a plan's rows belong to.
    func entity(of plan: PhysicalPlan) throws -> Entity {
        if let derived = plan.derivedEntity { return derived }
        guard let name = plan.storedEntity, let entity = catalog.store[name] else {
            throw Diagnostic.runtime("the entity this query was planned for no longer exists", plan.query.range)
        }
        return entity
    }

    /// Runs a plan with the bound query it was planned for.
    func execute(_ plan: PhysicalPlan, run: PlanRun = PlanRun()) throws -> QueryOutput {
        try execute(plan, plan.query, run: run)
    }

    /// Runs a plan with `bound`: the query it was planned for, or the same
    /// query with other parameter values filled in.
    func execute(_ plan: PhysicalPlan, _ bound: BoundQuery, run: PlanRun) throws -> QueryOutput {
        if let view = plan.asOf, view.runner.catalog !== catalog {
            return try view.run(for: self) { try $0.execute(plan, bound, run: run) }
        }
        let entity = try entity(of: plan)
        let previous = evaluator.enter(plan)
        defer { evaluator.leave(previous) }
        switch try flow(plan.root, bound, entity, run) {
        case .output(let output): return output
        case .rows, .groups:
            throw Diagnostic.runtime("a plan must end in a projection or a count", plan.query.range)
        }
    }

    /// What a plan gives before its projection: the rows whose shown items
    /// are still to be evaluated, or, for a count or a grouping, the
    /// answer itself (a count is one row; groups are computed whole).
    enum Unprojected {
        case rows(Entity, [Int32])
        case output(QueryOutput)
    }

    /// Runs every operator of a plan but its projection: what a cursor
    /// does first, evaluating the shown items a chunk at a time later
    /// (`RowCursor`).
    func executeBelowProjection(_ plan: PhysicalPlan, _ bound: BoundQuery, run: PlanRun) throws -> Unprojected {
        let entity = try entity(of: plan)
        let previous = evaluator.enter(plan)
        defer { evaluator.leave(previous) }
        guard case .project = plan.root.kind, let below = plan.root.input else {
            if case .output(let output) = try flow(plan.root, bound, entity, run) { return .output(output) }
            throw Diagnostic.runtime("a plan must end in a projection or a count", plan.query.range)
        }
        switch try flow(below, bound, entity, run) {
        case .groups(let outputs, let kept, _):
            evaluator.record(.project)
            return .output(QueryOutput(names: bound.names, columns: outputs.map { $0.gather(kept) }))
        case .rows(let kept):
            return .rows(entity, kept.rows)
        case .output(let output):
            return .output(output)
        }
    }

    /// The shown items of `rows`, as the plan's projection evaluates them.
    func project(_ plan: PhysicalPlan, _ bound: BoundQuery, _ entity: Entity, rows: [Int32]) throws -> [Column] {
        let previous = evaluator.enter(plan)
        defer { evaluator.leave(previous) }
        evaluator.record(.project)
        let context = EvalContext(entity: entity, rows: rows)
        return try bound.items.map { try evaluator.evaluate($0.expr, context).expanded(to: rows.count) }
    }

    /// A row-preserving plan's rows, in its order: what a named query
    /// hands to the query that reads it.
    func selectRows(_ plan: PhysicalPlan, run: PlanRun) throws -> [Int32] {
        if let view = plan.asOf, view.runner.catalog !== catalog {
            return try view.run(for: self) { try $0.selectRows(plan, run: run) }
        }
        let entity = try entity(of: plan)
        let previous = evaluator.enter(plan)
        defer { evaluator.leave(previous) }
        // The projection shows fields; the rows under it are the answer.
        let below = plan.root.input ?? plan.root
        return try flow(below, plan.query, entity, run).rowsOrEmpty
    }

    /// The rows of a source node: every row, or a named query's.
    func sourceRows(_ node: PlanNode, _ entity: Entity) throws -> KeptRows {
        if let named = node.namedPlan {
            return .rows(try named.runner.selectRows(named.plan, run: PlanRun()))
        }
        return .all(entity.rowCount)
    }

    private func flow(_ node: PlanNode, _ bound: BoundQuery, _ entity: Entity, _ run: PlanRun) throws -> Flow {
        if run.analyze { return try timedFlow(node, bound, entity, run) }
        let input = try node.input.map { try flow($0, bound, entity, run) }
        evaluator.record(node.name)
        return try step(node, input, bound, entity, run)
    }

    /// `flow` for `explain analyze`, timing each node. Apart, so that the
    /// clock's optional instants (a resilient type, copied through its
    /// metadata) cost the plain run nothing.
    private func timedFlow(_ node: PlanNode, _ bound: BoundQuery, _ entity: Entity, _ run: PlanRun) throws -> Flow {
        let input = try node.input.map { try timedFlow($0, bound, entity, run) }
        let clock = ContinuousClock()
        let start = clock.now
        evaluator.record(node.name)
        let result = try step(node, input, bound, entity, run)
        let elapsed = clock.now - start
        node.actual = Actual(rows: result.count, milliseconds: Double(elapsed.components.seconds) * 1000
            + Double(elapsed.components.attoseconds) / 1e15)
        return result
    }

    private func step(_ node: PlanNode, _ input: Flow?, _ bound: BoundQuery, _ entity: Entity, _ run: PlanRun) throws -> Flow {
        switch node.kind {
        case .scan, .tableFunction:
            return .rows(.all(entity.rowCount))
        case .namedQuery:
            return .rows(try sourceRows(node, entity))
        case .indexSearch(let choice):
            if run.fresh, let access = node.access, let kept = access.kept { return .rows(kept) }
            let conjuncts = bound.condition.map(AccessPlanner.conjuncts(of:)) ?? []
            guard let access = AccessPlanner.access(choice, conjuncts, entity: entity, indexes: evaluator.services.indexes),
                  let kept = access.kept else {
                throw Diagnostic.runtime("the index this query was planned with cannot answer it any more", node.range)
            }
            return .rows(kept)
        case .filter(let steps):
            return try filter(node, steps, input, bound, entity, run)
        case .count:
            return .output(QueryOutput(names: ["count()"], columns: [Column(type: .int, data: .int([Int64(input?.count ?? 0)]))]))
        case .group(let strategy):
            let selection: KeptRows
            if case .rows(let kept)? = input { selection = kept } else { selection = .rows([]) }
            if strategy == .perfectHashGroup, let dense = DenseAggregation(bound, entity),
               let (outputs, groupCount) = try dense.run(entity, selection, evaluator: evaluator,
                                                         parallelism: evaluator.parallelism) {
                // Its sums of money add hundredths by the rule a sum does.
                for item in bound.items {
                    if case .groupAggregate(let aggregate) = item.expr.node,
                       evaluator.fastPaths.moneyField(aggregate.function, aggregate.argument, entity) != nil {
                        evaluator.record(.exactMoneySum)
                    }
                }
                return .groups(outputs: outputs, kept: Array(0..<Int32(groupCount)), context: nil)
            }
            if strategy == .perfectHashGroup, DenseAggregation(bound, entity) == nil {
                throw Diagnostic.runtime("the plan's grouping no longer fits the query", node.range)
            }
            // A measure whose values the slots cannot add exactly (see
            // `DenseAggregation.run`) groups as the key's kind would.
            return try group(bound, entity, selection.rows, dense: strategy == .denseKeyGroup || strategy == .perfectHashGroup,
                             radix: strategy == .radixGroup)
        case .having:
            guard case .groups(let outputs, let kept, let context?)? = input, let having = bound.having else { return input ?? .rows(.rows([])) }
            let column = try evaluator.evaluate(having, context).expanded(to: context.length)
            let flags = column.bools
            return .groups(outputs: outputs, kept: kept.filter { flags[Int($0)] && !column.isNull(Int($0)) }, context: context)
        case .sort(let strategy):
            switch input {
            case .groups(let outputs, let kept, let context)?:
                return .groups(outputs: outputs, kept: try sortGroups(bound, outputs, kept, context, radix: strategy == .radixSort),
                               context: context)
            case .rows(let kept)?:
                return .rows(.rows(try sortRows(bound, entity, kept, strategy)))
            default:
                return input ?? .rows(.rows([]))
            }
        case .limit:
            let (offset, limit) = try limits(bound)
            switch input {
            case .groups(let outputs, let kept, let context)?:
                return .groups(outputs: outputs, kept: slice(kept, offset, limit), context: context)
            case .rows(let kept)?:
                return .rows(.rows(slice(kept.rows, offset, limit)))
            default:
                return input ?? .rows(.rows([]))
            }
        case .project:
            switch input {
            case .groups(let outputs, let kept, _)?:
                return .output(QueryOutput(names: bound.names, columns: outputs.map { $0.gather(kept) }))
            default:
                let rows = input?.rowsOrEmpty ?? []
                let context = EvalContext(entity: entity, rows: rows)
                var columns: [Column] = []
                columns.reserveCapacity(bound.items.count)
                for item in bound.items { columns.append(try evaluator.evaluate(item.expr, context).expanded(to: rows.count)) }
                return .output(QueryOutput(names: bound.names, columns: columns))
            }
        }
    }

    /// A filter's conjuncts, in the planned order and strategies, over its
    /// input's rows. Apart from `step`, so that the common operators do not
    /// pay for this one's locals.
    private func filter(_ node: PlanNode, _ steps: [FilterStep], _ input: Flow?, _ bound: BoundQuery,
                        _ entity: Entity, _ run: PlanRun) throws -> Flow {
        let rows = input?.rowsOrEmpty ?? []
        let conjuncts = bound.condition.map(AccessPlanner.conjuncts(of:)) ?? []
        var planned: [(BoundExpr, OperatorName)] = []
        var stepOf: [Int] = []
        for (index, step) in steps.enumerated() {
            for position in step.positions where position < conjuncts.count {
                planned.append((conjuncts[position], step.strategy))
                stepOf.append(index)
            }
        }
        if rows.isEmpty || planned.isEmpty { return .rows(.rows(rows)) }
        guard run.analyze else {
            return .rows(try evaluator.selection(planned: planned, EvalContext(entity: entity, rows: rows)))
        }
        // Each step reads its rows and time off the pipeline's reports.
        let clock = ContinuousClock()
        var stepStart = clock.now
        var annotated = steps
        let kept = try evaluator.selection(planned: planned, EvalContext(entity: entity, rows: rows)) { index, count, bitmap in
            let now = clock.now
            let elapsed = now - stepStart
            let step = stepOf[index]
            if index + 1 == stepOf.count || stepOf[index + 1] != step {
                annotated[step].actual = Actual(rows: count, milliseconds: Double(elapsed.components.seconds) * 1000
                    + Double(elapsed.components.attoseconds) / 1e15, bitmap: bitmap)
                stepStart = now
            }
        }
        node.annotatedSteps = annotated
        return .rows(kept)
    }

    /// Groups rows by the query's keys (numbered densely when every key is
    /// an enum or a bool) and computes each shown item per group.
    private func group(_ bound: BoundQuery, _ entity: Entity, _ rows: [Int32], dense: Bool, radix: Bool) throws -> Flow {
        let rowContext = EvalContext(entity: entity, rows: rows)
        var keyColumns: [Column] = []
        for key in bound.groupKeys {
            keyColumns.append(try evaluator.evaluate(key.bound, rowContext).expanded(to: rows.count))
        }
        let grouping = try Sorting.groups(keyColumns, count: rows.count, dense: dense, radix: radix,
                                          poll: evaluator.services.checkInterrupt)
        let context = EvalContext(entity: entity, rows: rows, grouping: EvalContext.Grouping(
            groupOf: grouping.groupOf, count: grouping.groupCount,
            keys: keyColumns.map { $0.gather(grouping.firstRows) }))
        var outputs: [Column] = []
        for item in bound.items { outputs.append(try evaluator.evaluate(item.expr, context).expanded(to: context.length)) }
        return .groups(outputs: outputs, kept: Array(0..<Int32(context.length)), context: context)
    }

    private func sortGroups(_ bound: BoundQuery, _ outputs: [Column], _ kept: [Int32], _ context: EvalContext?,
                            radix: Bool) throws -> [Int32] {
        var sortKeys: [SortKey] = []
        for key in bound.orderBy {
            var column: Column
            switch key.source {
            case .item(let index): column = outputs[index]
            case .expr(let expr):
                guard let context else {
                    throw Diagnostic.runtime("the plan's grouping cannot order by an expression that is not shown", expr.range)
                }
                column = try evaluator.evaluate(expr, context).expanded(to: context.length)
            }
            column = column.gather(kept)
            sortKeys.append(SortKey(column: column, descending: key.descending, nullsFirst: key.nullsFirst))
        }
        return try Sorting.permutation(sortKeys, count: kept.count, radix: radix, poll: evaluator.services.checkInterrupt).map { kept[$0] }
    }

    /// The rows in the query's order: read from an index, the first
    /// `offset + limit` picked by a bounded selection, or all sorted.
    private func sortRows(_ bound: BoundQuery, _ entity: Entity, _ kept: KeptRows, _ strategy: OperatorName) throws -> [Int32] {
        let (offset, limit) = try limits(bound)
        let take = limit.map { offset > Int.max - $0 ? Int.max : offset + $0 }
        if strategy == .indexOrder, let take {
            guard let ordered = indexedOrder(bound, entity, rowCount: kept.count, take: take) else {
                throw Diagnostic.runtime("the index this query's order was planned with is gone", bound.range)
            }
            return ordered
        }
        let rows = kept.rows
        let context = EvalContext(entity: entity, rows: rows)
        var keys: [SortKey] = []
        for key in bound.orderBy {
            let expr: BoundExpr
            switch key.source {
            case .item(let index): expr = bound.items[index].expr
            case .expr(let bound): expr = bound
            }
            let column = try evaluator.evaluate(expr, context).expanded(to: rows.count)
            keys.append(SortKey(column: column, descending: key.descending, nullsFirst: key.nullsFirst))
        }
        if strategy == .topN, let take {
            return try Sorting.top(keys, count: rows.count, limit: take, radix: true, poll: evaluator.services.checkInterrupt).map { rows[$0] }
        }
        return try Sorting.permutation(keys, count: rows.count, radix: strategy == .radixSort,
                                       poll: evaluator.services.checkInterrupt).map { rows[$0] }
    }
}

private extension Flow {
    var rowsOrEmpty: [Int32] {
        if case .rows(let kept) = self { return kept.rows }
        return []
    }
}
