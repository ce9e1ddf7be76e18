import CRMQL
import Foundation
import LineReader

/// Runs statements and prints what they produce, the same way for a script,
/// `-c`, piped input and the REPL.
///
/// Query results go to the output sink; messages (`3 customers updated`,
/// `help`, `explain`) and errors go to standard error in every format, so
/// that standard output carries results only.
final class Shell {
    /// The session statements run in: `memory` or, after `.engine
    /// postgresql://…`, one on a server.
    private(set) var database: Database
    /// The in-memory session the shell started with, which `.engine memory`
    /// returns to.
    let memory: Database
    /// How `.engine` opens a server's session.
    var databaseOptions = Database.Options()
    var format: OutputFormat
    var timer: Bool
    /// Rows a table shows before eliding the middle; nil shows all.
    var maxRows: Int?
    /// The rows a table at the prompt shows before eliding the middle ones.
    static let terminalMaxRows = 40
    /// True at the REPL: Ctrl-C cancels a statement, long ones show a spinner.
    let isInteractive: Bool
    /// Whether a table taller than the terminal goes through `$PAGER` at the
    /// REPL (`.pager on|off`).
    var pagerEnabled = true
    /// How many files `.read` is reading, one inside the other.
    var readDepth = 0
    private(set) var sink: OutputSink = .standardOutput
    /// The last result set, for `.last`.
    private(set) var lastResult: ResultSet?
    let colorAllowed: Bool

    /// TUNING: a result up to this many rows is laid out whole for the
    /// pager; a longer one shows its first and last rows, as with `.pager
    /// off`, rather than keep the prompt waiting while it is formatted.
    static let pagedRowLimit = 50_000

    init(database: Database, format: OutputFormat, timer: Bool, maxRows: Int?, isInteractive: Bool) {
        self.database = database
        self.memory = database
        self.format = format
        self.timer = timer
        self.maxRows = maxRows
        self.isInteractive = isInteractive
        self.colorAllowed = ResultRenderer.shouldUseColor(isTerminal: true, environment: ProcessInfo.processInfo.environment)
    }

    /// Sends results to a file from now on, or back to standard output.
    func redirect(to newSink: OutputSink) {
        sink.close()
        sink = newSink
    }

    /// Runs the statements and dot commands of `text`, stopping at the
    /// first that fails. Every statement is parsed before anything runs,
    /// so all syntax errors are reported at once, as for a script without
    /// dot commands.
    /// - Returns: false when something failed (its error has been printed).
    @discardableResult
    func run(_ text: String, sourceName: String) -> Bool {
        let segments = ScriptSegment.split(text)
        var afterResult = false
        if segments.count <= 1, case .statements? = segments.first {
            return runStatements(text, sourceName: sourceName, afterResult: &afterResult)
        }
        if let syntaxErrors = Database.syntaxErrors(ScriptSegment.statementsOnly(segments), sourceName: sourceName) {
            StandardError.line(syntaxErrors.description)
            return false
        }
        for segment in segments {
            switch segment {
            case .statements(let statements):
                guard runStatements(statements, sourceName: sourceName, afterResult: &afterResult) else { return false }
            case .dotCommand(let line, let lineNumber):
                do {
                    switch try runDotCommand(line) {
                    case .proceed: break
                    case .quit: return true
                    case .edit: throw ShellError(".edit works only at the prompt")
                    }
                } catch let error as ShellError where error.isReported {
                    return false
                } catch {
                    StandardError.line("\(sourceName):\(lineNumber): error: \(ShellError.text(of: error))\n\(EngineChoice.redacted(line))")
                    return false
                }
            }
        }
        return true
    }

    /// Runs statements only, stopping at the first that fails.
    /// - Parameter afterResult: whether the last output was a result set,
    ///   which the next one is set apart from by an empty line; kept across
    ///   the dot commands of a script.
    private func runStatements(_ text: String, sourceName: String, afterResult: inout Bool) -> Bool {
        let monitor = isInteractive ? StatementMonitor(database: database, showsSpinner: StandardError.isTerminal) : nil
        var previousWasResult = afterResult
        defer { afterResult = previousWasResult }
        var failure: CRMQLError?
        do throws(CRMQLError) {
            // Statement by statement, so each one's output shows before the next runs.
            var statements = try database.statements(text, sourceName: sourceName)
            if let syntaxError = statements.syntaxError { throw syntaxError }
            var cpuBefore = Shell.processorTime()
            while let statement = try statements.next() {
                let cpuAfter = Shell.processorTime()
                defer { cpuBefore = Shell.processorTime() }
                for output in statement.outputs {
                    let emit = { previousWasResult = self.show(output, afterResult: previousWasResult) }
                    if let monitor { monitor.exclusive(emit) } else { emit() }
                }
                // The processor time beside the wall time: on a busy machine the
                // wall time of one statement says little of its own cost.
                if timer { StandardError.line("Time: \(Shell.milliseconds(statement.duration)) ms (cpu \(Shell.milliseconds(cpuAfter - cpuBefore)) ms)") }
            }
        } catch {
            failure = error
        }
        monitor?.stop()
        if let failure {
            StandardError.line(failure.phase == .interrupted ? "interrupted" : failure.description)
        }
        return failure == nil
    }

    /// Prints one statement output.
    /// - Returns: whether it was a result set (the next one is then set
    ///   apart by an empty line).
    private func show(_ output: StatementOutput, afterResult: Bool) -> Bool {
        switch output {
        case .rows(let result):
            lastResult = result
            if afterResult { sink.write("\n") }
            if pages(result) { return true }
            sink.write(render(result, maxRows: format == .table ? maxRows : nil, forTerminal: sink.isTerminal))
            return true
        case .message(let text):
            message(text)
            return false
        case .text(let text):
            // An answer, not a notice: where the rows go.
            sink.write(text.hasSuffix("\n") ? text : text + "\n")
            return true
        }
    }

    /// At the REPL, a table taller than the terminal goes through the pager
    /// whole, as psql does; returns false when the result is for the
    /// caller to print (not a person at a terminal, `.pager off`, a short
    /// or a very long result).
    private func pages(_ result: ResultSet) -> Bool {
        guard format == .table, pagerEnabled, isInteractive, sink.path == nil, sink.isTerminal,
              Terminal.isTerminal(STDIN_FILENO), result.rowCount <= Shell.pagedRowLimit,
              let height = Terminal.height(of: STDOUT_FILENO) else { return false }
        // Taller than the screen by rows alone: lay it out and count lines.
        guard result.rowCount + 4 >= height else { return false }
        let text = render(result, maxRows: nil, forTerminal: true)
        let lines = text.reduce(0) { $1 == "\n" ? $0 + 1 : $0 }
        // The prompt needs the last line.
        guard lines >= height else { return false }
        if ExternalProgram.page(text) { return true }
        sink.write(text)
        return true
    }

    /// Loads the demo data and says what it holds.
    func loadDemo() throws(CRMQLError) {
        try database.loadDemo()
        let summary = database.schema.entities.map { "\($0.name) (\(SchemaText.plural($0.rowCount, "row")))" }.joined(separator: ", ")
        message("demo data loaded: \(summary)")
    }

    /// Prints a message: to standard error in every format, so that
    /// standard output (or the `.output` file) holds results only.
    func message(_ text: String) {
        StandardError.write(text.hasSuffix("\n") ? text : text + "\n")
    }

    /// The text of a result in the current format, fitted to the terminal
    /// when it goes to one.
    func render(_ result: ResultSet, maxRows: Int?, forTerminal: Bool) -> String {
        let options = RenderOptions(
            format: format,
            terminalWidth: forTerminal ? Terminal.width(of: STDOUT_FILENO) : nil,
            maxRows: maxRows,
            color: forTerminal && colorAllowed,
            numberFormat: database.numberFormat,
            moreRowsHint: isInteractive ? "use .last to see all rows" : nil
        )
        let text = ResultRenderer.render(result, options: options)
        return text.isEmpty || text.hasSuffix("\n") ? text : text + "\n"
    }

    /// The processor time (user and system, every thread) the process has
    /// used so far.
    static func processorTime() -> Duration {
        var usage = rusage()
        #if os(Linux)
        let who = __rusage_who_t(RUSAGE_SELF.rawValue)
        #else
        let who = RUSAGE_SELF
        #endif
        guard getrusage(who, &usage) == 0 else { return .zero }
        func duration(_ time: timeval) -> Duration { .seconds(Int64(time.tv_sec)) + .microseconds(Int64(time.tv_usec)) }
        return duration(usage.ru_utime) + duration(usage.ru_stime)
    }

    /// Milliseconds with three decimals, as `Time:` lines show them.
    static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let value = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        return String(format: "%.3f", value)
    }
}

extension Shell {
    /// `.engine [memory|postgresql://…]`: where statements run from now on;
    /// without an argument, where they run now.
    func switchEngine(_ argument: String) throws {
        if argument.isEmpty {
            message(database.engineName)
        } else if argument == "memory" {
            database = memory
            message("engine: memory")
        } else if EngineChoice.isServer(argument) {
            do {
                database = try EngineChoice.open(argument, options: databaseOptions)
            } catch {
                throw ShellError(error.message)
            }
            message("engine: \(database.engineName) (\(SchemaText.plural(database.schema.entities.count, "table")))")
        } else {
            throw ShellError("usage: .engine [memory|postgresql://user@host:port/db]")
        }
    }
}
