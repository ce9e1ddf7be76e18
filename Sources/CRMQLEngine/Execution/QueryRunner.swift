import CRMQLCore
import CRMQLStorage
import CRMQLSyntax

/// A query's answer: named, typed columns.
struct QueryOutput {
    var names: [String]
    var columns: [Column]
}

/// Runs `select` queries: resolves the source, then applies where, group by,
/// having, show, order by and limit in that order, whatever order they were
/// written in.
struct QueryRunner {
    let catalog: Catalog
    let evaluator: Evaluator
    let source: SourceFile
    let lets: [String: LetQuery]
    /// `let` names being expanded, to stop a query that uses itself.
    var expanding: [String] = []
    /// Bind `$name` as slots, for a query compiled once (see `CompiledQuery`).
    var parameterSlots = false

    var binder: Binder {
        var binder = Binder(catalog: catalog, source: source)
        binder.parameterSlots = parameterSlots
        return binder
    }

    // MARK: Sources

    /// The rows a query ranges over: an entity (or a derived table) and a
    /// selection of its rows in order.
    func resolveSource(_ query: Query) throws -> (Entity, [Int32]) {
        switch query.source {
        case .named(let name):
            if let entity = catalog.store[name.text] { return (entity, AllRows.of(count: entity.rowCount)) }
            if let definition = lets[name.text] {
                guard !expanding.contains(name.text), expanding.count < 32 else {
                    throw Diagnostic.semantic("'\(name.text)' refers to itself", name.range)
                }
                var inner = QueryRunner(catalog: catalog, evaluator: evaluator, source: definition.source, lets: lets)
                inner.expanding = expanding + [name.text]
                if definition.query.preservesRows {
                    return try inner.selectRows(definition.query)
                }
                let output = try inner.run(definition.query)
                return (Entity(derivedFrom: output, name: name.text), AllRows.of(count: output.columns.first?.count ?? 0))
            }
            let candidates = catalog.store.entityNames + lets.keys.sorted()
            throw Diagnostic.semantic(Suggestion.message("unknown entity '\(name.text)'", for: name.text, among: candidates), name.range)
        case .function(let name, let arguments, let range):
            guard name.text.lowercased() == "rules" else {
                throw Diagnostic.semantic(Suggestion.message("unknown table function '\(name.text)'", for: name.text, among: ["rules"]), name.range)
            }
            let output = try RulesSource(runner: self).run(arguments, range: range)
            return (Entity(derivedFrom: output, name: "rules"), AllRows.of(count: output.columns.first?.count ?? 0))
        }
    }

    /// A row-preserving query's rows (where, order by, limit; no show/group).
    func selectRows(_ query: Query) throws -> (Entity, [Int32]) {
        let (entity, baseRows) = try resolveSource(query)
        let bound = try bindQuery(query, entity)
        let rows = try filterRows(bound, entity, baseRows)
        return (entity, try orderedRows(bound, entity, rows))
    }

    // MARK: Queries

    func run(_ query: Query) throws -> QueryOutput {
        let (entity, baseRows) = try resolveSource(query)
        return try execute(try bindQuery(query, entity), entity, baseRows)
    }

    /// Runs a bound query over `baseRows` of `entity`; `filter` is the where
    /// clause's plan when the caller has one.
    func execute(_ bound: BoundQuery, _ entity: Entity, _ baseRows: [Int32], filter: FilterPlan? = nil) throws -> QueryOutput {
        let selection = try filterSelection(bound, entity, baseRows, filter: filter)
        if bound.isCount {
            return QueryOutput(names: ["count()"], columns: [Column(type: .int, data: .int([Int64(selection.count)]))])
        }
        if bound.grouped, let dense = DenseAggregation(bound, entity) {
            let (outputs, groupCount) = try dense.run(entity, selection, services: evaluator.services)
            return try finishGroups(bound, outputs, Array(0..<Int32(groupCount)), orderExpression: nil)
        }
        let rows = selection.rows
        return bound.grouped ? try runGrouped(bound, entity, rows) : try runRows(bound, entity, rows)
    }

    private func filterSelection(_ bound: BoundQuery, _ entity: Entity, _ rows: [Int32], filter: FilterPlan?) throws -> KeptRows {
        guard let condition = bound.condition else { return .rows(rows) }
        return try runSelection(filter ?? planFilter(condition, entity, rows), entity, rows)
    }

    private func filterRows(_ bound: BoundQuery, _ entity: Entity, _ rows: [Int32], filter: FilterPlan? = nil) throws -> [Int32] {
        try filterSelection(bound, entity, rows, filter: filter).rows
    }

    /// The selected rows in the query's order, offset and limit applied.
    private func orderedRows(_ bound: BoundQuery, _ entity: Entity, _ selected: [Int32]) throws -> [Int32] {
        var rows = selected
        let (offset, limit) = try limits(bound)
        let take = offset > Int.max - (limit ?? 0) ? Int.max : offset + (limit ?? 0)
        if limit != nil, let indexed = indexedOrder(bound, entity, rows, take: take) {
            rows = indexed
        } else if !bound.orderBy.isEmpty {
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
            if let limit, offset == 0 {
                rows = try Sorting.top(keys, count: rows.count, limit: limit, poll: evaluator.services.checkInterrupt).map { rows[$0] }
            } else {
                rows = try Sorting.permutation(keys, count: rows.count, poll: evaluator.services.checkInterrupt).map { rows[$0] }
            }
        }
        return slice(rows, offset, limit)
    }

    private func runRows(_ bound: BoundQuery, _ entity: Entity, _ selected: [Int32]) throws -> QueryOutput {
        let rows = try orderedRows(bound, entity, selected)
        let context = EvalContext(entity: entity, rows: rows)
        var columns: [Column] = []
        columns.reserveCapacity(bound.items.count)
        for item in bound.items { columns.append(try evaluator.evaluate(item.expr, context).expanded(to: rows.count)) }
        return QueryOutput(names: bound.names, columns: columns)
    }

    private func runGrouped(_ bound: BoundQuery, _ entity: Entity, _ rows: [Int32]) throws -> QueryOutput {
        let rowContext = EvalContext(entity: entity, rows: rows)
        var keyColumns: [Column] = []
        for key in bound.groupKeys {
            keyColumns.append(try evaluator.evaluate(key.bound, rowContext).expanded(to: rows.count))
        }
        let grouping = try Sorting.groups(keyColumns, count: rows.count, poll: evaluator.services.checkInterrupt)
        let groupContext = EvalContext(entity: entity, rows: rows, grouping: EvalContext.Grouping(
            groupOf: grouping.groupOf, count: grouping.groupCount,
            keys: keyColumns.map { $0.gather(grouping.firstRows) }))

        var groups = Array(0..<Int32(groupContext.length))
        if let having = bound.having {
            let column = try evaluator.evaluate(having, groupContext).expanded(to: groupContext.length)
            let flags = column.bools
            groups = groups.filter { flags[Int($0)] && !column.isNull(Int($0)) }
        }
        var outputs: [Column] = []
        for item in bound.items { outputs.append(try evaluator.evaluate(item.expr, groupContext).expanded(to: groupContext.length)) }
        return try finishGroups(bound, outputs, groups) { expr in
            try self.evaluator.evaluate(expr, groupContext).expanded(to: groupContext.length)
        }
    }

    /// Orders, offsets and limits the groups, and keeps their rows of each
    /// shown column. `orderExpression` evaluates an order key that is not a
    /// shown item; a caller without one takes only queries ordered by items.
    private func finishGroups(_ bound: BoundQuery, _ outputs: [Column], _ kept: [Int32],
                              orderExpression: ((BoundExpr) throws -> Column)?) throws -> QueryOutput {
        var groups = kept
        if !bound.orderBy.isEmpty {
            var sortKeys: [SortKey] = []
            for key in bound.orderBy {
                var column: Column
                switch key.source {
                case .item(let index): column = outputs[index]
                case .expr(let expr):
                    guard let orderExpression else { continue }
                    column = try orderExpression(expr)
                }
                column = column.gather(groups)
                sortKeys.append(SortKey(column: column, descending: key.descending, nullsFirst: key.nullsFirst))
            }
            groups = try Sorting.permutation(sortKeys, count: groups.count, poll: evaluator.services.checkInterrupt).map { groups[$0] }
        }
        let (offset, limit) = try limits(bound)
        groups = slice(groups, offset, limit)
        return QueryOutput(names: bound.names, columns: outputs.map { $0.gather(groups) })
    }

    // MARK: Clauses

    private func limits(_ bound: BoundQuery) throws -> (offset: Int, limit: Int?) {
        func count(_ expr: BoundExpr?, _ clause: String) throws -> Int? {
            guard let expr else { return nil }
            guard case .constant(let value) = expr.node, case .int(let n) = value, n >= 0 else {
                throw Diagnostic.semantic("\(clause) takes a whole number of rows, 0 or more", expr.range)
            }
            return Int(clamping: n)
        }
        return (try count(bound.offset, "offset") ?? 0, try count(bound.limit, "limit"))
    }

    private func slice<T>(_ rows: [T], _ offset: Int, _ limit: Int?) -> [T] {
        let start = min(offset, rows.count)
        let end = limit.map { min(rows.count, start + min($0, rows.count)) } ?? rows.count
        if start == 0 && end == rows.count { return rows }
        return Array(rows[start..<end])
    }

    /// True when show, having or order by aggregates the query's rows
    /// (`show count(), sum(value)`), which makes the whole query one group.
    func usesRowAggregates(_ query: Query, _ entity: Entity) -> Bool {
        var exprs: [Expr] = []
        for item in query.show ?? [] { if case .expr(let e, _) = item { exprs.append(e) } }
        if let having = query.having { exprs.append(having) }
        return exprs.contains { containsRowAggregate($0, entity) }
    }

    private func containsRowAggregate(_ expr: Expr, _ entity: Entity) -> Bool {
        switch expr.kind {
        case .call(let name, let args, _):
            let lowered = name.text.lowercased()
            if let function = AggregateFunction(rawValue: lowered), !(function == .min || function == .max) || args.count == 1 {
                if args.isEmpty { return true }
                var relations = Set<String>()
                binder.collectRelations(args[0], entity.name, &relations)
                if case .filtered = args[0].kind { return false }
                return relations.isEmpty
            }
            return args.contains { containsRowAggregate($0, entity) }
        case .unary(_, let e), .isNull(let e, _), .inDateRange(let e, _, _): return containsRowAggregate(e, entity)
        case .binary(_, let a, let b): return containsRowAggregate(a, entity) || containsRowAggregate(b, entity)
        case .between(let e, let lo, let hi, _): return [e, lo, hi].contains { containsRowAggregate($0, entity) }
        case .inList(let e, let items, _): return ([e] + items).contains { containsRowAggregate($0, entity) }
        case .caseWhen(let branches, let otherwise):
            return branches.contains { containsRowAggregate($0.condition, entity) || containsRowAggregate($0.value, entity) }
                || otherwise.map { containsRowAggregate($0, entity) } == true
        default: return false
        }
    }
}

extension Query {
    /// A query whose answer is a selection of its source's rows, so a `let`
    /// of it keeps the entity's fields, measures and relations.
    var preservesRows: Bool { show == nil && groupBy == nil && having == nil && !isCount }
}

extension Entity {
    /// A derived table from a query's output, to use as another query's source.
    init(derivedFrom output: QueryOutput, name: String) {
        var seen = Set<String>()
        var fields: [Field] = []
        for (index, column) in output.columns.enumerated() {
            var fieldName = output.names[index]
            while !seen.insert(fieldName).inserted { fieldName += "_" }
            let type: DataType = column.type == .null ? .text : column.type
            fields.append(Field(name: fieldName, type: type))
        }
        self.init(name: name, fields: fields, columns: output.columns)
    }
}
