extension Database {
    /// Loads the built-in demo data: customers, orders and interactions of a
    /// made-up company, with `today` fixed at 2026-06-30 so that answers are
    /// reproducible. Replaces whatever the database held.
    /// It reads no file, so it works in safe mode too.
    public func loadDemo() throws(CRMQLError) {
        write { $0.loadDemo() }
    }
}
