import CRMQL
import Foundation
import LineReader

/// The names of the REPL's dot commands, and "did you mean" among them.
enum DotCommandName {
    static let all = [
        ".demo", ".edit", ".exit", ".help", ".last", ".maxrows", ".mode", ".output", ".quit", ".read", ".schema", ".timer",
    ]

    /// The dot command closest to `word`, when it is close enough to be a typo.
    static func closest(to word: String, among candidates: [String]) -> String? {
        Suggestion.closest(to: word, among: candidates)
    }
}

extension REPL {
    static let helpText = """
        .demo               load the built-in demo data
        .edit               edit the current or previous statement in $EDITOR, then run it
        .help               show this list; 'help' (no dot) explains the language
        .last               show the last result again, every row, through $PAGER
        .maxrows N          rows a table shows before eliding the middle (0: all)
        .mode FORMAT        result format: table, csv, json, ndjson, markdown
        .output FILE        write results to FILE; '.output stdout' to stop
        .quit, .exit        leave (Ctrl-D too)
        .read FILE          run the statements of FILE
        .schema [ENTITY]    show entities as create entity / define statements
        .timer on|off       report each statement's time

        A statement runs when its line is complete; an open bracket, string or a
        trailing operator asks for more. Tab completes, Ctrl-R searches history,
        Ctrl-C clears the line or cancels a running statement.

        """

    /// Runs one dot command. Returns false to leave the shell.
    func runDotCommand(_ line: String) -> Bool {
        let name = String(line.prefix { !$0.isWhitespace })
        let argument = line.dropFirst(name.count).trimmingCharacters(in: .whitespaces)
        do {
            switch name {
            case ".quit", ".exit":
                return false
            case ".help":
                OutputSink.standardOutput.write(REPL.helpText)
            case ".mode":
                try setMode(argument)
            case ".timer":
                guard argument == "on" || argument == "off" else { throw ShellError("usage: .timer on|off") }
                shell.timer = argument == "on"
            case ".maxrows":
                guard let rows = Int(argument), rows >= 0 else { throw ShellError("usage: .maxrows N (0 shows every row)") }
                shell.maxRows = rows == 0 ? nil : rows
            case ".read":
                try refuseInSafeMode(name, "reads")
                let path = try fileArgument(argument, usage: ".read FILE")
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ShellError("cannot read '\(path)'") }
                shell.run(text, sourceName: path)
            case ".output":
                let path = try fileArgument(argument, usage: ".output FILE|stdout")
                if path != "stdout" { try refuseInSafeMode(name, "writes") }
                shell.redirect(to: path == "stdout" ? .standardOutput : try OutputSink.file(path))
            case ".schema":
                let text = try SchemaText.render(shell.database.catalog, entity: argument.isEmpty ? nil : argument).get()
                shell.sink.write(text)
            case ".demo":
                try shell.loadDemo()
            case ".last":
                showLast()
            case ".edit":
                edit()
            default:
                var message = "unknown command '\(name)'"
                if let match = DotCommandName.closest(to: name, among: DotCommandName.all) {
                    message += "; did you mean '\(match)'?"
                } else {
                    message += "; enter .help for the list"
                }
                throw ShellError(message)
            }
        } catch {
            StandardError.line("\(ShellError.text(of: error))")
        }
        return true
    }

    private func setMode(_ argument: String) throws {
        if argument.isEmpty {
            shell.sink.write(shell.format.rawValue + "\n")
            return
        }
        guard let format = OutputFormat(rawValue: argument) else {
            let names = OutputFormat.allCases.map(\.rawValue).joined(separator: ", ")
            throw ShellError("unknown format '\(argument)'; expected one of \(names)")
        }
        shell.format = format
    }

    /// `--safe` refuses the dot commands that touch files, as the engine
    /// refuses `load`, `export`, `save` and `open`.
    private func refuseInSafeMode(_ command: String, _ access: String) throws {
        if shell.database.isSafe {
            throw ShellError("\(command) is not allowed in safe mode: it \(access) a file")
        }
    }

    /// A file name argument, with surrounding quotes removed.
    private func fileArgument(_ argument: String, usage: String) throws -> String {
        var path = argument
        if path.count >= 2, let first = path.first, first == "\"" || first == "'", path.last == first {
            path = String(path.dropFirst().dropLast())
        }
        guard !path.isEmpty else { throw ShellError("usage: \(usage)") }
        return path
    }

    /// `.last`: the previous result, every row, through the pager when a
    /// person is reading standard output.
    private func showLast() {
        guard let result = shell.lastResult else {
            StandardError.line("no result yet")
            return
        }
        let sink = shell.sink
        let text = shell.render(result, maxRows: nil, forTerminal: sink.isTerminal)
        if sink.isTerminal, Terminal.isTerminal(STDIN_FILENO), ExternalProgram.page(text) { return }
        sink.write(text)
    }

    /// `.edit`: the statement being typed (or else the last one) in the
    /// editor; what is saved runs, or waits for more lines if incomplete.
    private func edit() {
        let original = pending.text.isEmpty ? (lastStatement ?? "") : pending.text
        guard let edited = ExternalProgram.edit(original) else {
            StandardError.line("the editor failed; nothing was run")
            return
        }
        var statement = edited
        while statement.last?.isNewline == true { statement.removeLast() }
        pending.text = ""
        guard statement.contains(where: { !$0.isWhitespace }) else { return }
        OutputSink.standardOutput.write(statement + "\n")
        if Database.needsMoreInput(statement) {
            pending.text = statement
            return
        }
        reader.addHistory(statement)
        execute(statement)
    }
}
