/// The pictures a result can be drawn as: `.chart <kind>` at the REPL and
/// `export chart <kind> <query> to "file.svg"`.
///
/// It lives beside the values because the parser checks the kind a
/// statement names and the renderers draw it: both need the one list.
public enum ChartKind: String, CaseIterable, Sendable {
    /// One bar per row: a label column and a number column.
    case bar
    /// Numbers along a date or number axis, one line per number column.
    case line
    /// Centred bars narrowing stage by stage, each with its share of the first.
    case funnel
    /// A grid coloured by a number: rows from the first column, columns
    /// from the second (the table `cohorts(...)` returns).
    case heat

    /// The kinds as a reader lists them: `bar, line, funnel, heat`.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
