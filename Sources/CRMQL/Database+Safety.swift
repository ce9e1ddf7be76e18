extension Database {
    /// True when the database was opened with `Options.safe`: every statement
    /// that reads or writes a file is refused. A host that offers commands of
    /// its own around statements (a shell's `.read` and `.output`) refuses
    /// those too when this is set.
    public var isSafe: Bool { engine.withLock { $0.isSafe } }
}
