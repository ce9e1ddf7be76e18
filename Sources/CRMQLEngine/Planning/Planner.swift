import CRMQLCore
import CRMQLStorage
import CRMQLSyntax

/// Where a query's rows come from, once its source is resolved.
struct PlannedSource {
    var entity: Entity
    /// The operator that yields the rows: a scan, or a named query's plan.
    var node: PlanNode
    /// True when the rows are every row of the stored entity, the only
    /// case where its indexes apply.
    var isStored: Bool
    /// A derived table's rows are its own; a row-preserving named query's
    /// come from its plan when it runs.
    var estimate: Int
}

extension QueryRunner {
    var fastPaths: FastPaths {
        FastPaths(enabled: catalog.fastPathsEnabled, indexes: evaluator.services.indexes, store: catalog.store)
    }

    /// Resolves, binds and plans a query: the one route by which every
    /// `select` runs, and what `explain` prints.
    func plan(_ query: Query) throws -> PhysicalPlan {
        if let asOf = query.asOf {
            // Planned over the store as it was on the date; the plan runs
            // with the view's runner (`execute` hands it over).
            let view = try AsOfView(try constantDate(asOf, "as of"), of: self)
            var inner = query
            inner.asOf = nil
            let plan = try view.run(for: self) { try $0.plan(inner) }
            plan.asOf = view
            return plan
        }
        let source = try planSource(query)
        let bound = try bindQuery(query, source.entity)
        return makePlan(bound, source)
    }

    /// The query's source as an operator: a stored entity's scan, a named
    /// query's plan, or a derived table (a named query that reshapes its
    /// rows, a table function), computed now since the query binds
    /// against its columns.
    func planSource(_ query: Query) throws -> PlannedSource {
        switch query.source {
        case .named(let name):
            if let entity = catalog.store[name.text] {
                let node = PlanNode(.scan, .scan, input: nil, range: name.range, detail: entity.name, estimate: entity.rowCount)
                return PlannedSource(entity: entity, node: node, isStored: true, estimate: entity.rowCount)
            }
            if let definition = lets[name.text] {
                guard !expanding.contains(name.text), expanding.count < 32 else {
                    throw Diagnostic.semantic("'\(name.text)' refers to itself", name.range)
                }
                var inner = QueryRunner(catalog: catalog, evaluator: evaluator, source: definition.source, lets: lets)
                inner.expanding = expanding + [name.text]
                let innerPlan = try inner.plan(definition.query)
                // A row-preserving `let` hands on its rows, to be read with
                // this store's measures; one `as of` a date hands on its answer.
                if definition.query.preservesRows && definition.query.asOf == nil {
                    // Its rows are the answer: the projection under which
                    // they would be shown does not run.
                    let rowsNode = innerPlan.root.input ?? innerPlan.root
                    let node = PlanNode(.namedQuery(name.text, rowsNode), .namedQuery, input: nil, range: name.range,
                                        detail: name.text, estimate: innerPlan.root.estimate)
                    node.namedPlan = NamedPlan(runner: inner, plan: innerPlan)
                    let entity = try inner.entity(of: innerPlan)
                    return PlannedSource(entity: entity, node: node, isStored: false, estimate: innerPlan.root.estimate ?? entity.rowCount)
                }
                // Computed now: the outer query binds against its columns.
                let output = try inner.execute(innerPlan)
                let entity = Entity(derivedFrom: output, name: name.text)
                let node = PlanNode(.namedQuery(name.text, innerPlan.root), .derivedTable, input: nil,
                                    range: name.range, detail: name.text, estimate: entity.rowCount)
                return PlannedSource(entity: entity, node: node, isStored: false, estimate: entity.rowCount)
            }
            if let output = try modelSource(name) {
                let entity = Entity(derivedFrom: output, name: name.text)
                let node = PlanNode(.tableFunction(name.text), .tableFunction, input: nil, range: name.range,
                                    detail: name.text, estimate: entity.rowCount)
                return PlannedSource(entity: entity, node: node, isStored: false, estimate: entity.rowCount)
            }
            let candidates = catalog.store.entityNames + lets.keys.sorted() + catalog.models.keys.sorted()
            throw Diagnostic.semantic(Suggestion.message("unknown entity '\(name.text)'", for: name.text, among: candidates), name.range)
        case .function(let name, let arguments, let range):
            let function = name.text.lowercased()
            let output: QueryOutput
            switch function {
            case "rules": output = try RulesSource(runner: self).run(arguments, range: range)
            case "retention": output = try TimelineSource(runner: self, kind: .retention).run(arguments, range: range)
            case "cohorts": output = try TimelineSource(runner: self, kind: .cohorts).run(arguments, range: range)
            case "transitions": output = try TransitionsSource(runner: self).run(arguments, range: range)
            case "sequences": output = try SequencesSource(runner: self).run(arguments, range: range)
            default:
                throw Diagnostic.semantic(Suggestion.message("unknown table function '\(name.text)'", for: name.text,
                                                             among: ["rules", "retention", "cohorts", "transitions", "sequences"]), name.range)
            }
            let entity = Entity(derivedFrom: output, name: function)
            let node = PlanNode(.tableFunction(function), .tableFunction, input: nil, range: range,
                                detail: normalizedText(source, range), estimate: entity.rowCount)
            return PlannedSource(entity: entity, node: node, isStored: false, estimate: entity.rowCount)
        }
    }

    /// The physical plan of a bound query over its source: every strategy
    /// is chosen here, from the query's shape and the data's statistics.
    func makePlan(_ bound: BoundQuery, _ planned: PlannedSource) -> PhysicalPlan {
        // What the lazily formatted texts below capture: the text, not the
        // runner (a kept plan must not hold on to an evaluator).
        let source = self.source
        let entity = planned.entity
        let rules = fastPaths
        var strategies = ExpressionStrategies()
        var node = planned.node
        var rows = planned.estimate

        if let condition = bound.condition {
            let conjuncts = AccessPlanner.conjuncts(of: condition)
            let indexes = evaluator.services.indexes
            var access = AccessPath.scan(entity, estimate: rows)
            if planned.isStored && rules.enabled {
                access = AccessPlanner.choose(conjuncts, entity: entity, indexes: indexes, explicit: catalog.store.explicitIndexes)
            }
            if let name = access.choice.operatorName {
                // The access path's text is formatted only when explain asks.
                node = PlanNode(.indexSearch(access.choice), name, input: nil, range: condition.range,
                                detail: "", estimate: access.estimate)
                node.access = access
            }
            rows = access.estimate
            let order = AccessPlanner.order(conjuncts, entity: entity, indexes: indexes, store: catalog.store)
            let remaining = order.filter { !access.consumed.contains($0) }.map { conjuncts[$0] }
            var steps: [FilterStep] = []
            var estimate = Double(rows)
            for group in AccessPlanner.steps(remaining) {
                let members = Array(remaining[group])
                let before = Int(estimate.rounded(.up))
                let strategy = members.count == 1 ? rules.filterStrategy(members[0], entity: entity, rows: before) : .columnCompare
                let stepStrategy = members.count == 1 ? strategy : groupStrategy(members, entity, rules)
                estimate *= AccessPlanner.selectivity(of: members, entity: entity, indexes: indexes, store: catalog.store)
                let positions = order.filter { !access.consumed.contains($0) }
                var step = FilterStep(positions: Array(positions[group]), conjuncts: members, strategy: stepStrategy,
                                      source: source, textRange: members[0].range,
                                      estimate: Int(estimate.rounded(.up)))
                if steps.isEmpty, let degree = catalog.parallelism.shown(rows: before), before == entity.rowCount,
                   Parallelism.splitsFilter(stepStrategy) {
                    step.parallel = degree
                }
                if stepStrategy == .parentMarkFilter, let (_, parent, _) = rules.throughParent(members[0], rows: before) {
                    step.parent = parent.name
                }
                if stepStrategy == .evaluateFilter {
                    for member in members {
                        step.expressions += planExpressions(member, entity, rows: before, grouped: false, rules, &strategies)
                    }
                }
                steps.append(step)
            }
            rows = Int(estimate.rounded(.up))
            if !steps.isEmpty {
                let filter = PlanNode(.filter(steps), .filter, input: node, range: condition.range,
                                      detail: "", estimate: rows)
                node = filter
            }
        }

        if bound.isCount {
            let count = PlanNode(.count, .count, input: node, range: bound.range, detail: "", estimate: 1)
            return PhysicalPlan(query: bound, root: count, strategies: strategies, source: planned)
        }

        let (offset, limit) = constantLimits(bound)
        if bound.grouped {
            let strategy = rules.groupStrategy(bound, entity)
            let keys = bound.groupKeys
            let group = PlanNode(.group(strategy), strategy, input: node, range: bound.range,
                                 detail: keys.map { key in key.alias.map { "\(key.text) as \($0)" } ?? key.text }.joined(separator: ", "),
                                 estimate: nil)
            if strategy == .perfectHashGroup { group.parallel = DenseAggregation.shownDegree(bound, entity, rows: rows, catalog.parallelism) }
            for key in bound.groupKeys {
                group.expressions += planExpressions(key.bound, entity, rows: rows, grouped: false, rules, &strategies)
            }
            for item in bound.items {
                group.expressions += planExpressions(item.expr, entity, rows: rows, grouped: true, rules, &strategies)
            }
            node = group
            if let having = bound.having {
                let filter = PlanNode(.having, .having, input: node, range: having.range, detail: normalizedText(source, having.range))
                filter.expressions = planExpressions(having, entity, rows: rows, grouped: true, rules, &strategies)
                node = filter
            }
            if !bound.orderBy.isEmpty {
                let sort = PlanNode(.sort(rules.sortStrategy), rules.sortStrategy, input: node, range: bound.range, detail: Self.orderText(bound, source))
                for key in bound.orderBy {
                    if case .expr(let expr) = key.source {
                        sort.expressions += planExpressions(expr, entity, rows: rows, grouped: true, rules, &strategies)
                    }
                }
                node = sort
            }
        } else if !bound.orderBy.isEmpty {
            var strategy = rules.sortStrategy
            if rules.indexOrderField(bound, entity, wholeEntity: planned.isStored) != nil {
                strategy = .indexOrder
            } else if limit != nil, rules.enabled {
                strategy = .topN
            }
            let sort = PlanNode(.sort(strategy), strategy, input: node, range: bound.range, detail: Self.orderText(bound, source), estimate: rows)
            if strategy != .indexOrder {
                for key in bound.orderBy {
                    let expr: BoundExpr
                    switch key.source {
                    case .item(let index): expr = bound.items[index].expr
                    case .expr(let bound): expr = bound
                    }
                    sort.expressions += planExpressions(expr, entity, rows: rows, grouped: false, rules, &strategies)
                }
            }
            node = sort
        }
        if bound.offset != nil || bound.limit != nil {
            var text = bound.limit.map { normalizedText(source, $0.range) } ?? "all"
            if let offset = bound.offset { text += " offset \(normalizedText(source, offset.range))" }
            let taken = limit.map { min(rows, $0) } ?? rows
            node = PlanNode(.limit(offset: offset, limit: limit), .limit, input: node, range: bound.range, detail: text,
                            estimate: bound.grouped ? nil : max(0, min(taken, rows - offset)))
            if !bound.grouped { rows = node.estimate ?? rows }
        }
        let items = bound.items
        let project = PlanNode(.project, .project, input: node, range: bound.range,
                               detail: items.map { item in
                                   item.alias.map { "\(normalizedText(source, item.expr.range)) as \($0)" } ?? item.name
                               }.joined(separator: ", "),
                               estimate: bound.grouped ? nil : rows)
        if !bound.grouped {
            for item in bound.items {
                project.expressions += planExpressions(item.expr, entity, rows: rows, grouped: false, rules, &strategies)
            }
        }
        return PhysicalPlan(query: bound, root: project, strategies: strategies, source: planned)
    }

    /// The strategy of a step of two conjuncts (`between`'s halves): both
    /// stored-column comparisons, or the general evaluation.
    private func groupStrategy(_ members: [BoundExpr], _ entity: Entity, _ rules: FastPaths) -> OperatorName {
        let each = members.map { rules.filterStrategy($0, entity: entity, rows: entity.rowCount) }
        return Set(each).count == 1 ? each[0] : .evaluateFilter
    }

    /// The operators inside an expression evaluated over `rows` rows (or
    /// over groups), each with its strategy recorded for the evaluator.
    /// What a relation aggregate's or `exists`' own filter and argument
    /// hold runs over the child's rows by the general rules and is not
    /// listed; neither is a measure's body, which is cached.
    func planExpressions(_ expr: BoundExpr, _ entity: Entity, rows: Int, grouped: Bool, _ rules: FastPaths,
                         _ strategies: inout ExpressionStrategies) -> [ExpressionOperator] {
        var found: [ExpressionOperator] = []
        let source = self.source
        func visit(_ expr: BoundExpr, _ entity: Entity, rows: Int) {
            func named(_ name: OperatorName) -> ExpressionOperator {
                ExpressionOperator(name: name, source: source, textRange: expr.range)
            }
            switch expr.node {
            case .relationAggregate(let aggregate):
                let strategy = grouped ? .childSegmentAggregate
                    : rules.relationStrategy(aggregate, type: expr.type, parent: entity, rows: rows)
                var operation = named(strategy)
                if strategy == .clusteredChildRangeSum { operation.parallel = catalog.parallelism.shown(rows: entity.rowCount) }
                if let child = catalog.store[aggregate.child], rules.moneyField(aggregate.function, aggregate.argument, child) != nil {
                    operation.with.append(.exactMoneySum)
                }
                strategies[expr.range] = strategy
                found.append(operation)
                return
            case .exists(let child, let refField, let filter):
                let strategy = grouped ? .childExistsScan
                    : rules.existsStrategy(child: child, refField: refField, filter: filter, parent: entity, rows: rows)
                strategies[expr.range] = strategy
                found.append(named(strategy))
                return
            case .groupAggregate(let aggregate):
                if rules.moneyField(aggregate.function, aggregate.argument, entity) != nil {
                    strategies[expr.range] = .exactMoneySum
                    found.append(named(.exactMoneySum))
                }
                if let argument = aggregate.argument { visit(argument, entity, rows: rows) }
                return
            case .navigate(let refField, let parentName, let inner):
                strategies[expr.range] = .navigateParent
                found.append(named(.navigateParent))
                _ = refField
                if let parent = catalog.store[parentName] { visit(inner, parent, rows: rows) }
                return
            case .computed:
                strategies[expr.range] = .measure
                found.append(named(.measure))
                return
            case .population(_, let argument, _, let by):
                strategies[expr.range] = .populationWindow
                found.append(named(.populationWindow))
                visit(argument, entity, rows: entity.rowCount)
                if let by { visit(by, entity, rows: entity.rowCount) }
                return
            case .running(_, let argument, let order, let by):
                strategies[expr.range] = .populationWindow
                var operation = named(.populationWindow)
                if by != nil, rules.partitionRowsApply(rows: rows, of: entity) { operation.with.append(.partitionRows) }
                found.append(operation)
                for operand in [argument, order, by].compactMap({ $0 }) { visit(operand, entity, rows: entity.rowCount) }
                return
            case .textMatch(_, let operand, let needle) where rules.enumSymbolTestApplies(operand, needle):
                strategies[expr.range] = .enumSymbolTest
                found.append(named(.enumSymbolTest))
                expr.forEachChild { visit($0, entity, rows: rows) }
                return
            case .textMatch(.contains, let operand, let needle) where !grouped:
                if rules.foldedTextApplies(operand, needle, entity) {
                    strategies[expr.range] = .foldedTextScan
                    found.append(named(.foldedTextScan))
                    return
                }
            case .textMatch(let kind, let operand, let needle) where !grouped:
                if rules.distinctText(kind, operand, needle, entity) != nil {
                    strategies[expr.range] = .distinctTextMatch
                    found.append(named(.distinctTextMatch))
                    return
                }
            default:
                break
            }
            expr.forEachChild { visit($0, entity, rows: rows) }
        }
        visit(expr, entity, rows: rows)
        return found
    }

    /// `limit` and `offset` when they are constants (after parameters are
    /// filled); what is not a whole number is reported when the query runs.
    func constantLimits(_ bound: BoundQuery) -> (offset: Int, limit: Int?) {
        func count(_ expr: BoundExpr?) -> Int? {
            guard let expr, case .constant(.int(let n)) = expr.node, n >= 0 else { return nil }
            return Int(clamping: n)
        }
        return (count(bound.offset) ?? 0, count(bound.limit))
    }

    private static func orderText(_ bound: BoundQuery, _ source: SourceFile) -> String {
        bound.orderBy.map { key in
            let text: String
            switch key.source {
            case .item(let index): text = bound.items[index].alias ?? bound.items[index].name
            case .expr(let expr): text = normalizedText(source, expr.range)
            }
            return text + (key.descending ? " desc" : "")
        }.joined(separator: ", ")
    }
}

extension AccessChoice {
    /// The source operator of an index; nil for a scan.
    var operatorName: OperatorName? {
        switch self {
        case .scan: return nil
        case .key: return .keyLookup
        case .enumIndex: return .enumPostings
        case .sortedIndex: return .sortedIndexRange
        }
    }
}
