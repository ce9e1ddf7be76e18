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

    init(who: Column, at: Column, spend: Column?, today: Int64, check: () throws -> Void) throws {
        let rows = min(who.count, at.count)
        let isDatetime = at.type == .datetime
        let rawDays: [Int64]
        if case .temporal(let values) = at.data { rawDays = values } else { rawDays = [] }
        let spends = spend?.doubles
        // Each kept row's customer number, day and spend.
        var customerOfRow: [Int32] = []
        var dayOfRow: [Int64] = []
        var spendOfRow: [Double] = []
        customerOfRow.reserveCapacity(rows)
        dayOfRow.reserveCapacity(rows)
        var firstRowOfCustomer: [Int32] = []
        var numberer = KeyNumberer(who)
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
            let (customer, isNew) = numberer.number(row)
            if isNew { firstRowOfCustomer.append(Int32(row)) }
            customerOfRow.append(customer)
            dayOfRow.append(day)
        }
        if let (row, value) = firstNegative { throw SpendProblem.negative(row: row, value: value, count: negatives) }
        try check()
        keys = who.gather(firstRowOfCustomer)
        events = customerOfRow.count
        let customers = firstRowOfCustomer.count
        // Events bucketed by customer (a counting sort), then each customer's
        // few events sorted by day.
        var offsets = [Int](repeating: 0, count: customers + 1)
        for (event, customer) in customerOfRow.enumerated() {
            if event & Self.pollMask == Self.pollMask { try check() }
            offsets[Int(customer) + 1] += 1
        }
        for index in 0..<customers { offsets[index + 1] += offsets[index] }
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
        x.reserveCapacity(customers)
        txDays.reserveCapacity(customers)
        tDays.reserveCapacity(customers)
        monetary.reserveCapacity(customers)
        var badDays = 0
        var sincePoll = 0
        for customer in 0..<customers {
            let range = offsets[customer]..<offsets[customer + 1]
            // By events, since a customer's events are sorted here.
            sincePoll += 1 + range.count
            if sincePoll > Self.pollMask {
                sincePoll = 0
                try check()
            }
            var first = Int64.max, last = Int64.min
            for slot in range {
                first = min(first, days[slot])
                last = max(last, days[slot])
            }
            var distinct = 1
            var repeatSpend = 0.0
            if first != last || spend != nil {
                // Distinct days, and the spend of days after the first.
                var pairs = range.map { (days[$0], spend == nil ? 0 : amounts[$0]) }
                if pairs.count > Self.pollMask {
                    // One customer of very many events: a sort that polls.
                    try RunMergeSort.sort(&pairs, run: Self.pollMask + 1, poll: check) { $0.0 < $1.0 }
                } else {
                    pairs.sort { $0.0 < $1.0 }
                }
                var previous = pairs[0].0
                var dayTotal = 0.0
                for pair in pairs {
                    if pair.0 != previous {
                        distinct += 1
                        if previous != first, spend != nil, !(dayTotal > 0) { badDays += 1 }
                        dayTotal = 0
                    }
                    previous = pair.0
                    dayTotal += pair.1
                    if pair.0 != first { repeatSpend += pair.1 }
                }
                if previous != first, spend != nil, !(dayTotal > 0) { badDays += 1 }
            }
            let repeats = distinct - 1
            x.append(Int32(repeats))
            txDays.append(Int32(clamping: last - first))
            tDays.append(Int32(clamping: today - first))
            monetary.append(spend != nil && repeats > 0 ? repeatSpend / Double(repeats) : .nan)
        }
        if badDays > 0 { throw SpendProblem.repeatDayNotPositive(count: badDays) }
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
