import CRMQLCore
import CRMQLStorage

/// Draws a result's columns as a chart: the one renderer behind `.chart` at
/// the REPL, `export chart`, and the library's `ResultSet.chart` and `svg`.
public enum ChartRenderer {
    /// The kind drawn when none is named (section 10 of the language): heat
    /// for a grid such as `cohorts(...)`, line when the first column is a
    /// date, bar otherwise.
    public static func defaultKind(names: [String], columns: [Column]) -> ChartKind {
        ChartInput(names: names, columns: columns).defaultKind
    }

    /// The kind as a sentence names it: "a bar chart", "a heat map".
    public static func noun(_ kind: ChartKind) -> String {
        switch kind {
        case .bar: return "a bar chart"
        case .line: return "a line chart"
        case .funnel: return "a funnel"
        case .heat: return "a heat map"
        }
    }

    /// The chart as lines of text for a terminal.
    /// - Throws: `ChartError` when the result's columns do not fit the kind.
    public static func text(names: [String], columns: [Column], kind: ChartKind?, style: TextChartStyle) throws(ChartError) -> String {
        let input = ChartInput(names: names, columns: columns)
        let chart = TextChart(style: style)
        let text: String
        switch kind ?? input.defaultKind {
        case .bar: text = chart.bar(try input.series(for: .bar))
        case .line: text = chart.line(try input.series(for: .line))
        case .funnel: text = chart.funnel(try input.series(for: .funnel))
        case .heat: text = chart.heat(try input.grid())
        }
        // Blank cells at a line's end would only make a terminal wrap early or a diff noisy.
        return text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in String(line.reversed().drop { $0 == " " }.reversed()) }
            .joined(separator: "\n")
    }

    /// The chart as an SVG document; `title` heads it (else what is drawn
    /// against what does).
    /// - Throws: `ChartError` when the result's columns do not fit the kind.
    public static func svg(names: [String], columns: [Column], kind: ChartKind?, title: String?) throws(ChartError) -> String {
        let input = ChartInput(names: names, columns: columns)
        let chart = SVGChart(title: title.flatMap { $0.isEmpty ? nil : $0 })
        switch kind ?? input.defaultKind {
        case .bar: return chart.bar(try input.series(for: .bar))
        case .line: return chart.line(try input.series(for: .line))
        case .funnel: return chart.funnel(try input.series(for: .funnel))
        case .heat: return chart.heat(try input.grid())
        }
    }
}
