/// How `ResultRenderer` writes a result.
///
/// Everything but `format` shapes the table format only: the other formats
/// are read by tools, so they always carry every row and every digit exactly.
public struct RenderOptions: Sendable {
    /// The output format.
    public var format: OutputFormat
    /// Columns available for each line; nil when the output is not a terminal
    /// (a file, a pipe), so nothing is cut.
    public var terminalWidth: Int?
    /// Rows shown before the middle ones are elided (half from the start,
    /// half from the end); nil shows every row.
    public var maxRows: Int?
    /// Whether ANSI colours may be used: decide with
    /// `ResultRenderer.shouldUseColor(isTerminal:environment:)`.
    public var color: Bool
    /// Whether numbers of four or more integer digits are grouped by
    /// thousands, `12,345.50` (keys, refs and years never are).
    public var thousandsSeparators: Bool
    /// How numbers read: rounded and grouped for people, or every digit.
    public var numberFormat: NumberFormat
    /// How long the statement took; when set, the footer reports it.
    public var elapsedMilliseconds: Double?
    /// A hint printed under a table whose middle rows were elided, telling
    /// the reader how to see them all in the host (the shell says `use .last
    /// to see all rows`); nil prints none.
    public var moreRowsHint: String?

    /// Options for `format`, sized for a pipe or a file: no width limit, every
    /// row, no colour, thousands separators in tables.
    public init(
        format: OutputFormat = .table,
        terminalWidth: Int? = nil,
        maxRows: Int? = nil,
        color: Bool = false,
        thousandsSeparators: Bool = true,
        elapsedMilliseconds: Double? = nil,
        numberFormat: NumberFormat = .readable,
        moreRowsHint: String? = nil
    ) {
        self.format = format
        self.terminalWidth = terminalWidth
        self.maxRows = maxRows
        self.color = color
        self.thousandsSeparators = thousandsSeparators
        self.elapsedMilliseconds = elapsedMilliseconds
        self.numberFormat = numberFormat
        self.moreRowsHint = moreRowsHint
    }
}
