import CRMQLCore
import CRMQLSyntax

/// Calendar functions of the language, on day numbers (days since 1970-01-01)
/// and datetimes (seconds since 1970-01-01T00:00:00).
///
/// Field accessors (`year`, `weekday`, …) are total: any `Int64` gives an
/// answer, never a trap. Arithmetic that produces a date (`addDuration`,
/// `dateRange`) answers nil when the result would leave `yearRange`, which
/// callers report as "date out of range".
public enum CRMCalendar {
    /// The years date arithmetic may produce. Four-digit years are what
    /// ISO 8601 text can hold, and the bound keeps every intermediate
    /// month or day count far from `Int64` overflow.
    public static let yearRange: ClosedRange<Int64> = -9999...9999

    /// The day numbers of the first and last days of `yearRange`.
    public static let dayRange: ClosedRange<Int64> =
        CivilDate(year: -9999, month: 1, day: 1).days...CivilDate(year: 9999, month: 12, day: 31).days

    static let secondsPerDay: Int64 = 86_400

    /// Days in 400 Gregorian years: the calendar repeats with this period.
    private static let daysPerCycle: Int64 = 146_097

    // MARK: - Fields

    /// The calendar date of a day number, for any `Int64`.
    ///
    /// `CivilDate(days:)` adds an offset that overflows near the ends of
    /// `Int64`; taking whole 400-year cycles out first keeps it in range.
    public static func civil(_ days: Int64) -> CivilDate {
        if dayRange.contains(days) { return CivilDate(days: days) }
        let (cycles, rest) = CivilDate.floorDivide(days, daysPerCycle)
        var date = CivilDate(days: rest)
        date.year += cycles * 400
        return date
    }

    /// `year(x)`.
    public static func year(_ days: Int64) -> Int64 { civil(days).year }

    /// `quarter(x)`: 1 for January–March … 4 for October–December.
    public static func quarter(_ days: Int64) -> Int64 { (civil(days).month - 1) / 3 + 1 }

    /// `month(x)`: 1…12.
    public static func month(_ days: Int64) -> Int64 { civil(days).month }

    /// `day(x)`: the day of the month, 1…31.
    public static func day(_ days: Int64) -> Int64 { civil(days).day }

    /// `weekday(x)`: 1 = Monday … 7 = Sunday.
    public static func weekday(_ days: Int64) -> Int64 {
        // Day 0, 1970-01-01, was a Thursday (weekday 4).
        let (_, sinceThursday) = CivilDate.floorDivide(days, 7)
        return (sinceThursday + 3) % 7 + 1
    }

    /// `fiscal_year(x)`: a fiscal year is named by the calendar year in which
    /// it ends. With `start` 4, April 2025 – March 2026 is fiscal 2026; with
    /// `start` 1 the fiscal year is the calendar year.
    ///
    /// - Parameter start: the first month of the fiscal year, 1…12; other
    ///   values are taken modulo 12 (13 is January, 0 is December).
    public static func fiscalYear(_ days: Int64, start: Int) -> Int64 {
        let offset = fiscalOffset(start)
        let (fiscalIndex, _) = CivilDate.floorDivide(monthIndex(civil(days)) - offset, 12)
        return offset == 0 ? fiscalIndex : fiscalIndex + 1
    }

    /// `fiscal_quarter(x)`: 1…4, counted from the fiscal year's first month.
    public static func fiscalQuarter(_ days: Int64, start: Int) -> Int64 {
        let (_, monthOfFiscalYear) = CivilDate.floorDivide(monthIndex(civil(days)) - fiscalOffset(start), 12)
        return monthOfFiscalYear / 3 + 1
    }

    /// `date(x)` of a datetime: the day it falls on (the time of day dropped,
    /// also for instants before 1970).
    public static func date(seconds: Int64) -> Int64 {
        CivilDate.floorDivide(seconds, secondsPerDay).0
    }

    /// The datetime at midnight starting a day; nil outside `dayRange`.
    public static func midnight(days: Int64) -> Int64? {
        dayRange.contains(days) ? days * secondsPerDay : nil
    }

    /// `days_between(a, b)` = `b - a`: the number of days from `a` to `b`,
    /// positive when `b` is later. (`date - date` is the other way round,
    /// `a - b`, as subtraction reads.) Datetimes are first truncated with
    /// `date(seconds:)`. Nil only when the difference overflows `Int64`.
    public static func daysBetween(_ a: Int64, _ b: Int64) -> Int64? {
        let (difference, overflow) = b.subtractingReportingOverflow(a)
        return overflow ? nil : difference
    }

    /// `trunc(x, period)`: the first day of the period holding the day
    /// `days`; nil when that day leaves `dayRange`.
    public static func truncate(_ days: Int64, to period: DatePeriod) -> Int64? {
        guard dayRange.contains(days) else { return nil }
        let start = period.start(of: days)
        return dayRange.contains(start) ? start : nil
    }

    // MARK: - Durations

    /// `date ± duration`. Days and weeks move by whole days; months,
    /// quarters and years keep the day of the month, clamped to the last day
    /// of the resulting month (`2026-01-31 + 1 month` is `2026-02-28`,
    /// `2024-02-29 + 1 year` is `2025-02-28`). Subtraction is a negative
    /// `amount`.
    ///
    /// - Returns: nil when `days` or the result lies outside `dayRange`.
    public static func addDuration(days: Int64, amount: Int64, unit: DurationUnit) -> Int64? {
        guard dayRange.contains(days) else { return nil }
        switch unit {
        case .day: return addDays(days, amount)
        case .week: return multiplied(amount, 7).flatMap { addDays(days, $0) }
        case .month: return addMonths(days, amount)
        case .quarter: return multiplied(amount, 3).flatMap { addMonths(days, $0) }
        case .year: return multiplied(amount, 12).flatMap { addMonths(days, $0) }
        }
    }

    /// `datetime ± duration`: the day moves as in `addDuration(days:…)` and
    /// the time of day stays.
    ///
    /// - Returns: nil when the result's day lies outside `dayRange`.
    public static func addDuration(seconds: Int64, amount: Int64, unit: DurationUnit) -> Int64? {
        let (days, secondOfDay) = CivilDate.floorDivide(seconds, secondsPerDay)
        guard let shifted = addDuration(days: days, amount: amount, unit: unit) else { return nil }
        return shifted * secondsPerDay + secondOfDay
    }

    // MARK: - Date ranges

    /// The inclusive day range of `x in <direction> [n] [fiscal] <unit>`,
    /// relative to `today`:
    ///
    /// - `last n days` is today−(n−1) … today; `next n days` is today …
    ///   today+(n−1): the current day counts as one of the n.
    /// - `this|last|next week|month|quarter|year` (no count) is the whole
    ///   current, previous or following calendar period; weeks start on
    ///   Monday. `last day` is yesterday, `next day` tomorrow.
    /// - `last n weeks|months|quarters|years` is the n whole periods before
    ///   the current one, which is excluded (SOQL's `LAST_N_QUARTERS:n`);
    ///   `next n …` the n whole periods after it.
    /// - `including this` (`includingCurrent`) makes `last n …` the current
    ///   period and the n−1 before it, and `next n …` the current period and
    ///   the n−1 after it: `last 12 months including this` ends today's month.
    /// - With `fiscal`, quarters and years start at `fiscalYearStart`
    ///   (fiscal 2026 with start 4 is 2025-04-01 … 2026-03-31). Days, weeks
    ///   and months are the same in both calendars, so `fiscal` does not
    ///   change them.
    ///
    /// - Returns: nil when `count` is below 1, when `this` has a count other
    ///   than 1, or when the range leaves `dayRange`.
    public static func dateRange(direction: DateRangeSyntax.Direction, count: Int64?, unit: DurationUnit, fiscal: Bool,
                                 includingCurrent: Bool = false, today: Int64, fiscalYearStart: Int) -> ClosedRange<Int64>? {
        guard dayRange.contains(today) else { return nil }
        if let count, count < 1 || (direction == .this && count != 1) { return nil }
        // Any count beyond every day of `yearRange` leaves it; bounding it
        // here keeps the period arithmetic below far from overflow.
        let n = count ?? 1
        guard n <= dayRange.upperBound - dayRange.lowerBound + 1 else { return nil }
        let low: Int64
        let high: Int64
        switch unit {
        case .day where count != nil:
            (low, high) = direction == .next ? (today, today + n - 1) : (today - (n - 1), today)
        case .day, .week:
            // Periods of fixed length: period 0 is the one holding today.
            let length: Int64 = unit == .day ? 1 : 7
            let start = unit == .day ? today : today - (weekday(today) - 1)
            let (first, last) = periodSpan(direction, n, includingCurrent: includingCurrent)
            (low, high) = (start + first * length, start + (last + 1) * length - 1)
        case .month, .quarter, .year:
            let length: Int64 = unit == .month ? 1 : unit == .quarter ? 3 : 12
            let offset = fiscal && unit != .month ? fiscalOffset(fiscalYearStart) : 0
            let (current, _) = CivilDate.floorDivide(monthIndex(CivilDate(days: today)) - offset, length)
            let (first, last) = periodSpan(direction, n, includingCurrent: includingCurrent)
            low = firstDay(ofMonthIndex: (current + first) * length + offset)
            high = firstDay(ofMonthIndex: (current + last + 1) * length + offset) - 1
        }
        guard dayRange.contains(low), dayRange.contains(high) else { return nil }
        return low...high
    }

    // MARK: - Internals

    /// The first and last period of a range, relative to the current period 0.
    private static func periodSpan(_ direction: DateRangeSyntax.Direction, _ n: Int64, includingCurrent: Bool) -> (Int64, Int64) {
        switch direction {
        case .this: return (0, 0)
        case .last: return includingCurrent ? (1 - n, 0) : (-n, -1)
        case .next: return includingCurrent ? (0, n - 1) : (1, n)
        }
    }

    /// Months since year 0's January; contiguous across year ends.
    private static func monthIndex(_ date: CivilDate) -> Int64 {
        date.year * 12 + (date.month - 1)
    }

    private static func firstDay(ofMonthIndex index: Int64) -> Int64 {
        let (year, month) = CivilDate.floorDivide(index, 12)
        return CivilDate(year: year, month: month + 1, day: 1).days
    }

    /// How many months the fiscal year starts after January: 0…11.
    private static func fiscalOffset(_ start: Int) -> Int64 {
        var month = Int64(start % 12)
        if month < 0 { month += 12 }
        return (month + 11) % 12
    }

    private static func multiplied(_ amount: Int64, _ factor: Int64) -> Int64? {
        let (product, overflow) = amount.multipliedReportingOverflow(by: factor)
        return overflow ? nil : product
    }

    private static func addDays(_ days: Int64, _ amount: Int64) -> Int64? {
        let (sum, overflow) = days.addingReportingOverflow(amount)
        return overflow || !dayRange.contains(sum) ? nil : sum
    }

    private static func addMonths(_ days: Int64, _ months: Int64) -> Int64? {
        // A shift past the whole span of `yearRange` cannot land inside it.
        let span = (yearRange.upperBound - yearRange.lowerBound + 1) * 12
        guard months.magnitude <= span.magnitude else { return nil }
        let date = CivilDate(days: days)
        let (year, month) = CivilDate.floorDivide(monthIndex(date) + months, 12)
        guard yearRange.contains(year) else { return nil }
        let day = min(date.day, CivilDate.daysInMonth(year: year, month: month + 1))
        return CivilDate(year: year, month: month + 1, day: day).days
    }
}
