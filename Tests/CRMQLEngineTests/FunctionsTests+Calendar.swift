import CRMQLCore
import CRMQLSyntax
import XCTest
@testable import CRMQLEngine

final class FunctionsCalendarTests: XCTestCase {
    /// Day number of an ISO date written in a test.
    private func day(_ iso: String) -> Int64 {
        let parts = iso.split(separator: "-").compactMap { Int64($0) }
        precondition(parts.count == 3, "bad test date \(iso)")
        return CivilDate(year: parts[0], month: parts[1], day: parts[2]).days
    }

    private func iso(_ days: Int64?) -> String? {
        days.map { CivilDate(days: $0).iso }
    }

    private func shifted(_ date: String, _ amount: Int64, _ unit: DurationUnit) -> String? {
        iso(CRMCalendar.addDuration(days: day(date), amount: amount, unit: unit))
    }

    /// The range as "first...last" in ISO dates, or nil.
    private func range(_ direction: DateRangeSyntax.Direction, _ count: Int64?, _ unit: DurationUnit,
                       fiscal: Bool = false, including: Bool = false, today: String, start: Int = 1) -> String? {
        CRMCalendar.dateRange(direction: direction, count: count, unit: unit, fiscal: fiscal, includingCurrent: including,
                              today: day(today), fiscalYearStart: start)
            .map { "\(CivilDate(days: $0.lowerBound).iso)...\(CivilDate(days: $0.upperBound).iso)" }
    }

    // MARK: - Durations

    func testMonthArithmeticClampsToTheMonthsLastDay() {
        XCTAssertEqual(shifted("2026-01-31", 1, .month), "2026-02-28")
        XCTAssertEqual(shifted("2024-01-31", 1, .month), "2024-02-29")
        XCTAssertEqual(shifted("2026-03-31", -1, .month), "2026-02-28")
        XCTAssertEqual(shifted("2026-03-31", 1, .month), "2026-04-30")
        XCTAssertEqual(shifted("2026-05-31", 1, .quarter), "2026-08-31")
        XCTAssertEqual(shifted("2026-11-30", 1, .quarter), "2027-02-28")
        XCTAssertEqual(shifted("2026-12-15", 1, .month), "2027-01-15")
        XCTAssertEqual(shifted("2026-01-15", -1, .month), "2025-12-15")
        XCTAssertEqual(shifted("2026-01-15", -13, .month), "2024-12-15")
        XCTAssertEqual(shifted("2026-01-15", 0, .month), "2026-01-15")
    }

    func testLeapYears() {
        XCTAssertEqual(shifted("2024-02-29", 1, .year), "2025-02-28")
        XCTAssertEqual(shifted("2024-02-29", 4, .year), "2028-02-29")
        XCTAssertEqual(shifted("2024-02-29", -100, .year), "1924-02-29")
        XCTAssertEqual(shifted("2000-02-29", 100, .year), "2100-02-28", "2100 is not a leap year")
        XCTAssertEqual(shifted("2000-02-29", 400, .year), "2400-02-29")
        XCTAssertEqual(shifted("2024-02-28", 1, .day), "2024-02-29")
        XCTAssertEqual(shifted("2023-02-28", 1, .day), "2023-03-01")
        XCTAssertEqual(shifted("2024-12-31", 1, .day), "2025-01-01")
    }

    func testDaysAndWeeks() {
        XCTAssertEqual(shifted("2025-12-25", 2, .week), "2026-01-08")
        XCTAssertEqual(shifted("2026-01-01", -30, .day), "2025-12-02")
        XCTAssertEqual(shifted("1970-01-01", -1, .day), "1969-12-31")
    }

    func testDurationOverflowGivesNil() {
        let today = day("2026-06-30")
        for unit in DurationUnit.allCases {
            for amount in [Int64.max, Int64.min, Int64.max / 7, Int64.min / 12, 100_000_000] {
                XCTAssertNil(CRMCalendar.addDuration(days: today, amount: amount, unit: unit), "\(amount) \(unit)")
                XCTAssertNil(CRMCalendar.addDuration(seconds: today * 86_400, amount: amount, unit: unit), "\(amount) \(unit)")
            }
            XCTAssertNil(CRMCalendar.addDuration(days: .max, amount: 1, unit: unit))
            XCTAssertNil(CRMCalendar.addDuration(days: .min, amount: -1, unit: unit))
            XCTAssertNil(CRMCalendar.addDuration(seconds: .max, amount: 1, unit: unit))
            XCTAssertNil(CRMCalendar.addDuration(seconds: .min, amount: 0, unit: unit))
        }
        XCTAssertEqual(shifted("9999-12-30", 1, .day), "9999-12-31")
        XCTAssertNil(shifted("9999-12-31", 1, .day))
        XCTAssertNil(shifted("9999-12-31", 1, .month))
        XCTAssertEqual(shifted("9999-01-01", -19998, .year), "-9999-01-01")
        XCTAssertNil(shifted("9999-01-01", -19999, .year))
    }

    func testDatetimeDurationsKeepTheTimeOfDay() {
        let seconds = day("2026-01-31") * 86_400 + 10 * 3600 + 30 * 60
        let result = CRMCalendar.addDuration(seconds: seconds, amount: 1, unit: .month)
        XCTAssertEqual(result.map { CivilDate.isoDateTime(seconds: $0) }, "2026-02-28T10:30:00")
        let beforeEpoch: Int64 = -3600 // 1969-12-31T23:00:00
        XCTAssertEqual(CRMCalendar.addDuration(seconds: beforeEpoch, amount: 1, unit: .day).map { CivilDate.isoDateTime(seconds: $0) },
                       "1970-01-01T23:00:00")
        XCTAssertEqual(CRMCalendar.date(seconds: beforeEpoch), -1)
        XCTAssertEqual(CRMCalendar.date(seconds: 86_399), 0)
        XCTAssertEqual(CRMCalendar.midnight(days: 1), 86_400)
        XCTAssertNil(CRMCalendar.midnight(days: .max))
    }

    // MARK: - Fields

    func testFields() {
        let date = day("2026-03-31")
        XCTAssertEqual(CRMCalendar.year(date), 2026)
        XCTAssertEqual(CRMCalendar.quarter(date), 1)
        XCTAssertEqual(CRMCalendar.month(date), 3)
        XCTAssertEqual(CRMCalendar.day(date), 31)
        XCTAssertEqual(CRMCalendar.quarter(day("2026-04-01")), 2)
        XCTAssertEqual(CRMCalendar.quarter(day("2026-12-31")), 4)
        XCTAssertEqual(CRMCalendar.year(day("1969-12-31")), 1969)
    }

    func testWeekdaysStartOnMonday() {
        XCTAssertEqual(CRMCalendar.weekday(day("1970-01-01")), 4, "a Thursday")
        XCTAssertEqual(CRMCalendar.weekday(day("2026-01-05")), 1, "a Monday")
        XCTAssertEqual(CRMCalendar.weekday(day("2026-01-04")), 7, "a Sunday")
        XCTAssertEqual(CRMCalendar.weekday(day("1969-12-29")), 1, "a Monday before the epoch")
        XCTAssertEqual(CRMCalendar.weekday(day("2000-02-29")), 2, "a Tuesday")
    }

    func testFieldsNeverTrapOnExtremeDayNumbers() {
        for days in [Int64.max, Int64.min, Int64.max - 719_468, Int64.min + 1] {
            XCTAssertTrue((1...7).contains(CRMCalendar.weekday(days)))
            XCTAssertTrue((1...12).contains(CRMCalendar.month(days)))
            XCTAssertTrue((1...31).contains(CRMCalendar.day(days)))
            XCTAssertTrue((1...4).contains(CRMCalendar.quarter(days)))
            XCTAssertTrue((1...4).contains(CRMCalendar.fiscalQuarter(days, start: 7)))
            _ = CRMCalendar.year(days)
            _ = CRMCalendar.fiscalYear(days, start: 12)
        }
        // Whole 400-year cycles past the direct conversion agree with it.
        let far = CRMCalendar.dayRange.upperBound + 146_097 * 3
        XCTAssertEqual(CRMCalendar.civil(far), CivilDate(year: 9999 + 1200, month: 12, day: 31))
    }

    func testFiscalYearsAreNamedByTheirEnd() {
        // Start 1: the calendar year.
        XCTAssertEqual(CRMCalendar.fiscalYear(day("2026-01-01"), start: 1), 2026)
        XCTAssertEqual(CRMCalendar.fiscalYear(day("2026-12-31"), start: 1), 2026)
        XCTAssertEqual(CRMCalendar.fiscalQuarter(day("2026-12-31"), start: 1), 4)
        // Start 4: April 2025 – March 2026 is fiscal 2026.
        XCTAssertEqual(CRMCalendar.fiscalYear(day("2025-03-31"), start: 4), 2025)
        XCTAssertEqual(CRMCalendar.fiscalYear(day("2025-04-01"), start: 4), 2026)
        XCTAssertEqual(CRMCalendar.fiscalYear(day("2026-03-31"), start: 4), 2026)
        XCTAssertEqual(CRMCalendar.fiscalQuarter(day("2025-04-01"), start: 4), 1)
        XCTAssertEqual(CRMCalendar.fiscalQuarter(day("2025-12-31"), start: 4), 3)
        XCTAssertEqual(CRMCalendar.fiscalQuarter(day("2026-03-31"), start: 4), 4)
        // Start 10: October 2025 – September 2026 is fiscal 2026.
        XCTAssertEqual(CRMCalendar.fiscalYear(day("2025-09-30"), start: 10), 2025)
        XCTAssertEqual(CRMCalendar.fiscalYear(day("2025-10-01"), start: 10), 2026)
        XCTAssertEqual(CRMCalendar.fiscalYear(day("2026-09-30"), start: 10), 2026)
        XCTAssertEqual(CRMCalendar.fiscalQuarter(day("2025-10-01"), start: 10), 1)
        XCTAssertEqual(CRMCalendar.fiscalQuarter(day("2025-12-31"), start: 10), 1)
        XCTAssertEqual(CRMCalendar.fiscalQuarter(day("2026-01-01"), start: 10), 2)
        XCTAssertEqual(CRMCalendar.fiscalQuarter(day("2026-09-30"), start: 10), 4)
        // Out-of-range starts are taken modulo 12 rather than trapping.
        XCTAssertEqual(CRMCalendar.fiscalYear(day("2026-02-01"), start: 13), 2026)
        XCTAssertEqual(CRMCalendar.fiscalYear(day("2026-12-01"), start: 0), 2027, "0 means December")
        XCTAssertEqual(CRMCalendar.fiscalYear(day("2026-12-01"), start: .min), CRMCalendar.fiscalYear(day("2026-12-01"), start: Int(Int.min % 12 + 12)))
        XCTAssertEqual(CRMCalendar.fiscalQuarter(day("2026-12-01"), start: .max), CRMCalendar.fiscalQuarter(day("2026-12-01"), start: Int(Int.max % 12)))
    }

    func testIncludingThisEndsOrStartsWithTheCurrentPeriod() {
        XCTAssertEqual(range(.last, 12, .month, today: "2026-06-30"), "2025-06-01...2026-05-31")
        XCTAssertEqual(range(.last, 12, .month, including: true, today: "2026-06-30"), "2025-07-01...2026-06-30")
        XCTAssertEqual(range(.next, 2, .quarter, including: true, today: "2026-06-30"), "2026-04-01...2026-09-30")
        XCTAssertEqual(range(.last, 2, .week, including: true, today: "2026-06-30"), "2026-06-22...2026-07-05")
        XCTAssertEqual(range(.last, 1, .year, fiscal: true, including: true, today: "2026-06-30", start: 4), "2026-04-01...2027-03-31")
    }

    func testTruncateToPeriods() {
        func truncated(_ date: String, _ period: DatePeriod) -> String? { iso(CRMCalendar.truncate(day(date), to: period)) }
        XCTAssertEqual(truncated("2026-06-30", .week), "2026-06-29")
        XCTAssertEqual(truncated("2026-06-28", .week), "2026-06-22")
        XCTAssertEqual(truncated("1970-01-01", .week), "1969-12-29")
        XCTAssertEqual(truncated("2026-06-30", .month), "2026-06-01")
        XCTAssertEqual(truncated("2026-06-30", .quarter), "2026-04-01")
        XCTAssertEqual(truncated("2026-12-31", .year), "2026-01-01")
        XCTAssertEqual(truncated("2026-03-31", .fiscalQuarter(start: 4)), "2026-01-01")
        XCTAssertEqual(truncated("2026-03-31", .fiscalYear(start: 4)), "2025-04-01")
        XCTAssertEqual(truncated("2026-04-01", .fiscalYear(start: 4)), "2026-04-01")
        XCTAssertEqual(truncated("2026-01-15", .fiscalQuarter(start: 11)), "2025-11-01")
        // The first day a date can have has no earlier fiscal year start in range.
        XCTAssertEqual(CRMCalendar.truncate(CRMCalendar.dayRange.lowerBound, to: .fiscalYear(start: 4)), nil)
        XCTAssertEqual(CRMCalendar.truncate(CRMCalendar.dayRange.lowerBound, to: .year), CRMCalendar.dayRange.lowerBound)
        XCTAssertNil(CRMCalendar.truncate(.max, to: .month))
    }

    func testPeriodLabels() {
        XCTAssertEqual(DatePeriod.month.label(days: day("2026-06-01")), "2026-06")
        XCTAssertEqual(DatePeriod.quarter.label(days: day("2026-04-01")), "2026-Q2")
        XCTAssertEqual(DatePeriod.year.label(days: day("0987-01-01")), "0987")
        XCTAssertEqual(DatePeriod.week.label(days: day("2026-06-29")), "2026-06-29")
        XCTAssertEqual(DatePeriod.fiscalQuarter(start: 4).label(days: day("2026-04-01")), "FY2027-Q1")
        XCTAssertEqual(DatePeriod.fiscalYear(start: 4).label(days: day("2025-04-01")), "FY2026")
        XCTAssertEqual(DatePeriod.fiscalYear(start: 1).label(days: day("2025-01-01")), "FY2025")
    }

    func testDatePatterns() throws {
        let instant = day("2026-06-05") * 86_400 + 9 * 3600 + 7 * 60 + 3
        XCTAssertEqual(try DatePattern("YYYY-MM-DD HH:mm:ss").format(seconds: instant), "2026-06-05 09:07:03")
        XCTAssertEqual(try DatePattern("EEEE D MMMM YY, 'Q'Q").format(seconds: instant), "Friday 5 June 26, Q2")
        XCTAssertEqual(try DatePattern("EEE MMM M").format(seconds: instant), "Fri Jun 6")
        XCTAssertEqual(try DatePattern("'it''s' YYYY").format(seconds: instant), "it's 2026")
        XCTAssertEqual(try DatePattern("").format(seconds: instant), "")
        XCTAssertEqual(try DatePattern("YYYY").format(seconds: day("0044-01-01") * 86_400), "0044")
        for bad in ["yyyy", "YYYYY", "MMMMM", "DDD", "QQ", "'open", "W"] {
            XCTAssertThrowsError(try DatePattern(bad), bad)
        }
    }

    func testDaysBetween() {
        XCTAssertEqual(CRMCalendar.daysBetween(day("2025-12-25"), day("2026-01-01")), 7)
        XCTAssertEqual(CRMCalendar.daysBetween(day("2026-01-01"), day("2025-12-25")), -7)
        XCTAssertEqual(CRMCalendar.daysBetween(day("2024-02-01"), day("2024-03-01")), 29)
        XCTAssertNil(CRMCalendar.daysBetween(.min, .max))
    }

    // MARK: - Date ranges

    func testRollingDayRangesIncludeToday() {
        XCTAssertEqual(range(.last, 30, .day, today: "2026-01-01"), "2025-12-03...2026-01-01")
        XCTAssertEqual(range(.next, 7, .day, today: "2026-01-01"), "2026-01-01...2026-01-07")
        XCTAssertEqual(range(.next, 7, .day, today: "2025-12-28"), "2025-12-28...2026-01-03")
        XCTAssertEqual(range(.last, 1, .day, today: "2026-03-01"), "2026-03-01...2026-03-01")
        XCTAssertEqual(range(.last, 90, .day, today: "2024-03-01"), "2023-12-03...2024-03-01")
        XCTAssertEqual(range(.this, nil, .day, today: "2026-01-01"), "2026-01-01...2026-01-01")
        XCTAssertEqual(range(.last, nil, .day, today: "2026-01-01"), "2025-12-31...2025-12-31")
        XCTAssertEqual(range(.next, nil, .day, today: "2025-12-31"), "2026-01-01...2026-01-01")
    }

    func testWeekRangesRunMondayToSunday() {
        // 2026-01-01 is a Thursday; its week began on Monday 2025-12-29.
        XCTAssertEqual(range(.this, nil, .week, today: "2026-01-01"), "2025-12-29...2026-01-04")
        XCTAssertEqual(range(.last, nil, .week, today: "2026-01-01"), "2025-12-22...2025-12-28")
        XCTAssertEqual(range(.next, nil, .week, today: "2026-01-01"), "2026-01-05...2026-01-11")
        XCTAssertEqual(range(.last, 2, .week, today: "2026-01-01"), "2025-12-15...2025-12-28")
        XCTAssertEqual(range(.next, 2, .week, today: "2026-01-01"), "2026-01-05...2026-01-18")
        // On a Monday and on a Sunday the week is the same one.
        XCTAssertEqual(range(.this, nil, .week, today: "2026-01-05"), "2026-01-05...2026-01-11")
        XCTAssertEqual(range(.this, nil, .week, today: "2026-01-11"), "2026-01-05...2026-01-11")
    }

    func testCalendarPeriodRangesAroundTheYearEnd() {
        let today = "2026-01-01"
        XCTAssertEqual(range(.this, nil, .month, today: today), "2026-01-01...2026-01-31")
        XCTAssertEqual(range(.last, nil, .month, today: today), "2025-12-01...2025-12-31")
        XCTAssertEqual(range(.next, nil, .month, today: today), "2026-02-01...2026-02-28")
        XCTAssertEqual(range(.last, 3, .month, today: today), "2025-10-01...2025-12-31")
        XCTAssertEqual(range(.next, 3, .month, today: today), "2026-02-01...2026-04-30")
        XCTAssertEqual(range(.this, nil, .quarter, today: today), "2026-01-01...2026-03-31")
        XCTAssertEqual(range(.last, nil, .quarter, today: today), "2025-10-01...2025-12-31")
        XCTAssertEqual(range(.last, 2, .quarter, today: today), "2025-07-01...2025-12-31")
        XCTAssertEqual(range(.next, 2, .quarter, today: today), "2026-04-01...2026-09-30")
        XCTAssertEqual(range(.this, nil, .year, today: today), "2026-01-01...2026-12-31")
        XCTAssertEqual(range(.last, nil, .year, today: today), "2025-01-01...2025-12-31")
        XCTAssertEqual(range(.next, nil, .year, today: today), "2027-01-01...2027-12-31")
        XCTAssertEqual(range(.last, 2, .year, today: today), "2024-01-01...2025-12-31")
        // The day before: still 2025 everywhere.
        let eve = "2025-12-31"
        XCTAssertEqual(range(.this, nil, .month, today: eve), "2025-12-01...2025-12-31")
        XCTAssertEqual(range(.next, nil, .month, today: eve), "2026-01-01...2026-01-31")
        XCTAssertEqual(range(.next, nil, .quarter, today: eve), "2026-01-01...2026-03-31")
        XCTAssertEqual(range(.this, nil, .quarter, today: eve), "2025-10-01...2025-12-31")
        XCTAssertEqual(range(.next, 2, .year, today: eve), "2026-01-01...2027-12-31")
        XCTAssertEqual(range(.this, nil, .month, today: "2024-02-10"), "2024-02-01...2024-02-29")
        // `fiscal` changes nothing for months, nor for quarters and years with start 1.
        XCTAssertEqual(range(.this, nil, .month, fiscal: true, today: today, start: 4), "2026-01-01...2026-01-31")
        XCTAssertEqual(range(.last, 2, .quarter, fiscal: true, today: today, start: 1), "2025-07-01...2025-12-31")
    }

    func testFiscalRanges() {
        let today = "2026-01-01"
        // Start 4: fiscal 2026 runs 2025-04-01 … 2026-03-31.
        XCTAssertEqual(range(.this, nil, .year, fiscal: true, today: today, start: 4), "2025-04-01...2026-03-31")
        XCTAssertEqual(range(.last, nil, .year, fiscal: true, today: today, start: 4), "2024-04-01...2025-03-31")
        XCTAssertEqual(range(.next, nil, .year, fiscal: true, today: today, start: 4), "2026-04-01...2027-03-31")
        XCTAssertEqual(range(.this, nil, .quarter, fiscal: true, today: today, start: 4), "2026-01-01...2026-03-31")
        XCTAssertEqual(range(.last, nil, .quarter, fiscal: true, today: today, start: 4), "2025-10-01...2025-12-31")
        // Start 10: fiscal 2026 runs 2025-10-01 … 2026-09-30.
        XCTAssertEqual(range(.this, nil, .year, fiscal: true, today: today, start: 10), "2025-10-01...2026-09-30")
        XCTAssertEqual(range(.last, 2, .year, fiscal: true, today: today, start: 10), "2023-10-01...2025-09-30")
        XCTAssertEqual(range(.next, 2, .quarter, fiscal: true, today: today, start: 10), "2026-04-01...2026-09-30")
        // Start 2: quarters Feb–Apr, May–Jul, Aug–Oct, Nov–Jan straddle the year end.
        XCTAssertEqual(range(.this, nil, .quarter, fiscal: true, today: today, start: 2), "2025-11-01...2026-01-31")
        XCTAssertEqual(range(.last, 2, .quarter, fiscal: true, today: today, start: 2), "2025-05-01...2025-10-31")
        XCTAssertEqual(range(.next, nil, .quarter, fiscal: true, today: today, start: 2), "2026-02-01...2026-04-30")
        XCTAssertEqual(range(.this, nil, .year, fiscal: true, today: today, start: 2), "2025-02-01...2026-01-31")
        XCTAssertEqual(range(.this, nil, .year, fiscal: true, today: "2026-02-01", start: 2), "2026-02-01...2027-01-31")
        XCTAssertEqual(CRMCalendar.fiscalQuarter(day(today), start: 2), 4)
        XCTAssertEqual(CRMCalendar.fiscalYear(day(today), start: 2), 2026)
    }

    func testRangesThatCannotBeFormedGiveNil() {
        XCTAssertNil(range(.last, 0, .day, today: "2026-01-01"))
        XCTAssertNil(range(.next, -3, .month, today: "2026-01-01"))
        XCTAssertNil(range(.this, 2, .week, today: "2026-01-01"))
        XCTAssertEqual(range(.this, 1, .week, today: "2026-01-01"), "2025-12-29...2026-01-04")
        for unit in DurationUnit.allCases {
            XCTAssertNil(range(.last, .max, unit, today: "2026-01-01"), "\(unit)")
            XCTAssertNil(range(.next, .max, unit, fiscal: true, today: "2026-01-01", start: 4), "\(unit)")
            XCTAssertNil(range(.next, 10_000_000, unit, today: "2026-01-01"), "\(unit)")
            XCTAssertNil(CRMCalendar.dateRange(direction: .this, count: nil, unit: unit, fiscal: false, today: .max, fiscalYearStart: 1))
        }
        XCTAssertNil(range(.next, nil, .year, today: "9999-06-01"))
        XCTAssertEqual(range(.this, nil, .year, today: "9999-06-01"), "9999-01-01...9999-12-31")
    }
}
