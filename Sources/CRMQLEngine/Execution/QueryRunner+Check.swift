import CRMQLCore
import CRMQLStorage
import CRMQLSyntax

extension QueryRunner {
    /// Binds every clause of a query before any of it runs and reports all
    /// the name and type errors at once, so a query with two typos needs
    /// one correction round, not two.
    func check(_ query: Query, _ entity: Entity) throws {
        var problems: [Diagnostic] = []
        func attempt(_ body: () throws -> Void) {
            do { try body() } catch let diagnostic as Diagnostic { problems.append(diagnostic) } catch let list as DiagnosticList {
                problems.append(contentsOf: list.diagnostics)
            } catch {}
        }
        let rowScope = Scope(entity: entity)
        if let condition = query.whereClause {
            attempt { _ = try binder.bindCondition(condition, in: rowScope, clause: "where") }
        }
        var keys: [Scope.GroupKey] = []
        for item in query.groupBy ?? [] {
            guard case .expr(let expr, let alias) = item else { continue }
            attempt {
                let bound = try binder.bind(expr, in: rowScope)
                keys.append(Scope.GroupKey(text: normalizedText(source, expr.range), alias: alias?.text, bound: bound))
            }
        }
        let grouped = query.groupBy != nil || usesRowAggregates(query, entity)
        // Grouped names only make sense when every key bound.
        if grouped && keys.count != (query.groupBy?.count ?? 0) { return try report(problems) }
        let scope = grouped ? Scope(entity: entity, groupKeys: keys) : rowScope
        var aliases = Set<String>()
        for item in query.show ?? [] {
            guard case .expr(let expr, let alias) = item else { continue }
            if let alias { aliases.insert(alias.text) }
            attempt { _ = try binder.bind(expr, in: scope) }
        }
        if grouped, let having = query.having {
            attempt { _ = try binder.bindCondition(having, in: scope, clause: "having") }
        }
        for item in query.orderBy ?? [] {
            if case .identifier(let name, _) = item.expr.kind, aliases.contains(name) { continue }
            attempt { _ = try binder.bind(item.expr, in: scope) }
        }
        try report(problems)
    }

    private func report(_ problems: [Diagnostic]) throws {
        if problems.count == 1 { throw problems[0] }
        if problems.count > 1 { throw DiagnosticList(problems.sorted { ($0.range?.start ?? 0) < ($1.range?.start ?? 0) }) }
    }
}
