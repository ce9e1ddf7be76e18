import CRMQLCore

/// How a chart is drawn in a terminal: its width in columns, whether the
/// terminal shows Unicode block characters and 256 colours.
public struct TextChartStyle: Sendable {
    public var width: Int
    public var unicode: Bool
    public var colors: Bool
    public init(width: Int, unicode: Bool, colors: Bool) {
        // Below this a label, a bar and a value no longer share a line.
        self.width = max(24, min(width, 1000))
        self.unicode = unicode
        self.colors = colors
    }
}

/// Draws charts as lines of text: bars with eighth blocks, lines with
/// quadrant blocks (2×2 dots a cell), funnels and heat maps; ASCII when the
/// terminal has no Unicode, colour only when it has 256 colours.
struct TextChart {
    let style: TextChartStyle

    /// TUNING: a line chart's plot is this many rows tall: enough to read a
    /// trend, short enough to keep the prompt and the query above it in view.
    static let plotHeight = 12
    /// TUNING: a label gives way before a bar gets shorter than this.
    static let minimumBar = 10
    /// xterm-256 colours of the lines and bars, one per series, told apart
    /// in colour-blind reading too (blue, orange, green, pink, yellow, teal).
    static let seriesColors = [33, 208, 35, 168, 178, 37]
    static let plainMarks = ["*", "+", "o", "x", "#", "@"]
    /// A heat map's ramp, light yellow to dark blue (xterm-256 colours).
    static let heatRamp = [230, 229, 193, 157, 115, 79, 73, 38, 31, 25, 24, 18]

    // MARK: Bar and funnel

    func bar(_ data: SeriesData) -> String {
        let series = data.series[0]
        let values = series.values.map { $0.map { ChartNumbers.value($0, percent: series.isPercent) } ?? "∅" }
        let valueWidth = values.map(DisplayWidth.of).max() ?? 1
        let labelWidth = min(labelColumnWidth(data.labels), max(3, style.width - valueWidth - 2 - TextChart.minimumBar))
        let area = max(1, style.width - labelWidth - valueWidth - 2)
        let largest = series.values.compactMap { $0.map(abs) }.max() ?? 0
        var out = heading("\(series.name) by \(data.labelName)")
        for (row, label) in data.labels.enumerated() {
            let cells = largest > 0 ? abs(series.values[row] ?? 0) / largest * Double(area) : 0
            let negative = (series.values[row] ?? 0) < 0
            let bar = negative ? paint(shade(cells), 160) : paint(blocks(cells), TextChart.seriesColors[0])
            out += fit(label, labelWidth) + " " + bar + " " + values[row] + "\n"
        }
        return out + notes(data)
    }

    func funnel(_ data: SeriesData) -> String {
        let series = data.series[0]
        let values = series.values.map { $0.map { ChartNumbers.value($0, percent: series.isPercent) } ?? "∅" }
        let base = series.values.compactMap { $0 }.first ?? 0
        let shares = series.values.map { value in value.flatMap { base > 0 ? ChartNumbers.value($0 / base, percent: true) : nil } ?? "" }
        let valueWidth = values.map(DisplayWidth.of).max() ?? 1
        let shareWidth = shares.map(DisplayWidth.of).max() ?? 0
        let labelWidth = min(labelColumnWidth(data.labels), max(3, style.width - valueWidth - shareWidth - 3 - TextChart.minimumBar))
        let area = max(1, style.width - labelWidth - valueWidth - shareWidth - 3)
        let largest = series.values.compactMap { $0 }.max() ?? 0
        var out = heading("\(series.name) by \(data.labelName)" + (base > 0 ? ", % of the first" : ""))
        for (row, label) in data.labels.enumerated() {
            let value = series.values[row] ?? 0
            var cells = largest > 0 ? Int((value / largest * Double(area)).rounded()) : 0
            if value > 0, cells == 0 { cells = 1 }
            // Centred: the two sides narrow alike, as a funnel does.
            let left = (area - cells) / 2
            let bar = String(repeating: " ", count: left)
                + paint(String(repeating: style.unicode ? "█" : "#", count: cells), TextChart.seriesColors[row % 2 == 0 ? 0 : 5])
                + String(repeating: " ", count: area - cells - left)
            out += fit(label, labelWidth) + " " + bar + " " + padLeft(values[row], valueWidth)
            out += shareWidth > 0 ? " " + padLeft(shares[row], shareWidth) + "\n" : "\n"
        }
        return out + notes(data)
    }

    /// A bar `cells` columns long, to an eighth of a column with Unicode.
    private func blocks(_ cells: Double) -> String {
        let whole = Int(cells)
        if !style.unicode {
            let count = Int(cells.rounded())
            return count == 0 && cells > 0 ? "." : String(repeating: "#", count: count)
        }
        let eighths = Int(((cells - Double(whole)) * 8).rounded())
        let partial = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"][eighths]
        let bar = String(repeating: "█", count: whole) + partial
        return bar.isEmpty && cells > 0 ? "▏" : bar
    }

    /// A negative bar: shaded, so that it reads as below zero without colour.
    private func shade(_ cells: Double) -> String {
        let count = max(1, Int(cells.rounded()))
        return String(repeating: style.unicode ? "░" : "-", count: count)
    }

    // MARK: Line

    func line(_ data: SeriesData) -> String {
        let positions = data.positions ?? data.labels.indices.map(Double.init)
        let percent = data.series[0].isPercent
        let span = ChartNumbers.range(data.series.flatMap { $0.values.compactMap { $0 } })
        let ticks = ChartNumbers.ticks(low: span.low, high: span.high, count: 4)
        let yLow = ticks.first ?? 0, yHigh = ticks.last ?? 1
        let tickTexts = ticks.map { ChartNumbers.tick($0, percent: percent) }
        let yWidth = tickTexts.map(DisplayWidth.of).max() ?? 1
        let plotWidth = max(10, style.width - yWidth - 2)
        let height = TextChart.plotHeight
        var canvas = DotCanvas(width: plotWidth * 2, height: height * 2)
        let xLow = positions.first ?? 0, xHigh = positions.last ?? 0
        func x(_ at: Double) -> Int {
            xHigh == xLow ? canvas.width / 2 : TextChart.slot((at - xLow) / (xHigh - xLow) * Double(canvas.width - 1), canvas.width)
        }
        func y(_ value: Double) -> Int {
            TextChart.slot((yHigh - value) / (yHigh - yLow) * Double(canvas.height - 1), canvas.height)
        }
        for (index, series) in data.series.enumerated() {
            var previous: (Int, Int)?
            for (row, value) in series.values.enumerated() {
                guard let value else { previous = nil; continue }
                let point = (x(positions[row]), y(value))
                canvas.line(from: previous ?? point, to: point, owner: index)
                previous = point
            }
        }
        var tickAtRow: [Int: String] = [:]
        for (tick, text) in zip(ticks, tickTexts) {
            tickAtRow[TextChart.slot((yHigh - tick) / (yHigh - yLow) * Double(height - 1), height)] = text
        }
        var out = data.series.count == 1 ? heading("\(data.series[0].name) by \(data.labelName)") : legend(data)
        for row in 0..<height {
            let label = tickAtRow[row]
            out += padLeft(label ?? "", yWidth) + " " + (style.unicode ? (label == nil ? "│" : "┤") : (label == nil ? "|" : "+"))
            out += cells(of: canvas, row: row, columns: plotWidth) + "\n"
        }
        out += String(repeating: " ", count: yWidth + 1) + (style.unicode ? "└" : "+")
            + String(repeating: style.unicode ? "─" : "-", count: plotWidth) + "\n"
        out += String(repeating: " ", count: yWidth + 2) + axisLabels(data.labels, positions, x: { x($0) / 2 }, width: plotWidth) + "\n"
        return out + notes(data)
    }

    /// One row of the plot: quadrant blocks (or each series' mark), coloured
    /// by the series drawn last in the cell.
    private func cells(of canvas: DotCanvas, row: Int, columns: Int) -> String {
        var out = ""
        var run = "", runOwner = -1
        func flush() {
            guard !run.isEmpty else { return }
            out += runOwner >= 0 ? paint(run, TextChart.seriesColors[runOwner % TextChart.seriesColors.count]) : run
            run = ""
        }
        for column in 0..<columns {
            let (bits, owner) = canvas.cell(column: column, row: row)
            let glyph: String
            if bits == 0 {
                glyph = " "
            } else if style.unicode {
                glyph = DotCanvas.quadrants[bits]
            } else {
                glyph = TextChart.plainMarks[owner % TextChart.plainMarks.count]
            }
            let cellOwner = bits == 0 ? -1 : owner
            if cellOwner != runOwner { flush(); runOwner = cellOwner }
            run += glyph
        }
        flush()
        return out
    }

    /// The first, middle and last points' labels under the axis, where they fit.
    private func axisLabels(_ labels: [String], _ positions: [Double], x: (Double) -> Int, width: Int) -> String {
        guard let first = labels.first, let last = labels.last else { return "" }
        var line = [Character](repeating: " ", count: width)
        func place(_ text: String, at start: Int) -> Bool {
            let characters = Array(text)
            let start = max(0, min(start, width - characters.count))
            guard start + characters.count <= width else { return false }
            // Two spaces either side, so that labels never read as one.
            let lower = max(0, start - 2), upper = min(width, start + characters.count + 2)
            guard line[lower..<upper].allSatisfy({ $0 == " " }) else { return false }
            for (offset, character) in characters.enumerated() { line[start + offset] = character }
            return true
        }
        _ = place(first, at: 0)
        if labels.count > 1 { _ = place(last, at: width - last.count) }
        if labels.count > 2 {
            let middle = labels.count / 2
            _ = place(labels[middle], at: x(positions[middle]) - labels[middle].count / 2)
        }
        return String(String(line).reversed().drop { $0 == " " }.reversed())
    }

    /// Each series' mark and name, as many as fit on one line.
    private func legend(_ data: SeriesData) -> String {
        var out = "", used = 0
        for (index, series) in data.series.enumerated() {
            let name = cut(series.name, max(1, style.width - used - 2))
            guard used + 2 + DisplayWidth.of(name) <= style.width else { break }
            out += (used > 0 ? "  " : "") + paint(style.unicode ? "■" : TextChart.plainMarks[index % TextChart.plainMarks.count],
                                                  TextChart.seriesColors[index % TextChart.seriesColors.count]) + " " + name
            used += (used > 0 ? 2 : 0) + 2 + DisplayWidth.of(name)
        }
        let by = "  by \(data.labelName)"
        return out + (used + DisplayWidth.of(by) <= style.width ? by : "") + "\n"
    }

    // MARK: Heat

    func heat(_ grid: GridData) -> String {
        let texts = grid.cells.map { row in
            row.map { $0.map { grid.isPercent ? ChartNumbers.value($0, percent: true) : ChartNumbers.tick($0, percent: false) } ?? "" }
        }
        let columnLabels = grid.columnLabels
        let textWidth = min(8, max(2, texts.joined().map(DisplayWidth.of).max() ?? 2,
                                   columnLabels.map(DisplayWidth.of).max() ?? 2))
        // Colour carries the level behind the number; without colour a shade
        // character after the number does.
        let cellWidth = textWidth + (style.colors ? 2 : 3)
        let labelWidth = labelColumnWidth(grid.rowLabels)
        let shown = max(1, min(columnLabels.count, (style.width - labelWidth - 1) / cellWidth))
        let values = grid.cells.flatMap { $0.compactMap { $0 } }
        let low = min(0, values.min() ?? 0), high = values.max() ?? 1
        func level(_ v: Double) -> Double { high > low ? (v - low) / (high - low) : 1 }
        var out = heading("\(grid.valueName) by \(grid.rowName) (rows) and \(grid.columnName) (columns)")
        out += String(repeating: " ", count: labelWidth + 1)
        // Each label ends where its column's numbers end.
        out += columnLabels.prefix(shown).map { " " + padLeft(cut($0, textWidth), textWidth) + String(repeating: " ", count: cellWidth - textWidth - 1) }
            .joined() + "\n"
        for (r, label) in grid.rowLabels.enumerated() {
            out += fit(label, labelWidth) + " "
            for c in 0..<shown {
                let text = padLeft(texts[r][c], textWidth)
                guard let value = grid.cells[r][c] else {
                    out += String(repeating: " ", count: cellWidth)
                    continue
                }
                if style.colors {
                    let index = TextChart.slot(level(value) * Double(TextChart.heatRamp.count) - 0.5, TextChart.heatRamp.count)
                    let foreground = index >= 7 ? 231 : 16
                    out += "\u{1B}[48;5;\(TextChart.heatRamp[index]);38;5;\(foreground)m " + text + " \u{1B}[0m"
                } else {
                    out += " " + text + shadeMark(level(value)) + " "
                }
            }
            out += "\n"
        }
        let scale = [0.1, 0.3, 0.5, 0.7, 0.9].map { level in
            style.colors
                ? "\u{1B}[48;5;\(TextChart.heatRamp[TextChart.slot(level * Double(TextChart.heatRamp.count) - 0.5, TextChart.heatRamp.count)])m  \u{1B}[0m"
                : shadeMark(level)
        }.joined()
        let ends = [low, high].map { grid.isPercent ? ChartNumbers.value($0, percent: true) : ChartNumbers.tick($0, percent: false) }
        out += "scale: \(ends[0]) \(scale) \(ends[1])\n"
        var notes: [String] = []
        if grid.omittedRows > 0 { notes.append("\(grid.omittedRows) more \(grid.omittedRows == 1 ? "row" : "rows")") }
        let hiddenColumns = grid.omittedColumns + columnLabels.count - shown
        if hiddenColumns > 0 { notes.append("\(hiddenColumns) more \(hiddenColumns == 1 ? "column" : "columns")") }
        if !notes.isEmpty { out += "… \(notes.joined(separator: " and ")) not drawn\n" }
        return out
    }

    private func shadeMark(_ level: Double) -> String {
        let marks = style.unicode ? ["·", "░", "▒", "▓", "█"] : [".", ":", "+", "*", "#"]
        return marks[TextChart.slot(level * Double(marks.count) - 0.5, marks.count)]
    }

    // MARK: Text helpers

    /// The nearest of `count` slots (0..<count) to a computed position; NaN
    /// and positions off the scale land on the nearest end instead of trapping.
    static func slot(_ position: Double, _ count: Int) -> Int {
        guard position.isFinite else { return 0 }
        return Int(min(max(position.rounded(), 0), Double(max(0, count - 1))))
    }

    private func heading(_ text: String) -> String {
        let text = cut(text, style.width)
        return (style.colors ? "\u{1B}[1m" + text + "\u{1B}[0m" : text) + "\n"
    }

    private func notes(_ data: SeriesData) -> String {
        var out = ""
        if data.omittedRows > 0 {
            out += "… \(data.omittedRows) more \(data.omittedRows == 1 ? "row" : "rows") not drawn\n"
        }
        if !data.omittedSeries.isEmpty {
            out += "not drawn (another scale, or too many lines): \(data.omittedSeries.joined(separator: ", "))\n"
        }
        return out
    }

    private func paint(_ text: String, _ color: Int) -> String {
        style.colors && !text.isEmpty ? "\u{1B}[38;5;\(color)m" + text + "\u{1B}[0m" : text
    }

    /// TUNING: labels take at most a third of the width; a longer one is cut.
    private func labelColumnWidth(_ labels: [String]) -> Int {
        min(labels.map(DisplayWidth.of).max() ?? 1, max(6, style.width / 3))
    }

    private func fit(_ text: String, _ width: Int) -> String {
        let cut = cut(text, width)
        return cut + String(repeating: " ", count: max(0, width - DisplayWidth.of(cut)))
    }

    private func padLeft(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - DisplayWidth.of(text))) + text
    }

    /// `text` cut to `width` display columns, the cut marked with `…`.
    private func cut(_ text: String, _ width: Int) -> String {
        guard DisplayWidth.of(text) > width else { return text }
        var out = "", used = 0
        for character in text {
            let w = DisplayWidth.of(String(character))
            if used + w > width - 1 { break }
            out.append(character)
            used += w
        }
        return out + (style.unicode ? "…" : "~")
    }
}

/// A plot of dots, two across and two down per character cell, each dot
/// remembering the series that drew it.
struct DotCanvas {
    let width: Int
    let height: Int
    private var owners: [Int]

    /// The quadrant block for each set of dots: bit 1 top left, 2 top right,
    /// 4 bottom left, 8 bottom right.
    static let quadrants = [" ", "▘", "▝", "▀", "▖", "▌", "▞", "▛", "▗", "▚", "▐", "▜", "▄", "▙", "▟", "█"]

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
        owners = [Int](repeating: -1, count: width * height)
    }

    /// Bresenham's line between two dots.
    mutating func line(from start: (Int, Int), to end: (Int, Int), owner: Int) {
        var (x, y) = start
        let dx = abs(end.0 - x), dy = -abs(end.1 - y)
        let sx = x < end.0 ? 1 : -1, sy = y < end.1 ? 1 : -1
        var error = dx + dy
        while true {
            if (0..<width).contains(x), (0..<height).contains(y) { owners[y * width + x] = owner }
            if x == end.0, y == end.1 { break }
            let doubled = 2 * error
            if doubled >= dy { error += dy; x += sx }
            if doubled <= dx { error += dx; y += sy }
        }
    }

    /// The dots set in one character cell, and the last series among them.
    func cell(column: Int, row: Int) -> (bits: Int, owner: Int) {
        var bits = 0, owner = -1
        for (bit, dx, dy) in [(1, 0, 0), (2, 1, 0), (4, 0, 1), (8, 1, 1)] {
            let x = column * 2 + dx, y = row * 2 + dy
            guard x < width, y < height else { continue }
            let dot = owners[y * width + x]
            if dot >= 0 {
                bits |= bit
                owner = max(owner, dot)
            }
        }
        return (bits, owner)
    }
}
