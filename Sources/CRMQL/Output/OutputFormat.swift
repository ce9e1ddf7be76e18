/// How query results are written: a grid for people, or a format for tools.
public enum OutputFormat: String, CaseIterable, Sendable {
    /// A box-drawn grid sized for a terminal, with a row-count footer.
    case table
    /// RFC 4180 CSV with a header row; null is an empty cell.
    case csv
    /// One JSON array of objects per result.
    case json
    /// One JSON object per line.
    case ndjson
    /// A GitHub-flavoured Markdown table.
    case markdown
}
