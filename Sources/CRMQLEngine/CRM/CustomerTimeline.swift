import CRMQLCore

/// Consecutive calendar periods numbered by ordinals, so that "the period
/// before" is the ordinal minus one: weeks (from Monday), months, quarters,
/// years and fiscal quarters and years.
struct PeriodGrid {
    let period: DatePeriod
    /// Months per period (0 for weeks) and the month periods are aligned to.
    let months: Int64
    let offset: Int64

    init(_ period: DatePeriod) {
        self.period = period
        switch period {
        case .week: (months, offset) = (0, 0)
        case .month: (months, offset) = (1, 0)
        case .quarter: (months, offset) = (3, 0)
        case .year: (months, offset) = (12, 0)
        case .fiscalQuarter(let start): (months, offset) = (3, DatePeriod.fiscalOffset(start))
        case .fiscalYear(let start): (months, offset) = (12, DatePeriod.fiscalOffset(start))
        }
    }

    /// The ordinal of the period holding the day `days`.
    func ordinal(_ days: Int64) -> Int64 {
        if months == 0 {
            // 1969-12-29, day -3, was a Monday.
            return CivilDate.floorDivide(days + 3, 7).0
        }
        let date = CivilDate(days: days)
        return CivilDate.floorDivide(date.year * 12 + date.month - 1 - offset, months).0
    }

    /// The first day of the period with this ordinal.
    func start(_ ordinal: Int64) -> Int64 {
        if months == 0 { return ordinal * 7 - 3 }
        let (year, month) = CivilDate.floorDivide(ordinal * months + offset, 12)
        return CivilDate(year: year, month: month + 1, day: 1).days
    }

    /// Each day's period, relative to `base`, for days `low…high`: one
    /// table lookup per event instead of a calendar conversion.
    /// TUNING: spans beyond 2^23 days (23,000 years) are converted per event.
    func table(low: Int64, high: Int64, base: Int64) -> [Int32]? {
        guard high >= low, high - low < 1 << 23 else { return nil }
        var table = [Int32](repeating: 0, count: Int(high - low + 1))
        var day = low
        while day <= high {
            // A whole period at a time: its ordinal is computed once.
            let ordinal = self.ordinal(day)
            let next = min(high + 1, start(ordinal + 1))
            let value = Int32(truncatingIfNeeded: ordinal - base)
            for d in day..<next { table[Int(d - low)] = value }
            day = next
        }
        return table
    }
}

/// Customers' activity per period, from their events: the counts behind
/// `retention(...)` and `cohorts(...)`.
///
/// Events arrive as two columns, a dense customer number and a period
/// number each; they are bucketed by customer (a counting sort, linear),
/// and each customer's distinct periods are found with a stamp per period,
/// so the whole is two passes over the events and no hashing.
struct CustomerTimeline {
    let periodCount: Int
    /// Customers active in each period.
    private(set) var active: [Int]
    /// Customers whose first event is in each period.
    private(set) var new: [Int]
    /// Customers active in the period and in the one before.
    private(set) var retained: [Int]
    /// For `cohorts`: customers of cohort `first` (cohorts `cohortLow…`)
    /// active `k` periods later, at `cohortRow[first - cohortLow] + k`.
    private(set) var cohortActive: [Int] = []
    private(set) var cohortRow: [Int] = []
    let cohortLow: Int

    /// Events between two polls of `check`.
    /// TUNING: 65,536 events of a pass take well under a millisecond, a
    /// few in a debug build.
    static let pollMask = (1 << 16) - 1

    /// - Parameters:
    ///   - customer: each event's customer, `0..<customers`.
    ///   - period: each event's period, `0..<periodCount`.
    ///   - cohorts: the cohorts (`low…high`) whose activity to count up
    ///     to period `high`; nil when only retention's counts are needed.
    ///   - check: called every `pollMask + 1` events or so (interrupts, time limits).
    init(customer: [Int32], period: [Int32], customers: Int, periodCount: Int,
         cohorts: ClosedRange<Int>?, check: () throws -> Void) throws {
        precondition(customer.count == period.count)
        self.periodCount = periodCount
        active = [Int](repeating: 0, count: periodCount)
        new = active
        retained = active
        cohortLow = cohorts?.lowerBound ?? 0
        if let cohorts {
            var start = 0
            cohortRow.reserveCapacity(cohorts.count)
            for first in cohorts {
                cohortRow.append(start)
                start += cohorts.upperBound - first + 1
            }
            cohortActive = [Int](repeating: 0, count: start)
        }

        // Bucket the events by customer.
        var offsets = [Int](repeating: 0, count: customers + 1)
        for (event, c) in customer.enumerated() {
            if event & Self.pollMask == Self.pollMask { try check() }
            offsets[Int(c) + 1] += 1
        }
        for index in 0..<customers { offsets[index + 1] += offsets[index] }
        var periods = [Int32](repeating: 0, count: period.count)
        var next = offsets
        try customer.withUnsafeBufferPointer { customer in
            try period.withUnsafeBufferPointer { period in
                // Positions come from the counts just made over the same events.
                for event in 0..<customer.count {
                    if event & Self.pollMask == Self.pollMask { try check() }
                    let c = Int(customer[event])
                    periods[next[c]] = period[event]
                    next[c] += 1
                }
            }
        }
        try check()

        // Stamps: `seen[p] == c` once customer c was counted active in p.
        var seen = [Int32](repeating: -1, count: periodCount)
        var counted = [Int32](repeating: -1, count: periodCount)
        let cohortRange = cohorts
        // Polled by events as well as customers: one customer may hold most of them.
        var sincePoll = 0
        for c in 0..<customers {
            let low = offsets[c], high = offsets[c + 1]
            sincePoll += 1 + high - low
            if sincePoll > Self.pollMask {
                sincePoll = 0
                try check()
            }
            if low == high { continue }
            let stamp = Int32(c)
            var first = Int32.max
            for index in low..<high {
                let p = Int(periods[index])
                if seen[p] != stamp {
                    seen[p] = stamp
                    active[p] += 1
                }
                first = min(first, Int32(p))
            }
            new[Int(first)] += 1
            let cohort = Int(first)
            let inCohorts = cohortRange?.contains(cohort) == true
            for index in low..<high {
                let p = Int(periods[index])
                guard counted[p] != stamp else { continue }
                counted[p] = stamp
                if p > 0, seen[p - 1] == stamp { retained[p] += 1 }
                if inCohorts, let range = cohortRange, p <= range.upperBound {
                    cohortActive[cohortRow[cohort - cohortLow] + p - cohort] += 1
                }
            }
        }
    }
}
