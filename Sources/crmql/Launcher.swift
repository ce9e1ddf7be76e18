import CRMQL
import Foundation
import LineReader

/// Acts on the command line: opens the database, runs the start-up options
/// (`--open`, `--demo`, `--data`), then a script or the REPL.
struct Launcher {
    let options: CommandLineOptions

    /// Exit codes: 0 success, 1 a statement failed, 2 bad usage.
    enum Status {
        static let success: Int32 = 0
        static let statementFailed: Int32 = 1
        static let usage: Int32 = 2
    }

    func run() -> Int32 {
        let script: (text: String, name: String)?
        let dataDirectory: DataDirectory?
        do {
            script = try readScript()
            dataDirectory = try options.data.map(DataDirectory.init(path:))
        } catch {
            StandardError.line("crmql: \(ShellError.text(of: error))")
            return Status.usage
        }

        let database: Database
        let databaseOptions = Database.Options(today: options.today, safe: options.safe, parameters: options.parameterValues,
                                               limits: options.limits, threads: options.threads)
        do {
            if let path = options.databasePath {
                database = try Database(path: path, readOnly: options.readonly, options: databaseOptions)
                if let note = database.recoveryNote { StandardError.line("crmql: \(path): \(note)") }
            } else if let engine = options.engine, EngineChoice.isServer(engine) {
                database = try EngineChoice.open(engine, options: databaseOptions)
            } else {
                database = try Database(options: databaseOptions)
            }
        } catch {
            StandardError.line(error.description)
            return options.databasePath == nil && options.engine == nil ? Status.usage : Status.statementFailed
        }
        // A clean exit folds the database file's log into it.
        defer {
            do { try database.close() } catch { StandardError.line(error.description) }
        }

        let isInteractive = script == nil
        if isInteractive {
            InterruptSignal.install()
            InterruptSignal.ignoreBrokenPipes()
        }
        // A table for a person at a terminal, CSV for a program reading a pipe or a file.
        let format = options.outputFormat ?? (OutputSink.standardOutput.isTerminal ? .table : .csv)
        let shell = Shell(database: database, format: format, timer: options.timer,
                          maxRows: isInteractive ? Shell.terminalMaxRows : nil, isInteractive: isInteractive)
        shell.databaseOptions = databaseOptions
        guard startUp(shell, dataDirectory: dataDirectory) else { return Status.statementFailed }
        if isInteractive { REPL.printBanner(hasData: !database.schema.entities.isEmpty) }
        if let script {
            return shell.run(script.text, sourceName: script.name) ? Status.success : Status.statementFailed
        }
        let pending = PendingInput()
        let repl = REPL(shell: shell, reader: REPL.makeReader(database: database, pending: pending), pending: pending)
        repl.run()
        shell.redirect(to: .standardOutput)
        return Status.success
    }

    /// The statements to run without the REPL: FILE, `-c`, or standard
    /// input when it is not a terminal; nil starts the REPL.
    private func readScript() throws -> (text: String, name: String)? {
        if let file = options.scriptPath {
            guard let data = FileManager.default.contents(atPath: file) else { throw ShellError("cannot read '\(file)'") }
            return (String(decoding: data, as: UTF8.self), file)
        }
        if let command = options.command { return (command, "<command line>") }
        if !Terminal.isTerminal(STDIN_FILENO) {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            return (String(decoding: data, as: UTF8.self), "<stdin>")
        }
        return nil
    }

    /// `--demo`, `--open`, then `--data`, each through the public API as
    /// a script would do it: a snapshot opened with `--demo` replaces the
    /// demo data, as `open` at the prompt would. Returns false when one
    /// failed.
    private func startUp(_ shell: Shell, dataDirectory: DataDirectory?) -> Bool {
        if options.demo {
            do {
                try shell.loadDemo()
            } catch {
                StandardError.line(error.description)
                return false
            }
        }
        if let snapshot = options.open, !shell.run("open " + DataDirectory.stringLiteral(snapshot), sourceName: "--open") {
            return false
        }
        for statement in dataDirectory?.statements ?? [] where !shell.run(statement, sourceName: "--data") {
            return false
        }
        return true
    }
}
