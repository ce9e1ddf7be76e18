import CRMQLCore
import CRMQLStorage
import CRMQLSyntax

// The statements of models: `model name = fit`, `drop model`, `describe
// model`, `show models`, and models in a snapshot's script.

extension Interpreter {
    /// `model name = kind(...)`: fits now, on the data as it is; a fit that
    /// fails leaves the session as it was (`execute` rolls back).
    func defineModel(_ name: Name, _ fit: ModelFit, _ source: SourceFile) throws -> String {
        guard let kind = ModelKinds.kind(named: fit.kind.text) else {
            throw Diagnostic.semantic(Suggestion.message("unknown kind of model '\(fit.kind.text)'", for: fit.kind.text,
                                                         among: ModelKinds.all.map { $0.name }), fit.kind.range)
        }
        if state.store[name.text] != nil || state.lets[name.text] != nil {
            throw Diagnostic.semantic("'\(name.text)' already names \(state.store[name.text] != nil ? "an entity" : "a query"); choose another name for the model", name.range)
        }
        var restoring: [String: (Value, SourceRange)]?
        if let fitted = fit.fitted {
            var values: [String: (Value, SourceRange)] = [:]
            for item in fitted {
                values[item.name.text.lowercased()] = (try literalValue(item.value), item.value.range)
            }
            restoring = values
        }
        let runner = runner(source)
        let model = try kind.fit(fit, runner: runner, restoring: restoring)
        state.models[name.text] = ModelEntry(name: name.text, kind: kind.name, fit: fit, source: source, fitted: model, fromPrelude: false)
        // Measures and plans that call the model's functions are computed anew.
        state.definitionsGeneration = Interpreter.nextGeneration()
        return "model \(name.text) fitted: \(model.summary)"
    }

    /// A `fitted (...)` value: a literal, or a negated number.
    private func literalValue(_ expr: Expr) throws -> Value {
        switch expr.kind {
        case .literal(let value): return value
        case .unary(.negate, let inner):
            if case .literal(let value) = inner.kind, let number = value.doubleValue { return .number(-number) }
        default: break
        }
        throw Diagnostic.semantic("a fitted parameter is a number or a date", expr.range)
    }

    func dropModel(_ name: Name) throws {
        guard state.models.removeValue(forKey: name.text) != nil else { throw unknownModel(name) }
        state.definitionsGeneration = Interpreter.nextGeneration()
    }

    func unknownModel(_ name: Name) -> Diagnostic {
        Diagnostic.semantic(Suggestion.message("unknown model '\(name.text)'", for: name.text, among: state.models.keys.sorted()), name.range)
    }

    /// `describe model m`: `parameter`, `value` rows.
    func describeModel(_ name: Name, _ source: SourceFile) throws -> QueryOutput {
        guard let entry = state.models[name.text] else { throw unknownModel(name) }
        let model = try runner(source).evaluator.fittedModel(entry, range: name.range)
        let rows = model.parameters
        return QueryOutput(names: ["parameter", "value"], columns: [
            Column.make(type: .text, values: rows.map { .text($0.name) }),
            Column.make(type: .number, values: rows.map { $0.value.doubleValue.map(Value.number) ?? .null }),
        ])
    }

    /// `show models`: name, kind, fit, and what it was fitted on.
    func showModels() -> QueryOutput {
        let entries = state.models.values.sorted { $0.name < $1.name }
        return textTable(["model", "kind", "fit", "fitted"], [
            entries.map { .text($0.name) }, entries.map { .text($0.kind) }, entries.map { .text($0.fitText) },
            entries.map { entry in .text(entry.fitted?.summary ?? "at first use") },
        ])
    }

    /// The user's models as statements for a snapshot's script: each fit
    /// with its fitted parameters, so that opening it does not fit again.
    func modelScript() -> [String] {
        state.models.values.filter { !$0.fromPrelude }.sorted { $0.name < $1.name }.compactMap { entry in
            guard let fitted = entry.fitted else { return nil }
            let parameters = fitted.savedParameters.compactMap { parameter in
                Interpreter.literalText(parameter.value).map { "\(parameter.name) = \($0)" }
            }
            return "model \(quoteName(entry.name)) = \(entry.fitText) fitted (\(parameters.joined(separator: ", ")))"
        }
    }

    /// The prelude's model: `purchases`, fitted at its first use.
    func definePreludeModel(_ name: Name, _ fit: ModelFit, _ source: SourceFile) {
        guard state.models[name.text] == nil, state.store[name.text] == nil, let kind = ModelKinds.kind(named: fit.kind.text) else { return }
        state.models[name.text] = ModelEntry(name: name.text, kind: kind.name, fit: fit, source: source, fitted: nil, fromPrelude: true)
    }
}

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
        return try fitted.evaluate(function, keys: columns[0], arguments: Array(columns.dropFirst()), rows: rows,
                                   check: { try services.checkInterrupt() })
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
