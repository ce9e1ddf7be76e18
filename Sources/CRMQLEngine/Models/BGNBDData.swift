import CRMQLCore
import CRMQLStorage

/// Each customer's purchase history as the BG/NBD and Gamma-Gamma models
/// see it: repeat purchases, recency, age and mean repeat spend, from
/// events on or before the fit's `today`. Purchases on the same day are one
/// purchase.
struct BGNBDData {
    /// Each customer's key (the `who:` value of its events).
    var keys: Column
    /// Repeat purchase days: distinct event days minus one.
    var x: [Int32] = []
    /// Days from the first to the last event day.
    var txDays: [Int32] = []
    /// Days from the first event day to `today`.
    var tDays: [Int32] = []
    /// The mean over repeat days of the day's total spend; NaN without
    /// repeat days or without `spend:`.
    var monetary: [Double] = []
    /// Events used (on or before today, with a customer and a day).
    var events = 0

    var count: Int { x.count }

    /// The rows' problems the caller reports at the `spend:` argument.
    enum SpendProblem: Error {
        case missing(row: Int)
        case negative(row: Int, value: Double, count: Int)
        /// Repeat days whose total spend is zero: the spend model's values
        /// must be positive (a zero on a customer's first day is left out
        /// with the first day).
        case repeatDayNotPositive(count: Int)
    }

    /// Rows between two polls of `check`.
    /// TUNING: 4,096 rows, each numbered through a table and copied, take
    /// a few milliseconds in a debug build.
    static let pollMask = (1 << 12) - 1

    init(who: Column, at: Column, spend: Column?, today: Int64, work: ModelWork) throws {
        let check = work.check
        let rows = min(who.count, at.count)
        let isDatetime = at.type == .datetime
        let rawDays: [Int64]
        if case .temporal(let values) = at.data { rawDays = values } else { rawDays = [] }
        let spends = spend?.doubles
        // Each kept row's index, day and spend; its customer's number after.
        var keptRows: [Int32] = []
        var dayOfRow: [Int64] = []
        var spendOfRow: [Double] = []
        keptRows.reserveCapacity(rows)
        dayOfRow.reserveCapacity(rows)
        if spend != nil { spendOfRow.reserveCapacity(rows) }
        var negatives = 0, firstNegative: (Int, Double)?
        for row in 0..<rows {
            if row & Self.pollMask == Self.pollMask { try check() }
            if rawDays.isEmpty || at.isNull(row) || who.isNull(row) { continue }
            let day = isDatetime ? CivilDate.floorDivide(rawDays[row], 86_400).0 : rawDays[row]
            if day > today { continue }
            if let spend, let spends {
                if spend.isNull(spend.at(row)) { throw SpendProblem.missing(row: row) }
                let value = spends[spend.at(row)]
                if !(value >= 0) {
                    negatives += 1
                    if firstNegative == nil { firstNegative = (row, value) }
                }
                spendOfRow.append(value)
            }
            keptRows.append(Int32(row))
            dayOfRow.append(day)
        }
        // Customers numbered in order of their first event, and their events
        // counted, in a loop of its own: the look-ups of a large base miss
        // the cache, and a short loop lets the processor wait for many at once.
        var customerOfRow = [Int32](repeating: 0, count: keptRows.count)
        var firstRowOfCustomer: [Int32] = []
        var eventCounts: [Int] = []
        var numberer = KeyNumberer(who)
        if let (keyOfRow, low, span) = numberer.dense {
            // Per key: its customer's number + 1 (0 for none yet) in the low
            // half, its events in the high half: one cache line per event.
            var slots = [UInt64](repeating: 0, count: span)
            var next: UInt64 = 0
            for event in 0..<keptRows.count {
                if event & Self.pollMask == Self.pollMask { try check() }
                let row = Int(keptRows[event])
                let key = Int(keyOfRow[row] &- low)
                var slot = slots[key]
                if slot & 0xFFFF_FFFF == 0 {
                    next += 1
                    slot = next
                    firstRowOfCustomer.append(Int32(row))
                }
                slots[key] = slot &+ (1 << 32)
                customerOfRow[event] = Int32(truncatingIfNeeded: slot & 0xFFFF_FFFF) - 1
            }
            eventCounts = firstRowOfCustomer.map { Int(slots[Int(keyOfRow[Int($0)] &- low)] >> 32) }
        } else {
            for event in 0..<keptRows.count {
                if event & Self.pollMask == Self.pollMask { try check() }
                let (customer, isNew) = numberer.number(Int(keptRows[event]))
                if isNew {
                    firstRowOfCustomer.append(keptRows[event])
                    eventCounts.append(0)
                }
                eventCounts[Int(customer)] += 1
                customerOfRow[event] = customer
            }
        }
        if let (row, value) = firstNegative { throw SpendProblem.negative(row: row, value: value, count: negatives) }
        try check()
        keys = who.gather(firstRowOfCustomer)
        events = customerOfRow.count
        let customers = firstRowOfCustomer.count
        // Events bucketed by customer (a counting sort), then each customer's
        // few events sorted by day.
        var offsets = [Int](repeating: 0, count: customers + 1)
        for index in 0..<customers { offsets[index + 1] = offsets[index] + eventCounts[index] }
        var fill = offsets
        var days = [Int64](repeating: 0, count: events)
        var amounts = [Double](repeating: 0, count: spend == nil ? 0 : events)
        for event in 0..<events {
            if event & Self.pollMask == Self.pollMask { try check() }
            let customer = Int(customerOfRow[event])
            let slot = fill[customer]
            fill[customer] += 1
            days[slot] = dayOfRow[event]
            if spend != nil { amounts[slot] = spendOfRow[event] }
        }
        x = [Int32](repeating: 0, count: customers)
        txDays = x
        tDays = x
        monetary = [Double](repeating: .nan, count: customers)
        let hasSpend = spend != nil
        var badDays = 0
        // Each customer's summary reads and sorts its own events alone, so
        // the customers run in chunks on the threads; a customer of very
        // many events is left to the sort that polls, after them.
        var large: [Int] = []
        try x.withUnsafeMutableBufferPointer { x in
            try txDays.withUnsafeMutableBufferPointer { txDays in
                try tDays.withUnsafeMutableBufferPointer { tDays in
                    try monetary.withUnsafeMutableBufferPointer { monetary in
                        try days.withUnsafeMutableBufferPointer { days in
                            try amounts.withUnsafeMutableBufferPointer { amounts in
                                let (x, txDays, tDays, monetary, days, amounts) = (x, txDays, tDays, monetary, days, amounts)
                                badDays = Int(try work.sum(count: customers, width: 1) { range, bad in
                                    for customer in range {
                                        let events = offsets[customer]..<offsets[customer + 1]
                                        if events.count > Self.pollMask { continue }
                                        let summary = Self.summary(UnsafeMutableBufferPointer(rebasing: days[events]),
                                                                   hasSpend ? UnsafeMutableBufferPointer(rebasing: amounts[events]) : nil,
                                                                   today: today)
                                        (x[customer], txDays[customer], tDays[customer], monetary[customer]) =
                                            (summary.x, summary.tx, summary.T, summary.monetary)
                                        bad[0] += Double(summary.badDays)
                                    }
                                }[0])
                                for customer in 0..<customers where offsets[customer + 1] - offsets[customer] > Self.pollMask {
                                    large.append(customer)
                                }
                                for customer in large {
                                    let events = offsets[customer]..<offsets[customer + 1]
                                    // One customer of very many events: a sort that polls.
                                    var pairs = events.map { (days[$0], hasSpend ? amounts[$0] : 0) }
                                    try RunMergeSort.sort(&pairs, run: Self.pollMask + 1, poll: check) { $0.0 < $1.0 }
                                    for (index, pair) in pairs.enumerated() {
                                        days[events.lowerBound + index] = pair.0
                                        if hasSpend { amounts[events.lowerBound + index] = pair.1 }
                                    }
                                    let summary = Self.summary(UnsafeMutableBufferPointer(rebasing: days[events]),
                                                               hasSpend ? UnsafeMutableBufferPointer(rebasing: amounts[events]) : nil,
                                                               today: today, sorted: true)
                                    (x[customer], txDays[customer], tDays[customer], monetary[customer]) =
                                        (summary.x, summary.tx, summary.T, summary.monetary)
                                    badDays += summary.badDays
                                }
                            }
                        }
                    }
                }
            }
        }
        if badDays > 0 { throw SpendProblem.repeatDayNotPositive(count: badDays) }
    }

    /// One customer's (x, t_x, T, mean repeat spend) from its events'
    /// days and spends (nil without `spend:`), which it sorts by day in
    /// place, equal days kept in the order of their events; `badDays`
    /// counts repeat days of no positive spend.
    static func summary(_ days: UnsafeMutableBufferPointer<Int64>, _ amounts: UnsafeMutableBufferPointer<Double>?, today: Int64,
                        sorted: Bool = false) -> (x: Int32, tx: Int32, T: Int32, monetary: Double, badDays: Int) {
        var first = Int64.max, last = Int64.min
        for day in days {
            first = min(first, day)
            last = max(last, day)
        }
        var distinct = 1
        var repeatSpend = 0.0
        var badDays = 0
        if first != last || amounts != nil {
            if !sorted {
                // Insertion sort: a customer has few events, and it keeps equal days in order.
                for index in 1..<max(days.count, 1) {
                    let day = days[index], amount = amounts?[index] ?? 0
                    var slot = index
                    while slot > 0 && days[slot - 1] > day {
                        days[slot] = days[slot - 1]
                        if let amounts { amounts[slot] = amounts[slot - 1] }
                        slot -= 1
                    }
                    days[slot] = day
                    if let amounts { amounts[slot] = amount }
                }
            }
            var previous = days[0]
            var dayTotal = 0.0
            for index in 0..<days.count {
                let day = days[index], amount = amounts?[index] ?? 0
                if day != previous {
                    distinct += 1
                    if previous != first, amounts != nil, !(dayTotal > 0) { badDays += 1 }
                    dayTotal = 0
                }
                previous = day
                dayTotal += amount
                if day != first { repeatSpend += amount }
            }
            if previous != first, amounts != nil, !(dayTotal > 0) { badDays += 1 }
        }
        let repeats = distinct - 1
        return (Int32(repeats), Int32(clamping: last - first), Int32(clamping: today - first),
                amounts != nil && repeats > 0 ? repeatSpend / Double(repeats) : .nan, badDays)
    }
}

/// Numbers the distinct values of a key column in order of appearance, by
/// the column's own storage (never a boxed `Value`).
struct KeyNumberer {
    private let column: Column
    private var ints: [Int64: Int32] = [:]
    private var texts: [String: Int32] = [:]
    private var next: Int32 = 0
    /// Integer keys in a narrow range (ids, refs) are numbered through an
    /// array indexed by the key, not a hash table.
    private var slots: [Int32] = []
    private var low: Int64 = 0
    private var intKeys: [Int64] = []

    init(_ column: Column) {
        self.column = column
        if case .int(let values) = column.data, let minimum = values.min(), let maximum = values.max() {
            let span = maximum.subtractingReportingOverflow(minimum)
            // TUNING: an array of the key range when it is at most 4 slots per row (or 1M).
            if !span.overflow, span.partialValue < Int64(max(4 * values.count, 1 << 20)) {
                low = minimum
                slots = [Int32](repeating: -1, count: Int(span.partialValue) + 1)
                intKeys = values
            }
        }
    }

    /// Integer keys in a narrow range: each row's key, the least key and
    /// the number of slots from it; nil where keys are numbered through a
    /// hash table.
    var dense: (keys: [Int64], low: Int64, span: Int)? {
        slots.isEmpty ? nil : (intKeys, low, slots.count)
    }

    @inline(__always)
    mutating func number(_ row: Int) -> (Int32, isNew: Bool) {
        if !slots.isEmpty {
            let index = Int(intKeys[row] - low)
            if slots[index] >= 0 { return (slots[index], false) }
            slots[index] = next
            next += 1
            return (next - 1, true)
        }
        switch column.data {
        case .int(let values), .temporal(let values): return Self.number(values[row], &ints, &next)
        case .codes(let codes): return Self.number(Int64(codes[row]), &ints, &next)
        case .text(let values): return Self.number(values[row], &texts, &next)
        case .number(let values): return Self.number(Int64(values[row].bitPattern), &ints, &next)
        case .bool(let values): return Self.number(Int64(values[row] ? 1 : 0), &ints, &next)
        }
    }

    private static func number<Key: Hashable>(_ key: Key, _ table: inout [Key: Int32], _ next: inout Int32) -> (Int32, isNew: Bool) {
        if let known = table[key] { return (known, false) }
        table[key] = next
        next += 1
        return (next - 1, true)
    }
}
