import CRMQL
import Foundation
import LineReader

/// The names of the dot commands, and "did you mean" among them.
enum DotCommandName {
    static let all = [
        ".chart", ".demo", ".edit", ".engine", ".exit", ".format", ".help", ".last", ".maxrows", ".mode", ".output", ".pager", ".quit", ".read",
        ".schema", ".timer",
    ]

    /// The dot command closest to `word`, when it is close enough to be a typo.
    static func closest(to word: String, among candidates: [String]) -> String? {
        Suggestion.closest(to: word, among: candidates)
    }
}

/// What a dot command asks of whoever runs it.
enum DotOutcome {
    /// Go on with the next line.
    case proceed
    /// `.quit`: leave the REPL, or stop the script.
    case quit
    /// `.edit`, which only the REPL can do.
    case edit
}

extension Shell {
    static let helpText = """
        .chart [KIND]       draw the last result: bar, line, funnel or heat
        .demo               load the built-in demo data
        .engine [ENGINE]    run on 'memory' or a server (postgresql://user@host/db)
        .edit               edit the current or previous statement in $EDITOR, then run it
        .format readable|plain  numbers in tables: rounded and grouped, or every digit
        .help               show this list; 'help' (no dot) explains the language
        .last               show the last result again, every row, through $PAGER
        .maxrows N          rows a table shows before eliding the middle (0: all)
        .mode FORMAT        result format: table, csv, json, ndjson, markdown
        .output FILE        write results to FILE; '.output stdout' to stop
        .pager on|off       page results taller than the terminal through $PAGER
        .quit, .exit        leave (Ctrl-D too)
        .read FILE          run the statements of FILE
        .schema [ENTITY]    show entities as create entity / define statements
        .timer on|off       report each statement's time

        A statement runs when its line is complete; an open bracket, string or a
        trailing operator asks for more. Tab completes, Ctrl-R searches history,
        Ctrl-C clears the line or cancels a running statement. Dot commands work
        in scripts and piped input too, on a line of their own between statements.

        """

    /// TUNING: `.read` inside a file read by `.read` goes this deep at most,
    /// so a file that reads itself stops with an error instead of the stack.
    static let maximumReadDepth = 16

    /// Runs one dot command line, at the prompt or in a script.
    /// - Throws: `ShellError` with what went wrong.
    func runDotCommand(_ line: String) throws -> DotOutcome {
        let name = String(line.prefix { !$0.isWhitespace })
        let argument = line.dropFirst(name.count).trimmingCharacters(in: .whitespaces)
        switch name {
        case ".quit", ".exit":
            return .quit
        case ".edit":
            return .edit
        case ".help":
            sink.write(Shell.helpText)
        case ".mode":
            try setMode(argument)
        case ".format":
            try setNumberFormat(argument)
        case ".timer":
            timer = try onOff(argument, usage: ".timer on|off")
        case ".pager":
            pagerEnabled = try onOff(argument, usage: ".pager on|off")
        case ".maxrows":
            guard let rows = Int(argument), rows >= 0 else { throw ShellError("usage: .maxrows N (0 shows every row)") }
            maxRows = rows == 0 ? nil : rows
        case ".read":
            try refuseInSafeMode(name, "reads")
            let path = try fileArgument(argument, usage: ".read FILE")
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ShellError("cannot read '\(path)'") }
            guard readDepth < Shell.maximumReadDepth else {
                throw ShellError(".read goes more than \(Shell.maximumReadDepth) files deep; does '\(path)' read itself?")
            }
            readDepth += 1
            defer { readDepth -= 1 }
            if !run(text, sourceName: path) { throw ShellError.reported }
        case ".output":
            let path = try fileArgument(argument, usage: ".output FILE|stdout")
            if path != "stdout" { try refuseInSafeMode(name, "writes") }
            redirect(to: path == "stdout" ? .standardOutput : try OutputSink.file(path))
        case ".schema":
            let text = try SchemaText.render(database.schema, entity: argument.isEmpty ? nil : argument).get()
            sink.write(text)
        case ".engine":
            try switchEngine(argument)
        case ".demo":
            do { try loadDemo() } catch { throw ShellError(error.description) }
        case ".last":
            showLast()
        case ".chart":
            try showChart(argument)
        default:
            var message = "unknown command '\(name)'"
            if let match = DotCommandName.closest(to: name, among: DotCommandName.all) {
                message += "; did you mean '\(match)'?"
            } else {
                message += "; enter .help for the list"
            }
            throw ShellError(message)
        }
        return .proceed
    }

    private func onOff(_ argument: String, usage: String) throws -> Bool {
        guard argument == "on" || argument == "off" else { throw ShellError("usage: \(usage)") }
        return argument == "on"
    }

    private func setMode(_ argument: String) throws {
        if argument.isEmpty {
            sink.write(format.rawValue + "\n")
            return
        }
        guard let format = OutputFormat(rawValue: argument) else {
            let names = OutputFormat.allCases.map(\.rawValue).joined(separator: ", ")
            throw ShellError("unknown format '\(argument)'; expected one of \(names)")
        }
        self.format = format
    }

    /// `.format plain` is `set number_format = plain`: one setting, which
    /// scripts and hosts can also change.
    private func setNumberFormat(_ argument: String) throws {
        if argument.isEmpty {
            sink.write(database.numberFormat.rawValue + "\n")
            return
        }
        guard NumberFormat(rawValue: argument) != nil else {
            let names = NumberFormat.allCases.map(\.rawValue).joined(separator: ", ")
            throw ShellError("unknown number format '\(argument)'; expected one of \(names)")
        }
        do throws(CRMQLError) {
            try database.execute("set number_format = \(argument)")
        } catch {
            throw ShellError(error.message)
        }
    }

    /// `--safe` refuses the dot commands that touch files, as the engine
    /// refuses `load`, `export`, `save` and `open`.
    private func refuseInSafeMode(_ command: String, _ access: String) throws {
        if database.isSafe {
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
        guard let result = lastResult else {
            StandardError.line("no result yet")
            return
        }
        let text = render(result, maxRows: nil, forTerminal: sink.isTerminal)
        if sink.isTerminal, Terminal.isTerminal(STDIN_FILENO), ExternalProgram.page(text) { return }
        sink.write(text)
    }
}

extension REPL {
    /// Runs one dot command typed at the prompt. Returns false to leave.
    func runDotCommand(_ line: String) -> Bool {
        do {
            switch try shell.runDotCommand(line) {
            case .proceed: return true
            case .quit: return false
            case .edit: edit()
            }
        } catch let error as ShellError where error.isReported {
            // The statements it ran have printed their errors.
        } catch {
            StandardError.line(ShellError.text(of: error))
        }
        return true
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
        if InteractiveInput.needsMoreInput(statement) {
            pending.text = statement
            return
        }
        reader.addHistory(statement)
        execute(statement)
    }
}
