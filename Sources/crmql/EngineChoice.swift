import CRMQL
import CRMQLPostgres

/// `--engine` and `.engine`: which engine runs a session's statements.
enum EngineChoice {
    /// Whether the argument names a PostgreSQL server.
    static func isServer(_ argument: String) -> Bool {
        argument.hasPrefix("postgresql://") || argument.hasPrefix("postgres://")
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
