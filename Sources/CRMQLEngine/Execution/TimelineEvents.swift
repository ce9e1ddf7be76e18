import CRMQLCore
import CRMQLStorage

/// A table function's events as two dense columns: each event's customer
/// (numbered `0..<customers` in order of appearance) and its period
/// (numbered from the first period of the grid), with the periods to show.
/// Events with no customer or no date are left out.
struct Events {
    private(set) var customer: [Int32] = []
    private(set) var period: [Int32] = []
    private(set) var customers = 0
    /// Periods in the grid: from the earliest of the data and `from:` to
    /// the latest of the data and `to:`.
    private(set) var periodCount = 0
    /// The periods shown, `from:`…`to:` (the data's first and last by
    /// default); nil when there is nothing to show.
    private(set) var shown: ClosedRange<Int>?
    private let grid: PeriodGrid
    private var base: Int64 = 0

    /// TUNING: a grid of more periods than this (weeks over 19,000 years)
    /// is refused rather than allocated.
    static let maximumPeriods = 1_000_000

    /// The first day of grid period `index`.
    func start(_ index: Int) -> Int64 { grid.start(base + Int64(index)) }

    init(who: Column, at: Column, grid: PeriodGrid, from: Int64?, to: Int64?, check: () throws -> Void) throws {
        self.grid = grid
        let count = min(who.count, at.count)
        // Each event's day, or nil's stand-in: rows without one are dropped.
        var days = [Int64](repeating: 0, count: count)
        var keep = [Bool](repeating: true, count: count)
        var low = Int64.max, high = Int64.min
        let raw: [Int64]
        if case .temporal(let values) = at.data { raw = values } else { raw = [] }
        let isDatetime = at.type == .datetime
        for row in 0..<count {
            if row & Self.pollMask == Self.pollMask { try check() }
            if raw.isEmpty || at.nulls.isNull(row) || who.nulls.isNull(row) {
                keep[row] = false
                continue
            }
            var day = isDatetime ? CivilDate.floorDivide(raw[row], 86_400).0 : raw[row]
            // Far outside the calendar's years a date has no period: clamped
            // to its ends, as the calendar functions keep their answers.
            day = min(max(day, CRMCalendar.dayRange.lowerBound), CRMCalendar.dayRange.upperBound)
            days[row] = day
            low = min(low, day)
            high = max(high, day)
        }
        try check()
        let calendar = CRMCalendar.dayRange
        let shownLow = from.map { min(max($0, calendar.lowerBound), calendar.upperBound) } ?? low
        let shownHigh = to.map { min(max($0, calendar.lowerBound), calendar.upperBound) } ?? high
        guard low <= high || (from != nil && to != nil) else { return }
        guard shownLow <= shownHigh else { return }
        let dataLow = low <= high ? low : shownLow, dataHigh = low <= high ? high : shownHigh
        let first = min(grid.ordinal(dataLow), grid.ordinal(shownLow))
        let last = max(grid.ordinal(dataHigh), grid.ordinal(shownHigh))
        guard last - first < Int64(Self.maximumPeriods) else {
            throw Diagnostic.runtime("the events span more than \(Self.maximumPeriods) periods; choose a longer every: or narrow the dates", nil)
        }
        base = first
        periodCount = Int(last - first + 1)
        shown = Int(grid.ordinal(shownLow) - first)...Int(grid.ordinal(shownHigh) - first)

        // Periods by a table of days when the data spans a sane range.
        let table = low <= high ? grid.table(low: low, high: high, base: first) : nil
        period.reserveCapacity(count)
        for row in 0..<count where keep[row] {
            if row & Self.pollMask == Self.pollMask { try check() }
            if let table {
                period.append(table[Int(days[row] - low)])
            } else {
                period.append(Int32(grid.ordinal(days[row]) - first))
            }
        }
        try check()
        (customer, customers) = try Self.number(who, keep: keep, check: check)
    }

    /// Rows between two polls of the passes over the events.
    /// TUNING: 65,536 rows of a pass take well under a millisecond, a few
    /// in a debug build.
    static let pollMask = (1 << 16) - 1

    /// Dense numbers for the customers of the kept rows, by the column's
    /// own storage: small-range integers by an array, others by a hash of
    /// the stored value (never of a boxed `Value`).
    private static func number(_ who: Column, keep: [Bool], check: () throws -> Void) throws -> ([Int32], Int) {
        var numbers: [Int32] = []
        numbers.reserveCapacity(keep.count)
        var next: Int32 = 0
        func numbered<Key: Hashable>(_ values: [Key]) throws {
            var seen: [Key: Int32] = [:]
            for row in 0..<keep.count where keep[row] {
                if row & pollMask == pollMask { try check() }
                if let known = seen[values[row]] {
                    numbers.append(known)
                } else {
                    seen[values[row]] = next
                    numbers.append(next)
                    next += 1
                }
            }
        }
        switch who.data {
        case .int(let values), .temporal(let values):
            var low = Int64.max, high = Int64.min
            for row in 0..<keep.count where keep[row] {
                low = min(low, values[row])
                high = max(high, values[row])
            }
            // TUNING: an array of the key range when it is at most 4 slots per event (or 1M).
            let span = high.subtractingReportingOverflow(low)
            if low <= high, !span.overflow, span.partialValue < Int64(max(4 * keep.count, 1 << 20)) {
                var slot = [Int32](repeating: -1, count: Int(span.partialValue) + 1)
                for row in 0..<keep.count where keep[row] {
                    if row & pollMask == pollMask { try check() }
                    let index = Int(values[row] - low)
                    if slot[index] < 0 {
                        slot[index] = next
                        next += 1
                    }
                    numbers.append(slot[index])
                }
            } else {
                try numbered(values)
            }
        case .codes(let codes):
            try numbered((0..<codes.count).map { codes[$0] })
        case .text(let values): try numbered(values)
        case .number(let values): try numbered(values.map { $0 == 0 ? 0 : $0.bitPattern })
        case .bool(let values): try numbered(values)
        }
        return (numbers, Int(next))
    }
}
