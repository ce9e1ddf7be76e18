import CRMQLCore
import CRMQLStorage
import CRMQLSyntax

/// A query compiled for a SQL server to run: its text with `$1`, `$2`, …
/// where the query's parameters are, their values to bind beside it (never
/// written into the text), and the columns the answer must have.
public struct ServerStatement: Sendable {
    /// The statement, in the PostgreSQL dialect.
    public let sql: String
    /// The values of `$1`, `$2`, … in order.
    public let parameters: [Value]
    /// The answer's column names, as the in-memory engine names them.
    public let columnNames: [String]
    /// The answer's column types, as the query was bound.
    public let columnTypes: [DataType]
    /// For each column, the type its values take on the wire: a ref's
    /// parent key type, otherwise the column's type.
    public let valueTypes: [DataType]
    /// The entities (tables) the statement reads.
    public let entities: [String]
}

extension Interpreter {
    /// A query statement compiled for a PostgreSQL server, bound exactly as
    /// it would be to run in memory (so its errors are the same, with the
    /// same carets), with `values` bound to its parameters for this
    /// statement only; nil when the statement is not a query.
    public func serverStatement(_ statement: Statement, _ source: SourceFile,
                                binding values: [String: Value]) throws -> ServerStatement? {
        guard case .query(let query) = statement.kind else { return nil }
        var previous: [String: Value?] = [:]
        for (name, value) in values {
            previous[name] = .some(state.parameters[name])
            state.parameters[name] = value
        }
        defer { for (name, value) in previous { state.parameters[name] = value } }
        try limits.checkNesting(statement)
        return try runner(source).serverStatement(query)
    }
}

extension QueryRunner {
    func serverStatement(_ query: Query) throws -> ServerStatement {
        if case .function(let name, let arguments, let range) = query.source, name.text.lowercased() == "transitions" {
            // Its dates are constants, so its text holds no parameter.
            let (sql, stateType) = try transitionsSQL(query, arguments, range: range, dialect: .postgresql)
            let types: [DataType] = [stateType, stateType, .int, .number]
            return ServerStatement(sql: sql, parameters: [], columnNames: ["from_state", "to_state", "count", "share"],
                                   columnTypes: types, valueTypes: types.map(wireType), entities: catalog.store.entityNames)
        }
        // As in memory, a query `as of` a date binds where `today` is the
        // date and reads only the events that happened by then.
        var query = query, runner = self, day: Int64?
        if let asOf = query.asOf {
            day = try constantDate(asOf, "as of")
            runner = datedRunner(day!)
            query.asOf = nil
        }
        var slotted = runner
        slotted.parameterSlots = true
        if case .function(let name, let arguments, let range) = query.source, let kind = TimelineSource.Kind(rawValue: name.text.lowercased()) {
            return try runner.timelineStatement(query, kind, arguments, range: range, slotted: slotted, asOf: day)
        }
        let bound: BoundQuery, entity: Entity
        do {
            (bound, entity) = try slotted.boundForSQL(query)
        } catch is ParameterDependence {
            // What the query means depends on a value (a text compared
            // with an enum's symbols): bound with the values, which the
            // compiler then writes as escaped literals.
            (bound, entity) = try runner.boundForSQL(query)
        }
        let compiler = runner.sqlCompiler(.postgresql)
        compiler.slots = []
        if let day { compiler.keepEvents(upTo: day) }
        let sql = try compiler.compile(bound, entity)
        return statement(sql, bound, compiler)
    }

    /// `retention(…)` or `cohorts(…)` and the clauses after it, for the
    /// server; its parameters slots as in any query.
    private func timelineStatement(_ query: Query, _ kind: TimelineSource.Kind, _ arguments: [Argument], range: SourceRange,
                                   slotted: QueryRunner, asOf day: Int64?) throws -> ServerStatement {
        func compiler() -> SQLCompiler {
            let compiler = sqlCompiler(.postgresql)
            compiler.slots = []
            if let day { compiler.keepEvents(upTo: day) }
            return compiler
        }
        var used = compiler()
        let sql: String, bound: BoundQuery
        do {
            (sql, bound) = try slotted.timelineSQL(query, kind, arguments, range: range, compiler: used)
        } catch is ParameterDependence {
            // As for any query: bound with the values, written as escaped literals.
            used = compiler()
            (sql, bound) = try timelineSQL(query, kind, arguments, range: range, compiler: used)
        }
        return statement(sql, bound, used)
    }

    /// The statement of compiled text: its columns named and typed as the
    /// bound query shows them, its slots and the tables it reads.
    private func statement(_ sql: String, _ bound: BoundQuery, _ compiler: SQLCompiler) -> ServerStatement {
        let names: [String], types: [DataType]
        if bound.isCount {
            names = ["count()"]
            types = [.int]
        } else {
            names = bound.items.map(\.name)
            types = bound.items.map(\.expr.type)
        }
        return ServerStatement(sql: sql, parameters: compiler.slots ?? [], columnNames: names, columnTypes: types,
                               valueTypes: types.map(wireType), entities: compiler.entitiesRead.sorted())
    }

    /// The type a column's values take on the wire: a ref's parent key
    /// type, otherwise the column's type.
    private func wireType(_ type: DataType) -> DataType {
        if case .ref(let parent) = type { return catalog.keyType(of: parent) }
        return type
    }
}

extension Interpreter {
    /// Declares an empty entity, as `create entity` does, for a session
    /// whose rows live on a server: its fields are the server table's.
    /// - Throws: a `Diagnostic` when the name is taken.
    /// - Parameter money: the number fields whose values are all whole
    ///   hundredths on the server: they compute and print as money.
    public func declareEntity(_ name: String, fields: [Field], money: Set<String> = []) throws {
        guard state.store[name] == nil else { throw Diagnostic(.semantic, "entity '\(name)' already exists", at: nil) }
        var entity = Entity(name: name, fields: fields)
        for (index, field) in fields.enumerated() {
            if case .ref(let parent) = field.type {
                entity.setColumn(index, Column(empty: field.type, keyType: makeCatalog().keyType(of: parent)))
            } else if field.type == .number, money.contains(field.name) {
                var column = Column(empty: .number)
                column.style = .decimal(places: 2)
                entity.setColumn(index, column)
            }
        }
        state.store[name] = entity
        loadPreludeIfReady()
    }

    /// Marks which number fields of an entity declared for a server's
    /// table hold money (see `declareEntity`), after a change on the
    /// server may have changed which do.
    public func setMoneyFields(_ name: String, _ money: Set<String>) {
        guard var entity = state.store[name], entity.rowCount == 0 else { return }
        for (index, field) in entity.fields.enumerated() where field.type == .number {
            var column = Column(empty: .number)
            column.style = money.contains(field.name) ? .decimal(places: 2) : .general
            entity.setColumn(index, column)
        }
        state.store[name] = entity
    }

    /// A stored entity as it is now; nil when there is none of that name.
    public func storedEntity(_ name: String) -> Entity? { state.store[name] }

    /// The stored entities' names, parents first as they were made.
    public var storedEntityNames: [String] { state.store.entityNames }

    /// A ref field's parent key type.
    public func keyType(of entity: String) -> DataType { makeCatalog().keyType(of: entity) }
}

extension Interpreter {
    /// The options the session was opened with, for a scratch session that
    /// must refuse what this one refuses (files in safe mode).
    public var sessionOptions: SessionOptions { options }
}

extension Interpreter {
    /// Forgets an entity a server refused to create, so the session stays
    /// as the server is.
    public func removeEntity(_ name: String) { state.store[name] = nil }
}
