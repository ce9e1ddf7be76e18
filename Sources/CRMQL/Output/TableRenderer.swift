import CRMQLCore
import CRMQLStorage

/// The table format: a box-drawn grid fitted to the terminal.
///
/// ```
/// ┌────┬───────┬──────────┐
/// │ id │ name  │  revenue │
/// ├────┼───────┼──────────┤
/// │  1 │ Alice │ 12,345.5 │
/// │  2 │ 王芳  │        ∅ │
/// └────┴───────┴──────────┘
/// (2 rows)
/// ```
struct TableRenderer {
    let result: ResultSet
    let options: RenderOptions
    let window: RowWindow
    /// The line width available, never negative; nil for no limit.
    let terminalWidth: Int?
    /// Columns that have both a name and data; a malformed result shows
    /// what it can rather than trap.
    let columnCount: Int

    init(result: ResultSet, options: RenderOptions) {
        self.result = result
        self.options = options
        self.window = RowWindow(rowCount: result.rowCount, maxRows: options.maxRows)
        self.terminalWidth = options.terminalWidth.map { max(0, $0) }
        self.columnCount = min(result.columnNames.count, result.columns.count)
    }

    func render() -> String {
        guard columnCount > 0 else { return footerLines(hidden: []) }
        let headers = (0..<columnCount).map { CellText(escaping: result.columnNames[$0]) }
        let styles = (0..<columnCount).map { result.columns[$0].style }
        let references = (0..<columnCount).map { column -> Bool in
            if case .ref = result.columns[column].type { return true } else { return false }
        }
        let cells = window.rows.map { row in
            (0..<columnCount).map { column in
                let value = result.safeValue(row: row, column: column)
                // `trunc(x, month)` dates read as their period: `2026-06`.
                if case .date(let days) = value, let period = result.columns[column].period {
                    return CellText(plain: period.label(days: days))
                }
                return CellText(value, style: styles[column], isReference: references[column],
                                format: options.numberFormat, thousandsSeparators: options.thousandsSeparators)
            }
        }
        var natural = headers.map(\.width)
        var widestValue = [Int](repeating: 0, count: columnCount)
        for rowCells in cells {
            for (column, cell) in rowCells.enumerated() {
                natural[column] = max(natural[column], cell.width)
                widestValue[column] = max(widestValue[column], cell.width)
            }
        }
        // Cutting a number, a date or a bool would change what it says; a
        // short text (`individual`) or a column's name cut to a stub says
        // too little. Only long text may be cut, down to a few columns; when
        // that is not enough, middle columns are hidden instead.
        let minimum = (0..<columnCount).map { column in
            let header = min(headers[column].width, TableLayout.shortTextWidth)
            guard isTextual(column) else { return max(header, widestValue[column]) }
            let keep = widestValue[column] <= TableLayout.shortTextWidth ? widestValue[column] : TableLayout.minimumTextWidth
            return min(natural[column], max(keep, header))
        }
        let layout = TableLayout.choose(
            natural: natural, minimum: minimum, terminalWidth: terminalWidth, shownRows: window.shownCount)
        switch layout {
        case .vertical:
            return renderVertical(headers: headers, cells: cells)
        case .grid(let columns, let widths, let elidedAfter):
            return renderGrid(headers: headers, cells: cells, columns: columns, widths: widths, elidedAfter: elidedAfter)
        }
    }

    // MARK: - Grid

    /// One column of the grid as drawn: a result column or the `…` column.
    private struct Slot {
        var width: Int
        var column: Int?
        var rightAligned: Bool
        /// Long text wraps onto more lines instead of being cut.
        var wraps: Bool
    }

    private func renderGrid(headers: [CellText], cells: [[CellText]], columns: [Int], widths: [Int], elidedAfter: Int?) -> String {
        var slots = zip(columns, widths).map { column, width in
            Slot(width: width, column: column, rightAligned: isRightAligned(column), wraps: false)
        }
        if let last = slots.indices.last, let column = slots[last].column, elidedAfter == nil || elidedAfter! < slots.count,
           isTextual(column), slots[last].width >= TableLayout.minimumWrapWidth {
            slots[last].wraps = true
        }
        if let elidedAfter, elidedAfter <= slots.count {
            slots.insert(Slot(width: TableLayout.elisionWidth, column: nil, rightAligned: false, wraps: false), at: elidedAfter)
        }
        guard let lastSlot = slots.indices.last else { return footerLines(hidden: []) }

        let gapText = TableText.gap(hiddenRows: window.hiddenCount, grouping: options.thousandsSeparators)
        if window.hiddenCount > 0 {
            // A gap line spans the grid; widen the last column when the grid is
            // narrower than the line, as far as the terminal allows.
            let inner = innerWidth(slots)
            var extra = max(0, DisplayWidth.of(gapText) + 2 - inner)
            if let terminalWidth { extra = min(extra, max(0, terminalWidth - inner - 2)) }
            slots[lastSlot].width += extra
        }

        let color = options.color
        func line(_ texts: [String]) -> String {
            "│" + texts.map { " " + $0 + " " }.joined(separator: "│") + "│\n"
        }
        func rule(_ left: String, _ middle: String, _ right: String) -> String {
            left + slots.map { String(repeating: "─", count: $0.width + 2) }.joined(separator: middle) + right + "\n"
        }
        let elisionCell = CellText(mark: CellText.ellipsis)
        // Rows are most of the output: written straight into it.
        func appendRow(_ rowCells: [CellText], to out: inout String) {
            out += "│"
            for slot in slots {
                out += " "
                let cell = slot.column.map { rowCells[$0] } ?? elisionCell
                let shown = slot.wraps ? (cell.wrapped(to: slot.width, maximumLines: TableLayout.maximumWrappedLines).first ?? .empty)
                    : cell.fitted(to: slot.width)
                shown.appendPadded(to: &out, width: slot.width, rightAligned: slot.rightAligned, color: color)
                out += " │"
            }
            out += "\n"
            // The last column's long text goes on over more lines, so a
            // definition (`describe`) reads whole instead of cut.
            guard let last = slots.last, last.wraps, let column = last.column else { return }
            let more = rowCells[column].wrapped(to: last.width, maximumLines: TableLayout.maximumWrappedLines).dropFirst()
            for piece in more {
                out += "│"
                for slot in slots.dropLast() { out += String(repeating: " ", count: slot.width + 2) + "│" }
                out += " "
                piece.appendPadded(to: &out, width: last.width, rightAligned: false, color: color)
                out += " │\n"
            }
        }

        var out = rule("┌", "┬", "┐")
        out += line(slots.map { slot in
            let header = slot.column.map { headers[$0] } ?? CellText(plain: CellText.ellipsis)
            let text = header.fitted(to: slot.width).padded(to: slot.width, rightAligned: slot.rightAligned, color: false)
            return color ? ANSI.bold + text + ANSI.normalIntensity : text
        })
        if !cells.isEmpty || window.hiddenCount > 0 { out += rule("├", "┼", "┤") }
        for position in 0...cells.count {
            if position == window.head.count && window.hiddenCount > 0 {
                let room = innerWidth(slots) - 2
                let gap = CellText(mark: gapText).fitted(to: room)
                let left = max(0, room - gap.width) / 2
                out += "│ " + String(repeating: " ", count: left)
                    + gap.padded(to: room - left, rightAligned: false, color: color) + " │\n"
            }
            if position < cells.count { appendRow(cells[position], to: &out) }
        }
        out += rule("└", "┴", "┘")
        let shown = Set(columns)
        let hidden = elidedAfter == nil ? [] : (0..<columnCount).filter { !shown.contains($0) }.map { result.columnNames[$0] }
        return out + footerLines(hidden: hidden)
    }

    /// The width between the outer borders.
    private func innerWidth(_ slots: [Slot]) -> Int {
        slots.reduce(0) { $0 + $1.width } + 3 * slots.count - 1
    }

    // MARK: - Shared

    /// The footer, and the hint when rows were left out.
    /// - Parameter hidden: the names of the columns left out.
    func footerLines(hidden: [String]) -> String {
        var out = TableText.footer(
            rowCount: result.rowCount, hiddenColumns: hidden,
            elapsedMilliseconds: options.elapsedMilliseconds, grouping: options.thousandsSeparators) + "\n"
        if window.hiddenCount > 0, let hint = options.moreRowsHint { out += "(" + hint + ")\n" }
        return out
    }

    /// Numbers line up on their last digit; ref columns whose keys are
    /// integers too.
    func isRightAligned(_ column: Int) -> Bool {
        guard column < result.columns.count else { return false }
        let stored = result.columns[column]
        if stored.type.isNumeric { return true }
        if case .ref = stored.type, case .int = stored.data { return true }
        return false
    }

    /// Whether a column holds free text, the only kind a cut leaves readable.
    private func isTextual(_ column: Int) -> Bool {
        guard column < result.columns.count else { return true }
        let stored = result.columns[column]
        switch stored.type {
        case .text, .enumeration, .null: return true
        case .ref: if case .text = stored.data { return true } else { return false }
        case .int, .number, .bool, .date, .datetime: return false
        }
    }
}
