import CRMQLCore
import CRMQLStorage

extension Evaluator {
    /// `year(x)`, `quarter(x)`, `month(x)`, `day(x)`, `weekday(x)` and the
    /// fiscal parts over a whole date or datetime column, straight into an
    /// integer array; nil for another function or argument. A column's days
    /// span a few thousand values, so each part is computed once per day in
    /// the span and read from that table: `group by year(placed),
    /// quarter(placed)` over 8 M order lines made a value per row and per
    /// argument where this makes none.
    func datePartColumn(_ function: ScalarFunction, _ column: Column, type: DataType, _ length: Int) -> Column? {
        guard type == .int, column.count == length, case .temporal(let stored) = column.data,
              column.type == .date || column.type == .datetime else { return nil }
        let start = catalog.fiscalYearStart
        let part: (Int64) -> Int64
        switch function {
        case .year: part = CRMCalendar.year
        case .quarter: part = CRMCalendar.quarter
        case .month: part = CRMCalendar.month
        case .day: part = CRMCalendar.day
        case .weekday: part = CRMCalendar.weekday
        case .fiscalYear: part = { CRMCalendar.fiscalYear($0, start: start) }
        case .fiscalQuarter: part = { CRMCalendar.fiscalQuarter($0, start: start) }
        default: return nil
        }
        let days = column.type == .datetime ? stored.map { CivilDate.floorDivide($0, 86_400).0 } : stored
        var low = Int64.max, high = Int64.min
        for day in days {
            low = min(low, day)
            high = max(high, day)
        }
        var out = [Int64](repeating: 0, count: length)
        // TUNING: a table of up to 65,536 days (179 years) costs less than
        // the calendar arithmetic of a few hundred thousand rows.
        if length > 0, high &- low >= 0, high &- low < 65_536, length > Int(high &- low) / 4 {
            let table = (low...high).map(part)
            days.withUnsafeBufferPointer { days in
                table.withUnsafeBufferPointer { table in
                    out.withUnsafeMutableBufferPointer { out in
                        for row in 0..<length { out[row] = table[Int(days[row] &- low)] }
                    }
                }
            }
        } else {
            for row in 0..<length { out[row] = part(days[row]) }
        }
        return Column(type: .int, data: .int(out), nulls: column.nulls)
    }
}
