/// A calendar period a date can be cut down to, as `trunc(x, month)` does:
/// the period's first day stands for the whole period.
///
/// A truncated date stays a date, so it groups, sorts and compares like any
/// other; only a table names it as the period (`2026-06`, `2026-Q2`,
/// `FY2026-Q1`), which is why a column can carry the period it holds.
public enum DatePeriod: Hashable, Sendable {
    /// Monday to Sunday.
    case week
    case month
    case quarter
    case year
    /// Three months from the fiscal year's start; `start` is its first month, 1…12.
    case fiscalQuarter(start: Int)
    /// Twelve months from `start`, named by the calendar year in which they end.
    case fiscalYear(start: Int)

    /// The first day of the period holding the day number `days` (days
    /// since 1970-01-01). The caller keeps `days` inside the calendar's
    /// supported years; the answer is at most a year earlier.
    public func start(of days: Int64) -> Int64 {
        switch self {
        case .week:
            // Day 0, 1970-01-01, was a Thursday: three days after a Monday.
            let (_, sinceMonday) = CivilDate.floorDivide(days + 3, 7)
            return days - sinceMonday
        case .month: return Self.firstDay(monthIndex: Self.monthIndex(days))
        case .quarter: return Self.firstDay(monthIndex: Self.periodStart(Self.monthIndex(days), length: 3, offset: 0))
        case .year: return Self.firstDay(monthIndex: Self.periodStart(Self.monthIndex(days), length: 12, offset: 0))
        case .fiscalQuarter(let start):
            return Self.firstDay(monthIndex: Self.periodStart(Self.monthIndex(days), length: 3, offset: Self.fiscalOffset(start)))
        case .fiscalYear(let start):
            return Self.firstDay(monthIndex: Self.periodStart(Self.monthIndex(days), length: 12, offset: Self.fiscalOffset(start)))
        }
    }

    /// How a table names the period holding `days`: `2026-06` for a month,
    /// `2026-Q2` for a quarter, `2026` for a year, the Monday's ISO date for
    /// a week, `FY2026-Q1` and `FY2026` for fiscal periods (a fiscal year
    /// named by the calendar year in which it ends).
    public func label(days: Int64) -> String {
        let date = CivilDate(days: days)
        switch self {
        case .week: return CivilDate(days: start(of: days)).iso
        case .month: return Self.yearText(date.year) + "-" + (date.month < 10 ? "0" : "") + String(date.month)
        case .quarter: return Self.yearText(date.year) + "-Q" + String((date.month - 1) / 3 + 1)
        case .year: return Self.yearText(date.year)
        case .fiscalQuarter(let start):
            let (year, quarter) = Self.fiscal(days, start: start)
            return "FY" + Self.yearText(year) + "-Q" + String(quarter)
        case .fiscalYear(let start):
            return "FY" + Self.yearText(Self.fiscal(days, start: start).year)
        }
    }

    /// The fiscal year (named by the calendar year in which it ends) and the
    /// fiscal quarter (1…4) holding `days`, for a fiscal year starting in
    /// month `start`.
    public static func fiscal(_ days: Int64, start: Int) -> (year: Int64, quarter: Int64) {
        let offset = fiscalOffset(start)
        let (fiscalIndex, monthOfYear) = CivilDate.floorDivide(monthIndex(days) - offset, 12)
        return (offset == 0 ? fiscalIndex : fiscalIndex + 1, monthOfYear / 3 + 1)
    }

    /// How many months the fiscal year starts after January: 0…11. Months
    /// outside 1…12 are taken modulo 12 (13 is January, 0 is December).
    public static func fiscalOffset(_ start: Int) -> Int64 {
        var month = Int64(start % 12)
        if month < 0 { month += 12 }
        return (month + 11) % 12
    }

    /// Months since year 0's January; contiguous across year ends.
    static func monthIndex(_ days: Int64) -> Int64 {
        let date = CivilDate(days: days)
        return date.year * 12 + (date.month - 1)
    }

    /// The month index starting the period of `length` months holding
    /// `index`, periods being aligned `offset` months after January.
    static func periodStart(_ index: Int64, length: Int64, offset: Int64) -> Int64 {
        CivilDate.floorDivide(index - offset, length).0 * length + offset
    }

    static func firstDay(monthIndex index: Int64) -> Int64 {
        let (year, month) = CivilDate.floorDivide(index, 12)
        return CivilDate(year: year, month: month + 1, day: 1).days
    }

    /// A year as ISO 8601 writes it: at least four digits, a sign before
    /// years before year 0.
    static func yearText(_ year: Int64) -> String {
        let digits = String(year.magnitude)
        return (year < 0 ? "-" : "") + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
