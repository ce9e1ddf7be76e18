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

    var binder: Binder { Binder(catalog: catalog, source: source) }

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
        let scope = Scope(entity: entity)
        var rows = try applyWhere(query, entity, baseRows)
        if let orderBy = query.orderBy {
            let keys = try orderBy.map { item -> SortKey in
                let bound = try binder.bind(item.expr, in: scope)
                let column = try evaluator.evaluate(bound, EvalContext(entity: entity, rows: rows))
                return SortKey(column: column, descending: item.descending, nullsFirst: item.nullsFirst ?? item.descending)
            }
            rows = Sorting.permutation(keys, count: rows.count).map { rows[$0] }
        }
        rows = try applyLimit(query, rows)
        return (entity, rows)
    }

    // MARK: Queries

    func run(_ query: Query) throws -> QueryOutput {
        let (entity, baseRows) = try resolveSource(query)
        try check(query, entity)
        let rows = try applyWhere(query, entity, baseRows)
        if query.isCount {
            return QueryOutput(names: ["count()"], columns: [Column(type: .int, data: .int([Int64(rows.count)]))])
        }
        if query.groupBy != nil || usesRowAggregates(query, entity) {
            return try runGrouped(query, entity, rows)
        }
        return try runRows(query, entity, rows)
    }

    private func runRows(_ query: Query, _ entity: Entity, _ selected: [Int32]) throws -> QueryOutput {
        let scope = Scope(entity: entity)
        if query.having != nil {
            throw Diagnostic.semantic("'having' filters groups: add 'group by', or use 'where'", query.having!.range)
        }
        var items: [(name: String, alias: String?, expr: BoundExpr)] = []
        for item in query.show ?? [.star(query.range)] {
            switch item {
            case .star:
                for (index, field) in entity.fields.enumerated() {
                    items.append((field.name, nil, BoundExpr(.field(index), field.type, query.range)))
                }
            case .expr(let expr, let alias):
                items.append((alias?.text ?? normalizedText(source, expr.range), alias?.text, try binder.bind(expr, in: scope)))
            }
        }
        var rows = selected
        let (offset, limit) = try limits(query)
        let aliases = Set(items.compactMap(\.alias))
        let take = offset > Int.max - (limit ?? 0) ? Int.max : offset + (limit ?? 0)
        if limit != nil, let indexed = (try? indexedOrder(query, entity, rows, scope, take: take, aliases: aliases)) ?? nil {
            rows = indexed
        } else if let orderBy = query.orderBy {
            let context = EvalContext(entity: entity, rows: rows)
            var keys: [SortKey] = []
            for item in orderBy {
                let bound: BoundExpr
                if case .identifier(let name, _) = item.expr.kind, let match = items.first(where: { $0.alias == name || ($0.alias == nil && $0.name == name && entity.fieldIndex(name) == nil) }) {
                    bound = match.expr
                } else {
                    bound = try binder.bind(item.expr, in: scope)
                }
                let column = try evaluator.evaluate(bound, context).expanded(to: rows.count)
                keys.append(SortKey(column: column, descending: item.descending, nullsFirst: item.nullsFirst ?? item.descending))
            }
            if let limit, offset == 0 {
                rows = Sorting.top(keys, count: rows.count, limit: limit).map { rows[$0] }
            } else {
                rows = Sorting.permutation(keys, count: rows.count).map { rows[$0] }
            }
        }
        rows = try applyLimit(query, rows)
        let context = EvalContext(entity: entity, rows: rows)
        var columns: [Column] = []
        for item in items { columns.append(try evaluator.evaluate(item.expr, context).expanded(to: rows.count)) }
        return QueryOutput(names: items.map(\.name), columns: columns)
    }

    private func runGrouped(_ query: Query, _ entity: Entity, _ rows: [Int32]) throws -> QueryOutput {
        let rowScope = Scope(entity: entity)
        let rowContext = EvalContext(entity: entity, rows: rows)
        var keys: [Scope.GroupKey] = []
        var keyColumns: [Column] = []
        for item in query.groupBy ?? [] {
            guard case .expr(let expr, let alias) = item else {
                throw Diagnostic.semantic("'group by *' is not supported; name the fields to group by", query.range)
            }
            let bound = try binder.bind(expr, in: rowScope)
            if case .relationAggregate = bound.node {} else if binder.containsGroupAggregate(bound) {
                throw Diagnostic.semantic("cannot group by an aggregate", expr.range)
            }
            keys.append(Scope.GroupKey(text: normalizedText(source, expr.range), alias: alias?.text, bound: bound))
            keyColumns.append(try evaluator.evaluate(bound, rowContext).expanded(to: rows.count))
        }
        let grouping = Sorting.groups(keyColumns, count: rows.count)
        var groupContext = EvalContext(entity: entity, rows: rows, grouping: EvalContext.Grouping(
            groupOf: grouping.groupOf, count: grouping.groupCount,
            keys: keyColumns.map { $0.gather(grouping.firstRows) }))
        let groupScope = Scope(entity: entity, groupKeys: keys)

        var items: [(name: String, alias: String?, expr: BoundExpr)] = []
        if let show = query.show {
            for item in show {
                guard case .expr(let expr, let alias) = item else {
                    throw Diagnostic.semantic("'show *' lists stored fields, which a grouped query does not have; show the group keys and aggregates", query.range)
                }
                items.append((alias?.text ?? normalizedText(source, expr.range), alias?.text, try binder.bind(expr, in: groupScope)))
            }
        } else {
            for (index, key) in keys.enumerated() {
                items.append((key.alias ?? key.text, key.alias, BoundExpr(.groupKey(index), key.bound.type, query.range)))
            }
            let count = BoundExpr(.groupAggregate(GroupAggregate(function: .count, argument: nil, distinct: false, fraction: nil)), .int, query.range)
            items.append(("count()", nil, count))
        }

        var groups = Array(0..<Int32(groupContext.length))
        if let having = query.having {
            let bound = try binder.bindCondition(having, in: groupScope, clause: "having")
            let column = try evaluator.evaluate(bound, groupContext).expanded(to: groupContext.length)
            let flags = column.bools
            groups = groups.filter { flags[Int($0)] && !column.isNull(Int($0)) }
        }
        var outputs: [Column] = []
        for item in items { outputs.append(try evaluator.evaluate(item.expr, groupContext).expanded(to: groupContext.length)) }

        if let orderBy = query.orderBy {
            var sortKeys: [SortKey] = []
            for item in orderBy {
                var column: Column
                if case .identifier(let name, _) = item.expr.kind, let index = items.firstIndex(where: { $0.alias == name || $0.name == name }) {
                    column = outputs[index]
                } else {
                    let bound = try binder.bind(item.expr, in: groupScope)
                    column = try evaluator.evaluate(bound, groupContext).expanded(to: groupContext.length)
                }
                column = column.gather(groups)
                sortKeys.append(SortKey(column: column, descending: item.descending, nullsFirst: item.nullsFirst ?? item.descending))
            }
            groups = Sorting.permutation(sortKeys, count: groups.count).map { groups[$0] }
        }
        groups = try applyLimit(query, groups)
        groupContext.grouping = nil
        return QueryOutput(names: items.map(\.name), columns: outputs.map { $0.gather(groups) })
    }

    // MARK: Clauses

    private func limits(_ query: Query) throws -> (offset: Int, limit: Int?) {
        func count(_ expr: Expr?, _ clause: String) throws -> Int? {
            guard let expr else { return nil }
            let bound = try binder.bind(expr, in: Scope(entity: Entity(name: "", fields: [])))
            guard case .constant(let value) = bound.node, case .int(let n) = value, n >= 0 else {
                throw Diagnostic.semantic("\(clause) takes a whole number of rows, 0 or more", expr.range)
            }
            return Int(clamping: n)
        }
        return (try count(query.offset, "offset") ?? 0, try count(query.limit, "limit"))
    }

    private func applyLimit<T>(_ query: Query, _ rows: [T]) throws -> [T] {
        let (offset, limit) = try limits(query)
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
