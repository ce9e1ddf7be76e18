import CRMQLCore
import CRMQLStorage

/// Why a result cannot be drawn as the chart asked for, in one line that
/// names the columns involved and what would fit instead.
public struct ChartError: Error, Sendable, CustomStringConvertible {
    /// What is wrong, without location.
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A result's columns read for a bar, line or funnel chart: one label per
/// row and one or more number columns.
struct SeriesData: Sendable {
    struct Series: Sendable {
        var name: String
        var values: [Double?]
        /// A rate or share: numbers between 0 and 1 read as percentages.
        var isPercent: Bool
    }

    var labelName: String
    var labels: [String]
    /// Where each row sits along a line chart's axis (days, seconds or the
    /// number itself); nil for bars and funnels, whose rows are categories.
    var positions: [Double]?
    var series: [Series]
    /// Rows of the result past the charts' limit, not drawn.
    var omittedRows: Int
    /// Number columns a line chart left out (a different scale).
    var omittedSeries: [String]
}

/// A result read as a grid for a heat map: rows from the first column,
/// columns from the second, cells from a number column.
struct GridData: Sendable {
    var rowName: String
    var columnName: String
    var valueName: String
    var rowLabels: [String]
    var columnLabels: [String]
    /// `cells[row][column]`; nil where the result has no row for the pair.
    var cells: [[Double?]]
    var isPercent: Bool
    var omittedRows: Int
    var omittedColumns: Int
}

/// Reads a result's columns into what a chart draws, choosing the label and
/// number columns by their types, and says clearly when a kind does not fit.
struct ChartInput: Sendable {
    let names: [String]
    let columns: [Column]

    /// TUNING: bars and funnel steps past this many rows are not drawn; a
    /// longer chart is no longer read as a picture.
    static let maxCategories = 100
    /// TUNING: a line is sampled by the renderer, but reading more points
    /// than any screen or page shows only costs time.
    static let maxPoints = 100_000
    /// TUNING: a heat map wider or taller than this is no longer read cell by cell.
    static let maxGridRows = 60
    static let maxGridColumns = 40
    /// TUNING: more lines than this on one chart cannot be told apart.
    static let maxSeries = 6

    var rowCount: Int { columns.first?.count ?? 0 }

    /// The chart section 10 of the language draws when none is named: heat
    /// for a grid such as `cohorts(...)`, line along a date, bar otherwise.
    var defaultKind: ChartKind {
        if looksLikeGrid { return .heat }
        if let first = columns.first, first.type.isTemporal, columns.dropFirst().contains(where: { $0.type.isNumeric }) {
            return .line
        }
        return .bar
    }

    /// `cohorts(...)` (cohort, period, …, rate) or two category columns and a
    /// number (`transitions(...)`'s from_state, to_state, count, share).
    private var looksLikeGrid: Bool {
        guard columns.count >= 3, columns.dropFirst(2).contains(where: { $0.type.isNumeric }) else { return false }
        if names[0] == "cohort", names[1] == "period" { return true }
        return !columns[0].type.isNumeric && !columns[0].type.isTemporal && !columns[1].type.isNumeric && !columns[1].type.isTemporal
    }

    // MARK: Series

    /// The label and number columns of a bar, line or funnel chart.
    func series(for kind: ChartKind) throws(ChartError) -> SeriesData {
        try requireRows()
        let labelIndex: Int?
        if kind == .line {
            guard let axis = lineAxis() else {
                if columns.count == 1, columns[0].type.isNumeric {
                    throw ChartError("a line chart needs an axis (a date or number column) and a number column to draw, "
                        + "and the result has only \(describe(0)); try a bar chart")
                }
                throw ChartError("a line chart runs along a date or number column, and \(describe(0)) is neither; try a bar chart")
            }
            labelIndex = axis
        } else {
            labelIndex = categoryColumn()
        }
        let numbers = columns.indices.filter { $0 != labelIndex && columns[$0].type.isNumeric }
        guard let firstNumber = numbers.first else {
            let besides = labelIndex.map { " besides \(describe($0))" } ?? ""
            throw ChartError("\(ChartRenderer.noun(kind)) needs a number column\(besides) to draw, and the result has none (\(columnList))")
        }
        var chosen = [firstNumber]
        var omitted: [String] = []
        if kind == .line {
            // One scale for every line: rates beside counts would flatten the rates to the axis.
            let percent = isPercent(firstNumber)
            for index in numbers.dropFirst() {
                if isPercent(index) == percent, chosen.count < ChartInput.maxSeries { chosen.append(index) } else { omitted.append(names[index]) }
            }
        }
        let limit = kind == .line ? ChartInput.maxPoints : ChartInput.maxCategories
        var rows = Array(0..<min(rowCount, limit))
        var positions: [Double]?
        if kind == .line, let labelIndex {
            // A line needs its points in axis order; rows without a position cannot be placed.
            let column = columns[labelIndex]
            var placed: [(row: Int, at: Double)] = []
            for row in rows { if let at = ChartInput.position(column.value(at: row)) { placed.append((row, at)) } }
            placed.sort { $0.at < $1.at }
            rows = placed.map(\.row)
            positions = placed.map(\.at)
            guard !rows.isEmpty else { throw ChartError("a line chart needs rows with a value in \(describe(labelIndex)); every one is null") }
        }
        let labels = rows.map { row in labelIndex.map { label(columns[$0], row) } ?? String(row + 1) }
        var series: [SeriesData.Series] = []
        for index in chosen {
            let column = columns[index]
            let values = rows.map { ChartInput.drawable(column.value(at: $0).doubleValue) }
            series.append(.init(name: names[index], values: values, isPercent: isPercent(index)))
        }
        if kind == .funnel, let negative = series[0].values.firstIndex(where: { ($0 ?? 0) < 0 }) {
            throw ChartError("a funnel draws counts, and '\(series[0].name)' is negative in row \(negative + 1) (\(labels[negative])); try a bar chart")
        }
        guard series.contains(where: { $0.values.contains { $0 != nil } }) else {
            throw ChartError("nothing to draw: every value of \(chosen.map { "'\(names[$0])'" }.joined(separator: ", ")) is null")
        }
        return SeriesData(labelName: labelIndex.map { names[$0] } ?? "row", labels: labels, positions: positions,
                          series: series, omittedRows: rowCount - min(rowCount, limit), omittedSeries: omitted)
    }

    /// The column naming a bar's row: the first that is not a number, else
    /// the first of several numbers; nil for a single number column (rows
    /// are then numbered).
    private func categoryColumn() -> Int? {
        if let index = columns.firstIndex(where: { !$0.type.isNumeric }) { return index }
        return columns.count >= 2 ? 0 : nil
    }

    /// A line's axis: the first date column, else a first column of numbers
    /// followed by another number column.
    private func lineAxis() -> Int? {
        if let index = columns.firstIndex(where: { $0.type.isTemporal }) { return index }
        if columns.count >= 2, columns[0].type.isNumeric { return 0 }
        return nil
    }

    static func position(_ value: Value) -> Double? {
        switch value {
        case .date(let days): return Double(days)
        case .datetime(let seconds): return Double(seconds)
        case .int(let v): return Double(v)
        case .number(let v): return drawable(v)
        default: return nil
        }
    }

    /// TUNING: a number a chart can place: infinities and NaN are not drawn
    /// (like nulls), and magnitudes are held within ±1e300 so that the span
    /// of an axis is itself a finite number. No CRM figure comes near.
    static func drawable(_ value: Double?) -> Double? {
        guard let value, value.isFinite else { return nil }
        return min(max(value, -1e300), 1e300)
    }

    // MARK: Grid

    /// The rows, columns and cells of a heat map.
    func grid() throws(ChartError) -> GridData {
        try requireRows()
        guard columns.count >= 3, let valueIndex = columns.indices.dropFirst(2).last(where: { columns[$0].type.isNumeric }) else {
            throw ChartError("a heat map needs two columns for its rows and columns and a number column after them, "
                + "as cohorts(...) gives cohort, period and rate; this result has \(columnList)")
        }
        let rowKeys = axisKeys(columns[0])
        let columnKeys = axisKeys(columns[1])
        let shownRows = Array(rowKeys.prefix(ChartInput.maxGridRows))
        let shownColumns = Array(columnKeys.prefix(ChartInput.maxGridColumns))
        var rowSlot: [Value: Int] = [:]
        for (slot, key) in shownRows.enumerated() { rowSlot[key] = slot }
        var columnSlot: [Value: Int] = [:]
        for (slot, key) in shownColumns.enumerated() { columnSlot[key] = slot }
        var cells = [[Double?]](repeating: [Double?](repeating: nil, count: shownColumns.count), count: shownRows.count)
        var filled = Set<Int>()
        let values = columns[valueIndex]
        for row in 0..<rowCount {
            guard let r = rowSlot[columns[0].value(at: row)], let c = columnSlot[columns[1].value(at: row)] else { continue }
            guard filled.insert(r * shownColumns.count + c).inserted else {
                throw ChartError("a heat map needs one row per pair of '\(names[0])' and '\(names[1])', and "
                    + "(\(label(columns[0], row)), \(label(columns[1], row))) comes more than once; group by both first")
            }
            cells[r][c] = ChartInput.drawable(values.value(at: row).doubleValue)
        }
        return GridData(rowName: names[0], columnName: names[1], valueName: names[valueIndex],
                        rowLabels: shownRows.map { ChartInput.text($0, columns[0]) },
                        columnLabels: shownColumns.map { ChartInput.text($0, columns[1]) },
                        cells: cells, isPercent: isPercent(valueIndex),
                        omittedRows: rowKeys.count - shownRows.count, omittedColumns: columnKeys.count - shownColumns.count)
    }

    /// The distinct values of an axis column: in their own order when they
    /// have one (numbers, dates, enum symbols), else as they first come.
    private func axisKeys(_ column: Column) -> [Value] {
        var seen = Set<Value>()
        var order: [Value] = []
        for row in 0..<rowCount {
            let value = column.value(at: row)
            if seen.insert(value).inserted { order.append(value) }
        }
        switch column.type {
        case .int, .number, .date, .datetime, .enumeration, .bool:
            order.sort { ChartInput.sortKey($0) < ChartInput.sortKey($1) }
        default:
            break
        }
        return order
    }

    /// Nulls last, then by number, day or symbol order.
    private static func sortKey(_ value: Value) -> Double {
        switch value {
        case .symbol(let code, _): return Double(code)
        case .bool(let b): return b ? 1 : 0
        default: return position(value) ?? .infinity
        }
    }

    // MARK: Shared

    private func requireRows() throws(ChartError) {
        guard !columns.isEmpty, rowCount > 0 else {
            throw ChartError("nothing to draw: the result has no rows")
        }
    }

    /// TUNING: a column named like a rate or a share holds fractions that read
    /// best as percentages (retention_rate, churn_rate, rate, share).
    private func isPercent(_ index: Int) -> Bool {
        let name = names[index].lowercased()
        guard name.hasSuffix("rate") || name.hasSuffix("share") else { return false }
        let column = columns[index]
        for row in 0..<min(rowCount, ChartInput.maxPoints) {
            if let v = column.value(at: row).doubleValue, abs(v) > 10 { return false }
        }
        return true
    }

    private func label(_ column: Column, _ row: Int) -> String {
        ChartInput.text(column.value(at: row), column)
    }

    /// A label as tables write it: a month's first day as `2026-06` when the
    /// column holds periods, null as `∅`.
    static func text(_ value: Value, _ column: Column) -> String {
        if case .null = value { return "∅" }
        if case .date(let days) = value, let period = column.period { return period.label(days: days) }
        let text = ValueFormatter.plain(value)
        // A label is one line: a newline or tab would break the chart's rows.
        return String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) })
    }

    private func describe(_ index: Int) -> String {
        "'\(names[index])' (\(columns[index].type.kindName))"
    }

    private var columnList: String {
        columns.indices.map { "\(names[$0]) \(columns[$0].type.kindName)" }.joined(separator: ", ")
    }
}
