import CRMQLCore
import CRMQLEngine
import CRMQLStorage
import CRMQLSyntax

// A session on a server (`Database(engine:options:)`): the session keeps its
// definitions, parameters and settings, and empty entities shaped like the
// server's tables, against which every statement is bound exactly as in
// memory; queries and changes then run on the server.

extension Database {
    /// Opens a session whose queries and changes run on a server. Its
    /// entities are the server's tables, typed by the standard CRM model
    /// (`engine.entities()`); measures, `define`, `param`, `let` and
    /// `explain sql` work as in memory.
    /// - Throws: `CRMQLError` (phase `.io`) when the server cannot be
    ///   reached or its tables disagree with the model.
    public convenience init(engine: any QueryEngine, options: Options = Options()) throws(CRMQLError) {
        try self.init(options: options, server: engine)
        let tables: [Schema.Entity]
        do {
            tables = try engine.entities()
        } catch {
            throw CRMQLError(phase: .io, message: error.message)
        }
        var money: [String: Set<String>] = [:]
        do {
            for table in tables {
                money[table.name] = try engine.moneyFields(of: table.name, among: table.fields.filter { $0.type == .number }.map(\.name))
            }
        } catch {
            throw CRMQLError(phase: .io, message: error.message)
        }
        let failure = write { interpreter -> String? in
            // Parents first: a ref field takes its parent's key type.
            var pending = tables
            while !pending.isEmpty {
                let declared = Set(interpreter.storedEntityNames)
                let ready = pending.firstIndex { table in
                    table.fields.allSatisfy { field in field.referencedEntity.map { $0 == table.name || declared.contains($0) } ?? true }
                } ?? 0
                let table = pending.remove(at: ready)
                do {
                    try interpreter.declareEntity(table.name, fields: table.fields.map { field in
                        if let parent = field.referencedEntity, parent != table.name, !declared.contains(parent) {
                            return Field(name: field.name, type: interpreter.keyType(of: parent), isKey: field.isKey)
                        }
                        return Field(name: field.name, type: field.type, isKey: field.isKey)
                    }, money: money[table.name] ?? [])
                } catch {
                    return "\(engine.displayName): table \(table.name): \(ErrorText.of(error))"
                }
            }
            return nil
        }
        if let failure { throw CRMQLError(phase: .io, message: failure) }
    }

    /// Where this session's queries run: `memory`, or the server's
    /// address without its password.
    public var engineName: String { server?.displayName ?? "memory" }

    /// Runs a statement on the server when it is one that reads or changes
    /// rows; nil for the statements that only touch the session
    /// (definitions, parameters, settings, `describe`, `explain sql`).
    func runOnServer(_ server: any QueryEngine, _ statement: Statement, _ source: SourceFile,
                     _ bindings: [String: Value], _ interruptBaseline: UInt64?) -> ([EngineOutput], [Diagnostic]?)? {
        let interrupted = interruptBaseline.map { interruptFlag.generation != $0 } ?? interruptFlag.isSet
        func refuse(_ what: String) -> ([EngineOutput], [Diagnostic]?) {
            ([], [Diagnostic(.semantic, "\(what) runs only in memory; this session runs on \(server.displayName) (switch with '.engine memory')",
                             at: statement.range)])
        }
        switch statement.kind {
        case .query, .load, .insert, .update, .delete, .createEntity:
            if interrupted { return ([], [Diagnostic(.interrupted, "interrupted", at: statement.range)]) }
        default:
            break
        }
        switch statement.kind {
        case .query:
            return serverQuery(server, statement, source, bindings)
        case .load(let entity, _, _):
            return serverLoad(server, entity.text, statement, source, bindings)
        case .insert(let entity, _, _):
            return serverInsert(server, entity.text, statement, source, bindings)
        case .update(let entity, let assignments, let condition):
            return serverUpdate(server, entity, assignments, condition, statement, source, bindings)
        case .delete(let entity, let condition, let cascade):
            return serverDelete(server, entity, condition, cascade, statement, source, bindings)
        case .createEntity(let name, _):
            return serverCreateEntity(server, name.text, statement, source, bindings)
        case .showEntities:
            return serverShowEntities(server, statement, source, bindings)
        case .explain(_, let analyze): return refuse(analyze ? "'explain analyze'" : "'explain' (the in-memory plan; 'explain sql' shows the server's statement)")
        case .export, .exportChart: return refuse("'export'")
        case .save, .open, .openDatabase: return refuse("a snapshot or database file")
        case .model: return refuse("'model'")
        case .createIndex, .dropIndex: return refuse("an index (the server keeps its own)")
        default:
            return nil
        }
    }

    private func serverQuery(_ server: any QueryEngine, _ statement: Statement, _ source: SourceFile,
                             _ bindings: [String: Value]) -> ([EngineOutput], [Diagnostic]?) {
        let compiled: ServerStatement
        switch compileForServer(statement, source, bindings) {
        case .success(let statement): compiled = statement
        case .failure(let problems): return ([], problems.diagnostics)
        }
        let limits = self.limits
        let query = ServerQuery(sql: compiled.sql, parameters: compiled.parameters, columnNames: compiled.columnNames,
                                valueTypes: compiled.valueTypes, tables: compiled.entities)
        let rows: [[Value]]
        do {
            rows = try server.run(query, timeLimit: limits.timeLimit)
        } catch {
            return ([], [serverDiagnostic(error, statement.range, limits)])
        }
        do {
            try limits.checkResultRows(rows.count, statement.range)
        } catch {
            return ([], Database.diagnostics(error, statement))
        }
        var columns = compiled.columnTypes.indices.map { index in
            Column.make(type: compiled.columnTypes[index], values: rows.map { index < $0.count ? $0[index] : .null },
                        keyType: compiled.valueTypes[index])
        }
        // How the in-memory engine would show these columns (money with two
        // places, keys without separators, months as months) is known from
        // the query alone: it runs here over the session's empty entities,
        // whose money fields are marked as the server's are.
        let local = read { interpreter -> [Column]? in
            var shown: [Column]?
            try? interpreter.execute(statement, source, binding: bindings) { output in
                if case .rows(_, let made) = output { shown = made }
            }
            return shown
        }
        if let local, local.count == columns.count {
            for index in columns.indices {
                columns[index].style = local[index].style
                columns[index].period = local[index].period
            }
        }
        return ([.rows(names: compiled.columnNames, columns: columns)], nil)
    }

    /// `show entities` with each table's row count from the server (the
    /// session's entities are empty).
    private func serverShowEntities(_ server: any QueryEngine, _ statement: Statement, _ source: SourceFile,
                                    _ bindings: [String: Value]) -> ([EngineOutput], [Diagnostic]?) {
        let (outputs, problems) = read { interpreter in Database.run(statement, source, bindings, nil, on: interpreter) }
        guard problems == nil, case .rows(let names, var columns)? = outputs.first,
              let entityColumn = names.firstIndex(of: "entity"), let rowsColumn = names.firstIndex(of: "rows") else { return (outputs, problems) }
        let limits = self.limits
        var counts: [Value] = []
        for row in 0..<(columns[entityColumn].count) {
            guard case .text(let table) = columns[entityColumn].value(at: row) else { counts.append(.null); continue }
            let sql = "SELECT count(*) FROM \(SQLText.identifier(table))"
            do {
                let answer = try server.run(ServerQuery(sql: sql, columnNames: ["rows"], valueTypes: [.int]), timeLimit: limits.timeLimit)
                counts.append(answer.first?.first ?? .null)
            } catch {
                return ([], [serverDiagnostic(error, statement.range, limits)])
            }
        }
        var counted = Column.make(type: .int, values: counts)
        counted.style = columns[rowsColumn].style
        columns[rowsColumn] = counted
        return ([.rows(names: names, columns: columns)] + outputs.dropFirst(), nil)
    }

    /// A query compiled for the server, bound on a reader of the session.
    func compileForServer(_ statement: Statement, _ source: SourceFile, _ bindings: [String: Value]) -> Result<ServerStatement, DiagnosticList> {
        read { interpreter in
            do {
                guard let compiled = try interpreter.serverStatement(statement, source, binding: bindings) else {
                    return .failure(DiagnosticList([Diagnostic(.semantic, "not a query", at: statement.range)]))
                }
                return .success(compiled)
            } catch {
                return .failure(DiagnosticList(Database.diagnostics(error, statement)))
            }
        }
    }

    static func diagnostics(_ error: any Error, _ statement: Statement) -> [Diagnostic] {
        if let list = error as? DiagnosticList { return list.diagnostics }
        if let diagnostic = error as? Diagnostic {
            return [diagnostic.range == nil ? Diagnostic(diagnostic.phase, diagnostic.message, at: statement.range) : diagnostic]
        }
        return [Diagnostic(.runtime, ErrorText.of(error), at: statement.range)]
    }

    /// A server's failure as the error of the statement that met it: a
    /// time limit and an interrupt read as they do in memory.
    func serverDiagnostic(_ failure: any Error, _ range: SourceRange, _ limits: Limits) -> Diagnostic {
        guard let error = failure as? QueryEngineError else { return Diagnostic(.runtime, ErrorText.of(failure), at: range) }
        switch error.kind {
        case .timeout:
            let limit = limits.timeLimit.map { " of \(ExecutionLimits.describe($0))" } ?? ""
            return Diagnostic(.limit, "the statement ran longer than the time limit\(limit)", at: range)
        case .cancelled:
            return Diagnostic(.interrupted, "interrupted", at: range)
        case .connection:
            return Diagnostic(.io, error.message, at: range)
        case .schema:
            return Diagnostic(.semantic, error.message, at: range)
        case .server, .constraint:
            return Diagnostic(.runtime, error.message, at: range)
        }
    }
}
