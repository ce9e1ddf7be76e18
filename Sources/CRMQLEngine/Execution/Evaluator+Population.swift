import CRMQLCore
import CRMQLStorage

extension Evaluator {
    /// `ntile`, `quintile`, `percent_rank` and `rank` over every row, read
    /// straight from the column: its present values coded as unsigned
    /// numbers in their order, radix-sorted with their rows, and each run
    /// of equal values given its answer. Three quintiles make every RFM
    /// score of a million customers; the general path copied the column
    /// into optionals, sorted by 16-bit digits (65,536 counters a pass,
    /// far more than the cache holds) and made the answers optionals again.
    /// The same runs of equal values (-0 is 0; NaN is null), so the same
    /// answers. Nil for the other functions.
    func wholePopulation(_ function: PopulationFunction, _ column: Column, k: Int64, type: DataType) throws -> Column? {
        let k = function == .quintile ? 5 : Int(clamping: k)
        switch function {
        case .ntile, .quintile: guard k >= 1 else { return nil }
        case .percentRank, .rank: break
        default: return nil
        }
        let n = column.count
        let doubles = column.doubles
        let nulls = column.nulls
        var rows: [Int32] = [], codes: [UInt64] = []
        rows.reserveCapacity(n)
        codes.reserveCapacity(n)
        // Whole numbers (day counts, order counts) coded by their
        // distance from the least: a few bits, a pass or two.
        var whole = true
        var least = Double.infinity, most = -Double.infinity
        doubles.withUnsafeBufferPointer { doubles in
            for row in 0..<n {
                let value = doubles[row]
                if nulls.isNull(row) || value != value { continue }
                rows.append(Int32(truncatingIfNeeded: row))
                whole = whole && value.magnitude < 4_503_599_627_370_496 && Double(Int64(value.magnitude < 4_503_599_627_370_496 ? value : 0)) == value
                least = Swift.min(least, value)
                most = Swift.max(most, value)
            }
        }
        let m = rows.count
        var bits = 0
        if m > 0 {
            if whole {
                let base = Int64(least)
                for row in rows { codes.append(UInt64(bitPattern: Int64(doubles[Int(row)]) &- base)) }
                bits = UInt64.bitWidth - UInt64(bitPattern: Int64(most) &- base).leadingZeroBitCount
            } else {
                let base = PopulationStatistics.orderedBits(least)
                for row in rows { codes.append(PopulationStatistics.orderedBits(doubles[Int(row)]) &- base) }
                bits = UInt64.bitWidth - (PopulationStatistics.orderedBits(most) &- base).leadingZeroBitCount
            }
        }
        try services.checkInterrupt(materializing: n)
        try RadixSort.sortPairs(&codes, &rows, bits: bits, poll: services.checkInterrupt)
        var nullWords = ElementwiseKernels.allNullWords(n)
        func answers<T>(_ zero: T, _ answer: (_ below: Int, _ above: Int) -> T) -> [T] {
            [T](unsafeUninitializedCapacity: n) { out, initialized in
                out.initialize(repeating: zero)
                var start = 0
                while start < m {
                    var end = start + 1
                    while end < m && codes[end] == codes[start] { end += 1 }
                    let value = answer(start, m - end)
                    for index in start..<end {
                        let row = Int(rows[index])
                        out[row] = value
                        nullWords[row >> 6] &= ~(1 << UInt64(row & 63))
                    }
                    start = end
                }
                initialized = n
            }
        }
        let data: ColumnData
        switch (function, type) {
        case (.ntile, .int), (.quintile, .int):
            data = .int(answers(Int64(0)) { below, _ in PopulationStatistics.ntileValue(below: below, n: m, k: k) })
        case (.ntile, _), (.quintile, _):
            data = .number(answers(0.0) { below, _ in Double(PopulationStatistics.ntileValue(below: below, n: m, k: k)) })
        case (.percentRank, .int):
            data = .int(answers(Int64(0)) { below, _ in m == 1 ? 0 : Int64(Double(below) / Double(m - 1)) })
        case (.percentRank, _):
            data = .number(answers(0.0) { below, _ in m == 1 ? 0 : Double(below) / Double(m - 1) })
        case (_, .int):
            data = .int(answers(Int64(0)) { _, above in Int64(1 + above) })
        default:
            data = .number(answers(0.0) { _, above in Double(1 + above) })
        }
        return Column(type: type == .int ? .int : .number, data: data, nulls: ElementwiseKernels.bitmap(nullWords))
    }
}

extension Evaluator {
    /// `share_above(x)` over every row (`Evaluator.shareAbove`), its order
    /// (value descending, then the entity's key, then the row) found by a
    /// radix sort of the two keys' codes instead of comparisons through
    /// optionals: the 80/20 rule's `value_class` of a million customers
    /// asks it twice. The same order and the same additions in it, so the
    /// same digits. Nil when a value is NaN (the codes cannot order it as
    /// the comparisons do).
    func wholeShareAbove(_ column: Column, keys: Column?) throws -> Column? {
        let n = column.count
        let values = Column(type: .number, data: .number(column.doubles), nulls: column.nulls)
        var sortKeys = [SortKey(column: values, descending: true, nullsFirst: false)]
        if let keys { sortKeys.append(SortKey(column: keys, descending: false, nullsFirst: false)) }
        var codes: [KeyCode] = []
        for key in sortKeys {
            guard let code = try KeyCodes.encode(key, count: n, poll: services.checkInterrupt) else { return nil }
            codes.append(code)
        }
        let order = try RadixSort.order(codes, count: n, poll: services.checkInterrupt)
        let doubles = values.doubles, nulls = column.nulls
        // Nulls sort last: the present rows are a prefix of the order.
        let present = order.prefix { !nulls.isNull(Int($0)) }
        var total = 0.0
        for row in present { total += Swift.max(doubles[Int(row)], 0) }
        guard total > 0 else { return Column.nulls(n, type: .number) }
        var out = [Double](repeating: 0, count: n)
        var nullWords = ElementwiseKernels.allNullWords(n)
        var above = 0.0
        for row in present {
            let r = Int(row)
            out[r] = above / total
            nullWords[r >> 6] &= ~(1 << UInt64(r & 63))
            above += Swift.max(doubles[r], 0)
        }
        return Column(type: .number, data: .number(out), nulls: ElementwiseKernels.bitmap(nullWords))
    }
}
