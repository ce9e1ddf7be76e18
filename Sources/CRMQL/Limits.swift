import CRMQLEngine

extension Database {
    /// Bounds on what one statement may take, for hosts that run text they
    /// did not write: time, result rows, expression nesting and memory. A
    /// statement that goes past one fails with phase `.limit` and leaves the
    /// store as it was. `nil` means unbounded; a new database has no bounds.
    ///
    /// Together with `Options.safe` (no statement reads or writes a file),
    /// they make a sandbox for untrusted queries:
    ///
    /// ```swift
    /// let db = try Database(options: .init(safe: true, limits: .init(timeLimit: .seconds(2), maxResultRows: 10_000)))
    /// ```
    public typealias Limits = ExecutionLimits

    /// The bounds in force; a change applies to the statements that start
    /// afterwards (it waits for a running statement to finish). Readable
    /// and writable from any thread.
    public var limits: Limits {
        get { engine.withLock { $0.limits } }
        set { engine.withLock { $0.limits = newValue } }
    }
}
