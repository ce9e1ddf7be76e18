import CRMQLCore
import CRMQLStorage

/// One entity's rows in the statement being built, under an alias, with
/// what expressions over them needed joined in. Scopes are classes because
/// compiling an expression adds joins and windows to the scope it is in,
/// and the statement's text is written only once every expression is.
final class SQLScope {
    let entity: Entity
    let alias: String
    /// Parents and child aggregates, joined after this scope's rows.
    var joins: [SQLJoin] = []
    /// Parent scopes by the ref field followed, so `customer.region` and
    /// `customer.tier` share one join.
    var parents: [Int: SQLScope] = [:]
    /// Child aggregate tables by `child.refField`.
    var childGroups: [String: SQLChildGroup] = [:]
    /// Population and running functions are computed over every row of the
    /// entity before the query's `where`, so they live in a layer under
    /// this scope: the entity's rows with one more column per window, per
    /// measure built on a window, and per window's argument.
    var layer: SQLScope?
    /// In a layer: its columns, by their text (so a measure used twice is
    /// computed once).
    var columns: [(sql: String, name: String)] = []
    /// The named subquery a derived table's rows come from (a table
    /// function's answer); nil for a stored entity, read from its table.
    var table: String?

    init(entity: Entity, alias: String) {
        self.entity = entity
        self.alias = alias
    }

    func column(_ index: Int, _ dialect: SQLDialect) -> String {
        alias + "." + dialect.identifier(entity.fields[index].name)
    }

    var keyIndex: Int? { entity.keyFieldIndex }
}

/// What a scope joins: a parent row through a ref, or a child entity's
/// aggregates grouped by its ref.
enum SQLJoin {
    case parent(SQLScope, refColumn: String)
    case children(SQLChildGroup)
}

/// A child entity's aggregates per parent key, a named subquery joined to
/// its parent: the form every engine plans as one hash aggregate and one
/// hash join, where a correlated subquery would run once per parent row on
/// PostgreSQL.
final class SQLChildGroup {
    let scope: SQLScope
    let refField: Int
    let name: String
    /// The aggregate columns, by their text.
    var columns: [(sql: String, name: String)] = []

    init(scope: SQLScope, refField: Int, name: String) {
        self.scope = scope
        self.refField = refField
        self.name = name
    }

    /// The column holding an aggregate, added when first asked for.
    func column(for sql: String) -> String {
        if let existing = columns.first(where: { $0.sql == sql }) { return existing.name }
        let name = "agg\(columns.count + 1)"
        columns.append((sql, name))
        return name
    }
}
