import CRMQLCore
import CRMQLEngine

// A result draws itself: the shell's `.chart`, a notebook kernel and any
// host share the renderer of the `export chart` statement, so that a chart
// looks the same wherever it is asked for.

extension ResultSet {
    /// The kind `chart` and `svg` draw when given none: heat for a grid
    /// such as `cohorts(...)`, line when the first column is a date, bar
    /// otherwise.
    public var defaultChartKind: ChartKind { ChartRenderer.defaultKind(names: columnNames, columns: columns) }

    /// The result drawn for a terminal: bars of eighth blocks, lines of
    /// quadrant blocks, funnels and heat maps, with labels and values.
    /// - Parameters:
    ///   - kind: the chart; nil draws `defaultChartKind`.
    ///   - width: the columns the chart may take (at least 24).
    ///   - colors: 256-colour escape sequences, for a terminal that shows them.
    ///   - unicode: block characters; false draws with ASCII only.
    /// - Returns: lines of text, each ending in a newline.
    /// - Throws: `CRMQLError` (semantic phase) when the columns do not fit
    ///   the kind, such as a line chart over text labels.
    public func chart(kind: ChartKind? = nil, width: Int = 80, colors: Bool = false, unicode: Bool = true) throws(CRMQLError) -> String {
        do {
            return try ChartRenderer.text(names: columnNames, columns: columns, kind: kind,
                                          style: TextChartStyle(width: width, unicode: unicode, colors: colors))
        } catch {
            throw CRMQLError(phase: .semantic, message: chartMessage(kind, error))
        }
    }

    /// The result drawn as an SVG document (800 pixels wide) with axes,
    /// labels, values and a title, as `export chart` writes it.
    /// - Parameters:
    ///   - kind: the chart; nil draws `defaultChartKind`.
    ///   - title: the heading; nil heads it with what is drawn against what.
    /// - Throws: `CRMQLError` (semantic phase) when the columns do not fit the kind.
    public func svg(kind: ChartKind? = nil, title: String? = nil) throws(CRMQLError) -> String {
        do {
            return try ChartRenderer.svg(names: columnNames, columns: columns, kind: kind, title: title)
        } catch {
            throw CRMQLError(phase: .semantic, message: chartMessage(kind, error))
        }
    }

    private func chartMessage(_ kind: ChartKind?, _ error: ChartError) -> String {
        "cannot draw this result as \(ChartRenderer.noun(kind ?? defaultChartKind)): \(error.message)"
    }
}
