import CRMQLCore
import CRMQLStorage
import CRMQLSyntax
import Foundation

extension Interpreter {
    /// `load entity from "file" [with (...)]`: all rows or none.
    func load(_ entityName: Name, _ pathExpr: Expr, _ options: [OptionItem], _ source: SourceFile) throws -> String {
        try requireFiles("load", pathExpr.range)
        let path = try self.path(pathExpr, source)
        var loadOptions = LoadOptions()
        for option in options {
            let value = try constant(option.value, source, what: "an option")
            switch (option.name.text.lowercased(), value) {
            case ("header", .bool(let flag)): loadOptions.header = flag
            case ("skip_bad", .bool(let flag)): loadOptions.skipBad = flag
            case ("delimiter", .text(let text)):
                guard let byte = LoadOptions.delimiter(from: text) else {
                    throw Diagnostic.semantic("the delimiter must be one character (not a quote or line break)", option.value.range)
                }
                loadOptions.delimiter = byte
            case ("header", _), ("skip_bad", _):
                throw Diagnostic.semantic("'\(option.name.text)' is true or false", option.value.range)
            case ("delimiter", _):
                throw Diagnostic.semantic("the delimiter is a one-character string, as in delimiter = \";\"", option.value.range)
            default:
                throw Diagnostic.semantic(Suggestion.message("unknown load option '\(option.name.text)'", for: option.name.text,
                                                             among: ["header", "delimiter", "skip_bad"]), option.name.range)
            }
        }
        let bytes: [UInt8]
        do { bytes = try loadedFileBytes(path) } catch let diagnostic as Diagnostic {
            throw Diagnostic(.io, diagnostic.message, at: pathExpr.range)
        } catch {
            throw Diagnostic(.io, "cannot read '\(path)': \(error)", at: pathExpr.range)
        }
        let format = LoadFormat(fileName: path)
        let fileName = (path as NSString).lastPathComponent
        let result: LoadResult
        do {
            result = try Loader.load(bytes: bytes, fileName: fileName, format: format, entityName: entityName.text,
                                     into: state.store, options: loadOptions, progress: progress)
        } catch let diagnostic as Diagnostic {
            throw Diagnostic(.io, diagnostic.message, at: pathExpr.range)
        }
        var message = "loaded \(result.rowsLoaded) \(result.rowsLoaded == 1 ? singular(entityName.text) : entityName.text) from \(fileName)"
        if !result.rejected.isEmpty {
            do { if !durable.isReplaying { try result.writeRejected(besides: path) } } catch {
                throw Diagnostic(.io, "cannot write '\(LoadResult.rejectedPath(for: path))': \(error)", at: pathExpr.range)
            }
            let count = result.rejected.count
            message += "; \(count) rejected \(count == 1 ? "line" : "lines") written to \((LoadResult.rejectedPath(for: path) as NSString).lastPathComponent)"
            for row in result.rejected.prefix(5) { message += "\n  " + row.message }
            if count > 5 { message += "\n  … and \(count - 5) more" }
        }
        state.store = result.store
        buildIndexes(of: entityName.text)
        loadPreludeIfReady()
        return message
    }

    /// Builds the indexes the planner uses on its own (key, refs, enums) and
    /// the explicit ones, so a load ends ready to query and the first query
    /// pays for no index.
    func buildIndexes(of entityName: String) {
        guard let entity = state.store[entityName] else { return }
        let indexes = services.indexes
        _ = indexes.keyIndex(of: entity)
        for field in entity.fields {
            switch field.type {
            case .ref: _ = indexes.refIndex(child: entity, field: field.name, in: state.store)
            case .enumeration: _ = indexes.postings(of: entity, field: field.name)
            default: break
            }
        }
        for index in state.store.explicitIndexes where index.entity == entityName {
            _ = indexes.sortedIndex(of: entity, field: index.field)
        }
        // Children that refer to this entity resolve against its new rows.
        for child in state.store.allEntities where child.name != entityName {
            for field in child.fields where field.type == .ref(entityName) {
                _ = indexes.refIndex(child: child, field: field.name, in: state.store)
            }
        }
    }

    /// `export <query> to "file"`: CSV, JSON or NDJSON by extension.
    func export(_ query: Query, _ pathExpr: Expr, _ source: SourceFile) throws -> String {
        try requireFiles("export", pathExpr.range)
        let path = try self.path(pathExpr, source)
        let output = try runQuery(query, source)
        let format = TabularFormat(fileName: path) ?? .csv
        let bytes = TabularWriter.write(format, names: output.names, columns: output.columns)
        do {
            try FileIO.writeAtomically(bytes, to: path)
        } catch {
            throw Diagnostic(.io, "cannot write '\(path)': \(error)", at: pathExpr.range)
        }
        let rows = output.columns.first?.count ?? 0
        return "exported \(rows) \(rows == 1 ? "row" : "rows") to \((path as NSString).lastPathComponent)"
    }

    func save(_ pathExpr: Expr, _ source: SourceFile) throws -> String {
        try requireFiles("save", pathExpr.range)
        let path = try self.path(pathExpr, source)
        do {
            try Snapshot.save(state.store, extra: Array(sessionScript().utf8), to: path)
        } catch let diagnostic as Diagnostic {
            throw Diagnostic(.io, diagnostic.message, at: pathExpr.range)
        } catch {
            throw Diagnostic(.io, "cannot save to '\(path)': \(error)", at: pathExpr.range)
        }
        return "saved \(state.store.entityNames.count) entities to \((path as NSString).lastPathComponent)"
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
        let name = (path as NSString).lastPathComponent
        let opened: (Store, [UInt8])
        do {
            opened = try Snapshot.open(path: path)
        } catch let diagnostic as Diagnostic {
            throw Diagnostic(.io, diagnostic.message, at: range)
        } catch {
            throw Diagnostic(.io, "cannot open '\(path)': \(error)", at: range)
        }
        var next = SessionState(today: state.today)
        next.todayIsSet = state.todayIsSet
        next.parameterDefaults = state.parameterDefaults
        next.fiscalYearStart = state.fiscalYearStart
        next.parameters = state.parameters
        next.store = opened.0
        let previous = state
        state = next
        // Definitions and named queries travel as CRMQL text (a database
        // file's settings follow it after a zero byte).
        let script = SourceFile(name: name, text: String(decoding: opened.1.prefix { $0 != 0 }, as: UTF8.self))
        do {
            try run(script) { _ in }
        } catch {
            state = previous
            throw Diagnostic(.io, "'\(path)' holds definitions that no longer work: \(error)", at: range)
        }
        loadPreludeIfReady()
        return opened.0
    }

    /// The user's definitions and named queries as a script, saved with a snapshot.
    func sessionScript() -> String {
        var lines: [String] = []
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

    func quoteName(_ name: String) -> String {
        let simple = name.unicodeScalars.allSatisfy { $0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
        return simple && !(name.first?.isNumber ?? true) ? name : "`" + name + "`"
    }
}
