import CRMQLCore
import CRMQLEngine

extension Database {
    /// Opens a database from a snapshot file that `save "<file>"` wrote: its
    /// entities, indexes, computed fields and named queries.
    ///
    /// The host chose the file, so this works with `Options.safe` too, where
    /// statements may not read files.
    /// - Throws: `CRMQLError` (phase `.io`) when the file cannot be read or
    ///   is not a snapshot, or an option is malformed.
    public convenience init(snapshot path: String, options: Options = Options()) throws(CRMQLError) {
        try self.init(options: options)
        let failure = engine.withLock { interpreter -> Diagnostic? in
            do {
                try interpreter.openSnapshot(atPath: path)
                return nil
            } catch let diagnostic as Diagnostic {
                return diagnostic
            } catch {
                return Diagnostic(.io, "cannot open the snapshot: \(ErrorText.of(error))", at: nil)
            }
        }
        if let failure { throw CRMQLError([failure], source: nil) }
    }

    /// Opens a database on the built-in demo data (see `loadDemo()`).
    public static func demo(options: Options = Options()) throws(CRMQLError) -> Database {
        let database = try Database(options: options)
        try database.loadDemo()
        return database
    }
}
