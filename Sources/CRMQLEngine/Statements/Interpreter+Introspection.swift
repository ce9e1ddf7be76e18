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

    /// `explain`: the plan as a small tree, from the source up, with
    /// estimated rows; `explain analyze` runs each step and adds what it
    /// actually produced and how long it took.
    func explain(_ query: Query, analyze: Bool, _ source: SourceFile) throws -> String {
        let runner = runner(source)
        let (entity, rows) = try runner.resolveSource(query)
        let bound = try runner.bindQuery(query, entity)
        let clock = ContinuousClock()
        func milliseconds(_ duration: Duration) -> String {
            let ms = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
            return String(format: "%.3f ms", ms)
        }
        var steps: [String] = []
        var base: String
        switch query.source {
        case .named(let name): base = state.store[name.text] != nil ? "SCAN \(name.text)" : "NAMED QUERY \(name.text)"
        case .function(let name, _, _): base = "TABLE FUNCTION \(name.text)"
        }
        var selected = rows
        if let condition = query.whereClause {
            let bound = try runner.binder.bindCondition(condition, in: Scope(entity: entity), clause: "where")
            let plan = runner.planFilter(bound, entity, rows)
            if plan.access.choice != .scan { base = plan.access.detail }
            var estimate = Double(plan.access.estimate)
            var line = "\(base) (~\(plan.access.estimate) rows)"
            if analyze {
                let start = clock.now
                selected = plan.access.rows ?? rows
                line += " [actual \(selected.count) rows, \(milliseconds(clock.now - start))]"
            }
            steps.append(line)
            // `x between a and b` runs as two range conjuncts with one span;
            // it is shown, estimated and timed as one step.
            let groups = AccessPlanner.steps(plan.remaining)
            // Analysed, the conjuncts run as the query runs them (one
            // pipeline, see `Evaluator.filter(conjuncts:_:observe:)`), and
            // each step reads its rows and time off the pipeline's reports.
            var reports: [Int: (kept: Int, at: ContinuousClock.Instant)] = [:]
            var rowsBefore = selected.count
            var stepStart = clock.now
            if analyze, !plan.remaining.isEmpty, !selected.isEmpty {
                selected = try runner.evaluator.filter(conjuncts: plan.remaining, EvalContext(entity: entity, rows: selected)) { index, kept in
                    reports[index] = (kept, clock.now)
                }
            }
            for group in groups {
                // A parent's field is tested once per parent when the rows
                // outnumber the parents (see `parentComparisonBits`); the
                // plan says so, after the rows it will have or, analysed, has.
                let conjuncts = Array(plan.remaining[group])
                var through = ""
                let before = analyze ? rowsBefore : Int(estimate.rounded(.up))
                if conjuncts.count == 1, let (_, parent, _) = Evaluator.throughParent(conjuncts[0], rows: before, store: state.store) {
                    through = " THROUGH \(parent.name)"
                }
                estimate *= AccessPlanner.selectivity(of: conjuncts, entity: entity, indexes: services.indexes, store: state.store)
                var line = "FILTER \(normalizedText(source, conjuncts[0].range))\(through) (~\(Int(estimate.rounded(.up))) rows)"
                if analyze {
                    // A step after the rows ran out did not run: none kept.
                    let report = reports[group.upperBound - 1]
                    let end = report?.at ?? stepStart
                    rowsBefore = report?.kept ?? 0
                    line += " [actual \(rowsBefore) rows, \(milliseconds(end - stepStart))]"
                    stepStart = end
                }
                steps.append(line)
            }
        } else {
            steps.append("\(base) (~\(rows.count) rows)")
        }
        if query.isCount { steps.append("COUNT") }
        if let groupBy = query.groupBy {
            let keys = groupBy.compactMap { item -> String? in
                if case .expr(let e, _) = item { return normalizedText(source, e.range) }
                return nil
            }
            // Keys that are stored enums or bools number their groups
            // directly (`DenseAggregation`), like a perfect hash.
            let dense = DenseAggregation(bound, entity) != nil
            steps.append((dense ? "PERFECT HASH GROUP BY " : "GROUP BY ") + keys.joined(separator: ", "))
        }
        if let having = query.having { steps.append("HAVING \(normalizedText(source, having.range))") }
        if let orderBy = query.orderBy {
            let keys = orderBy.map { normalizedText(source, $0.expr.range) + ($0.descending ? " desc" : "") }
            let servedByIndex = query.limit != nil && query.groupBy == nil && query.whereClause == nil
                && runner.indexedOrder(bound, entity, rows, take: 0) != nil
            let kind = servedByIndex ? "ORDER FROM INDEX " : (query.limit != nil && query.groupBy == nil ? "TOP-N SORT " : "SORT ")
            steps.append(kind + keys.joined(separator: ", "))
        }
        if let limit = query.limit { steps.append("LIMIT \(normalizedText(source, limit.range))" + (query.offset.map { " OFFSET \(normalizedText(source, $0.range))" } ?? "")) }
        if let show = query.show {
            let items = show.map { item -> String in
                switch item {
                case .star: return "*"
                case .expr(let e, let alias): return normalizedText(source, e.range) + (alias.map { " as \($0.text)" } ?? "")
                }
            }
            steps.append("SHOW \(items.joined(separator: ", "))")
        }
        var lines: [String] = []
        for (depth, step) in steps.reversed().enumerated() {
            lines.append(depth == 0 ? step : String(repeating: "   ", count: depth - 1) + "└─ " + step)
        }
        if analyze {
            // The operators above left their relation aggregates memoized;
            // the whole query must compute them again to time what it costs.
            runner.evaluator.relationMemo.removeAll()
            let start = clock.now
            let output = try runner.run(query)
            lines.append("(whole query: \(output.columns.first?.count ?? 0) rows in \(milliseconds(clock.now - start)))")
        }
        return lines.joined(separator: "\n")
    }
}
