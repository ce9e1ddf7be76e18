import CRMQLCore
import CRMQLStorage
import CRMQLSyntax

extension QueryRunner {
    /// A query compiled to one SQL statement for a dialect. The query is
    /// bound exactly as it is to run in memory, so a misspelled field or a
    /// type error reads the same; what has no translation is an error that
    /// names the feature and points at it.
    func compileSQL(_ query: Query, dialect: SQLDialect) throws -> String {
        if let asOf = query.asOf {
            // As in memory: bound where `today` is the date, every child
            // entity's later events left out of the tables it reads.
            let day = try constantDate(asOf, "as of")
            var dated = query
            dated.asOf = nil
            return try datedRunner(day).compileSQL(dated, dialect: dialect, asOf: day)
        }
        return try compileSQL(query, dialect: dialect, asOf: nil)
    }

    /// The query bound over its entity, for a statement sent to a server,
    /// or the error naming what of it has no translation there yet. An
    /// `as of` date is the caller's: it binds in `datedRunner` and keeps
    /// the events up to the date (`SQLCompiler.keepEvents`).
    func boundForSQL(_ query: Query) throws -> (BoundQuery, Entity) {
        if case .function(let name, _, _) = query.source {
            throw Diagnostic.semantic("the table function '\(name.text)' has no translation on a server yet; run this query in memory", name.range)
        }
        let entity = try sqlSourceEntity(query)
        return (try bindQuery(query, entity), entity)
    }

    /// A compiler for `dialect` over this runner's catalog, told which
    /// fields hold money as the in-memory engine decides it.
    func sqlCompiler(_ dialect: SQLDialect) -> SQLCompiler {
        let compiler = SQLCompiler(dialect: dialect, catalog: catalog)
        let evaluator = self.evaluator
        compiler.isMoney = { entity, index in evaluator.fieldStyle(entity, index) == .decimal(places: 2) }
        return compiler
    }

    /// A runner over the same store whose `today` is `day`: what an `as of`
    /// query is bound in before it is compiled.
    func datedRunner(_ day: Int64) -> QueryRunner {
        let dated = Catalog(store: catalog.store, definitions: catalog.definitions, parameters: catalog.parameters,
                            hostFunctions: catalog.hostFunctions, today: day, fiscalYearStart: catalog.fiscalYearStart,
                            fastPathsEnabled: catalog.fastPathsEnabled, models: catalog.models)
        let services = ExecutionServices(viewOf: evaluator.services, catalog: dated)
        var runner = QueryRunner(catalog: dated, evaluator: Evaluator(catalog: dated, services: services), source: source, lets: lets)
        runner.expanding = expanding
        runner.parameterSlots = parameterSlots
        return runner
    }

    /// `select transitions(customers, of: rfm_segment, from: …, to: …)`: each
    /// row's state compiled `as of` each date, the two joined on the key and
    /// counted per pair of states, each count's share of its `from_state`
    /// a window over the pairs; states in crmql's order, nulls last.
    private func compileTransitionsSQL(_ query: Query, _ arguments: [Argument], range: SourceRange,
                                       dialect: SQLDialect) throws -> String {
        try transitionsSQL(query, arguments, range: range, dialect: dialect).sql
    }

    /// The statement of a `transitions(…)` query and the type of its two
    /// state columns.
    func transitionsSQL(_ query: Query, _ arguments: [Argument], range: SourceRange,
                        dialect: SQLDialect) throws -> (sql: String, stateType: DataType) {
        if query.isCount || query.whereClause != nil || query.groupBy != nil || query.having != nil || query.show != nil
            || query.orderBy != nil || query.limit != nil || query.offset != nil || query.asOf != nil {
            throw Diagnostic.semantic("clauses after transitions(…) have no SQL translation yet; run this query in memory", query.range)
        }
        let call = try TransitionsSource(runner: self).parse(arguments, range: range)
        let before = try datedRunner(call.from).statesSQL(call, day: call.from, dialect: dialect)
        let after = try datedRunner(call.to).statesSQL(call, day: call.to, dialect: dialect)
        guard before.type == after.type || before.type == .null || after.type == .null else {
            throw Diagnostic.semantic("'\(source.text(of: call.of.range))' has another type on each date", call.of.range)
        }
        let type = before.type == .null ? after.type : before.type
        let compiler = sqlCompiler(dialect)
        let key = dialect.identifier("key"), state = dialect.identifier("state")
        let count = dialect.cast("count(*)", .number)
        let total = dialect.cast("sum(count(*)) OVER (PARTITION BY a.\(state))", .number)
        var lines = ["SELECT", "  a.\(state) AS \(dialect.identifier("from_state")),", "  b.\(state) AS \(dialect.identifier("to_state")),",
                     "  count(*) AS \(dialect.identifier("count")),", "  \(count) / \(total) AS \(dialect.identifier("share"))", "FROM ("]
        lines += before.sql.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }
        lines += [") AS a", "JOIN ("]
        lines += after.sql.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }
        lines += [") AS b ON b.\(key) = a.\(key)", "GROUP BY a.\(state), b.\(state)",
                  "ORDER BY " + compiler.orderKey("a.\(state)", type, false, false) + ", " + compiler.orderKey("b.\(state)", type, false, false)]
        return (lines.joined(separator: "\n"), type)
    }

    /// Each row's key and the state `call.of` gives it `as of` `day`, this
    /// runner's `today`, over the rows that exist by then.
    private func statesSQL(_ call: TransitionsSource.Call, day: Int64, dialect: SQLDialect) throws -> (sql: String, type: DataType) {
        guard let entity = catalog.store[call.entity] else { throw Diagnostic.semantic("unknown entity '\(call.entity)'", call.of.range) }
        guard let keyIndex = entity.keyFieldIndex else {
            throw Diagnostic.semantic("transitions of '\(call.entity)', an entity without a key, has no SQL translation; run this query in memory",
                                      call.of.range)
        }
        let bound = try binder.bind(call.of, in: Scope(entity: entity))
        let compiler = sqlCompiler(dialect)
        compiler.keepEvents(upTo: day)
        let root = compiler.newScope(entity)
        let state = try compiler.expr(bound, root, nil)
        var lines = ["SELECT", "  \(root.column(keyIndex, dialect)) AS \(dialect.identifier("key")),", "  \(state) AS \(dialect.identifier("state"))"]
        lines += compiler.fromLines(root)
        return (compiler.statement(lines), bound.type)
    }

    private func compileSQL(_ query: Query, dialect: SQLDialect, asOf day: Int64?) throws -> String {
        if case .function(let name, let arguments, let range) = query.source, name.text.lowercased() == "transitions" {
            return try compileTransitionsSQL(query, arguments, range: range, dialect: dialect)
        }
        if case .function(let name, let arguments, let range) = query.source, let kind = TimelineSource.Kind(rawValue: name.text.lowercased()) {
            let compiler = sqlCompiler(dialect)
            if let day { compiler.keepEvents(upTo: day) }
            return try timelineSQL(query, kind, arguments, range: range, compiler: compiler).sql
        }
        let entity = try sqlSourceEntity(query)
        let bound = try bindQuery(query, entity)
        let compiler = sqlCompiler(dialect)
        if let day { compiler.keepEvents(upTo: day) }
        return try compiler.compile(bound, entity)
    }

    /// The stored entity a query reads, or the error naming a source that
    /// has no SQL translation.
    func sqlSourceEntity(_ query: Query) throws -> Entity {
        switch query.source {
        case .named(let name):
            guard let stored = catalog.store[name.text] else {
                if lets[name.text] != nil {
                    throw Diagnostic.semantic("a named query ('let \(name.text)') as a source has no SQL translation yet; run this query in memory", name.range)
                }
                let candidates = catalog.store.entityNames + lets.keys.sorted()
                throw Diagnostic.semantic(Suggestion.message("unknown entity '\(name.text)'", for: name.text, among: candidates), name.range)
            }
            return stored
        case .function(let name, _, _):
            throw Diagnostic.semantic("the table function '\(name.text)' has no SQL translation; run this query in memory", name.range)
        }
    }
}
