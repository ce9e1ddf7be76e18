import CRMQLCore
import CRMQLStorage
import CRMQLSyntax

/// Compiles a bound query (after the binder, so every name and type error
/// is the one the in-memory engine gives) into one SQL statement for a
/// dialect: the same rows, in the same order, named the same.
///
/// The statement's shape: the entity under an alias; each parent navigated
/// to a `LEFT JOIN`; each child entity's aggregates a named subquery
/// (`WITH`) grouped by its ref and joined on the parent's key; population
/// and running functions window columns of a named subquery over every
/// row of the entity, under the `where` (they are computed before it, as
/// in memory); measures inlined from their bound definitions.
final class SQLCompiler {
    let dialect: SQLDialect
    let catalog: Catalog
    /// The named subqueries, in the order they must be defined.
    var ctes: [(name: String, lines: [String])] = []
    private var aliasCounts: [String: Int] = [:]
    private var cteNames: Set<String> = []
    /// Names of layer columns, unique in the statement: a layer's `*`
    /// carries the columns of the layers under it.
    private var derivedNames: Set<String> = []
    private var derivedCount = 0
    /// Child aggregate subqueries by `child.refField`, and those written.
    private var childGroups: [String: SQLChildGroup] = [:]
    private var definedGroups: Set<String> = []
    /// While a measure's definition is compiled, the span of the name that
    /// used it: the span an error about it points at.
    var measureRange: SourceRange?
    var expanding: [String] = []
    /// In a query `as of` a date: per child entity, the condition its rows
    /// must meet to have happened by the date; the entity is read through
    /// a subquery keeping only those.
    var eventsUpTo: [String: String] = [:]
    /// The values of a statement sent to a server, in the order of their
    /// `$n` slots; nil while compiling for `explain sql`, which writes them
    /// in as literals.
    var slots: [Value]?
    /// The entities the statement reads.
    private(set) var entitiesRead: Set<String> = []
    /// Whether a stored number field holds money (every value whole
    /// hundredths), which crmql sums exactly; the runner that makes the
    /// compiler answers from its cache (`QueryRunner.sqlCompiler`).
    var isMoney: (Entity, Int) -> Bool = { _, _ in false }

    init(dialect: SQLDialect, catalog: Catalog) {
        self.dialect = dialect
        self.catalog = catalog
    }

    /// A fresh alias for an entity: its initial, numbered when taken.
    func newScope(_ entity: Entity) -> SQLScope {
        entitiesRead.insert(entity.name)
        let letter = entity.name.first.map { $0.isLetter && $0.isASCII ? String($0).lowercased() : "t" } ?? "t"
        let count = aliasCounts[letter, default: 0]
        aliasCounts[letter] = count + 1
        return SQLScope(entity: entity, alias: count == 0 ? letter : "\(letter)\(count)")
    }

    func cteName(_ base: String) -> String {
        let cleaned = String(base.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
        var name = cleaned
        var n = 2
        while cteNames.contains(name) { name = "\(cleaned)_\(n)"; n += 1 }
        cteNames.insert(name)
        return name
    }

    /// The whole statement. A derived table (`entity` the shape of a
    /// table function's answer) is read from the named subquery `table`,
    /// its rows coming in the order of its fields `rowOrder`.
    func compile(_ bound: BoundQuery, _ entity: Entity, table: String? = nil, rowOrder: [Int] = []) throws -> String {
        let root = newScope(entity)
        if let table {
            root.table = table
            if catalog.store[entity.name] == nil { entitiesRead.remove(entity.name) }
        }
        var groupKeys: [String] = []
        var items: [String] = []
        var whereSQL: String?
        var havingSQL: String?
        var orderSQL: [String] = []
        if let condition = bound.condition { whereSQL = try expr(condition, root, nil) }
        if bound.isCount {
            items = ["count(*) AS " + dialect.identifier("count()")]
        } else {
            for key in bound.groupKeys { groupKeys.append(try expr(key.bound, root, nil)) }
            let keyTypes = bound.groupKeys.map(\.bound.type)
            let context = bound.grouped ? GroupContext(keys: groupKeys) : nil
            var itemSQL: [String] = []
            for item in bound.items {
                let sql = try expr(item.expr, root, context)
                itemSQL.append(sql)
                items.append(sql + " AS " + dialect.identifier(item.name))
            }
            if let having = bound.having { havingSQL = try expr(having, root, context) }
            for key in bound.orderBy {
                switch key.source {
                case .item(let index):
                    orderSQL.append(orderKey(itemSQL[index], bound.items[index].expr.type, key.descending, key.nullsFirst))
                case .expr(let e):
                    orderSQL.append(orderKey(try expr(e, root, context), e.type, key.descending, key.nullsFirst))
                }
            }
            // crmql's sort is stable: rows keep their order (by key, as
            // loaded) and groups theirs (ascending keys) among ties.
            if bound.grouped {
                for (sql, type) in zip(groupKeys, keyTypes) { orderSQL.append(orderKey(sql, type, false, false)) }
            } else if let key = root.keyIndex {
                orderSQL.append(orderKey(root.column(key, dialect), entity.fields[key].type, false, false))
            } else {
                for field in rowOrder { orderSQL.append(orderKey(root.column(field, dialect), entity.fields[field].type, false, false)) }
            }
        }
        let limit = try bound.limit.map { try expr($0, root, nil) }
        let offset = try bound.offset.map { try expr($0, root, nil) }

        var lines = ["SELECT"]
        lines += items.enumerated().map { "  " + $1 + ($0 < items.count - 1 ? "," : "") }
        lines += fromLines(root)
        if let whereSQL { lines.append("WHERE " + whereSQL) }
        if bound.grouped && !groupKeys.isEmpty { lines.append("GROUP BY " + groupKeys.joined(separator: ", ")) }
        if let havingSQL { lines.append("HAVING " + havingSQL) }
        if !orderSQL.isEmpty { lines.append("ORDER BY " + orderSQL.joined(separator: ", ")) }
        lines += dialect.limit(limit, offset: offset)
        return statement(lines)
    }

    /// `lines`, a `SELECT`, after the named subqueries it uses.
    func statement(_ lines: [String]) -> String {
        var out: [String] = []
        if !ctes.isEmpty {
            out.append("WITH")
            for (index, cte) in ctes.enumerated() {
                out.append("  \(cte.name) AS (")
                out += cte.lines.map { "    " + $0 }
                out.append(index < ctes.count - 1 ? "  )," : "  )")
            }
        }
        return (out + lines).joined(separator: "\n")
    }

    /// `FROM` and the joins of a scope, defining the named subqueries they
    /// use first.
    func fromLines(_ scope: SQLScope) -> [String] {
        var lines = ["FROM " + base(scope) + " AS " + scope.alias]
        lines += joinLines(scope)
        return lines
    }

    private func joinLines(_ scope: SQLScope) -> [String] {
        var lines: [String] = []
        for join in scope.joins {
            switch join {
            case .parent(let parent, let refColumn):
                let key = parent.keyIndex.map { parent.column($0, dialect) } ?? "NULL"
                lines.append("LEFT JOIN \(base(parent)) AS \(parent.alias) ON \(key) = \(refColumn)")
                lines += joinLines(parent)
            case .children(let group):
                let name = defineChildGroup(group)
                let key = scope.keyIndex.map { scope.column($0, dialect) } ?? "NULL"
                lines.append("LEFT JOIN \(name) ON \(name).\(dialect.identifier("key")) = \(key)")
            }
        }
        return lines
    }

    /// The table a scope reads: the stored entity, or the named subquery
    /// of its layer.
    private func base(_ scope: SQLScope) -> String {
        guard let layer = scope.layer, !layer.columns.isEmpty else {
            if let table = scope.table { return table }
            let table = dialect.identifier(scope.entity.name)
            guard let condition = eventsUpTo[scope.entity.name] else { return table }
            return "(SELECT * FROM \(table) WHERE \(condition))"
        }
        var lines = ["SELECT"]
        let columns = ["\(layer.alias).*"] + layer.columns.map { "\($0.sql) AS \(dialect.identifier($0.name))" }
        lines += columns.enumerated().map { "  " + $1 + ($0 < columns.count - 1 ? "," : "") }
        lines += fromLines(layer)
        let windows = layer.columns.contains { $0.sql.contains(" OVER (") }
        let name = cteName(scope.entity.name + (windows ? "_windows" : "_values"))
        ctes.append((name, lines))
        return name
    }

    private func defineChildGroup(_ group: SQLChildGroup) -> String {
        guard definedGroups.insert(group.name).inserted else { return group.name }
        let child = group.scope
        let ref = child.column(group.refField, dialect)
        var lines = ["SELECT"]
        let columns = ["\(ref) AS \(dialect.identifier("key"))"] + group.columns.map { "\($0.sql) AS \($0.name)" }
        lines += columns.enumerated().map { "  " + $1 + ($0 < columns.count - 1 ? "," : "") }
        lines += fromLines(child)
        lines.append("GROUP BY \(ref)")
        ctes.append((group.name, lines))
        return group.name
    }

    /// Reads every child entity (`AsOfView.eventDateField`) through a
    /// subquery keeping its rows that happened by `day`.
    func keepEvents(upTo day: Int64) {
        for child in catalog.store.allEntities {
            guard let field = AsOfView.eventDateField(of: child) else { continue }
            eventsUpTo[child.name] = happenedBy(day, field: child.fields[field])
        }
    }

    /// Whether a row's `field` (a date or datetime) is on or before `day`,
    /// as `AsOfView` decides it: a datetime before the next midnight, and
    /// a row without a date kept (nothing says it happened later).
    func happenedBy(_ day: Int64, field: Field) -> String {
        let column = dialect.identifier(field.name)
        guard field.type == .datetime else { return "\(column) <= \(literal(.date(day), .date)) OR \(column) IS NULL" }
        let (product, overflow) = day.addingReportingOverflow(1).partialValue.multipliedReportingOverflow(by: 86_400)
        // A date past every datetime keeps every row, as in memory.
        if overflow { return "TRUE" }
        return "\(column) < \(literal(.datetime(product), .datetime)) OR \(column) IS NULL"
    }

    /// An `ORDER BY` key with crmql's order: enums by declaration, text by
    /// code point, nulls where the query says.
    func orderKey(_ sql: String, _ type: DataType, _ descending: Bool, _ nullsFirst: Bool) -> String {
        var key = sql
        if case .enumeration(let enumType) = type { key = enumCode(sql, enumType) }
        if case .text = type { key = dialect.textOrder(sql) }
        return key + (descending ? " DESC" : " ASC") + (nullsFirst ? " NULLS FIRST" : " NULLS LAST")
    }

    /// An enum's text as its declaration position, to compare and sort by.
    func enumCode(_ sql: String, _ type: EnumType) -> String {
        let cases = type.symbols.enumerated().map { "WHEN \(dialect.string($1)) THEN \($0)" }.joined(separator: " ")
        return "(CASE \(sql) \(cases) END)"
    }

    /// The layer under a scope, made when a window first needs it.
    func layer(of scope: SQLScope) -> SQLScope {
        if let layer = scope.layer { return layer }
        let layer = newScope(scope.entity)
        layer.table = scope.table
        scope.layer = layer
        return layer
    }

    /// A column computed in a scope's layer (its text over the layer's
    /// scope), named after what it holds when that is known.
    func derived(_ sql: String, name: String?, in scope: SQLScope) -> String {
        let layer = layer(of: scope)
        if let existing = layer.columns.first(where: { $0.sql == sql }) {
            return scope.alias + "." + dialect.identifier(existing.name)
        }
        var chosen = name ?? "w\(derivedCount + 1)"
        derivedCount += 1
        let taken = Set(scope.entity.fields.map(\.name))
        var n = 2
        let stem = chosen
        while derivedNames.contains(chosen) || taken.contains(chosen) { chosen = "\(stem)_\(n)"; n += 1 }
        derivedNames.insert(chosen)
        layer.columns.append((sql, chosen))
        return scope.alias + "." + dialect.identifier(chosen)
    }

    /// The join to a parent through a ref field, made once per scope.
    func parent(of scope: SQLScope, refField: Int, _ parentName: String, _ range: SourceRange) throws -> SQLScope {
        if let existing = scope.parents[refField] { return existing }
        guard let parentEntity = catalog.store[parentName] else {
            throw Diagnostic.semantic("unknown entity '\(parentName)'", range)
        }
        let parent = newScope(parentEntity)
        scope.parents[refField] = parent
        scope.joins.append(.parent(parent, refColumn: scope.column(refField, dialect)))
        return parent
    }

    /// The table of a child entity's aggregates per parent, made once per
    /// scope and relation.
    func childGroup(of scope: SQLScope, child: String, refField: Int, _ range: SourceRange) throws -> SQLChildGroup {
        let key = "\(child).\(refField)"
        if let existing = scope.childGroups[key] { return existing }
        // One grouped subquery per relation in the whole statement, joined
        // by every scope (layer) that needs some of its aggregates: the
        // children are read and grouped once.
        let group: SQLChildGroup
        if let shared = childGroups[key] {
            group = shared
        } else {
            guard let childEntity = catalog.store[child] else { throw Diagnostic.semantic("unknown entity '\(child)'", range) }
            let parent = scope.entity.name.hasSuffix("s") ? String(scope.entity.name.dropLast()) : scope.entity.name
            group = SQLChildGroup(scope: newScope(childEntity), refField: refField, name: cteName("\(child)_per_\(parent)"))
            childGroups[key] = group
        }
        scope.childGroups[key] = group
        scope.joins.append(.children(group))
        return group
    }
}

/// In a grouped query: the keys' SQL, which `groupKey(i)` stands for.
struct GroupContext {
    var keys: [String]
}
