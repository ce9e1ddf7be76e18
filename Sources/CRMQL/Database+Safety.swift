extension Database {
    /// True when the database was opened with `Options.safe`: every statement
    /// that reads or writes a file is refused. A host that offers commands of
    /// its own around statements (a shell's `.read` and `.output`) refuses
    /// those too when this is set.
    public var isSafe: Bool { engine.withLock { $0.isSafe } }
}

extension Database {
    /// How the session wants tables to write numbers (`set number_format =
    /// plain|readable`); a host that renders tables passes it to
    /// `RenderOptions.numberFormat`.
    public var numberFormat: NumberFormat {
        NumberFormat(rawValue: engine.withLock { $0.numberFormat }) ?? .readable
    }
}
