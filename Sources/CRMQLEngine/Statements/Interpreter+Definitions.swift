import CRMQLCore
import CRMQLStorage
import CRMQLSyntax

extension Interpreter {
    func defineLet(_ name: Name, _ query: Query, _ statement: Statement, _ source: SourceFile) throws {
        if state.store[name.text] != nil {
            throw Diagnostic.semantic("'\(name.text)' is already an entity", name.range)
        }
        let definition = LetQuery(name: name.text, query: query, source: source, text: normalizedText(source, query.range))
        let previous = state.lets[name.text]
        state.lets[name.text] = definition
        // Binding now reports a typo at the `let`, not at its first use.
        do { _ = try runner(source).resolveSource(Query(source: .named(name), range: name.range)) } catch {
            state.lets[name.text] = previous
            throw error
        }
    }

    func declareParameter(_ name: Name, _ value: Expr, _ source: SourceFile) throws {
        let parameterName = name.text.hasPrefix("$") ? String(name.text.dropFirst()) : name.text
        // A host's value wins over the script's default.
        if let override = parameterOverrides[parameterName] {
            state.parameters[parameterName] = Interpreter.literal(fromText: override)
            // Kept for a database file when it can be computed; a default
            // that fails while overridden never failed before either.
            if let declared = try? constant(value, source, what: "a parameter's default") { state.parameterDefaults[parameterName] = declared }
            return
        }
        let declared = try constant(value, source, what: "a parameter's default")
        state.parameters[parameterName] = declared
        state.parameterDefaults[parameterName] = declared
    }

    /// Evaluates an expression that may use no fields: literals, parameters,
    /// `today`, arithmetic on them.
    /// With `field`, a bare identifier names one of its enum's symbols.
    func constant(_ expr: Expr, _ source: SourceFile, what: String, field: Field? = nil) throws -> Value {
        let catalog = makeCatalog()
        let empty = Entity(name: "", fields: [])
        let binder = Binder(catalog: catalog, source: source)
        let bound = try field.map { try binder.bindComparandForAssignment(expr, field: $0, scope: Scope(entity: empty)) }
            ?? binder.bind(expr, in: Scope(entity: empty))
        let evaluator = Evaluator(catalog: catalog, services: services)
        let column = try evaluator.evaluate(bound, EvalContext(entity: empty, rows: [0]))
        guard column.count >= 1 else { throw Diagnostic.semantic("\(what) must be a value", expr.range) }
        return column.value(at: 0)
    }

    func set(_ name: Name, _ value: Expr, _ source: SourceFile) throws {
        switch name.text.lowercased() {
        case "today":
            guard case .date(let days) = try constant(value, source, what: "today") else {
                throw Diagnostic.semantic("today must be a date, as in set today = 2026-06-30", value.range)
            }
            state.today = days
            state.todayIsSet = true
        case "fiscal_year_start":
            guard case .int(let month) = try constant(value, source, what: "fiscal_year_start"), (1...12).contains(month) else {
                throw Diagnostic.semantic("fiscal_year_start must be a month number from 1 to 12", value.range)
            }
            state.fiscalYearStart = Int(month)
        case "fast_paths":
            // `on`/`off` read as words; `true`/`false` as booleans.
            switch value.kind {
            case .identifier(let word, _) where ["on", "off"].contains(word.lowercased()):
                state.fastPaths = word.lowercased() == "on"
            case .literal(.bool(let on)):
                state.fastPaths = on
            default:
                throw Diagnostic.semantic("fast_paths is on or off, as in set fast_paths = off", value.range)
            }
        case "threads":
            // How many threads a statement's big loops use; any count gives
            // the same answers (see `Parallelism`).
            guard case .int(let count) = try constant(value, source, what: "threads"),
                  count >= 1, count <= Int64(Parallelism.maximumThreads) else {
                throw Diagnostic.semantic("threads must be a number from 1 to \(Parallelism.maximumThreads), as in set threads = 2", value.range)
            }
            state.parallelism.threads = Int(count)
        case "number_format":
            // A word, as `.format` takes it: `set number_format = plain`.
            var word: String?
            switch value.kind {
            case .identifier(let text, _): word = text
            case .literal(.text(let text)): word = text
            default: word = nil
            }
            guard let word, Interpreter.numberFormats.contains(word.lowercased()) else {
                throw Diagnostic.semantic("number_format is readable (rounded, grouped by thousands) or plain (every digit)", value.range)
            }
            state.numberFormat = word.lowercased()
        default:
            throw Diagnostic.semantic(Suggestion.message("unknown setting '\(name.text)'", for: name.text,
                                                         among: ["today", "fiscal_year_start", "fast_paths", "threads", "number_format"]), name.range)
        }
    }

    func define(_ entityName: Name, _ field: Name, _ expr: Expr, _ source: SourceFile, fromPrelude: Bool = false) throws {
        guard let entity = state.store[entityName.text] else {
            throw Diagnostic.semantic(Suggestion.message("unknown entity '\(entityName.text)'", for: entityName.text, among: state.store.entityNames), entityName.range)
        }
        if entity.fieldIndex(field.text) != nil {
            throw Diagnostic.semantic("'\(field.text)' is a stored field of \(entityName.text); a computed field needs another name", field.range)
        }
        let definition = Definition(entity: entityName.text, name: field.text, expr: expr, source: source,
                                    usesParameters: Lexer.tokenize(SourceFile(name: "", text: source.text(of: expr.range))).tokens
                                        .contains { $0.kind == .parameter },
                                    text: normalizedText(source, expr.range), fromPrelude: fromPrelude)
        var list = state.definitions[entityName.text] ?? []
        if let index = list.firstIndex(where: { $0.name == field.text }) { list[index] = definition } else { list.append(definition) }
        state.definitions[entityName.text] = list
        state.definitionsGeneration = Interpreter.nextGeneration()
        // Checked now, against the schema as it is, so a typo fails here.
        var binder = Binder(catalog: makeCatalog(), source: source)
        do {
            _ = try binder.bindExpr(expr, Scope(entity: entity))
        } catch let diagnostic as Diagnostic where diagnostic.message.hasPrefix("circular definition") {
            throw Diagnostic.semantic(diagnostic.message, field.range)
        }
    }

    func createEntity(_ name: Name, _ declarations: [FieldDeclaration]) throws {
        if state.store[name.text] != nil {
            throw Diagnostic.semantic("entity '\(name.text)' already exists", name.range)
        }
        if state.lets[name.text] != nil {
            throw Diagnostic.semantic("'\(name.text)' is already a named query", name.range)
        }
        var fields: [Field] = []
        for declaration in declarations {
            if fields.contains(where: { $0.name == declaration.name.text }) {
                throw Diagnostic.semantic("field '\(declaration.name.text)' is declared twice", declaration.name.range)
            }
            let type = try resolveType(declaration.type, entityName: name.text)
            fields.append(Field(name: declaration.name.text, type: type, isKey: declaration.isKey))
        }
        if fields.filter(\.isKey).count > 1 {
            throw Diagnostic.semantic("an entity has at most one key", name.range)
        }
        if !fields.contains(where: \.isKey), let id = fields.firstIndex(where: { $0.name == "id" }) {
            fields[id].isKey = true
        }
        var entity = Entity(name: name.text, fields: fields)
        for (index, field) in fields.enumerated() {
            if case .ref(let parent) = field.type {
                entity.setColumn(index, Column(empty: field.type, keyType: makeCatalog().keyType(of: parent)))
            }
        }
        state.store[name.text] = entity
        loadPreludeIfReady()
    }

    func resolveType(_ syntax: TypeSyntax, entityName: String) throws -> DataType {
        switch syntax {
        case .named(let name):
            switch name.text.lowercased() {
            case "int", "integer": return .int
            case "number", "real", "double": return .number
            case "text", "string": return .text
            case "bool", "boolean": return .bool
            case "date": return .date
            case "datetime": return .datetime
            default:
                throw Diagnostic.semantic(Suggestion.message("unknown type '\(name.text)'", for: name.text,
                                                             among: ["int", "number", "text", "bool", "date", "datetime", "enum", "ref"]), name.range)
            }
        case .enumeration(let symbols, let range):
            guard !symbols.isEmpty else { throw Diagnostic.semantic("an enum needs at least one symbol", range) }
            var seen = Set<String>()
            for symbol in symbols where !seen.insert(symbol.text).inserted {
                throw Diagnostic.semantic("symbol '\(symbol.text)' appears twice", symbol.range)
            }
            return .enumeration(EnumType(symbols.map(\.text)))
        case .ref(let target, _):
            guard target.text == entityName || state.store[target.text] != nil else {
                throw Diagnostic.semantic(Suggestion.message("unknown entity '\(target.text)'", for: target.text, among: state.store.entityNames), target.range)
            }
            guard let parent = state.store[target.text], parent.keyFieldIndex != nil else {
                throw Diagnostic.semantic("'\(target.text)' has no key to refer to", target.range)
            }
            return .ref(target.text)
        }
    }

    func createIndex(_ entityName: Name, _ field: Name) throws {
        let (entity, _) = try entityAndField(entityName, field)
        let name = IndexName(entity: entity.name, field: field.text)
        if state.store.explicitIndexes.contains(name) {
            throw Diagnostic.semantic("an index on \(entity.name)(\(field.text)) already exists", field.range)
        }
        state.store.explicitIndexes.append(name)
        _ = services.indexes.sortedIndex(of: entity, field: field.text)
        // A build the statement's limits stopped left no index: fail now.
        try services.checkInterrupt()
    }

    func dropIndex(_ entityName: Name, _ field: Name) throws {
        let (entity, _) = try entityAndField(entityName, field)
        let name = IndexName(entity: entity.name, field: field.text)
        guard state.store.explicitIndexes.contains(name) else {
            throw Diagnostic.semantic("there is no index on \(entity.name)(\(field.text))", field.range)
        }
        state.store.explicitIndexes.removeAll { $0 == name }
    }

    func entity(_ name: Name) throws -> Entity {
        guard let entity = state.store[name.text] else {
            throw Diagnostic.semantic(Suggestion.message("unknown entity '\(name.text)'", for: name.text, among: state.store.entityNames), name.range)
        }
        return entity
    }

    func entityAndField(_ entityName: Name, _ field: Name) throws -> (Entity, Int) {
        let entity = try entity(entityName)
        guard let index = entity.fieldIndex(field.text) else {
            throw Diagnostic.semantic(Suggestion.message("unknown field '\(field.text)'", for: field.text, among: entity.fields.map(\.name)), field.range)
        }
        return (entity, index)
    }
}
