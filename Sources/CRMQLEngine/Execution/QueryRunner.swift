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

    /// The rows a query ranges over: its source's entity and rows, the
    /// named query's plan run when the source is one.
    func resolveSource(_ query: Query) throws -> (Entity, [Int32]) {
        let source = try planSource(query)
        return (source.entity, try sourceRows(source.node, source.entity).rows)
    }

    /// Runs a query: plans it, then runs the plan.
    func run(_ query: Query) throws -> QueryOutput {
        try execute(try plan(query))
    }

    // MARK: Clauses

    func limits(_ bound: BoundQuery) throws -> (offset: Int, limit: Int?) {
        func count(_ expr: BoundExpr?, _ clause: String) throws -> Int? {
            guard let expr else { return nil }
            guard case .constant(let value) = expr.node, case .int(let n) = value, n >= 0 else {
                throw Diagnostic.semantic("\(clause) takes a whole number of rows, 0 or more", expr.range)
            }
            return Int(clamping: n)
        }
        return (try count(bound.offset, "offset") ?? 0, try count(bound.limit, "limit"))
    }

    func slice<T>(_ rows: [T], _ offset: Int, _ limit: Int?) -> [T] {
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
