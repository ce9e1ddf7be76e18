import CRMQLCore
extension Database {
    /// Loads the built-in demo data: customers, orders and interactions of a
    /// made-up company, with `today` fixed at 2026-06-30 so that answers are
    /// reproducible. Replaces whatever the database held.
    /// It reads no file, so it works in safe mode too.
    /// On a database file, the demo data is committed to it as a checkpoint.
    public func loadDemo() throws(CRMQLError) {
        let failure = write { interpreter -> Diagnostic? in
            do { try interpreter.loadDemoDurably() } catch let diagnostic as Diagnostic { return diagnostic } catch {
                return Diagnostic(.io, "\(error)", at: nil)
            }
            return nil
        }
        if let failure { throw CRMQLError([failure], source: nil) }
    }
}
