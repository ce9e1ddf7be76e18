import CRMQL
import CRMQLPostgres
import Foundation

/// `--engine` and `.engine`: which engine runs a session's statements.
enum EngineChoice {
    /// Whether the argument names a PostgreSQL server.
    static func isServer(_ argument: String) -> Bool {
        argument.hasPrefix("postgresql://") || argument.hasPrefix("postgres://")
    }

    /// A dot command line as it may be shown or kept in the history: an
    /// `.engine` URL without its password.
    static func redacted(_ line: String) -> String {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix(".engine ") else { return line }
        let argument = trimmed.dropFirst(".engine ".count).trimmingCharacters(in: .whitespaces)
        return ".engine " + ConnectionAddress(argument).redacted
    }

    /// A session on the server the URL names.
    /// - Throws: `CRMQLError` when it cannot be reached or its tables
    ///   disagree with the model; the message never holds the password.
    static func open(_ url: String, options: Database.Options) throws(CRMQLError) -> Database {
        let engine: PostgreSQLEngine
        do {
            engine = try PostgreSQLEngine(connecting: url)
        } catch {
            throw CRMQLError(phase: .io, message: error.message)
        }
        return try Database(engine: engine, options: options)
    }
}
