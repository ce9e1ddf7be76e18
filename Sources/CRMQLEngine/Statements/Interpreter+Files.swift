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
        let services = self.services
        let memoryLimit = services.budget.memoryLimit
        do {
            bytes = try loadedFileBytes(path) {
                try FileIO.read(path, admitSize: { size in
                    guard let memoryLimit else { return }
                    try Self.admitLoad(of: path, size: size, memoryLimit: memoryLimit)
                }, poll: services.checkInterrupt)
            }
        } catch let diagnostic as Diagnostic {
            throw Diagnostic(diagnostic.phase, diagnostic.message, at: pathExpr.range)
        } catch {
            throw Diagnostic(.io, "cannot read '\(path)': \(ErrorText.of(error))", at: pathExpr.range)
        }
        let format = LoadFormat(fileName: path)
        let fileName = (path as NSString).lastPathComponent
        let result: LoadResult
        do {
            result = try Loader.load(bytes: bytes, fileName: fileName, format: format, entityName: entityName.text,
                                     into: state.store, options: loadOptions, progress: progress, poll: services.checkInterrupt)
        } catch let diagnostic as Diagnostic {
            throw Diagnostic(diagnostic.phase == .interrupted || diagnostic.phase == .limit ? diagnostic.phase : .io,
                             diagnostic.message, at: pathExpr.range)
        }
        var message = "loaded \(result.rowsLoaded) \(result.rowsLoaded == 1 ? singular(entityName.text) : entityName.text) from \(fileName)"
        if !result.rejected.isEmpty {
            do { if !durable.isReplaying { try result.writeRejected(besides: path) } } catch {
                throw Diagnostic(.io, "cannot write '\(LoadResult.rejectedPath(for: path))': \(ErrorText.of(error))", at: pathExpr.range)
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

    /// What a load takes in memory for each byte of its file, at its peak:
    /// the file's bytes, the cells' positions and the new columns. TUNING:
    /// the benchmark measured 1.73 for CSV; 2 leaves a margin.
    static let loadBytesPerFileByte = 2

    /// Refuses a file whose load would pass the statement's memory limit,
    /// before reading it.
    static func admitLoad(of path: String, size: Int, memoryLimit: Int) throws {
        let (estimate, overflow) = size.multipliedReportingOverflow(by: loadBytesPerFileByte)
        guard overflow || estimate > memoryLimit else { return }
        throw Diagnostic(.limit, """
            loading '\(path)' (\(ExecutionLimits.describe(bytes: size))) needs about \
            \(overflow ? "more memory" : ExecutionLimits.describe(bytes: estimate)) than the memory limit of \
            \(ExecutionLimits.describe(bytes: memoryLimit)) allows
            """, at: nil)
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
        // Guessing CSV for `.xlsx` would write a file the program it names
        // cannot open: the extension must be one we write.
        guard let format = TabularFormat(fileName: path) else {
            let written = (path as NSString).pathExtension
            let what = written.isEmpty ? "'\((path as NSString).lastPathComponent)' has no extension" : "cannot export to '.\(written)' files"
            throw Diagnostic(.io, "\(what); the file name must end in .csv, .json, .ndjson or .jsonl", at: pathExpr.range)
        }
        let output = try runQuery(query, source)
        let bytes = try TabularWriter.write(format, names: output.names, columns: output.columns, poll: services.checkInterrupt)
        do {
            try FileIO.writeAtomically(bytes, to: path, poll: services.checkInterrupt)
        } catch let diagnostic as Diagnostic where diagnostic.phase == .interrupted || diagnostic.phase == .limit {
            throw diagnostic
        } catch {
            throw Diagnostic(.io, "cannot write '\(path)': \(ErrorText.of(error))", at: pathExpr.range)
        }
        let rows = output.columns.first?.count ?? 0
        return "exported \(rows) \(rows == 1 ? "row" : "rows") to \((path as NSString).lastPathComponent)"
    }

    /// `export chart <kind> <query> to "file.svg"`: the query's result drawn
    /// as an SVG chart titled with the query.
    func exportChart(_ kind: Name, _ query: Query, _ pathExpr: Expr, _ source: SourceFile) throws -> String {
        try requireFiles("export", pathExpr.range)
        let path = try self.path(pathExpr, source)
        guard (path as NSString).pathExtension.lowercased() == "svg" else {
            let name = (path as NSString).lastPathComponent
            throw Diagnostic(.io, "a chart is written as SVG; the file name must end in .svg, not '\(name)'", at: pathExpr.range)
        }
        guard let chartKind = ChartKind(rawValue: kind.text) else {
            throw Diagnostic.semantic("unknown chart kind '\(kind.text)'; expected one of \(ChartKind.names)", kind.range)
        }
        let output = try runQuery(query, source)
        let svg: String
        do {
            svg = try ChartRenderer.svg(names: output.names, columns: output.columns, kind: chartKind, title: ASTPrinter.print(query))
        } catch {
            throw Diagnostic.semantic("cannot draw this result as \(ChartRenderer.noun(chartKind)): \(error.message)", kind.range)
        }
        do {
            try FileIO.writeAtomically(Array(svg.utf8), to: path, poll: services.checkInterrupt)
        } catch let diagnostic as Diagnostic where diagnostic.phase == .interrupted || diagnostic.phase == .limit {
            throw diagnostic
        } catch {
            throw Diagnostic(.io, "cannot write '\(path)': \(ErrorText.of(error))", at: pathExpr.range)
        }
        let rows = output.columns.first?.count ?? 0
        return "exported \(ChartRenderer.noun(chartKind)) of \(rows) \(rows == 1 ? "row" : "rows") to \((path as NSString).lastPathComponent)"
    }
}
