import Foundation

/// Draws charts as SVG documents: an axis with round ticks and grid lines,
/// labels, values and a title, on a white page that prints and converts to
/// PNG as it shows.
struct SVGChart {
    let title: String?

    /// TUNING: 800 pixels fit a notebook cell and a slide without scaling.
    static let width = 800
    static let top = 64.0

    // MARK: Bar

    func bar(_ data: SeriesData) -> String {
        let series = data.series[0]
        let rowHeight = 24.0, barHeight = 16.0
        let labelWidth = min(220, (data.labels.map(SVGWriter.pixels).max() ?? 20) + 12)
        let left = 20 + labelWidth, right = 90.0
        let plotWidth = Double(SVGChart.width) - left - right
        let plotHeight = Double(data.labels.count) * rowHeight
        var svg = SVGWriter(width: SVGChart.width, height: Int(SVGChart.top + plotHeight + 64 + noteHeight(data)))
        svg.heading(title: title ?? "\(series.name) by \(data.labelName)", subtitle: title == nil ? nil : "\(series.name) by \(data.labelName)")
        let span = ChartNumbers.range(series.values.compactMap { $0 })
        let ticks = ChartNumbers.ticks(low: span.low, high: span.high, count: 5)
        let low = ticks.first ?? 0, high = ticks.last ?? 1
        func x(_ v: Double) -> Double { left + (v - low) / (high - low) * plotWidth }
        let bottom = SVGChart.top + plotHeight
        for tick in ticks {
            svg.line(x1: x(tick), y1: SVGChart.top, x2: x(tick), y2: bottom, stroke: "#e6e6e6")
            svg.text(ChartNumbers.tick(tick, percent: series.isPercent), x: x(tick), y: bottom + 16, anchor: "middle", fill: "#555")
        }
        svg.text(series.name, x: left + plotWidth / 2, y: bottom + 36, anchor: "middle", fill: "#555")
        for (row, label) in data.labels.enumerated() {
            let middle = SVGChart.top + (Double(row) + 0.5) * rowHeight
            svg.text(SVGWriter.cut(label, to: labelWidth), x: left - 8, y: middle + 4, anchor: "end")
            guard let value = series.values[row] else {
                svg.text("∅", x: x(0) + 4, y: middle + 4, fill: "#999")
                continue
            }
            let from = x(min(0, value)), to = x(max(0, value))
            svg.rect(x: from, y: middle - barHeight / 2, width: to - from, height: barHeight,
                     fill: value < 0 ? SVGWriter.seriesColors[3] : SVGWriter.seriesColors[0])
            let text = ChartNumbers.value(value, percent: series.isPercent)
            if value < 0 {
                svg.text(text, x: from - 4, y: middle + 4, anchor: "end")
            } else {
                svg.text(text, x: to + 4, y: middle + 4)
            }
        }
        svg.line(x1: x(0), y1: SVGChart.top, x2: x(0), y2: bottom, stroke: "#333")
        notes(data, into: &svg, at: bottom + 54)
        return svg.document
    }

    // MARK: Funnel

    func funnel(_ data: SeriesData) -> String {
        let series = data.series[0]
        let rowHeight = 46.0, barHeight = 34.0
        let labelWidth = min(220, (data.labels.map(SVGWriter.pixels).max() ?? 20) + 12)
        let left = 20 + labelWidth, right = 130.0
        let plotWidth = Double(SVGChart.width) - left - right
        let plotHeight = Double(data.labels.count) * rowHeight
        var svg = SVGWriter(width: SVGChart.width, height: Int(SVGChart.top + plotHeight + 24 + noteHeight(data)))
        let what = "\(series.name) by \(data.labelName)"
        svg.heading(title: title ?? what, subtitle: title == nil ? "each step's share of the first" : what)
        let largest = series.values.compactMap { $0 }.max() ?? 0
        let base = series.values.compactMap { $0 }.first ?? 0
        let center = left + plotWidth / 2
        func halfWidth(_ v: Double?) -> Double { largest > 0 ? max(0, v ?? 0) / largest * plotWidth / 2 : 0 }
        for (row, label) in data.labels.enumerated() {
            let y = SVGChart.top + Double(row) * rowHeight
            let half = halfWidth(series.values[row])
            if row + 1 < data.labels.count {
                // The band between two steps: what was lost narrows it.
                let next = halfWidth(series.values[row + 1])
                svg.polygon([(center - half, y + barHeight), (center + half, y + barHeight),
                             (center + next, y + rowHeight), (center - next, y + rowHeight)], fill: "#dceaf6")
            }
            svg.rect(x: center - half, y: y, width: 2 * half, height: barHeight, fill: SVGWriter.seriesColors[0])
            svg.text(SVGWriter.cut(label, to: labelWidth), x: left - 8, y: y + barHeight / 2 + 4, anchor: "end")
            guard let value = series.values[row] else { continue }
            var text = ChartNumbers.value(value, percent: series.isPercent)
            if base > 0 { text += "  " + ChartNumbers.value(value / base, percent: true) }
            svg.text(text, x: left + plotWidth + 10, y: y + barHeight / 2 + 4)
        }
        notes(data, into: &svg, at: SVGChart.top + plotHeight + 10)
        return svg.document
    }

    // MARK: Line

    func line(_ data: SeriesData) -> String {
        let positions = data.positions ?? data.labels.indices.map(Double.init)
        let percent = data.series[0].isPercent
        let span = ChartNumbers.range(data.series.flatMap { $0.values.compactMap { $0 } })
        let ticks = ChartNumbers.ticks(low: span.low, high: span.high, count: 5)
        let tickTexts = ticks.map { ChartNumbers.tick($0, percent: percent) }
        let low = ticks.first ?? 0, high = ticks.last ?? 1
        let legendHeight = data.series.count > 1 ? 22.0 : 0
        let top = SVGChart.top + legendHeight
        let left = 40 + (tickTexts.map(SVGWriter.pixels).max() ?? 10), right = 30.0
        let plotWidth = Double(SVGChart.width) - left - right, plotHeight = 300.0
        let bottom = top + plotHeight
        var svg = SVGWriter(width: SVGChart.width, height: Int(bottom + 56 + noteHeight(data)))
        let what = data.series.count == 1 ? "\(data.series[0].name) by \(data.labelName)" : "by \(data.labelName)"
        svg.heading(title: title ?? what, subtitle: title == nil ? nil : what)
        let xLow = positions.first ?? 0, xHigh = positions.last ?? 0
        func x(_ at: Double) -> Double { xHigh == xLow ? left + plotWidth / 2 : left + (at - xLow) / (xHigh - xLow) * plotWidth }
        func y(_ v: Double) -> Double { bottom - (v - low) / (high - low) * plotHeight }
        for (tick, text) in zip(ticks, tickTexts) {
            svg.line(x1: left, y1: y(tick), x2: left + plotWidth, y2: y(tick), stroke: tick == 0 ? "#333" : "#e6e6e6")
            svg.text(text, x: left - 8, y: y(tick) + 4, anchor: "end", fill: "#555")
        }
        svg.line(x1: left, y1: top, x2: left, y2: bottom, stroke: "#333")
        // As many evenly spaced labels as fit side by side.
        let widest = (data.labels.map(SVGWriter.pixels).max() ?? 40) + 16
        let count = max(2, min(data.labels.count, Int(plotWidth / widest)))
        var labelled = Set<Int>()
        for step in 0..<count {
            let index = data.labels.count == 1 ? 0 : Int((Double(step) * Double(data.labels.count - 1) / Double(max(1, count - 1))).rounded())
            guard labelled.insert(index).inserted else { continue }
            let at = x(positions[index])
            svg.line(x1: at, y1: bottom, x2: at, y2: bottom + 5, stroke: "#333")
            // A label at either end of the axis stays on the page.
            let half = SVGWriter.pixels(data.labels[index]) / 2
            if at + half > Double(SVGChart.width) - 4 {
                svg.text(data.labels[index], x: Double(SVGChart.width) - 4, y: bottom + 18, anchor: "end", fill: "#555")
            } else if at - half < 4 {
                svg.text(data.labels[index], x: 4, y: bottom + 18, fill: "#555")
            } else {
                svg.text(data.labels[index], x: at, y: bottom + 18, anchor: "middle", fill: "#555")
            }
        }
        svg.text(data.labelName, x: left + plotWidth / 2, y: bottom + 40, anchor: "middle", fill: "#555")
        let showDots = positions.count <= 60
        for (index, series) in data.series.enumerated() {
            let color = SVGWriter.seriesColors[index % SVGWriter.seriesColors.count]
            var run: [(Double, Double)] = []
            for (row, value) in series.values.enumerated() {
                guard let value else {
                    // A null breaks the line: nothing is known in between.
                    if run.count > 1 { svg.polyline(run, stroke: color) }
                    run = []
                    continue
                }
                run.append((x(positions[row]), y(value)))
                if showDots || series.values.count == 1 { svg.circle(x: x(positions[row]), y: y(value), radius: 3, fill: color) }
            }
            if run.count > 1 { svg.polyline(run, stroke: color) }
            if data.series.count > 1 {
                let at = 20 + Double(index) * 130
                svg.rect(x: at, y: SVGChart.top - 6, width: 12, height: 12, fill: color)
                svg.text(SVGWriter.cut(series.name, to: 110), x: at + 16, y: SVGChart.top + 4)
            }
        }
        notes(data, into: &svg, at: bottom + 56)
        return svg.document
    }

    // MARK: Heat

    func heat(_ grid: GridData) -> String {
        let rowLabelWidth = min(200, (grid.rowLabels.map(SVGWriter.pixels).max() ?? 20) + 12)
        let left = 20 + rowLabelWidth
        let columns = Double(max(1, grid.columnLabels.count))
        let cellWidth = min(64, max(14, (Double(SVGChart.width) - left - 20) / columns))
        let cellHeight = grid.rowLabels.count > 30 ? 16.0 : 24.0
        let widestColumn = grid.columnLabels.map(SVGWriter.pixels).max() ?? 10
        // Labels wider than their cells turn, as in a printed cross table.
        let turned = widestColumn > cellWidth - 4
        let top = SVGChart.top + (turned ? min(120, widestColumn * 0.75) + 8 : 18)
        let width = max(420, Int(left + columns * cellWidth + 20))
        let bottom = top + Double(grid.rowLabels.count) * cellHeight
        var svg = SVGWriter(width: width, height: Int(bottom + 64))
        let what = "\(grid.valueName) by \(grid.rowName) (rows) and \(grid.columnName) (columns)"
        svg.heading(title: title ?? what, subtitle: title == nil ? nil : what)
        let values = grid.cells.flatMap { $0.compactMap { $0 } }
        let low = min(0, values.min() ?? 0), high = values.max() ?? 1
        func level(_ v: Double) -> Double { high > low ? (v - low) / (high - low) : 1 }
        func text(_ v: Double) -> String {
            grid.isPercent ? ChartNumbers.value(v, percent: true) : ChartNumbers.tick(v, percent: false)
        }
        for (c, label) in grid.columnLabels.enumerated() {
            let center = left + (Double(c) + 0.5) * cellWidth
            if turned {
                svg.text(SVGWriter.cut(label, to: 150), x: center + 3, y: top - 6, size: 11, fill: "#555", rotate: -45)
            } else {
                svg.text(label, x: center, y: top - 6, anchor: "middle", size: 11, fill: "#555")
            }
        }
        let showValues = cellWidth >= 30
        for (r, label) in grid.rowLabels.enumerated() {
            let y = top + Double(r) * cellHeight
            svg.text(SVGWriter.cut(label, to: rowLabelWidth), x: left - 8, y: y + cellHeight / 2 + 4, anchor: "end", size: 11)
            for (c, value) in grid.cells[r].enumerated() {
                guard let value else { continue }
                let x = left + Double(c) * cellWidth
                svg.rect(x: x, y: y, width: cellWidth, height: cellHeight, fill: SVGWriter.heatColor(level(value)), stroke: "#ffffff")
                if showValues {
                    svg.text(text(value), x: x + cellWidth / 2, y: y + cellHeight / 2 + 4, anchor: "middle", size: 10,
                             fill: level(value) > 0.55 ? "#ffffff" : "#222")
                }
            }
        }
        // The scale: ten steps of the ramp between the lowest and highest value.
        for step in 0..<10 {
            svg.rect(x: left + Double(step) * 20, y: bottom + 18, width: 20, height: 12, fill: SVGWriter.heatColor((Double(step) + 0.5) / 10))
        }
        svg.text(text(low), x: left - 6, y: bottom + 28, anchor: "end", size: 11, fill: "#555")
        svg.text(text(high), x: left + 206, y: bottom + 28, size: 11, fill: "#555")
        var notes: [String] = []
        if grid.omittedRows > 0 { notes.append("\(grid.omittedRows) more rows") }
        if grid.omittedColumns > 0 { notes.append("\(grid.omittedColumns) more columns") }
        if !notes.isEmpty { svg.text("… \(notes.joined(separator: " and ")) not drawn", x: 20, y: bottom + 52, fill: "#666") }
        return svg.document
    }

    // MARK: Notes

    private func noteHeight(_ data: SeriesData) -> Double {
        Double((data.omittedRows > 0 ? 1 : 0) + (data.omittedSeries.isEmpty ? 0 : 1)) * 18
    }

    private func notes(_ data: SeriesData, into svg: inout SVGWriter, at y: Double) {
        var y = y
        if data.omittedRows > 0 {
            svg.text("… \(data.omittedRows) more rows not drawn", x: 20, y: y, fill: "#666")
            y += 18
        }
        if !data.omittedSeries.isEmpty {
            svg.text(SVGWriter.cut("not drawn (another scale, or too many lines): " + data.omittedSeries.joined(separator: ", "),
                                   to: Double(SVGChart.width - 40)), x: 20, y: y, fill: "#666")
        }
    }
}
