import CRMQL
import Foundation
import LineReader

/// The interactive shell: reads statements line by line, runs each as soon
/// as it is complete, and handles the dot commands.
final class REPL {
    static let prompt = "crmql> "
    static let continuationPrompt = "   ...> "

    let shell: Shell
    var reader: any LineReading
    /// The lines of a statement typed so far; shared with the completer, so
    /// that Tab on a continuation line sees the whole statement.
    let pending: PendingInput
    /// The last statement run, for `.edit`.
    var lastStatement: String?

    init(shell: Shell, reader: any LineReading, pending: PendingInput) {
        self.shell = shell
        self.reader = reader
        self.pending = pending
    }

    /// The reader for a person at a terminal, completing through the database.
    static func makeReader(database: Database, pending: PendingInput) -> any LineReading {
        let completer = REPLCompleter(database: database, pending: pending)
        return LineReaders.standard(historyPath: historyPath(), completer: { line, cursor in
            completer.candidates(line: line, cursor: cursor)
        })
    }

    /// `CRMQL_HISTORY` when set (empty turns history files off), else
    /// `~/.crmql_history`.
    static func historyPath() -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["CRMQL_HISTORY"] { return path.isEmpty ? nil : path }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return (home.hasSuffix("/") ? home : home + "/") + ".crmql_history"
    }

    /// The greeting; on standard error when standard output is redirected,
    /// so that the file receives results only.
    /// - Parameter hasData: whether data is loaded already (`--demo`,
    ///   `--open`, `--data`), so the banner suggests a query, not `.demo`.
    static func printBanner(hasData: Bool) {
        let hint = hasData ? "Enter .help for help; show entities lists the data loaded." : "Enter .help for help, .demo to load demo data."
        let banner = """
            crmql \(crmqlVersion) — customer-relationship analytics
            \(hint)

            """
        if OutputSink.standardOutput.isTerminal { OutputSink.standardOutput.write(banner) } else { StandardError.write(banner) }
    }

    /// Reads and runs until `.quit` or end of input.
    func run() {
        while true {
            let prompt = pending.text.isEmpty ? REPL.prompt : REPL.continuationPrompt
            switch reader.readLine(prompt: prompt) {
            case .eof:
                // Leave the shell's own prompt on a fresh line.
                if Terminal.isTerminal(STDIN_FILENO) { OutputSink.standardOutput.write("\n") }
                return
            case .interrupted:
                pending.text = ""
            case .line(let line):
                if !accept(line) { return }
            }
        }
    }

    /// Handles one line. Returns false to leave the shell.
    private func accept(_ line: String) -> Bool {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if pending.text.isEmpty {
            if trimmed.isEmpty { return true }
            if trimmed.hasPrefix(".") {
                // A password never reaches the history file.
                reader.addHistory(EngineChoice.redacted(trimmed))
                defer { pending.database = shell.database }
                return runDotCommand(trimmed)
            }
            pending.text = line
        } else {
            pending.text += "\n" + line
        }
        if InteractiveInput.needsMoreInput(pending.text) { return true }
        let statement = pending.text
        pending.text = ""
        reader.addHistory(statement)
        execute(statement)
        return true
    }

    /// Runs a statement typed at the prompt. A line that is only a clause
    /// (`show name, loyalty`, `and loyalty > 0.9`, `order by value desc`)
    /// refines the query run before it, as the language's any-order clauses
    /// invite; the refined query is echoed so the user sees what ran.
    func execute(_ statement: String) {
        var text = statement
        if let previous = pending.lastQuery, let refined = InteractiveInput.refine(previous, with: statement) {
            StandardError.line("→ " + refined)
            text = refined
        }
        lastStatement = text
        let succeeded = shell.run(text, sourceName: "<input>")
        if succeeded, InteractiveInput.isSingleQuery(text) { pending.lastQuery = text }
    }
}

/// The statement being typed over several lines, and the last query, which
/// a clause line refines.
final class PendingInput {
    var text = ""
    var lastQuery: String?
    /// The session Tab completes from, once `.engine` has moved the shell
    /// to another; nil for the one the REPL started with.
    var database: Database?
}

/// What Tab offers at the prompt: dot commands and their arguments here,
/// everything else from the database.
struct REPLCompleter {
    private let initial: Database
    let pending: PendingInput
    var database: Database { pending.database ?? initial }

    init(database: Database, pending: PendingInput) {
        initial = database
        self.pending = pending
    }

    func candidates(line: String, cursor: Int) -> [String] {
        let before = String(decoding: Array(line.utf8).prefix(max(0, cursor)), as: UTF8.self)
        if pending.text.isEmpty, before.drop(while: { $0 == " " }).hasPrefix(".") {
            return dotCommandCandidates(before.drop(while: { $0 == " " }))
        }
        if pending.text.isEmpty, let last = pending.lastQuery, InteractiveInput.refine(last, with: line) != nil {
            // A clause line completes in the context of the query it refines.
            let prefix = last + "\n"
            return Completion(schema: database.schema).candidates(for: prefix + line, cursor: prefix.utf8.count + max(0, cursor))
        }
        guard !pending.text.isEmpty else { return Completion(schema: database.schema).candidates(for: line, cursor: cursor) }
        let prefix = pending.text + "\n"
        return Completion(schema: database.schema).candidates(for: prefix + line, cursor: prefix.utf8.count + max(0, cursor))
    }

    private func dotCommandCandidates(_ text: Substring) -> [String] {
        guard let space = text.firstIndex(of: " ") else {
            return DotCommandName.all.filter { $0.hasPrefix(text) }
        }
        let command = text[..<space]
        let argument = String(text[space...].drop(while: { $0 == " " }))
        switch command {
        case ".mode": return OutputFormat.allCases.map(\.rawValue).filter { $0.hasPrefix(argument) }
        case ".timer", ".pager": return ["on", "off"].filter { $0.hasPrefix(argument) }
        case ".format": return NumberFormat.allCases.map(\.rawValue).filter { $0.hasPrefix(argument) }
        case ".chart": return ChartKind.allCases.map(\.rawValue).filter { $0.hasPrefix(argument) }
        case ".engine": return ["memory", "postgresql://"].filter { $0.hasPrefix(argument) }
        case ".schema": return database.schema.entities.map(\.name).filter { $0.hasPrefix(argument) }
        case ".read": return Completion.paths(completing: argument)
        case ".output": return ["stdout"].filter { $0.hasPrefix(argument) } + Completion.paths(completing: argument)
        default: return []
        }
    }
}
