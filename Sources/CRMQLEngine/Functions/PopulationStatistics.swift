import CRMQLStorage

/// The present values of a column, sorted once, so that each population
/// function answers for any value with two binary searches.
///
/// Any `Comparable` key works: ints and numbers, day numbers, enum codes
/// (which order like their symbols). A value that is not equal to itself
/// (a NaN) has no rank and counts as null.
public struct Population<Key: Comparable & Sendable>: Sendable {
    /// The present values in ascending order.
    public let sorted: [Key]

    /// `n`: how many rows have a present value.
    @inlinable
    public var count: Int { sorted.count }

    /// The population of a column held as values plus a null bitmap.
    /// - Complexity: O(n log n).
    @inlinable
    public init(_ values: [Key], nulls: NullBitmap) {
        var present: [Key] = []
        present.reserveCapacity(values.count - min(values.count, nulls.nullCount))
        for (row, value) in values.enumerated() where !nulls.isNull(row) && value == value {
            present.append(value)
        }
        present.sort()
        sorted = present
    }

    /// The population of a column of optionals.
    /// - Complexity: O(n log n).
    @inlinable
    public init(_ values: [Key?]) {
        var present: [Key] = []
        present.reserveCapacity(values.count)
        for case let value? in values where value == value { present.append(value) }
        present.sort()
        sorted = present
    }

    /// `below(x)`: how many present values are strictly less than `x`.
    /// - Complexity: O(log n).
    @inlinable
    public func below(_ x: Key) -> Int {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = low + (high - low) / 2
            if sorted[middle] < x { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// How many present values are strictly greater than `x`.
    /// - Complexity: O(log n).
    @inlinable
    public func above(_ x: Key) -> Int {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = low + (high - low) / 2
            if x < sorted[middle] { high = middle } else { low = middle + 1 }
        }
        return sorted.count - low
    }

    /// `ntile(x, k)` = 1 + floor(k · below(x) / n): 1…k, k for the largest
    /// values. Nil when `k` < 1 or the population is empty.
    @inlinable
    public func ntile(_ x: Key, k: Int) -> Int64? {
        guard k >= 1, !sorted.isEmpty else { return nil }
        return PopulationStatistics.ntileValue(below: below(x), n: sorted.count, k: k)
    }

    /// `percent_rank(x)` = below(x) / (n − 1), from 0 (the smallest) to 1;
    /// 0 when n = 1. Nil when the population is empty.
    @inlinable
    public func percentRank(_ x: Key) -> Double? {
        guard !sorted.isEmpty else { return nil }
        return sorted.count == 1 ? 0 : Double(below(x)) / Double(sorted.count - 1)
    }

    /// `rank(x)` = 1 + how many present values are strictly greater: 1 for
    /// the largest; ties share a rank and leave a gap after it.
    @inlinable
    public func rank(_ x: Key) -> Int64 {
        Int64(1 + above(x))
    }
}

/// The population functions over a whole column, "null in, null out": a row
/// whose value is null (or NaN) gets null, every other row its function
/// value among the present values of the column.
///
/// Results come in the column layout storage uses (values plus a null
/// bitmap, a placeholder 0 in null slots) or, for convenience, as optionals.
public enum PopulationStatistics {
    /// A computed column: values, and the rows that are null.
    public typealias Result<Value> = (values: [Value], nulls: NullBitmap)

    // MARK: - Column layout

    /// `ntile(x, k)` for every row; every row is null when `k` < 1.
    /// - Complexity: O(n log n).
    @inlinable
    public static func ntile<Key: Comparable & Sendable>(_ values: [Key], nulls: NullBitmap, k: Int) -> Result<Int64> {
        guard k >= 1 else { return (Array(repeating: 0, count: values.count), allNull(values.count)) }
        return byRank(count: values.count, placeholder: 0, key: { nulls.isNull($0) ? nil : values[$0] }) { below, _, n in
            ntileValue(below: below, n: n, k: k)
        }
    }

    /// `percent_rank(x)` for every row.
    /// - Complexity: O(n log n).
    @inlinable
    public static func percentRank<Key: Comparable & Sendable>(_ values: [Key], nulls: NullBitmap) -> Result<Double> {
        byRank(count: values.count, placeholder: 0, key: { nulls.isNull($0) ? nil : values[$0] }) { below, _, n in
            n == 1 ? 0 : Double(below) / Double(n - 1)
        }
    }

    /// `rank(x)` for every row.
    /// - Complexity: O(n log n).
    @inlinable
    public static func rank<Key: Comparable & Sendable>(_ values: [Key], nulls: NullBitmap) -> Result<Int64> {
        byRank(count: values.count, placeholder: 0, key: { nulls.isNull($0) ? nil : values[$0] }) { _, above, _ in
            Int64(1 + above)
        }
    }

    /// `share(x)` = x / the sum of the present values, for every row; every
    /// row is null when that sum is 0.
    /// - Complexity: O(n).
    public static func share(_ values: [Double], nulls: NullBitmap) -> Result<Double> {
        var total = CompensatedSum()
        for (row, value) in values.enumerated() where !nulls.isNull(row) && !value.isNaN { total.add(value) }
        let sum = total.value
        guard sum != 0, sum.isFinite else { return (Array(repeating: 0, count: values.count), allNull(values.count)) }
        var out = [Double](repeating: 0, count: values.count)
        var outNulls = nulls
        for (row, value) in values.enumerated() where !nulls.isNull(row) {
            if let share = MathFunctions.finite(value / sum) { out[row] = share } else { outNulls.set(row) }
        }
        return (out, outNulls)
    }

    /// `share(x)` of an int column.
    /// - Complexity: O(n).
    public static func share(_ values: [Int64], nulls: NullBitmap) -> Result<Double> {
        share(values.map(Double.init), nulls: nulls)
    }

    // MARK: - Optionals

    /// `ntile(x, k)` over a column of optionals; all nil when `k` < 1.
    /// - Complexity: O(n log n).
    public static func ntile(_ values: [Double?], k: Int) -> [Double?] {
        guard k >= 1 else { return Array(repeating: nil, count: values.count) }
        return optionals(byRank(doubles: values, placeholder: 0) { below, _, n in
            Double(ntileValue(below: below, n: n, k: k))
        })
    }

    /// `percent_rank(x)` over a column of optionals.
    /// - Complexity: O(n log n).
    public static func percentRank(_ values: [Double?]) -> [Double?] {
        optionals(byRank(doubles: values, placeholder: 0) { below, _, n in
            n == 1 ? 0 : Double(below) / Double(n - 1)
        })
    }

    /// `rank(x)` over a column of optionals.
    /// - Complexity: O(n log n).
    public static func rank(_ values: [Double?]) -> [Double?] {
        optionals(byRank(doubles: values, placeholder: 0) { _, above, _ in
            Double(1 + above)
        })
    }

    /// `share(x)` over a column of optionals; all nil when the sum is 0.
    /// - Complexity: O(n).
    public static func share(_ values: [Double?]) -> [Double?] {
        var total = CompensatedSum()
        for case let value? in values where !value.isNaN { total.add(value) }
        let sum = total.value
        guard sum != 0, sum.isFinite else { return Array(repeating: nil, count: values.count) }
        return values.map { value in value.flatMap { MathFunctions.finite($0 / sum) } }
    }

    // MARK: - Internals

    /// 1 + floor(k · below / n). The product can exceed `Int` for huge k;
    /// the quotient, below k, cannot.
    @usableFromInline
    static func ntileValue(below: Int, n: Int, k: Int) -> Int64 {
        Int64(1 + n.dividingFullWidth(k.multipliedFullWidth(by: below)).quotient)
    }

    /// Calls `function(below, above, n)` once per run of equal present
    /// values and gives its answer to every row of the run; rows whose key
    /// is nil or NaN become null.
    ///
    /// Sorting (key, row) pairs and walking the runs touches each row once,
    /// where a binary search per row would make ~log n scattered reads.
    @inlinable
    static func byRank<Key: Comparable, Value>(count: Int, placeholder: Value, key: (Int) -> Key?,
                                               _ function: (_ below: Int, _ above: Int, _ n: Int) -> Value) -> Result<Value> {
        var entries: [RankEntry<Key>] = []
        entries.reserveCapacity(count)
        var nulls = NullBitmap()
        for row in 0..<count {
            if let value = key(row), value == value {
                entries.append(RankEntry(key: value, row: row))
            } else {
                nulls.set(row)
            }
        }
        entries.sort { $0.key < $1.key }
        var out = [Value](repeating: placeholder, count: count)
        let n = entries.count
        var start = 0
        while start < n {
            var end = start + 1
            // Sorted, so "not less" means equal.
            while end < n && !(entries[start].key < entries[end].key) { end += 1 }
            let value = function(start, n - end, n)
            for index in start..<end { out[entries[index].row] = value }
            start = end
        }
        return (out, nulls)
    }

    /// `byRank` over optional doubles, the present values ordered by a
    /// radix sort of their bits rather than by comparisons: a population
    /// function over a million customers (`quintile(revenue)`, three for
    /// every RFM score) spent most of its time in the comparison sort.
    /// The same runs of equal values (-0 counts as 0, NaN as null), so the
    /// same answers.
    static func byRank<Value>(doubles values: [Double?], placeholder: Value,
                              _ function: (_ below: Int, _ above: Int, _ n: Int) -> Value) -> Result<Value> {
        var keys: [UInt64] = []
        var rows: [Int32] = []
        keys.reserveCapacity(values.count)
        rows.reserveCapacity(values.count)
        var nulls = NullBitmap()
        for row in 0..<values.count {
            guard let value = values[row], value == value else { nulls.set(row); continue }
            keys.append(orderedBits(value))
            rows.append(Int32(truncatingIfNeeded: row))
        }
        radixSort(&keys, &rows)
        var out = [Value](repeating: placeholder, count: values.count)
        let n = keys.count
        var start = 0
        while start < n {
            var end = start + 1
            while end < n && keys[end] == keys[start] { end += 1 }
            let answer = function(start, n - end, n)
            for index in start..<end { out[Int(rows[index])] = answer }
            start = end
        }
        return (out, nulls)
    }

    /// A double's bits as an unsigned number in the double's order: the
    /// sign bit flipped for positives, every bit for negatives.
    @inline(__always)
    static func orderedBits(_ value: Double) -> UInt64 {
        let bits = (value == 0 ? 0 : value).bitPattern
        return bits >> 63 == 1 ? ~bits : bits | (1 << 63)
    }

    /// Sorts `keys` ascending, carrying `rows` along: least significant
    /// 16 bits first, each pass a stable counting sort, a pass skipped when
    /// every key has the same digit (the high bits of small whole numbers).
    static func radixSort(_ keys: inout [UInt64], _ rows: inout [Int32]) {
        let n = keys.count
        guard n > 1 else { return }
        // TUNING: under a few thousand keys, clearing and summing the
        // 65,536 counts of each pass costs more than comparing.
        if n < 4_096 {
            var pairs = zip(keys, rows).map { (key: $0, row: $1) }
            pairs.sort { $0.key < $1.key }
            keys = pairs.map(\.key)
            rows = pairs.map(\.row)
            return
        }
        var otherKeys = [UInt64](repeating: 0, count: n)
        var otherRows = [Int32](repeating: 0, count: n)
        var counts = [Int](repeating: 0, count: 65_537)
        for shift in stride(from: 0, to: 64, by: 16) {
            for index in counts.indices { counts[index] = 0 }
            for key in keys { counts[Int((key >> UInt64(shift)) & 0xFFFF) + 1] += 1 }
            if counts.contains(n) { continue }
            for digit in 0..<65_536 { counts[digit + 1] += counts[digit] }
            keys.withUnsafeBufferPointer { keys in
                rows.withUnsafeBufferPointer { rows in
                    otherKeys.withUnsafeMutableBufferPointer { otherKeys in
                        otherRows.withUnsafeMutableBufferPointer { otherRows in
                            counts.withUnsafeMutableBufferPointer { next in
                                for index in 0..<n {
                                    let digit = Int((keys[index] >> UInt64(shift)) & 0xFFFF)
                                    let place = next[digit]
                                    next[digit] = place + 1
                                    otherKeys[place] = keys[index]
                                    otherRows[place] = rows[index]
                                }
                            }
                        }
                    }
                }
            }
            swap(&keys, &otherKeys)
            swap(&rows, &otherRows)
        }
    }

    private static func optionals<Value>(_ result: Result<Value>) -> [Value?] {
        result.values.enumerated().map { row, value in result.nulls.isNull(row) ? nil : value }
    }

    @usableFromInline
    static func allNull(_ count: Int) -> NullBitmap {
        NullBitmap(count: count) { _ in true }
    }
}

/// A present value and the row it came from.
@usableFromInline
struct RankEntry<Key> {
    @usableFromInline var key: Key
    @usableFromInline var row: Int

    @inlinable
    init(key: Key, row: Int) {
        self.key = key
        self.row = row
    }
}
