#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

/// A number column whose values are all whole hundredths (money), as 32-bit
/// counts of hundredths: half the bytes of the doubles, for the scans that
/// compare a field with a constant (`amount > 500`) once the column outgrows
/// the cache and the scan waits on memory, and the integers a sum of money
/// adds exactly.
///
/// Exact, not approximate: it exists only when every present value `x` is
/// `Double(c) / 100` for its count `c`, so the counts order as the values
/// do, and a comparison with a constant becomes a comparison of counts with
/// a count worked out from the same division (`bounds`).
public struct ScaledDecimals: Sendable {
    /// Hundredths per row; for a null row (the column's nulls say which),
    /// any count.
    public let counts: [Int32]

    /// Nil unless `column` is a number column whose present values are all
    /// whole hundredths within ±21 million, with one at least (or, empty,
    /// styled as money).
    /// - Complexity: O(n): one pass without a branch per row. A column that
    ///   is not money (`loyalty` of 0.887) is usually rejected at its first
    ///   rows, before anything is allocated: the copy's four bytes a row,
    ///   written and thrown away at every such field a sum asks about, cost
    ///   more than the check.
    public init?(column: Column) {
        guard case .number(let values) = column.data else { return nil }
        // TUNING: a sample of the first rows rejects most non-money fields.
        let nulls = column.nulls
        for row in 0..<min(values.count, 64) where !nulls.isNull(row) {
            let x = values[row]
            let scaled = (x * 100).rounded()
            guard scaled.magnitude < 2_147_483_648, ScaledDecimals.value(of: Int64(scaled)) == x else { return nil }
        }
        let n = values.count
        // TUNING: a million rows and more (an order table's amounts) are
        // checked in two halves on two threads, as the loader converts.
        let halves = n >= 1 << 20 && ScaledDecimals.processors > 1 ? 2 : 1
        var exactHalves = [Bool](repeating: true, count: halves)
        let counts = [Int32](unsafeUninitializedCapacity: n) { counts, initialized in
            values.withUnsafeBufferPointer { values in
                exactHalves.withUnsafeMutableBufferPointer { exactHalves in
                    let work = HalvesWork(values: values, counts: counts, exact: exactHalves, nulls: nulls)
                    let half = (n + 1) / 2
                    if halves == 1 {
                        work.check(0..<n, part: 0)
                    } else {
                        DispatchQueue.concurrentPerform(iterations: 2) { part in
                            work.check(part == 0 ? 0..<half : half..<n, part: part)
                        }
                    }
                }
            }
            initialized = n
        }
        let exact = !exactHalves.contains(false)
        // A column with no value says nothing about money, unless it says
        // so itself: an empty entity declared for a server's table marks
        // the fields that hold money there.
        guard exact, column.style == .decimal(places: 2) || (0..<values.count).contains(where: { !nulls.isNull($0) }) else { return nil }
        self.counts = counts
    }

    /// `v` rounded to a whole number, ties to even, for `v` within ±2^51
    /// (farther, a value that is no whole number of hundredths anyway):
    /// adding and taking away 1.5 × 2^52 leaves no fraction. `rounded()`
    /// is a call into the C library per row, most of this loop's time.
    /// A value whole hundredths is never a tie, so the tie rule does not
    /// change which values count.
    /// The processors this process may run on.
    static let processors = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))

    @inline(__always)
    static func nearestWhole(_ v: Double) -> Double {
        let shift = 6_755_399_441_055_744.0
        return v.magnitude < 2_251_799_813_685_248 ? (v + shift) - shift : v
    }

    /// The value `count` hundredths stands for: the same division that
    /// decides whether a value is whole hundredths.
    @inline(__always)
    public static func value(of count: Int64) -> Double {
        Double(count) / 100
    }

    /// For a constant `x`, the least count whose value is at least `x`
    /// (`atLeast`) and the least whose value is above it (`above`):
    /// `value > x` is `count >= above`, `value >= x` is `count >= atLeast`,
    /// `value < x` is `count < atLeast`, `value <= x` is `count < above`,
    /// and `value == x` is `atLeast <= count < above`. The division is
    /// monotonic, so each is a step or two from `x` × 100. Nil for a
    /// constant that is not finite or far outside the counts' range.
    public static func bounds(_ x: Double) -> (atLeast: Int64, above: Int64)? {
        guard x.isFinite, (x * 100).magnitude < 1e12 else { return nil }
        let guess = Int64((x * 100).rounded(.down))
        var atLeast = guess - 2
        var steps = 0
        while value(of: atLeast) < x {
            atLeast += 1
            steps += 1
            if steps > 8 { return nil }
        }
        var above = atLeast
        steps = 0
        while value(of: above) <= x {
            above += 1
            steps += 1
            if steps > 8 { return nil }
        }
        // The search starts two below the guess; the guess is within one
        // of the answer, so a start already past it would be a bug: check.
        guard value(of: atLeast - 1) < x, value(of: above - 1) <= x else { return nil }
        return (atLeast, above)
    }
}

/// One half of `ScaledDecimals.init`'s check. Unchecked, because the
/// compiler cannot tell what makes sharing it safe: each half writes only
/// its own rows of `counts` and its own flag, the values and nulls are only
/// read, and `concurrentPerform` returns only when both halves are done.
private struct HalvesWork: @unchecked Sendable {
    let values: UnsafeBufferPointer<Double>
    let counts: UnsafeMutableBufferPointer<Int32>
    let exact: UnsafeMutableBufferPointer<Bool>
    let nulls: NullBitmap

    /// Branch-free per row: a value that is not whole hundredths only
    /// clears the half's flag. A null row's double is whatever the loader
    /// left; it is read and ignored.
    func check(_ rows: Range<Int>, part: Int) {
        var exact = true
        let checkNulls = nulls.hasNulls
        for row in rows {
            let x = values[row]
            let scaled = ScaledDecimals.nearestWhole(x * 100)
            let inRange = scaled.magnitude < 2_147_483_648
            let count = Int32(truncatingIfNeeded: Int64(inRange ? scaled : 0))
            let ok = inRange && ScaledDecimals.value(of: Int64(count)) == x
            exact = exact && (ok || (checkNulls && nulls.isNull(row)))
            (counts.baseAddress! + row).initialize(to: ok ? count : 0)
        }
        self.exact[part] = exact
    }
}
