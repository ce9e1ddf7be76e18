import CRMQLCore
import CRMQLEngine

extension Database {
    /// Opens the database file at `path`, creating it when it does not
    /// exist: every statement that changes the session from now on is
    /// written to the file's log and made durable before it reports success,
    /// and the next open finds exactly the statements that did.
    ///
    /// A second writer is refused (in this process or another) while this
    /// one is open; `readOnly` opens a file another session may be writing,
    /// as it was at that moment, and refuses every change. A statement that
    /// changes the session may not call a host function, whose result a
    /// later open could not repeat. The file, its log (`path-log`) and lock
    /// (`path-lock`) are made with mode 0600. The host chose the file, so
    /// this works with `Options.safe` too.
    ///
    /// `close()` (or letting go of the database) folds the log into the file.
    /// - Throws: `CRMQLError` (phase `.io`) when the file is locked by
    ///   another writer, cannot be read or written, or is not a database.
    public convenience init(path: String, readOnly: Bool = false, options: Options = Options()) throws(CRMQLError) {
        try self.init(options: options)
        let failure = engine.withLock { interpreter -> Diagnostic? in
            do {
                try interpreter.openDatabase(atPath: path, readOnly: readOnly)
                return nil
            } catch let diagnostic as Diagnostic {
                return diagnostic
            } catch {
                return Diagnostic(.io, "cannot open '\(path)': \(ErrorText.of(error))", at: nil)
            }
        }
        if let failure { throw CRMQLError([failure], source: nil) }
    }

    /// The database file this database writes, or nil in memory.
    public var path: String? { engine.withLock { $0.databasePath } }

    /// What opening the database file repaired, or nil: a log whose last
    /// record was torn by a crash is cut at the last whole record, and this
    /// says how many bytes went.
    public var recoveryNote: String? { engine.withLock { $0.databaseOpeningNote } }

    /// Folds the database file's log into the file now (it also happens
    /// when the log grows large, and at `close()`).
    /// - Throws: `CRMQLError` (phase `.io`); the log still holds everything.
    public func checkpoint() throws(CRMQLError) {
        let failure = write { interpreter -> Diagnostic? in
            do { try interpreter.checkpoint() } catch let diagnostic as Diagnostic { return diagnostic } catch {
                return Diagnostic(.io, "\(ErrorText.of(error))", at: nil)
            }
            return nil
        }
        if let failure { throw CRMQLError([failure], source: nil) }
    }

    /// Folds the log into the database file and lets the file go, so that
    /// another session may open it; statements that change the session
    /// fail from then on, reads go on. Nothing for a database in memory.
    /// - Throws: `CRMQLError` (phase `.io`) when the last checkpoint failed;
    ///   the log still holds every committed statement.
    public func close() throws(CRMQLError) {
        let failure = write { interpreter -> Diagnostic? in
            do { try interpreter.closeDatabase() } catch let diagnostic as Diagnostic { return diagnostic } catch {
                return Diagnostic(.io, "\(ErrorText.of(error))", at: nil)
            }
            return nil
        }
        if let failure { throw CRMQLError([failure], source: nil) }
    }
}
