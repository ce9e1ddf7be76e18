import CRMQLCore
import CRMQLStorage

extension Evaluator {
    /// `trunc(x, period)` over a column: each date or datetime becomes the
    /// first day of its period, and the column remembers the period so a
    /// table can name it (`2026-06`). Fiscal periods follow the session's
    /// `fiscal_year_start`, as `fiscal_year(x)` does.
    func truncate(_ column: Column, periodWord: Column, _ length: Int) -> Column {
        guard case .text(let word) = periodWord.value(at: 0),
              let period = DatePeriod(word: word, fiscalYearStart: catalog.fiscalYearStart) else {
            return Column.nulls(length, type: .date)
        }
        let n = column.count == 1 ? 1 : length
        let isDatetime = column.type == .datetime
        let raw = column.type.isTemporal ? column.ints : []
        var days = [Int64](repeating: 0, count: n)
        var nulls = NullBitmap()
        for row in 0..<n {
            let at = column.at(row)
            guard !raw.isEmpty, !column.isNull(at) else {
                nulls.set(row)
                continue
            }
            let day = isDatetime ? CivilDate.floorDivide(raw[at], 86_400).0 : raw[at]
            if let start = CRMCalendar.truncate(day, to: period) { days[row] = start } else { nulls.set(row) }
        }
        var result = Column(type: .date, data: .temporal(days), nulls: nulls)
        result.period = period
        return result
    }

    /// `format(x, pattern)` over a column; the binder has checked the pattern.
    func format(_ column: Column, pattern: Column, _ expr: BoundExpr, _ length: Int) throws -> Column {
        guard case .text(let text) = pattern.value(at: 0), let compiled = try? DatePattern(text) else {
            throw Diagnostic.runtime("format needs a pattern written in the query, such as \"YYYY-MM\"", expr.range)
        }
        let n = column.count == 1 ? 1 : length
        let isDatetime = column.type == .datetime
        let raw = column.type.isTemporal ? column.ints : []
        var texts = [String](repeating: "", count: n)
        var nulls = NullBitmap()
        for row in 0..<n {
            let at = column.at(row)
            guard !raw.isEmpty, !column.isNull(at) else {
                nulls.set(row)
                continue
            }
            // A date is formatted as its midnight; days outside the
            // calendar's years have no midnight to show and print as null.
            guard let seconds = isDatetime ? raw[at] : CRMCalendar.midnight(days: raw[at]) else {
                nulls.set(row)
                continue
            }
            texts[row] = compiled.format(seconds: seconds)
        }
        return Column(type: .text, data: .text(texts), nulls: nulls)
    }
}
