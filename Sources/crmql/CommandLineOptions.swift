import ArgumentParser
import CRMQL

/// The program's version, as `--version` and the REPL banner show it.
let crmqlVersion = "0.1.0"

/// `crmql [FILE] [-c STATEMENTS] [options]`: what the command line asks for.
///
/// Parsing only: `Launcher` acts on it. Every mistake here is a usage error
/// (exit code 2).
struct CommandLineOptions: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crmql",
        abstract: "Query customer-relationship data with CRMQL.",
        discussion: """
            Without FILE or -c, and with a terminal on standard input, crmql starts \
            an interactive shell; otherwise it runs the statements and exits with 0 \
            on success, 1 when a statement failed (later ones do not run), 2 on bad usage.

            Examples:
              crmql --demo
              crmql shop.crmdb
              crmql --data ./crm -c "select customers where stage = mature"
              crmql report.crmql --format json --param region=north
              crmql --engine postgresql://ann@localhost/crm -c "select customers limit 5"

            'crmql generate [--customers N] [--seed S] DIR' writes demo data of any size \
            as CSV (see 'crmql generate --help').
            """,
        version: crmqlVersion
    )

    @Argument(help: "A CRMQL script to run instead of starting the shell, or a database file (*.crmdb) to open.")
    var file: String?

    @Option(help: ArgumentHelp("Open (or create) a database file: every change is written to it before it reports success.", valueName: "file"))
    var db: String?

    @Flag(help: "Open the database file read-only, even while another session writes it.")
    var readonly = false

    @Option(name: [.customShort("c"), .customLong("command")], help: ArgumentHelp("Statements to run instead of starting the shell.", valueName: "statements"))
    var command: String?

    @Option(help: ArgumentHelp("Result format: table, csv, json, ndjson or markdown (default: table at a terminal, csv otherwise).", valueName: "format"))
    var format: String?

    @Option(name: .customLong("param"), help: ArgumentHelp("A parameter value, overriding the script's default (repeatable).", valueName: "name=value"))
    var parameters: [String] = []

    @Option(help: ArgumentHelp("The date 'today' means, instead of the system date.", valueName: "YYYY-MM-DD"))
    var today: String?

    @Option(help: ArgumentHelp("Load every <entity>.csv of a directory, referenced entities first.", valueName: "dir"))
    var data: String?

    @Option(help: ArgumentHelp("Open a snapshot file saved with 'save'.", valueName: "file"))
    var open: String?

    @Option(help: ArgumentHelp("Run queries and changes on a PostgreSQL server (postgresql://user@host:port/db; the password from PGPASSWORD or ~/.pgpass), or 'memory'.", valueName: "engine"))
    var engine: String?

    @Option(help: ArgumentHelp("Threads for big scans, groupings and measures (default: one per processor); answers do not depend on it.", valueName: "N"))
    var threads: Int?

    @Flag(help: "Start on the built-in demo data.")
    var demo = false

    @Flag(help: "Refuse every statement that reads or writes files.")
    var safe = false

    @Option(name: .customLong("time-limit"), help: ArgumentHelp("Stop any statement that runs longer than this many seconds (on a server: its statement_timeout).", valueName: "seconds"))
    var timeLimit: Double?

    @Flag(help: "Report each statement's time on standard error.")
    var timer = false

    /// A positional FILE ending in `.crmdb` names a database, not a script.
    static let databaseExtension = ".crmdb"

    /// The database file to open: `--db`, or a positional `*.crmdb`.
    var databasePath: String? {
        if let db { return db }
        if let file, file.hasSuffix(CommandLineOptions.databaseExtension) { return file }
        return nil
    }

    /// The script to run: the positional FILE unless it names the database.
    var scriptPath: String? {
        guard let file, !(db == nil && file.hasSuffix(CommandLineOptions.databaseExtension)) else { return nil }
        return file
    }

    func validate() throws {
        if db != nil, let file, file.hasSuffix(CommandLineOptions.databaseExtension) {
            throw ValidationError("give the database as FILE or with --db, not both")
        }
        if readonly, databasePath == nil {
            throw ValidationError("--readonly needs a database file (FILE.crmdb or --db FILE)")
        }
        if scriptPath != nil, command != nil {
            throw ValidationError("give a script FILE or -c statements, not both")
        }
        if let format, OutputFormat(rawValue: format) == nil {
            let names = OutputFormat.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("unknown format '\(format)'; expected one of \(names)")
        }
        for parameter in parameters {
            guard let equals = parameter.firstIndex(of: "="), equals != parameter.startIndex else {
                throw ValidationError("--param needs name=value, not '\(parameter)'")
            }
        }
        if let engine {
            guard engine == "memory" || EngineChoice.isServer(engine) else {
                throw ValidationError("unknown engine '\(engine)'; expected memory or postgresql://user@host:port/db")
            }
            if EngineChoice.isServer(engine), databasePath != nil || open != nil || demo {
                throw ValidationError("--engine postgresql://… runs on the server's tables; it cannot be combined with a database file, --open or --demo")
            }
        }
        if let timeLimit, !(timeLimit > 0 && timeLimit <= 86_400 * 365) {
            throw ValidationError("--time-limit needs a number of seconds greater than 0")
        }
        if let threads, !(1...256).contains(threads) {
            throw ValidationError("--threads takes a number from 1 to 256, not \(threads)")
        }
        if safe, data != nil || open != nil {
            throw ValidationError("--safe forbids reading files, so it cannot be combined with --data or --open")
        }
    }

    /// `--param` values by name; a leading `$` on the name is dropped.
    var parameterValues: [String: String] {
        var values: [String: String] = [:]
        for parameter in parameters {
            guard let equals = parameter.firstIndex(of: "=") else { continue }
            var name = String(parameter[..<equals])
            if name.hasPrefix("$") { name.removeFirst() }
            values[name] = String(parameter[parameter.index(after: equals)...])
        }
        return values
    }

    /// The bounds `--time-limit` sets.
    var limits: Database.Limits {
        Database.Limits(timeLimit: timeLimit.map { .milliseconds(Int64(($0 * 1000).rounded(.up))) })
    }

    /// The format asked for, if any.
    var outputFormat: OutputFormat? { format.flatMap(OutputFormat.init(rawValue:)) }
}
