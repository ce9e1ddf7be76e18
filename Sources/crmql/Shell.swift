import CRMQL
import Foundation
import LineReader

/// Runs statements and prints what they produce, the same way for a script,
/// `-c`, piped input and the REPL.
///
/// Query results go to the output sink; messages (`3 customers updated`)
/// join them in table format and go to standard error in the formats tools
/// read, so that standard output carries results only. Errors always go to
/// standard error.
final class Shell {
    let database: Database
    var format: OutputFormat
    var timer: Bool
    /// Rows a table shows before eliding the middle; nil shows all.
    var maxRows: Int?
    /// The rows a table at the prompt shows before eliding the middle ones.
    static let terminalMaxRows = 40
    /// True at the REPL: Ctrl-C cancels a statement, long ones show a spinner.
    let isInteractive: Bool
    private(set) var sink: OutputSink = .standardOutput
    /// The last result set, for `.last`.
    private(set) var lastResult: ResultSet?
    private let colorAllowed: Bool

    init(database: Database, format: OutputFormat, timer: Bool, maxRows: Int?, isInteractive: Bool) {
        self.database = database
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

    /// Runs the statements of `text`, stopping at the first that fails.
    /// - Returns: false when a statement failed (its error has been printed).
    @discardableResult
    func run(_ text: String, sourceName: String) -> Bool {
        let monitor = isInteractive ? StatementMonitor(database: database, showsSpinner: StandardError.isTerminal) : nil
        var previousWasResult = false
        var failure: CRMQLError?
        do throws(CRMQLError) {
            // Statement by statement, so each one's output shows before the next runs.
            var statements = try database.statements(text, sourceName: sourceName)
            if let syntaxError = statements.syntaxError { throw syntaxError }
            while let statement = try statements.next() {
                for output in statement.outputs {
                    let emit = { previousWasResult = self.show(output, afterResult: previousWasResult) }
                    if let monitor { monitor.exclusive(emit) } else { emit() }
                }
                if timer { StandardError.line("Time: \(Shell.milliseconds(statement.duration)) ms") }
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
            sink.write(render(result, maxRows: format == .table ? maxRows : nil, forTerminal: sink.isTerminal))
            return true
        case .message(let text):
            if format == .table, afterResult { sink.write("\n") }
            message(text)
            return false
        }
    }

    /// Loads the demo data and says what it holds.
    func loadDemo() throws(CRMQLError) {
        try database.loadDemo()
        let summary = database.schema.entities.map { "\($0.name) (\(SchemaText.plural($0.rowCount, "row")))" }.joined(separator: ", ")
        message("demo data loaded: \(summary)")
    }

    /// Prints a message the way statement messages go: with the results in
    /// table format, to standard error in the formats tools read.
    func message(_ text: String) {
        let line = text.hasSuffix("\n") ? text : text + "\n"
        if format == .table { sink.write(line) } else { StandardError.write(line) }
    }

    /// The text of a result in the current format, fitted to the terminal
    /// when it goes to one.
    func render(_ result: ResultSet, maxRows: Int?, forTerminal: Bool) -> String {
        let options = RenderOptions(
            format: format,
            terminalWidth: forTerminal ? Terminal.width(of: STDOUT_FILENO) : nil,
            maxRows: maxRows,
            color: forTerminal && colorAllowed,
            moreRowsHint: isInteractive ? "use .last to see all rows" : nil
        )
        let text = ResultRenderer.render(result, options: options)
        return text.isEmpty || text.hasSuffix("\n") ? text : text + "\n"
    }

    /// Milliseconds with three decimals, as `Time:` lines show them.
    static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let value = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        return String(format: "%.3f", value)
    }
}
