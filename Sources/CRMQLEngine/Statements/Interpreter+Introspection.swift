import CRMQLCore
import CRMQLStorage
import CRMQLSyntax
import Foundation

extension Interpreter {
    /// `describe customers`: stored fields, computed fields with their
    /// definitions, and relations.
    func describe(_ name: Name) throws -> QueryOutput {
        let entity = try entity(name)
        let catalog = makeCatalog()
        var fields: [Value] = [], types: [Value] = [], kinds: [Value] = [], definitions: [Value] = []
        for field in entity.fields {
            fields.append(.text(field.name))
            types.append(.text(field.type.description))
            kinds.append(.text(field.isKey ? "key" : "stored"))
            definitions.append(.null)
        }
        for definition in state.definitions[entity.name] ?? [] {
            var binder = Binder(catalog: catalog, source: definition.source)
            let type = (try? binder.computedType(entity: entity.name, field: definition.name, definition.expr.range))?.description ?? "?"
            fields.append(.text(definition.name))
            types.append(.text(type))
            kinds.append(.text(definition.fromPrelude ? "computed (prelude)" : "computed"))
            definitions.append(.text(definition.text))
        }
        for child in catalog.relations(of: entity.name) {
            guard let relation = catalog.relation(of: entity.name, named: child), let childEntity = state.store[child] else { continue }
            fields.append(.text(child))
            types.append(.text("relation"))
            kinds.append(.text("relation"))
            definitions.append(.text("\(child) where \(childEntity.fields[relation.refField].name) = this"))
        }
        return textTable(["field", "type", "kind", "definition"], [fields, types, kinds, definitions])
    }

    func showEntities() -> QueryOutput {
        let entities = state.store.allEntities
        return QueryOutput(names: ["entity", "rows", "fields"], columns: [
            Column.make(type: .text, values: entities.map { .text($0.name) }),
            Column.make(type: .int, values: entities.map { .int(Int64($0.rowCount)) }),
            Column.make(type: .int, values: entities.map { .int(Int64($0.fields.count)) }),
        ])
    }

    /// Explicit indexes and the ones the engine keeps on its own.
    func showIndexes() -> QueryOutput {
        var entities: [Value] = [], fields: [Value] = [], kinds: [Value] = []
        for entity in state.store.allEntities {
            for field in entity.fields {
                var kind: String?
                if field.isKey { kind = "key (hash)" } else if case .ref = field.type { kind = "ref (adjacency)" } else if case .enumeration = field.type { kind = "enum (postings)" }
                if state.store.explicitIndexes.contains(IndexName(entity: entity.name, field: field.name)) { kind = "explicit (sorted)" }
                if let kind {
                    entities.append(.text(entity.name)); fields.append(.text(field.name)); kinds.append(.text(kind))
                }
            }
        }
        return textTable(["entity", "field", "kind"], [entities, fields, kinds])
    }

    func textTable(_ names: [String], _ columns: [[Value]]) -> QueryOutput {
        QueryOutput(names: names, columns: columns.map { Column.make(type: .text, values: $0) })
    }

    /// `explain`: the physical plan that runs the query, printed from the
    /// plan itself; `explain analyze` runs that plan and annotates each
    /// operator with the rows it gave and the time it took.
    func explain(_ query: Query, analyze: Bool, _ source: SourceFile) throws -> String {
        let runner = runner(source)
        let plan = try runner.plan(query)
        let view = plan.asOf.map { ["AS OF " + $0.description.dropFirst("as of ".count)] } ?? []
        guard analyze else { return (PlanPrinter.lines(plan.root, analyze: false) + view).joined(separator: "\n") }
        let clock = ContinuousClock()
        let start = clock.now
        let output = try runner.execute(plan, run: PlanRun(analyze: true, fresh: true))
        let elapsed = clock.now - start
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        var lines = PlanPrinter.lines(plan.root, analyze: true) + view
        lines.append("(whole query: \(output.columns.first?.count ?? 0) rows in \(PlanPrinter.milliseconds(ms)))")
        return lines.joined(separator: "\n")
    }
}

extension Interpreter {
    /// `explain sql [dialect] <query>`: the statement the query compiles to,
    /// with `today` and parameters' values written in as literals.
    func explainSQL(_ query: Query, dialect: Name?, _ source: SourceFile) throws -> String {
        var chosen = SQLDialect.postgresql
        if let dialect {
            guard let named = SQLDialect(rawValue: dialect.text.lowercased()) else {
                let names = SQLDialect.allCases.map(\.rawValue)
                throw Diagnostic.semantic(Suggestion.message("unknown SQL dialect '\(dialect.text)'", for: dialect.text.lowercased(), among: names)
                                          + " (dialects: \(names.joined(separator: ", ")))", dialect.range)
            }
            chosen = named
        }
        return try runner(source).compileSQL(query, dialect: chosen)
    }
}
