import CRMQLCore

/// The vertical layout, for a few rows too wide for the terminal: one line
/// per field, each record under a rule that numbers it.
///
/// ```
/// ─[ row 1 ]────────────
/// id      │ 1
/// name    │ Alice
/// revenue │ 12,345.5
/// ─[ row 2 ]────────────
/// …
/// ```
extension TableRenderer {
    func renderVertical(headers: [CellText], cells: [[CellText]]) -> String {
        let color = options.color
        var fieldWidth = headers.reduce(0) { max($0, $1.width) }
        // Names may take half the line at most: the values matter more.
        if let terminalWidth { fieldWidth = min(fieldWidth, max(1, (terminalWidth - 3) / 2)) }
        let valueLimit = terminalWidth.map { max(1, $0 - fieldWidth - 3) } ?? Int.max
        let names = headers.map { header in
            let text = header.fitted(to: fieldWidth).padded(to: fieldWidth, rightAligned: false, color: false)
            return color ? ANSI.bold + text + ANSI.normalIntensity : text
        }
        let values = cells.map { rowCells in rowCells.map { $0.fitted(to: valueLimit) } }
        let widestValue = values.reduce(0) { widest, rowValues in rowValues.reduce(widest) { max($0, $1.width) } }
        var ruleWidth = fieldWidth + 3 + widestValue
        if let terminalWidth { ruleWidth = min(ruleWidth, terminalWidth) }

        let rows = window.rows
        var out = ""
        for position in 0...values.count {
            if position == window.head.count && window.hiddenCount > 0 {
                out += CellText(mark: TableText.gap(hiddenRows: window.hiddenCount, grouping: options.thousandsSeparators))
                    .rendered(color: color) + "\n"
            }
            guard position < values.count else { break }
            let rowValues = values[position]
            let number = position < rows.count ? rows[position] + 1 : position + 1
            let digits = String(number)
            let label = "─[ row " + (options.thousandsSeparators ? NumberGrouping.grouped(digits) : digits) + " ]"
            out += label + String(repeating: "─", count: max(0, ruleWidth - DisplayWidth.of(label))) + "\n"
            for (column, value) in rowValues.enumerated() where column < names.count {
                // No trailing blank after the bar when the value is the empty string.
                out += names[column] + (value.width == 0 ? " │" : " │ " + value.rendered(color: color)) + "\n"
            }
        }
        return out + footerLines(hidden: [])
    }
}
