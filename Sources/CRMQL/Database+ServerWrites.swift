import CRMQLCore
import CRMQLEngine
import CRMQLStorage
import CRMQLSyntax

// Changes on a server. Each statement is first run where crmql's own rules
// check it, so its errors are the in-memory engine's, with their carets: a
// `load` or `insert` in a scratch session holding just the target's shape
// (which parses the file and converts every value as in memory), an
// `update` or `delete` in this session over its empty entities. Then one
// transaction carries the change to the server: rows through `COPY`, an
// update or delete as one statement over the compiled `where`.

extension Database {
    func serverLoad(_ server: any QueryEngine, _ name: String, _ statement: Statement, _ source: SourceFile,
                    _ bindings: [String: Value]) -> ([EngineOutput], [Diagnostic]?) {
        serverAppend(server, name, statement, source, bindings)
    }

    func serverInsert(_ server: any QueryEngine, _ name: String, _ statement: Statement, _ source: SourceFile,
                      _ bindings: [String: Value]) -> ([EngineOutput], [Diagnostic]?) {
        serverAppend(server, name, statement, source, bindings)
    }

    /// `load` and `insert`: the rows made in a scratch session, sent with `COPY`.
    private func serverAppend(_ server: any QueryEngine, _ name: String, _ statement: Statement, _ source: SourceFile,
                              _ bindings: [String: Value]) -> ([EngineOutput], [Diagnostic]?) {
        let limits = self.limits
        return write { interpreter -> ([EngineOutput], [Diagnostic]?) in
            let existing = interpreter.storedEntity(name)
            // Refs become their keys' type: the scratch session has no
            // parents' rows to check them against; the server's keys do.
            let scratch = Interpreter(options: interpreter.sessionOptions, interrupt: interruptFlag)
            var outputs: [EngineOutput] = []
            do {
                if let existing { try scratch.declareEntity(name, fields: Database.keyTyped(existing.fields, interpreter)) }
                try scratch.execute(statement, source, binding: bindings) { outputs.append($0) }
            } catch {
                return ([], Database.diagnostics(error, statement))
            }
            guard let made = scratch.storedEntity(name) else {
                return ([], [Diagnostic(.runtime, "no rows were made for '\(name)'", at: statement.range)])
            }
            var changes: [ServerChange] = []
            var sessionFields = made.fields
            if existing == nil {
                sessionFields = Database.inferringRefs(made.fields, of: name, interpreter)
                changes.append(.createTable(name: name, fields: made.fields.map(Database.schemaField)))
            }
            changes.append(.copy(table: name, rows: ResultSet(columnNames: made.fields.map(\.name), columns: made.columns)))
            changes += Database.integrityChecks(name, existing.map { $0.fields } ?? Database.inferringRefs(made.fields, of: name, interpreter), interpreter)
            do {
                _ = try server.write(changes, timeLimit: limits.timeLimit)
            } catch {
                return ([], [serverDiagnostic(error, Database.entityRange(statement) ?? statement.range, limits)])
            }
            if existing == nil {
                let money = Set(made.fields.indices.filter { made.fields[$0].type == .number && ScaledDecimals(column: made.columns[$0]) != nil }
                    .map { made.fields[$0].name })
                try? interpreter.declareEntity(name, fields: sessionFields, money: money)
            } else {
                refreshMoney(server, [name], interpreter)
            }
            return (outputs, nil)
        }
    }

    /// `create entity`: made in the session (which checks it), then on the
    /// server; forgotten again when the server refuses it.
    func serverCreateEntity(_ server: any QueryEngine, _ name: String, _ statement: Statement, _ source: SourceFile,
                            _ bindings: [String: Value]) -> ([EngineOutput], [Diagnostic]?) {
        let limits = self.limits
        return write { interpreter -> ([EngineOutput], [Diagnostic]?) in
            var outputs: [EngineOutput] = []
            do {
                try interpreter.execute(statement, source, binding: bindings) { outputs.append($0) }
            } catch {
                return ([], Database.diagnostics(error, statement))
            }
            guard let made = interpreter.storedEntity(name) else { return (outputs, nil) }
            do {
                _ = try server.write([.createTable(name: name, fields: Database.keyTyped(made.fields, interpreter).map(Database.schemaField))],
                                     timeLimit: limits.timeLimit)
            } catch {
                interpreter.removeEntity(name)
                return ([], [serverDiagnostic(error, statement.range, limits)])
            }
            return (outputs, nil)
        }
    }

    func serverUpdate(_ server: any QueryEngine, _ entityName: Name, _ assignments: [Assignment], _ condition: Expr?,
                      _ statement: Statement, _ source: SourceFile, _ bindings: [String: Value]) -> ([EngineOutput], [Diagnostic]?) {
        let limits = self.limits
        return write { interpreter -> ([EngineOutput], [Diagnostic]?) in
            // Checked here first: the entity is empty, so nothing changes.
            do {
                try interpreter.execute(statement, source, binding: bindings) { _ in }
            } catch {
                return ([], Database.diagnostics(error, statement))
            }
            guard let entity = interpreter.storedEntity(entityName.text), let key = entity.keyFieldIndex else {
                return ([], [Diagnostic(.semantic, "an update on a server needs the entity to have a key", at: entityName.range)])
            }
            var shown = ["\(Database.crmqlName(entity.fields[key].name)) as k0"]
            var sets: [String] = []
            for (index, assignment) in assignments.enumerated() {
                guard let field = entity.fields.first(where: { $0.name == assignment.field.text }) else { continue }
                shown.append("(\(Database.assignedText(assignment.value, field, entity, source))) as v\(index + 1)")
                let type = Database.keyTyped([field], interpreter)[0].type
                sets.append("\(SQLText.identifier(field.name)) = CAST(u.\(SQLText.identifier("v\(index + 1)")) AS \(SQLText.typeName(type)))")
            }
            let whereText = condition.map { " where " + Database.text(of: $0.range, source) } ?? ""
            let queryText = "select \(Database.crmqlName(entity.name))\(whereText) show \(shown.joined(separator: ", "))"
            let compiled: ServerStatement
            switch compileSynthetic(interpreter, queryText, source, bindings, statement) {
            case .success(let made): compiled = made
            case .failure(let list): return ([], list.diagnostics)
            }
            let table = SQLText.identifier(entity.name), keyColumn = SQLText.identifier(entity.fields[key].name)
            let range = entityName.range
            let sql = "UPDATE \(table) AS t SET \(sets.joined(separator: ", "))\nFROM (\n\(compiled.sql)\n) AS u\nWHERE t.\(keyColumn) = u.\(SQLText.identifier("k0"))"
            do {
                let counts = try server.write([.statement(sql: sql, parameters: compiled.parameters)] + Database.integrityChecks(entity.name, entity.fields, interpreter),
                                              timeLimit: limits.timeLimit)
                refreshMoney(server, [entity.name], interpreter)
                return ([.message(Database.countMessage(counts.first ?? 0, entity.name, "updated"))], nil)
            } catch {
                return ([], [serverDiagnostic(error, range, limits)])
            }
        }
    }

    func serverDelete(_ server: any QueryEngine, _ entityName: Name, _ condition: Expr?, _ cascade: Bool,
                      _ statement: Statement, _ source: SourceFile, _ bindings: [String: Value]) -> ([EngineOutput], [Diagnostic]?) {
        let limits = self.limits
        return write { interpreter -> ([EngineOutput], [Diagnostic]?) in
            do {
                try interpreter.execute(statement, source, binding: bindings) { _ in }
            } catch {
                return ([], Database.diagnostics(error, statement))
            }
            guard let entity = interpreter.storedEntity(entityName.text), let key = entity.keyFieldIndex else {
                return ([], [Diagnostic(.semantic, "a delete on a server needs the entity to have a key", at: entityName.range)])
            }
            let whereText = condition.map { " where " + Database.text(of: $0.range, source) } ?? ""
            let queryText = "select \(Database.crmqlName(entity.name))\(whereText) show \(Database.crmqlName(entity.fields[key].name)) as k0"
            let compiled: ServerStatement
            switch compileSynthetic(interpreter, queryText, source, bindings, statement) {
            case .success(let made): compiled = made
            case .failure(let list): return ([], list.diagnostics)
            }
            // The rows to delete as key subqueries, children first: each
            // child relation's rows that refer to a doomed row.
            let doomedKeys = "SELECT \(SQLText.identifier("k0")) FROM (\n\(compiled.sql)\n) AS d"
            var plan: [(entity: String, keys: String, keyColumn: String)] = []
            var pending: [(String, String, String)] = [(entity.name, doomedKeys, entity.fields[key].name)]
            var changes: [ServerChange] = []
            var order: [String] = []
            while let (parent, keys, _) = pending.popLast() {
                for childName in interpreter.storedEntityNames {
                    guard let child = interpreter.storedEntity(childName) else { continue }
                    for field in child.fields {
                        guard case .ref(let target) = field.type, target == parent, childName != parent else { continue }
                        let childKey = child.keyFieldIndex.map { child.fields[$0].name }
                        let referencing = "SELECT \(childKey.map(SQLText.identifier) ?? "*") FROM \(SQLText.identifier(childName)) WHERE \(SQLText.identifier(field.name)) IN (\(keys))"
                        if !cascade {
                            let count = "SELECT count(*) FROM \(SQLText.identifier(childName)) WHERE \(SQLText.identifier(field.name)) IN (\(keys))"
                            do {
                                let counted = try server.run(ServerQuery(sql: count, parameters: compiled.parameters, columnNames: ["count"], valueTypes: [.int]),
                                                             timeLimit: limits.timeLimit)
                                if case .int(let n)? = counted.first?.first, n > 0 {
                                    let parents = try server.run(ServerQuery(sql: "SELECT count(*) FROM (\(keys)) AS p", parameters: compiled.parameters,
                                                                             columnNames: ["count"], valueTypes: [.int]), timeLimit: limits.timeLimit)
                                    let parentCount: Int64 = if case .int(let p)? = parents.first?.first { p } else { 0 }
                                    let phrase = parentCount == 1 ? "that \(Database.singular(parent))" : "those \(parent)"
                                    return ([], [Diagnostic(.runtime, "cannot delete: \(n) \(childName) refer to \(phrase); add 'cascade' to delete them too",
                                                            at: entityName.range)])
                                }
                            } catch {
                                return ([], [serverDiagnostic(error, statement.range, limits)])
                            }
                        } else if let childKey {
                            pending.append((childName, referencing, childKey))
                            plan.append((childName, "\(SQLText.identifier(field.name)) IN (\(keys))", childKey))
                        }
                    }
                }
            }
            // Deepest children first, so no row is left pointing at a deleted one.
            for step in plan.reversed() {
                changes.append(.statement(sql: "DELETE FROM \(SQLText.identifier(step.entity)) WHERE \(step.keys)", parameters: compiled.parameters))
                order.append(step.entity)
            }
            changes.append(.statement(sql: "DELETE FROM \(SQLText.identifier(entity.name)) WHERE \(SQLText.identifier(entity.fields[key].name)) IN (\(doomedKeys))",
                                      parameters: compiled.parameters))
            do {
                let counts = try server.write(changes, timeLimit: limits.timeLimit)
                refreshMoney(server, [entity.name] + order, interpreter)
                var message = Database.countMessage(counts.last ?? 0, entity.name, "deleted")
                var cascaded: [String: Int] = [:]
                for (name, count) in zip(order, counts) { cascaded[name, default: 0] += count }
                let shown = cascaded.filter { $0.value > 0 }.sorted { $0.key < $1.key }
                if !shown.isEmpty { message += " (and " + shown.map { "\($0.value) \($0.key)" }.joined(separator: ", ") + ")" }
                return ([.message(message)], nil)
            } catch {
                return ([], [serverDiagnostic(error, statement.range, limits)])
            }
        }
    }

    /// After a change: which number fields of the tables hold money now
    /// (a deleted row may have been the one that was not).
    private func refreshMoney(_ server: any QueryEngine, _ tables: [String], _ interpreter: Interpreter) {
        for table in Set(tables) {
            guard let entity = interpreter.storedEntity(table) else { continue }
            let numbers = entity.fields.filter { $0.type == .number }.map(\.name)
            guard !numbers.isEmpty, let money = try? server.moneyFields(of: table, among: numbers) else { continue }
            interpreter.setMoneyFields(table, money)
        }
    }

    /// A query written for a change (its `where` and values as the user
    /// wrote them), compiled for the server.
    private func compileSynthetic(_ interpreter: Interpreter, _ text: String, _ original: SourceFile, _ bindings: [String: Value],
                                  _ statement: Statement) -> Result<ServerStatement, DiagnosticList> {
        let source = SourceFile(name: original.name, text: text)
        let (script, problems) = Parser.parse(source)
        guard problems.isEmpty, let query = script.statements.first else {
            return .failure(DiagnosticList([Diagnostic(.semantic, "this change has no SQL translation", at: statement.range)]))
        }
        do {
            guard let compiled = try interpreter.serverStatement(query, source, binding: bindings) else {
                return .failure(DiagnosticList([Diagnostic(.semantic, "this change has no SQL translation", at: statement.range)]))
            }
            return .success(compiled)
        } catch {
            // The change bound in the session already, so what fails here is
            // a translation: said at the statement, as the text differs.
            let message = Database.diagnostics(error, query).first?.message ?? "this change has no SQL translation"
            return .failure(DiagnosticList([Diagnostic(.semantic, message, at: statement.range)]))
        }
    }

    /// The checks that keep crmql's rules after a change to `table` on a
    /// server whose tables may not enforce them: keys unique, refs pointing
    /// at a row. Worded as the in-memory engine words them.
    static func integrityChecks(_ table: String, _ fields: [Field], _ interpreter: Interpreter) -> [ServerChange] {
        var checks: [ServerChange] = []
        let t = SQLText.identifier(table)
        if let key = fields.first(where: \.isKey) {
            let k = SQLText.identifier(key.name)
            checks.append(.refuseIf(sql: "SELECT \(k) FROM \(t) WHERE \(k) IS NOT NULL GROUP BY \(k) HAVING count(*) > 1 LIMIT 1",
                                    message: "duplicate key {} in \(table)"))
        }
        for field in fields {
            guard case .ref(let parent) = field.type,
                  let parentKey = (parent == table ? fields : interpreter.storedEntity(parent)?.fields)?.first(where: \.isKey) else { continue }
            let f = SQLText.identifier(field.name)
            checks.append(.refuseIf(sql: "SELECT c.\(f) FROM \(t) AS c WHERE c.\(f) IS NOT NULL AND NOT EXISTS (SELECT 1 FROM \(SQLText.identifier(parent)) AS p WHERE p.\(SQLText.identifier(parentKey.name)) = c.\(f)) LIMIT 1",
                                    message: "\(field.name) {} does not exist in \(parent)"))
        }
        return checks
    }

    /// Where a change's errors about its rows point: the entity's name.
    static func entityRange(_ statement: Statement) -> SourceRange? {
        switch statement.kind {
        case .insert(let entity, _, _), .load(let entity, _, _): return entity.range
        default: return nil
        }
    }

    /// An assigned value as query text: a bare enum symbol (`set stage =
    /// mature`) becomes its text, which a query would take for a field.
    private static func assignedText(_ value: Expr, _ field: Field, _ entity: Entity, _ source: SourceFile) -> String {
        if case .identifier(let name, _) = value.kind, case .enumeration(let type) = field.type,
           type.code(of: name) != nil, entity.fieldIndex(name) == nil {
            return "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return text(of: value.range, source)
    }

    static func text(of range: SourceRange, _ source: SourceFile) -> String {
        String(decoding: source.bytes[range.start..<range.end], as: UTF8.self)
    }

    /// A name as crmql source: bare when plain, else backquoted.
    static func crmqlName(_ name: String) -> String {
        let plain = name.first.map { $0.isLetter || $0 == "_" } == true && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
        return plain ? name : "`" + name.filter { $0 != "`" } + "`"
    }

    /// Fields with each ref as its parent's key type.
    static func keyTyped(_ fields: [Field], _ interpreter: Interpreter) -> [Field] {
        fields.map { field in
            guard case .ref(let parent) = field.type else { return field }
            return Field(name: field.name, type: interpreter.keyType(of: parent), isKey: field.isKey)
        }
    }

    /// A new entity's fields with a column named like an existing entity
    /// in the singular, of its key's type, made a ref, as `load` does in memory.
    static func inferringRefs(_ fields: [Field], of entity: String, _ interpreter: Interpreter) -> [Field] {
        let parents = interpreter.storedEntityNames.filter { $0 != entity }
        return fields.map { field in
            guard !field.isKey, let parent = parents.first(where: { singular($0) == field.name }),
                  let parentEntity = interpreter.storedEntity(parent), parentEntity.keyFieldIndex != nil,
                  interpreter.keyType(of: parent) == field.type else { return field }
            return Field(name: field.name, type: .ref(parent), isKey: false)
        }
    }

    static func schemaField(_ field: Field) -> Schema.Field {
        Schema.Field(name: field.name, type: field.type, isKey: field.isKey)
    }

    static func singular(_ entity: String) -> String {
        entity.hasSuffix("s") && entity.count > 1 ? String(entity.dropLast()) : entity
    }

    /// `3 customers updated`, worded as in memory.
    static func countMessage(_ count: Int, _ entity: String, _ verb: String) -> String {
        "\(count) \(count == 1 ? singular(entity) : entity) \(verb)"
    }
}

/// PostgreSQL spellings the changes need.
enum SQLText {
    static func identifier(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    static func typeName(_ type: DataType) -> String {
        switch type {
        case .int, .ref: return "BIGINT"
        case .number: return "DOUBLE PRECISION"
        case .text, .enumeration, .null: return "TEXT"
        case .bool: return "BOOLEAN"
        case .date: return "DATE"
        case .datetime: return "TIMESTAMP"
        }
    }
}
