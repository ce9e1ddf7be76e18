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
