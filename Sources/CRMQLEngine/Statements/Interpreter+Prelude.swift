import CRMQLCore
import CRMQLStorage
import CRMQLSyntax
import Foundation

extension Interpreter {
    /// The prelude's text, shipped as a resource of this module.
    static let preludeSource: SourceFile? = {
        guard let url = Bundle.module.url(forResource: "prelude", withExtension: "crmql"),
              let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
        return SourceFile(name: "prelude.crmql", text: text)
    }()

    static let preludeScript: Script? = preludeSource.map { Parser.parse($0).script }

    /// Defines each prelude measure that the current schema supports and the
    /// user has not defined; measures whose entities are missing wait for a
    /// later load.
    func loadPreludeIfReady() {
        guard state.store["customers"] != nil, let source = Interpreter.preludeSource, let script = Interpreter.preludeScript else { return }
        for statement in script.statements {
            if case .model(let name, let fit) = statement.kind { definePreludeModel(name, fit, source) }
            guard case .define(let entity, let field, let expr) = statement.kind else { continue }
            if state.definitions[entity.text]?.contains(where: { $0.name == field.text }) == true { continue }
            let saved = state
            do {
                try define(entity, field, expr, source, fromPrelude: true)
            } catch {
                state = saved
            }
        }
    }
}

extension Interpreter {
    /// Replaces the session's data with the built-in demo data, whose `today`
    /// is fixed so tutorials print the same results everywhere.
    public func loadDemo() {
        var next = SessionState(today: DemoData.today)
        next.todayIsSet = true
        next.parameters = state.parameters
        next.parameterDefaults = state.parameterDefaults
        next.fiscalYearStart = state.fiscalYearStart
        next.numberFormat = state.numberFormat
        next.parallelism = state.parallelism
        next.store = DemoData.makeStore()
        // User definitions of other entities do not survive a change of data.
        state = next
        loadPreludeIfReady()
    }
}
