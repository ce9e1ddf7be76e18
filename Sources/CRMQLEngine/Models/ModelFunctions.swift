import CRMQLCore
import CRMQLStorage
import CRMQLSyntax

// Models in queries: their functions in expressions (`p_alive(m, id)`),
// bound and evaluated, and a model as a query's source (`select m`).

extension Evaluator {
    /// A model's fit: the one kept in the session, or for a model fitted at
    /// its first use (the prelude's), the fit of the data as it is now,
    /// made once and kept until the data or `today` change.
    func fittedModel(_ entry: ModelEntry, range: SourceRange) throws -> any FittedModel {
        if let fitted = entry.fitted { return fitted }
        guard let kind = ModelKinds.kind(named: entry.kind) else { throw Diagnostic.runtime("unknown kind of model '\(entry.kind)'", range) }
        let key = ModelCache.Key(name: entry.name, entityVersions: catalog.store.entityVersions, today: catalog.today)
        let cache = services.measures.models
        if let fitted = cache.fitted(key) { return fitted }
        let runner = QueryRunner(catalog: catalog, evaluator: self, source: entry.source, lets: [:])
        do {
            let fitted = try unplanned { try kind.fit(entry.fit, runner: runner, restoring: nil) }
            cache.keep(fitted, key)
            return fitted
        } catch let diagnostic as Diagnostic where diagnostic.phase == .semantic || diagnostic.phase == .runtime {
            // The fit's own position is in the prelude: the message names the model where it was used.
            throw Diagnostic.runtime("model '\(entry.name)' (\(entry.fitText)) cannot be fitted: \(diagnostic.message)", range)
        }
    }

    /// `p_alive(m, key)` and the other functions of models, over the rows.
    func modelCall(_ model: String, _ function: String, _ arguments: [BoundExpr], _ expr: BoundExpr, _ context: EvalContext) throws -> Column {
        guard let entry = catalog.models[model] else { throw Diagnostic.runtime("unknown model '\(model)'", expr.range) }
        let fitted = try fittedModel(entry, range: expr.range)
        var columns: [Column] = []
        for argument in arguments { columns.append(try evaluate(argument, context)) }
        let rows = columns.allSatisfy { $0.count == 1 } ? 1 : context.length
        let services = self.services
        let work = ModelWork(threads: parallelism.threads, stop: services.buildStop, check: { try services.checkInterrupt() })
        return try fitted.evaluate(function, keys: columns[0], arguments: Array(columns.dropFirst()), rows: rows, work: work)
    }
}

extension Binder {
    /// `p_alive(purchases, id)`: a model function, its first argument a
    /// model's name; nil when the call is not one.
    mutating func bindModelCall(_ name: Name, _ arguments: [Expr], _ range: SourceRange, _ scope: Scope) throws -> BoundExpr? {
        let lowered = name.text.lowercased()
        let modelName: String? = {
            guard let first = arguments.first, case .identifier(let text, _) = first.kind, catalog.models[text] != nil else { return nil }
            return text
        }()
        guard let modelName, let entry = catalog.models[modelName], let kind = ModelKinds.kind(named: entry.kind) else {
            guard ModelKinds.functionNames.contains(lowered) else { return nil }
            let usage = ModelKinds.all.flatMap { $0.functions }.first { $0.name == lowered }?.usage ?? ""
            let models = catalog.models.keys.sorted()
            var message = "\(lowered) takes a model first, as in \(usage)"
            if let first = arguments.first, case .identifier(let text, _) = first.kind {
                message = Suggestion.message("unknown model '\(text)'", for: text, among: models)
                if !message.contains("did you mean") { message += "; \(lowered) takes a model first, as in \(usage)" }
                throw Diagnostic.semantic(message, first.range)
            }
            throw Diagnostic.semantic(message + (models.isEmpty ? "" : " (models: \(models.joined(separator: ", ")))"), range)
        }
        guard let signature = kind.functions.first(where: { $0.name == lowered }) else {
            let names = kind.functions.map(\.name)
            throw Diagnostic.semantic(Suggestion.message("a \(kind.name) model has no function '\(name.text)'; it has \(names.joined(separator: ", "))",
                                                         for: name.text, among: names), name.range)
        }
        let given = arguments.count - 2
        guard given >= signature.required, given <= signature.arguments.count else {
            throw Diagnostic.semantic("\(signature.name) takes the model, a key\(signature.arguments.isEmpty ? "" : " and " + signature.arguments.joined(separator: ", ")): \(signature.usage)", range)
        }
        var bound: [BoundExpr] = []
        for (index, argument) in arguments.dropFirst().enumerated() {
            let value = try bindExpr(argument, scope)
            if index > 0, !(value.type.isNumeric || value.type == .null) {
                throw Diagnostic.semantic("\(signature.arguments[index - 1]) of \(signature.name) must be a number, not \(value.type.kindName)", argument.range)
            }
            bound.append(value)
        }
        return BoundExpr(.modelCall(model: modelName, function: signature.name, bound), signature.resultType, range)
    }
}

extension QueryRunner {
    /// A model as a table source: `select buyers`, one row per key.
    func modelSource(_ name: Name) throws -> QueryOutput? {
        guard let entry = catalog.models[name.text] else { return nil }
        let fitted = try evaluator.fittedModel(entry, range: name.range)
        guard let table = fitted.table() else {
            throw Diagnostic.semantic("model '\(name.text)' has no rows to select: it has no keys", name.range)
        }
        return table
    }
}
