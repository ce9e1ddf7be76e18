import CRMQLCore
import CRMQLStorage
import CRMQLSyntax

extension Interpreter {
    func insert(_ entityName: Name, _ fieldNames: [Name], _ rows: [[Expr]], _ source: SourceFile) throws -> String {
        var entity = try entity(entityName)
        var positions: [Int] = []
        for name in fieldNames {
            guard let index = entity.fieldIndex(name.text) else {
                throw Diagnostic.semantic(Suggestion.message("unknown field '\(name.text)'", for: name.text, among: entity.fields.map(\.name)), name.range)
            }
            if positions.contains(index) { throw Diagnostic.semantic("field '\(name.text)' is listed twice", name.range) }
            positions.append(index)
        }
        // Without a field list, values go to every field in schema order.
        if fieldNames.isEmpty { positions = Array(entity.fields.indices) }
        var newRows: [[Value]] = []
        for row in rows {
            guard row.count == positions.count else {
                let range = row.first.map { r in row.dropFirst().reduce(r.range) { $0.union($1.range) } } ?? entityName.range
                throw Diagnostic.semantic("expected \(positions.count) values, found \(row.count)", range)
            }
            var values = [Value](repeating: .null, count: entity.fields.count)
            for (slot, expr) in row.enumerated() {
                let index = positions[slot]
                let value = try constant(expr, source, what: "an inserted value", field: entity.fields[index])
                values[index] = try conform(value, to: entity.fields[index], range: expr.range)
            }
            newRows.append(values)
        }
        let before = entity.rowCount
        entity.append(rows: newRows)
        try checkIntegrity(entity, newRows: before..<entity.rowCount, range: entityName.range)
        state.store[entity.name] = entity
        return countMessage(newRows.count, entity.name, "inserted")
    }

    func update(_ entityName: Name, _ assignments: [Assignment], _ condition: Expr?, _ source: SourceFile) throws -> String {
        var entity = try entity(entityName)
        let runner = runner(source)
        let scope = Scope(entity: entity)
        var rows = AllRows.of(count: entity.rowCount)
        if let condition {
            let bound = try runner.binder.bindCondition(condition, in: scope, clause: "where")
            rows = try runner.evaluator.filter(bound, EvalContext(entity: entity, rows: rows))
        }
        // Every new value is computed from the rows as they were, before any is written.
        var changes: [(Int, Column)] = []
        for assignment in assignments {
            guard let index = entity.fieldIndex(assignment.field.text) else {
                throw Diagnostic.semantic(Suggestion.message("unknown field '\(assignment.field.text)'", for: assignment.field.text,
                                                             among: entity.fields.map(\.name)), assignment.field.range)
            }
            if changes.contains(where: { $0.0 == index }) {
                throw Diagnostic.semantic("field '\(assignment.field.text)' is assigned twice", assignment.field.range)
            }
            let field = entity.fields[index]
            let bound = try runner.binder.bindComparandForAssignment(assignment.value, field: field, scope: scope)
            let values = try runner.evaluator.evaluate(bound, EvalContext(entity: entity, rows: rows)).expanded(to: rows.count)
            var column = entity.columns[index]
            // A column of the field's own type needs no conversion value
            // by value; a converted value (an int into a number field, a
            // symbol, a key of a ref) goes through `conform`.
            if !(values.type == field.type && Self.storesValuesAsIs(field.type) && column.replace(rows: rows, with: values)) {
                var converted: [Value] = []
                converted.reserveCapacity(rows.count)
                for row in 0..<rows.count {
                    converted.append(try conform(values.value(at: row), to: field, range: assignment.value.range))
                }
                column.replace(rows: rows, with: converted)
            }
            changes.append((index, column))
        }
        for (index, column) in changes { entity.setColumn(index, column) }
        if !rows.isEmpty { try checkUpdated(entity, changed: Set(changes.map(\.0)), rows: rows, range: entityName.range) }
        state.store[entity.name] = entity
        return countMessage(rows.count, entity.name, "updated")
    }

    func delete(_ entityName: Name, _ condition: Expr?, cascade: Bool, _ source: SourceFile) throws -> String {
        let entity = try entity(entityName)
        let runner = runner(source)
        var rows = AllRows.of(count: entity.rowCount)
        if let condition {
            let bound = try runner.binder.bindCondition(condition, in: Scope(entity: entity), clause: "where")
            rows = try runner.evaluator.filter(bound, EvalContext(entity: entity, rows: rows))
        }
        var doomed: [String: Set<Int32>] = [entity.name: Set(rows)]
        var pending = [entity.name]
        // Follow refs to the rows that point at deleted rows: an error
        // without cascade, more rows to delete with it.
        while let parentName = pending.popLast() {
            guard let parent = state.store[parentName], let parentRows = doomed[parentName], !parentRows.isEmpty else { continue }
            for child in state.store.allEntities {
                for (fieldIndex, field) in child.fields.enumerated() {
                    guard case .ref(let target) = field.type, target == parentName else { continue }
                    let positions = try services.refPositions(child: child, refField: fieldIndex, parent: parent)
                    var referencing: [Int32] = []
                    for (row, position) in positions.enumerated() where position >= 0 && parentRows.contains(position) {
                        referencing.append(Int32(row))
                    }
                    let alreadyDoomed = doomed[child.name] ?? []
                    let fresh = referencing.filter { !alreadyDoomed.contains($0) }
                    if fresh.isEmpty { continue }
                    if !cascade {
                        throw Diagnostic.runtime("cannot delete: \(fresh.count) \(child.name) refer to \(rowsPhrase(parentRows.count, parentName)); add 'cascade' to delete them too", entityName.range)
                    }
                    doomed[child.name, default: []].formUnion(fresh)
                    pending.append(child.name)
                }
            }
        }
        for (name, positions) in doomed where !positions.isEmpty {
            guard var target = state.store[name] else { continue }
            let keep = (0..<Int32(clamping: target.rowCount)).filter { !positions.contains($0) }
            target.keepRows(keep)
            state.store[name] = target
        }
        var message = countMessage(rows.count, entity.name, "deleted")
        let cascaded = doomed.filter { $0.key != entity.name && !$0.value.isEmpty }.sorted { $0.key < $1.key }
        if !cascaded.isEmpty {
            message += " (and " + cascaded.map { "\($0.value.count) \($0.key)" }.joined(separator: ", ") + ")"
        }
        return message
    }

    func rowsPhrase(_ count: Int, _ entity: String) -> String {
        count == 1 ? "that \(singular(entity))" : "those \(entity)"
    }

    func singular(_ entity: String) -> String {
        entity.hasSuffix("s") && entity.count > 1 ? String(entity.dropLast()) : entity
    }

    func countMessage(_ count: Int, _ entity: String, _ verb: String) -> String {
        "\(count) \(count == 1 ? singular(entity) : entity) \(verb)"
    }

    /// A value converted to a field's type, or an error naming the field.
    func conform(_ value: Value, to field: Field, range: SourceRange) throws -> Value {
        if value.isNull { return .null }
        func mismatch() -> Diagnostic {
            .semantic("field '\(field.name)' is \(field.type.kindName), but this is \(value.dataType.kindName)", range)
        }
        switch (field.type, value) {
        case (.int, .int), (.number, .number), (.text, .text), (.bool, .bool), (.date, .date), (.datetime, .datetime):
            return value
        case (.number, .int(let v)): return .number(Double(v))
        case (.int, .number(let v)):
            guard v == v.rounded(), abs(v) < 9.2e18 else { throw mismatch() }
            return .int(Int64(v))
        case (.datetime, .date(let d)): return .datetime(d &* 86_400)
        case (.date, .text(let t)):
            guard let d = DateParsing.parseDate(t) else { throw mismatch() }
            return .date(d)
        case (.datetime, .text(let t)):
            guard let s = DateParsing.parseDateTime(t) ?? DateParsing.parseDate(t).map({ $0 * 86_400 }) else { throw mismatch() }
            return .datetime(s)
        case (.enumeration(let type), .text(let t)):
            guard let code = type.code(of: t) else {
                throw Diagnostic.semantic(Suggestion.message("'\(t)' is not a value of \(field.name) \(type)", for: t, among: type.symbols), range)
            }
            return .symbol(code, type)
        case (.enumeration(let type), .symbol(let code, let other)):
            let symbol = other.symbols[Int(code)]
            guard let mapped = type.code(of: symbol) else { throw mismatch() }
            return .symbol(mapped, type)
        case (.text, .symbol): return .text(ValueFormatter.plain(value))
        case (.ref(let parent), _):
            let keyType = makeCatalog().keyType(of: parent)
            if case .int = keyType, case .int = value { return value }
            if case .text = keyType, case .text = value { return value }
            throw mismatch()
        default:
            throw mismatch()
        }
    }

    /// Whether `conform` returns every value of this type as it is.
    static func storesValuesAsIs(_ type: DataType) -> Bool {
        switch type {
        case .int, .number, .text, .bool, .date, .datetime: return true
        default: return false
        }
    }

    /// Keys stay unique and refs point at existing rows after a change.
    func checkIntegrity(_ entity: Entity, newRows: Range<Int>?, range: SourceRange) throws {
        try checkKey(entity, newRows: newRows, range: range)
        for index in entity.fields.indices {
            try checkRef(entity, field: index, rows: newRows.map { $0.map { Int32($0) } }, range: range)
        }
    }

    /// `checkIntegrity` after an `update` wrote `rows` of the fields
    /// `changed`: only what the update can have broken is read, since the
    /// rest held when it was written. The key is checked when it changed;
    /// a ref at the written rows when it changed, and at every row when it
    /// refers to its own entity and the key changed.
    func checkUpdated(_ entity: Entity, changed: Set<Int>, rows: [Int32], range: SourceRange) throws {
        let keyChanged = entity.keyFieldIndex.map(changed.contains) ?? false
        if keyChanged { try checkKey(entity, newRows: nil, range: range) }
        for (index, field) in entity.fields.enumerated() {
            guard case .ref(let parentName) = field.type else { continue }
            if keyChanged && parentName == entity.name {
                try checkRef(entity, field: index, rows: nil, range: range)
            } else if changed.contains(index) {
                try checkRef(entity, field: index, rows: rows, range: range)
            }
        }
    }

    /// The key is never null in `newRows` (every row when nil) and unique.
    private func checkKey(_ entity: Entity, newRows: Range<Int>?, range: SourceRange) throws {
        if let key = entity.keyFieldIndex {
            let column = entity.columns[key]
            var seen = Set<Value>()
            for row in 0..<entity.rowCount {
                let value = column.value(at: row)
                if value.isNull {
                    if newRows?.contains(row) ?? true { throw Diagnostic.runtime("key '\(entity.fields[key].name)' of \(entity.name) cannot be null", range) }
                    continue
                }
                if !seen.insert(value).inserted {
                    throw Diagnostic.runtime("duplicate key \(ValueFormatter.plain(value)) in \(entity.name)", range)
                }
            }
        }
    }

    /// Field `index`, when a ref, points at an existing row at `rows` (every
    /// row when nil), or is null there.
    private func checkRef(_ entity: Entity, field index: Int, rows: [Int32]?, range: SourceRange) throws {
        let field = entity.fields[index]
        guard case .ref(let parentName) = field.type, let parent = state.store[parentName] ?? (parentName == entity.name ? entity : nil) else { return }
        let positions = try services.refPositions(child: entity, refField: index, parent: parentName == entity.name ? entity : parent)
        let column = entity.columns[index]
        func check(_ row: Int) throws {
            if positions[row] < 0 && !column.isNull(row) {
                throw Diagnostic.runtime("\(field.name) \(ValueFormatter.plain(column.value(at: row))) does not exist in \(parentName)", range)
            }
        }
        if let rows {
            for row in rows { try check(Int(row)) }
        } else {
            for row in 0..<entity.rowCount { try check(row) }
        }
    }
}

extension Binder {
    /// The value of `set field = expr`: a bare enum symbol names the symbol,
    /// as in `set stage = churned`.
    func bindComparandForAssignment(_ expr: Expr, field: Field, scope: Scope) throws -> BoundExpr {
        var copy = self
        let placeholder = BoundExpr(.constant(.null), field.type, expr.range)
        return try copy.bindComparand(expr, against: placeholder, scope)
    }
}
