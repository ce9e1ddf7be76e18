import CRMQLCore
import CRMQLStorage
import CRMQLSyntax

/// A query with every clause bound: what runs, with no name left to resolve.
struct BoundQuery: Sendable {
    struct Item: Sendable {
        var name: String
        var alias: String?
        var expr: BoundExpr
    }

    struct OrderKey: Sendable {
        enum Source: Sendable {
            /// A `show` item, named by its alias or its text.
            case item(Int)
            case expr(BoundExpr)
        }
        var source: Source
        var descending: Bool
        var nullsFirst: Bool
    }

    var condition: BoundExpr?
    var isCount: Bool
    /// The whole query's span in its text.
    var range = SourceRange(0, 0)
    /// Grouped by `group by`, or one group because show or having
    /// aggregate the query's rows.
    var grouped: Bool
    var groupKeys: [Scope.GroupKey] = []
    var items: [Item] = []
    var having: BoundExpr?
    var orderBy: [OrderKey] = []
    var offset: BoundExpr?
    var limit: BoundExpr?
    /// The output column names, `items`' names, kept so a run need not list them.
    var names: [String] = []

    private var expressions: [BoundExpr] {
        var all = [condition, having, offset, limit].compactMap { $0 }
        all += groupKeys.map(\.bound) + items.map(\.expr)
        for key in orderBy { if case .expr(let expr) = key.source { all.append(expr) } }
        return all
    }

    var usesParameters: Bool { expressions.contains { $0.usesParameters } }

    /// The query with its parameter slots filled (see `BoundExpr.instantiated`).
    func instantiated(_ values: [String: Value]) -> BoundQuery? {
        var copy = self
        func fill(_ expr: BoundExpr?) -> BoundExpr?? {
            guard let expr else { return .some(nil) }
            return expr.instantiated(values).map { .some($0) }
        }
        guard let condition = fill(condition), let having = fill(having), let offset = fill(offset), let limit = fill(limit) else { return nil }
        (copy.condition, copy.having, copy.offset, copy.limit) = (condition, having, offset, limit)
        for index in copy.groupKeys.indices {
            guard let filled = copy.groupKeys[index].bound.instantiated(values) else { return nil }
            copy.groupKeys[index].bound = filled
        }
        for index in copy.items.indices {
            guard let filled = copy.items[index].expr.instantiated(values) else { return nil }
            copy.items[index].expr = filled
        }
        for index in copy.orderBy.indices {
            guard case .expr(let expr) = copy.orderBy[index].source else { continue }
            guard let filled = expr.instantiated(values) else { return nil }
            copy.orderBy[index].source = .expr(filled)
        }
        return copy
    }
}

extension QueryRunner {
    /// Binds every clause of a query before any of it runs, and reports all
    /// the name and type errors at once, so a query with two typos needs one
    /// correction round, not two.
    func bindQuery(_ query: Query, _ entity: Entity) throws -> BoundQuery {
        var problems: [Diagnostic] = []
        func attempt<T>(_ body: () throws -> T) throws -> T? {
            do { return try body() } catch let diagnostic as Diagnostic { problems.append(diagnostic) } catch let list as DiagnosticList {
                problems.append(contentsOf: list.diagnostics)
            }
            return nil
        }
        let rowScope = Scope(entity: entity)
        let grouped = query.groupBy != nil || usesRowAggregates(query, entity)
        var bound = BoundQuery(isCount: query.isCount, grouped: grouped)
        bound.range = query.range
        if let condition = query.whereClause {
            bound.condition = try attempt { try binder.bindCondition(condition, in: rowScope, clause: "where") }
        }
        for item in query.groupBy ?? [] {
            guard case .expr(let expr, let alias) = item else { continue }
            if let key = try attempt({ try binder.bind(expr, in: rowScope) }) {
                bound.groupKeys.append(Scope.GroupKey(text: normalizedText(source, expr.range), alias: alias?.text, bound: key))
            }
        }
        if grouped && bound.groupKeys.count != (query.groupBy?.count ?? 0) {
            // Grouped names only make sense when every key bound.
            try report(problems)
            throw Diagnostic.semantic("'group by *' is not supported; name the fields to group by", query.range)
        }
        let scope = grouped ? Scope(entity: entity, groupKeys: bound.groupKeys) : rowScope
        var deferred: Diagnostic?
        if grouped {
            if let show = query.show {
                for item in show {
                    guard case .expr(let expr, let alias) = item else {
                        deferred = deferred ?? .semantic("'show *' lists stored fields, which a grouped query does not have; show the group keys and aggregates", query.range)
                        continue
                    }
                    if let expr = try attempt({ try binder.bind(expr, in: scope) }) {
                        bound.items.append(BoundQuery.Item(name: alias?.text ?? normalizedText(source, expr.range), alias: alias?.text, expr: expr))
                    }
                }
            } else {
                for (index, key) in bound.groupKeys.enumerated() {
                    bound.items.append(BoundQuery.Item(name: key.alias ?? key.text, alias: key.alias,
                                                       expr: BoundExpr(.groupKey(index), key.bound.type, query.range)))
                }
                let count = GroupAggregate(function: .count, argument: nil, distinct: false, fraction: nil)
                bound.items.append(BoundQuery.Item(name: "count()", alias: nil, expr: BoundExpr(.groupAggregate(count), .int, query.range)))
            }
            if let having = query.having {
                bound.having = try attempt { try binder.bindCondition(having, in: scope, clause: "having") }
            }
        } else {
            for item in query.show ?? [.star(query.range)] {
                switch item {
                case .star:
                    for (index, field) in entity.fields.enumerated() {
                        bound.items.append(BoundQuery.Item(name: field.name, alias: nil, expr: BoundExpr(.field(index), field.type, query.range)))
                    }
                case .expr(let expr, let alias):
                    if let expr = try attempt({ try binder.bind(expr, in: scope) }) {
                        bound.items.append(BoundQuery.Item(name: alias?.text ?? normalizedText(source, expr.range), alias: alias?.text, expr: expr))
                    }
                }
            }
            if let having = query.having {
                deferred = .semantic("'having' filters groups: add 'group by', or use 'where'", having.range)
            }
        }
        for item in query.orderBy ?? [] {
            let nullsFirst = item.nullsFirst ?? item.descending
            if case .identifier(let name, _) = item.expr.kind, let index = bound.items.firstIndex(where: { match in
                // A row query's field of that name wins over a show item's text.
                match.alias == name || (match.alias == nil && match.name == name && (grouped || entity.fieldIndex(name) == nil))
            }) {
                bound.orderBy.append(BoundQuery.OrderKey(source: .item(index), descending: item.descending, nullsFirst: nullsFirst))
            } else if let expr = try attempt({ try binder.bind(item.expr, in: scope) }) {
                bound.orderBy.append(BoundQuery.OrderKey(source: .expr(expr), descending: item.descending, nullsFirst: nullsFirst))
            }
        }
        let noNames = Scope(entity: Entity(name: "", fields: []))
        if let offset = query.offset { bound.offset = try attempt { try binder.bind(offset, in: noNames) } }
        if let limit = query.limit { bound.limit = try attempt { try binder.bind(limit, in: noNames) } }
        try report(problems)
        for key in bound.groupKeys {
            if case .relationAggregate = key.bound.node { continue }
            if binder.containsGroupAggregate(key.bound) { throw Diagnostic.semantic("cannot group by an aggregate", key.bound.range) }
        }
        if let deferred { throw deferred }
        bound.names = bound.items.map(\.name)
        return bound
    }

    private func report(_ problems: [Diagnostic]) throws {
        if problems.count == 1 { throw problems[0] }
        if problems.count > 1 { throw DiagnosticList(problems.sorted { ($0.range?.start ?? 0) < ($1.range?.start ?? 0) }) }
    }
}
