import CRMQLCore
import CRMQLStorage

/// Row-by-row operators (`x / y`, `x >= 4`) over whole columns: one loop
/// per operator and shape, over the arrays, split into morsels across the
/// session's threads when the rows are many.
///
/// A measure such as `perceived / expected` or the conditions of the RFM
/// segments' `case` is computed once over every customer; the general
/// loops asked, for every row, which operator to apply and whether either
/// side was a constant, and went through the arrays' bounds checks. Here
/// the operator and the shape are chosen once, and each output row depends
/// on its input rows alone, so the answers are the same on any number of
/// threads.
enum ElementwiseKernels {
    /// `f(a[i], b[i])` for `i` in `0..<n`; a side of one value is a
    /// constant for every row. Nil when a side is neither one value nor at
    /// least `n` (the caller's general loop decides then).
    @inline(__always)
    static func map<A, B, R>(_ a: [A], _ b: [B], count n: Int, _ parallelism: Parallelism,
                             _ f: (A, B) -> R) -> [R]? {
        guard n > 0, a.count == 1 || a.count >= n, b.count == 1 || b.count >= n else { return n == 0 ? [] : nil }
        return a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                [R](unsafeUninitializedCapacity: n) { out, initialized in
                    let target = out.baseAddress!
                    let aOne = a.count == 1, bOne = b.count == 1
                    Parallel.forEach(rows: n, parallelism) { rows in
                        if aOne {
                            let x = a[0]
                            for i in rows { (target + i).initialize(to: f(x, b[i])) }
                        } else if bOne {
                            let y = b[0]
                            for i in rows { (target + i).initialize(to: f(a[i], y)) }
                        } else {
                            for i in rows { (target + i).initialize(to: f(a[i], b[i])) }
                        }
                    }
                    initialized = n
                }
            }
        }
    }

    /// `x op y` for two arrays of one comparable kind.
    static func compare<T: Comparable>(_ op: ComparisonOperator, _ a: [T], _ b: [T], count n: Int,
                                       _ parallelism: Parallelism) -> [Bool]? {
        switch op {
        case .equal: return map(a, b, count: n, parallelism) { $0 == $1 }
        case .notEqual: return map(a, b, count: n, parallelism) { $0 != $1 }
        case .less: return map(a, b, count: n, parallelism) { $0 < $1 }
        case .lessEqual: return map(a, b, count: n, parallelism) { $0 <= $1 }
        case .greater: return map(a, b, count: n, parallelism) { $0 > $1 }
        case .greaterEqual: return map(a, b, count: n, parallelism) { $0 >= $1 }
        }
    }

    /// `x op y` over numbers, and the rows whose answer is not a finite
    /// number (a division by zero, an overflow to infinity): those become
    /// null and hold 0, as in the general loop. A zero divisor always gives
    /// an infinity or NaN, so it needs no test of its own.
    static func arithmetic(_ op: ArithmeticOperator, _ a: [Double], _ b: [Double], count n: Int,
                           _ parallelism: Parallelism) -> (values: [Double], nonFinite: NullBitmap)? {
        let values: [Double]?
        switch op {
        case .add: values = map(a, b, count: n, parallelism) { $0 + $1 }
        case .subtract: values = map(a, b, count: n, parallelism) { $0 - $1 }
        case .multiply: values = map(a, b, count: n, parallelism) { $0 * $1 }
        case .divide: values = map(a, b, count: n, parallelism) { $0 / $1 }
        case .modulo: values = map(a, b, count: n, parallelism) { $0.truncatingRemainder(dividingBy: $1) }
        }
        guard var values else { return nil }
        // Most columns have no such row: one branch-free pass finds out,
        // per morsel. A value is not finite when its exponent bits are all set.
        let morselCount = parallelism.splits(n) ? parallelism.morsels(n) : 1
        var seen = [UInt64](repeating: 0, count: morselCount)
        values.withUnsafeBufferPointer { values in
            seen.withUnsafeMutableBufferPointer { seen in
                Parallel.forEach(rows: n, parallelism) { rows in
                    let exponent: UInt64 = 0x7FF0_0000_0000_0000
                    var found: UInt64 = 0
                    for i in rows { found |= values[i].bitPattern & exponent == exponent ? 1 : 0 }
                    seen[morselCount == 1 ? 0 : rows.lowerBound / parallelism.morselRows] = found
                }
            }
        }
        let anyNonFinite = seen.contains { $0 != 0 }
        guard anyNonFinite else { return (values, NullBitmap()) }
        var words = [UInt64](repeating: 0, count: (n + 63) >> 6)
        for row in 0..<n where !values[row].isFinite {
            words[row >> 6] |= 1 << UInt64(row & 63)
            values[row] = 0
        }
        return (values, bitmap(words))
    }

    /// The null words of `n` rows that are all null: kernels clear a row's
    /// bit as they give it a present value.
    static func allNullWords(_ n: Int) -> [UInt64] {
        var words = [UInt64](repeating: ~0, count: (n + 63) >> 6)
        if n & 63 != 0, !words.isEmpty { words[words.count - 1] = (1 << UInt64(n & 63)) &- 1 }
        return words
    }

    /// A bitmap of the words, without trailing empty words (an all-present
    /// column keeps none), so it equals one set bit by bit.
    static func bitmap(_ words: [UInt64]) -> NullBitmap {
        var words = words
        while words.last == 0 { words.removeLast() }
        return words.isEmpty ? NullBitmap() : NullBitmap(words: words)
    }

    /// Three-valued `and` / `or` of two whole columns of flags, a word of
    /// 64 rows at a time: a false side decides `and` and a true side `or`;
    /// otherwise a null side makes the answer null (and its flag false).
    static func logic(isAnd: Bool, _ a: [Bool], _ aNulls: NullBitmap, _ b: [Bool], _ bNulls: NullBitmap,
                      count n: Int) -> Column {
        var nullWords = [UInt64](repeating: 0, count: (n + 63) >> 6)
        let aNullWords = aNulls.words, bNullWords = bNulls.words
        let out = a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                [Bool](unsafeUninitializedCapacity: n) { out, initialized in
                    nullWords.withUnsafeMutableBufferPointer { nullWords in
                        for word in 0..<nullWords.count {
                            let start = word << 6, end = min(start + 64, n)
                            let an = word < aNullWords.count ? aNullWords[word] : 0
                            let bn = word < bNullWords.count ? bNullWords[word] : 0
                            var aTrue: UInt64 = 0, bTrue: UInt64 = 0
                            for row in start..<end {
                                let bit = UInt64(row &- start)
                                aTrue |= UInt64(a[row] ? 1 : 0) << bit
                                bTrue |= UInt64(b[row] ? 1 : 0) << bit
                            }
                            let anyNull = an | bn
                            let answer: UInt64, null: UInt64
                            if isAnd {
                                let decidedFalse = (~aTrue & ~an) | (~bTrue & ~bn)
                                null = ~decidedFalse & anyNull
                                answer = ~decidedFalse & ~anyNull
                            } else {
                                let decidedTrue = (aTrue & ~an) | (bTrue & ~bn)
                                null = ~decidedTrue & anyNull
                                answer = decidedTrue
                            }
                            let mask: UInt64 = end - start == 64 ? ~0 : (1 << UInt64(end - start)) &- 1
                            nullWords[word] = null & mask
                            for row in start..<end { (out.baseAddress! + row).initialize(to: answer >> UInt64(row &- start) & 1 != 0) }
                        }
                    }
                    initialized = n
                }
            }
        }
        return makeBool(out, nulls: bitmap(nullWords))
    }
}
