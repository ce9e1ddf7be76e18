/// The statistical aggregates, over the present values of a group (nulls
/// already removed). Over no values every one of them is nil (null).
public enum Statistics {
    /// `sum(x)` of numbers, with compensated (Neumaier) summation so that
    /// many small amounts added to a large total are not lost.
    /// - Complexity: O(n).
    public static func sum(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        var total = CompensatedSum()
        for value in values { total.add(value) }
        return MathFunctions.finite(total.value)
    }

    /// `sum(x)` of ints: exact, whatever the order of the values (partial
    /// sums may exceed 64 bits as long as the total does not).
    /// - Throws: `ArithmeticOverflow` when the total does not fit in 64 bits.
    public static func sum(_ values: [Int64]) throws(ArithmeticOverflow) -> Int64? {
        guard !values.isEmpty else { return nil }
        var total = WideSum()
        for value in values { total.add(value) }
        guard let exact = total.exactValue else { throw ArithmeticOverflow("sum") }
        return exact
    }

    /// `avg(x)`: the arithmetic mean.
    /// - Complexity: O(n).
    public static func avg(_ values: [Double]) -> Double? {
        sum(values).map { $0 / Double(values.count) }
    }

    /// `avg(x)` of ints, which may be far above `Int64.max` in total: the
    /// sum is kept in 128 bits, so the mean is exact up to the final
    /// rounding to a double.
    public static func avg(_ values: [Int64]) -> Double? {
        guard !values.isEmpty else { return nil }
        var total = WideSum()
        for value in values { total.add(value) }
        return total.approximateValue / Double(values.count)
    }

    /// `median(x)` = `percentile(x, 0.5)`: for an even count, the mean of
    /// the two middle values.
    /// - Complexity: O(n) on average.
    public static func median(_ values: [Double]) -> Double? {
        percentile(values, 0.5)
    }

    /// `percentile(x, p)`, interpolating linearly between the closest ranks:
    /// with the values sorted, rank `p * (n - 1)` (0-based), a fractional
    /// rank lying between two values in proportion. The same as numpy's
    /// default ("linear") method and SQL's `percentile_cont`.
    ///
    /// - Returns: nil over no values, or when `p` is outside 0…1.
    /// - Complexity: O(n) on average (selection, not a full sort).
    public static func percentile(_ values: [Double], _ p: Double) -> Double? {
        guard p >= 0, p <= 1 else { return nil }
        var work = values
        // NaN has no rank; the engine turns it into null before it gets here.
        if work.contains(where: \.isNaN) { work.removeAll(where: \.isNaN) }
        guard !work.isEmpty else { return nil }
        let rank = p * Double(work.count - 1)
        let lowRank = min(Int(rank.rounded(.down)), work.count - 1)
        let fraction = rank - Double(lowRank)
        return work.withUnsafeMutableBufferPointer { buffer -> Double in
            Selection.select(lowRank, in: buffer)
            let low = buffer[lowRank]
            guard fraction > 0, lowRank + 1 < buffer.count else { return low }
            // After selection everything past lowRank is >= low; the next
            // order statistic is their minimum.
            var high = buffer[lowRank + 1]
            for index in (lowRank + 2)..<buffer.count where buffer[index] < high { high = buffer[index] }
            return interpolate(low, high, fraction)
        }
    }

    /// `stddev(x)`: the sample standard deviation (divisor n − 1), computed
    /// in two passes (mean, then squared deviations with the rounding error
    /// of the mean corrected), which stays accurate when the values are
    /// large and close together.
    ///
    /// - Returns: nil for fewer than two values.
    /// - Complexity: O(n).
    public static func stddev(_ values: [Double]) -> Double? {
        guard values.count >= 2, let mean = avg(values) else { return nil }
        var squares = CompensatedSum()
        var deviations = CompensatedSum()
        for value in values {
            let deviation = value - mean
            squares.add(deviation * deviation)
            deviations.add(deviation)
        }
        let n = Double(values.count)
        let correction = deviations.value * deviations.value / n
        let variance = max(squares.value - correction, 0) / (n - 1)
        return MathFunctions.finite(variance.squareRoot())
    }

    /// numpy's `_lerp`: from whichever end is nearer, so the result is
    /// monotonic in `t` and exact at both ends.
    @inline(__always)
    static func interpolate(_ a: Double, _ b: Double, _ t: Double) -> Double {
        let difference = b - a
        // Values half the double range apart: scale each end instead.
        if !difference.isFinite { return a * (1 - t) + b * t }
        return t >= 0.5 ? b - difference * (1 - t) : a + difference * t
    }
}

/// A running sum with Neumaier's compensation: the low-order bits that each
/// addition rounds away are collected apart and added back at the end.
public struct CompensatedSum: Sendable {
    private var sum = 0.0
    private var compensation = 0.0

    /// Nothing added yet.
    public init() {}

    /// Adds one value.
    @inline(__always)
    public mutating func add(_ value: Double) {
        let next = sum + value
        if Swift.abs(sum) >= Swift.abs(value) {
            compensation += (sum - next) + value
        } else {
            compensation += (value - next) + sum
        }
        sum = next
    }

    /// Adds another sum's values (after this one's): how sums of parts
    /// computed apart are combined, in a fixed order of the parts.
    @inline(__always)
    public mutating func add(_ other: CompensatedSum) {
        add(other.sum)
        compensation += other.compensation
    }

    /// The total so far.
    public var value: Double { sum + compensation }
}

/// An exact sum of 64-bit integers in 128 bits (two's complement), which
/// cannot overflow for fewer than 2⁶³ values.
public struct WideSum: Sendable {
    private var high: Int64 = 0
    private var low: UInt64 = 0

    /// Nothing added yet.
    public init() {}

    /// Adds one value.
    @inline(__always)
    public mutating func add(_ value: Int64) {
        let (nextLow, carry) = low.addingReportingOverflow(UInt64(bitPattern: value))
        low = nextLow
        // The sign extension of `value` is all ones when it is negative.
        high &+= (value < 0 ? -1 : 0) &+ (carry ? 1 : 0)
    }

    /// The total when it fits in an `Int64`.
    public var exactValue: Int64? {
        let candidate = Int64(bitPattern: low)
        return high == (candidate < 0 ? -1 : 0) ? candidate : nil
    }

    /// The total rounded to a double.
    public var approximateValue: Double {
        if let exactValue { return Double(exactValue) }
        guard high < 0 else { return Double(high) * 0x1p64 + Double(low) }
        // Negate first: adding a large negative high word to a large low
        // word would cancel away the low bits.
        let (negatedLow, carry) = (~low).addingReportingOverflow(1)
        let negatedHigh = UInt64(bitPattern: ~high) &+ (carry ? 1 : 0)
        return -(Double(negatedHigh) * 0x1p64 + Double(negatedLow))
    }
}

/// Mean and variance accumulated one value at a time (Welford), for
/// aggregating many groups in a single pass over the rows.
public struct RunningMoments: Sendable {
    /// How many values were added.
    public private(set) var count = 0
    private var runningMean = 0.0
    private var squaredDeviations = 0.0

    /// Nothing added yet.
    public init() {}

    /// Adds one value.
    @inline(__always)
    public mutating func add(_ value: Double) {
        count += 1
        let delta = value - runningMean
        runningMean += delta / Double(count)
        squaredDeviations += delta * (value - runningMean)
    }

    /// The mean; nil before any value.
    public var mean: Double? { count > 0 ? runningMean : nil }

    /// The sample standard deviation; nil for fewer than two values.
    public var stddev: Double? {
        count >= 2 ? MathFunctions.finite((max(squaredDeviations, 0) / Double(count - 1)).squareRoot()) : nil
    }
}

/// In-place selection of an order statistic (quickselect).
enum Selection {
    /// Rearranges `buffer` so that `buffer[k]` holds the value a full sort
    /// would put there, everything before it is <= and everything after >=.
    /// - Complexity: O(n) on average; a median-of-three pivot avoids the
    ///   quadratic case on sorted input, and after too many rounds the
    ///   remaining range is simply sorted, so O(n log n) at worst.
    static func select(_ k: Int, in buffer: UnsafeMutableBufferPointer<Double>) {
        guard k >= 0, k < buffer.count else { return }
        var low = 0
        var high = buffer.count - 1
        var rounds = 0
        while low < high {
            rounds += 1
            if rounds > 64 {
                var rest = UnsafeMutableBufferPointer(rebasing: buffer[low...high])
                rest.sort()
                return
            }
            let middle = low + (high - low) / 2
            // Median of three as the pivot, left at `middle`.
            if buffer[middle] < buffer[low] { buffer.swapAt(middle, low) }
            if buffer[high] < buffer[low] { buffer.swapAt(high, low) }
            if buffer[high] < buffer[middle] { buffer.swapAt(high, middle) }
            let pivot = buffer[middle]
            // Hoare partition: afterwards [low...j] <= pivot <= [i...high].
            var i = low
            var j = high
            while i <= j {
                // The bounds hold even for values that are not totally ordered.
                while i <= high && buffer[i] < pivot { i += 1 }
                while j >= low && pivot < buffer[j] { j -= 1 }
                if i <= j {
                    buffer.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if k <= j {
                high = j
            } else if k >= i {
                low = i
            } else {
                return
            }
        }
    }
}
