import CRMQLCore
import CRMQLStorage
import CRMQLSyntax
import Foundation

// `save` and `open`: the store travels as columns, the session's own
// statements (parameters, computed fields, named queries) as CRMQL text that
// `open` runs again over the opened store, after the prelude.

extension Interpreter {
    /// `save "file"`: refuses to write a file that `open` would refuse, so
    /// saved work can always be reopened.
    func save(_ pathExpr: Expr, _ source: SourceFile) throws -> String {
        try requireFiles("save", pathExpr.range)
        let path = try self.path(pathExpr, source)
        let name = (path as NSString).lastPathComponent
        let script = sessionScript()
        do {
            try checkReopens(script, name: name)
        } catch let diagnostic as Diagnostic {
            throw Diagnostic(.io, "cannot save: \(diagnostic.message); redefine it or remove what it uses first", at: pathExpr.range)
        }
        do {
            try Snapshot.save(state.store, extra: Array(script.utf8), to: path, poll: services.checkInterrupt)
        } catch let diagnostic as Diagnostic where diagnostic.phase == .interrupted || diagnostic.phase == .limit {
            throw diagnostic
        } catch let diagnostic as Diagnostic {
            throw Diagnostic(.io, diagnostic.message, at: pathExpr.range)
        } catch {
            throw Diagnostic(.io, "cannot save to '\(path)': \(ErrorText.of(error))", at: pathExpr.range)
        }
        return "saved \(state.store.entityNames.count) entities to \(name)"
    }

    func open(_ pathExpr: Expr, _ source: SourceFile) throws -> String {
        try requireFiles("open", pathExpr.range)
        let path = try self.path(pathExpr, source)
        let store = try replaceSession(withSnapshotAt: path, errorsAt: pathExpr.range)
        return "opened \(store.entityNames.count) entities from \((path as NSString).lastPathComponent)"
    }

    /// Replaces the store, definitions and named queries with the snapshot's;
    /// on failure the session is unchanged. Returns the new store.
    func replaceSession(withSnapshotAt path: String, errorsAt range: SourceRange?) throws -> Store {
        let opened: (Store, [UInt8])
        do {
            opened = try Snapshot.open(path: path, poll: services.checkInterrupt)
        } catch let diagnostic as Diagnostic where diagnostic.phase == .interrupted || diagnostic.phase == .limit {
            throw diagnostic
        } catch let diagnostic as Diagnostic {
            throw Diagnostic(.io, diagnostic.message, at: range)
        } catch {
            throw Diagnostic(.io, "cannot open '\(path)': \(ErrorText.of(error))", at: range)
        }
        let previous = state
        do {
            // A database file's settings follow the script after a zero byte.
            try restoreSession(opened.0, script: String(decoding: opened.1.prefix { $0 != 0 }, as: UTF8.self),
                               name: (path as NSString).lastPathComponent)
        } catch {
            state = previous
            throw Diagnostic(.io, "'\(path)' holds \(ErrorText.of(error))", at: range)
        }
        return opened.0
    }

    /// Makes `store` the session's, with the prelude, then runs the saved
    /// statements. A statement that fails is tried again after the others,
    /// as long as a round makes progress: a computed field saved before the
    /// measure it uses (as files written before saves kept dependency order
    /// do) still comes back.
    /// - Throws: a `Diagnostic` naming the first statement that cannot run.
    private func restoreSession(_ store: Store, script text: String, name: String) throws {
        var next = SessionState(today: state.today)
        next.todayIsSet = state.todayIsSet
        next.parameterDefaults = state.parameterDefaults
        next.fiscalYearStart = state.fiscalYearStart
        next.numberFormat = state.numberFormat
        next.fastPaths = state.fastPaths
        next.parallelism = state.parallelism
        next.parameters = state.parameters
        next.store = store
        // Measures and plans cached under another state must never answer
        // for this one.
        next.definitionsGeneration = Interpreter.nextGeneration()
        state = next
        loadPreludeIfReady()
        let source = SourceFile(name: name, text: text)
        let (script, diagnostics) = Parser.parse(source)
        if let first = diagnostics.first {
            throw Diagnostic(.io, "statements that do not parse: \(first.message)", at: nil)
        }
        var pending = script.statements
        while !pending.isEmpty {
            var failed: [(statement: Statement, error: any Error)] = []
            for statement in pending {
                do { try execute(statement, source) { _ in } } catch { failed.append((statement, error)) }
            }
            if let first = failed.first, failed.count == pending.count {
                let statementText = source.text(of: first.statement.range).split(whereSeparator: \.isWhitespace).joined(separator: " ")
                throw Diagnostic(.io, "a definition that no longer works: '\(statementText)': \(ErrorText.of(first.error))", at: nil)
            }
            pending = failed.map(\.statement)
        }
        loadPreludeIfReady()
    }

    /// Runs `script` over the current store as `open` would, then puts the
    /// session back as it was.
    private func checkReopens(_ script: String, name: String) throws {
        let saved = state
        defer { state = saved }
        try restoreSession(state.store, script: script, name: name)
    }

    /// The user's parameters, definitions and named queries as a script,
    /// saved with a snapshot. Parameters come first, since definitions and
    /// queries may use them; definitions in the order they were made.
    func sessionScript() -> String {
        var lines: [String] = []
        // A parameter's declared default, not a value a host gave this
        // session: a snapshot reopened elsewhere starts from the defaults.
        for name in Set(state.parameters.keys).union(state.parameterDefaults.keys).sorted() {
            guard let value = state.parameterDefaults[name] ?? state.parameters[name],
                  let literal = Interpreter.literalText(value) else { continue }
            lines.append("param $\(name) = \(literal)")
        }
        lines += modelScript()
        for entity in state.store.entityNames {
            for definition in state.definitions[entity] ?? [] where !definition.fromPrelude {
                lines.append("define \(entity).\(quoteName(definition.name)) = \(definition.source.text(of: definition.expr.range))")
            }
        }
        for name in state.lets.keys.sorted() {
            guard let definition = state.lets[name] else { continue }
            lines.append("let \(quoteName(name)) = \(definition.source.text(of: definition.query.range))")
        }
        return lines.joined(separator: ";\n")
    }

    /// A value written as the CRMQL literal that reads back as it; nil for
    /// one no literal writes (an infinite number).
    static func literalText(_ value: Value) -> String? {
        switch value {
        case .null: return "null"
        case .int(let v): return v == .min ? "(-9223372036854775807 - 1)" : String(v)
        case .number(let v):
            guard v.isFinite else { return nil }
            var text = ValueFormatter.number(v)
            // A whole number would read back as an int.
            if !text.contains(where: { $0 == "." || $0 == "e" }) { text += ".0" }
            return text
        case .bool(let v): return v ? "true" : "false"
        case .date, .datetime: return ValueFormatter.plain(value)
        case .text, .symbol: return ASTPrinter.quoted(ValueFormatter.plain(value))
        }
    }

    func quoteName(_ name: String) -> String {
        let simple = name.unicodeScalars.allSatisfy { $0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
        return simple && !(name.first?.isNumber ?? true) ? name : "`" + name + "`"
    }
}
