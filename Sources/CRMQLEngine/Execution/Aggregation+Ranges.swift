import CRMQLCore
import CRMQLStorage

extension Aggregation {
    /// `reduce` for segments that are consecutive ranges of `values`:
    /// segment `s` is `values[offsets[s]..<offsets[s + 1]]`. This is a
    /// relation aggregate over children stored in parent order
    /// (`RefIndex.isClustered`), which then reads the child's column
    /// straight through, with no list of segments beside it and each
    /// parent's total kept in registers until it is stored.
    ///
    /// Same answers as `reduce` over the same rows with one segment tag per
    /// row: the same additions in the same order per segment. Nil for what
    /// it does not cover (other functions, distinct, a value kind `reduce`
    /// would convert first); the caller then uses `reduce`.
    /// - Parameter hundredths: the field's counts of hundredths, row for
    ///   row, for a field whose sums are exact (see `Aggregation`).
    /// Whether `reduceRanges` answers `function` for an argument of this
    /// type (nil: `count(orders)`), giving a result of `type`; `exact` when
    /// the argument is a money field whose sums add hundredths. The
    /// planner's rule for `ClusteredChildRangeSum`, kept beside the code it
    /// predicts.
    static func rangesCover(_ function: AggregateFunction, argumentType: DataType?, type: DataType, exact: Bool) -> Bool {
        guard let argumentType else { return function == .count }
        switch function {
        case .count: return true
        case .sum where exact && type == .number, .avg where exact && type == .number: return true
        case .sum where argumentType == .int && type == .int: return true
        case .sum where argumentType == .number && type == .number, .avg where argumentType == .number && type == .number: return true
        default: return false
        }
    }

    static func reduceRanges(_ function: AggregateFunction, values: Column?, offsets: [Int32],
                             distinct: Bool, type: DataType, range: SourceRange,
                             hundredths: [Int32]? = nil, parallelism: Parallelism = .serial,
                             stop: BuildStop? = nil) throws -> Column? {
        guard !distinct, let first = offsets.first, first == 0 else { return nil }
        let segmentCount = offsets.count - 1
        // The offsets are a ref index's, built over these children: they
        // climb within the values (the bounds rule of
        // `RowSelection.assertInside`).
        assert(zip(offsets, offsets.dropFirst()).allSatisfy { $0 <= $1 } && values.map { Int(offsets.last ?? 0) <= $0.count } != false,
               "a ref index's offsets do not climb within its children")
        guard let values else {
            guard function == .count else { return nil }
            return Column(type: .int, data: .int((0..<segmentCount).map { Int64(offsets[$0 + 1] - offsets[$0]) }))
        }
        let nulls = values.nulls
        // Each parent's answer reads its own range alone, so the parents
        // are cut into morsels for the session's threads: the same additions
        // in the same order per parent, whatever the thread count.
        func eachMorsel(_ body: (Range<Int>) throws -> Void) throws {
            try Parallel.forEach(rows: segmentCount, parallelism, stop: stop, body)
        }
        if let hundredths, function == .sum || function == .avg, type == .number, hundredths.count == values.count {
            return try exactRanges(function, hundredths, nulls, offsets, eachMorsel)
        }
        // Decimals that are not a stored field's add exactly in the general path.
        if case .decimal = values.style, function == .sum || function == .avg { return nil }
        switch (function, values.data) {
        case (.count, _):
            var counts = [Int64](repeating: 0, count: segmentCount)
            try counts.withUnsafeMutableBufferPointer { counts in
                try eachMorsel { segments in
                    for s in segments {
                        var count = Int64(offsets[s + 1] - offsets[s])
                        if nulls.hasNulls {
                            for row in Int(offsets[s])..<Int(offsets[s + 1]) where nulls.isNull(row) { count -= 1 }
                        }
                        counts[s] = count
                    }
                }
            }
            return Column(type: .int, data: .int(counts))
        case (.sum, .int(let ints)) where type == .int:
            var sums = [Int64](repeating: 0, count: segmentCount)
            var seen = [Bool](repeating: false, count: segmentCount)
            try ints.withUnsafeBufferPointer { ints in
                try sums.withUnsafeMutableBufferPointer { sums in
                    try seen.withUnsafeMutableBufferPointer { seen in
                        try eachMorsel { segments in
                            for s in segments {
                                var sum: Int64 = 0
                                var any = false
                                for row in Int(offsets[s])..<Int(offsets[s + 1]) where !nulls.isNull(row) {
                                    let (next, overflow) = sum.addingReportingOverflow(ints[row])
                                    if overflow { throw Diagnostic.runtime("integer overflow in sum", range) }
                                    sum = next
                                    any = true
                                }
                                sums[s] = sum
                                seen[s] = any
                            }
                        }
                    }
                }
            }
            return Column(type: .int, data: .int(sums), nulls: NullBitmap(count: segmentCount) { !seen[$0] })
        case (.sum, .number(let doubles)) where type == .number, (.avg, .number(let doubles)) where type == .number:
            var results = [Double](repeating: 0, count: segmentCount)
            var empty = [Bool](repeating: false, count: segmentCount)
            let checkNulls = nulls.hasNulls
            try doubles.withUnsafeBufferPointer { doubles in
                try results.withUnsafeMutableBufferPointer { results in
                    try empty.withUnsafeMutableBufferPointer { empty in
                        try eachMorsel { segments in
                            for s in segments {
                                var running = CompensatedSum()
                                var count = 0
                                for row in Int(offsets[s])..<Int(offsets[s + 1]) {
                                    if checkNulls && nulls.isNull(row) { continue }
                                    running.add(doubles[row])
                                    count &+= 1
                                }
                                if count == 0 {
                                    empty[s] = true
                                } else {
                                    results[s] = function == .avg ? running.value / Double(count) : running.value
                                }
                            }
                        }
                    }
                }
            }
            return Column(type: .number, data: .number(results), nulls: NullBitmap(count: segmentCount) { empty[$0] })
        default:
            return nil
        }
    }

    /// `sum` or `avg` of a money field over each range, from its counts of
    /// hundredths (see `Aggregation`).
    private static func exactRanges(_ function: AggregateFunction, _ hundredths: [Int32], _ nulls: NullBitmap,
                                    _ offsets: [Int32], _ eachMorsel: ((Range<Int>) throws -> Void) throws -> Void) throws -> Column {
        let segmentCount = offsets.count - 1
        var sums = [Int64](repeating: 0, count: segmentCount)
        var counts = [Int](repeating: 0, count: segmentCount)
        try hundredths.withUnsafeBufferPointer { hundredths in
            try offsets.withUnsafeBufferPointer { offsets in
                try sums.withUnsafeMutableBufferPointer { sums in
                    try counts.withUnsafeMutableBufferPointer { counts in
                        try eachMorsel { segments in
                            guard nulls.hasNulls else {
                                // The morsel's ranges, with the offset after its last.
                                rangeSums(hundredths, offsets: UnsafeBufferPointer(rebasing: offsets[segments.lowerBound...segments.upperBound]),
                                          into: UnsafeMutableBufferPointer(rebasing: sums[segments]))
                                for s in segments { counts[s] = Int(offsets[s + 1] &- offsets[s]) }
                                return
                            }
                            for s in segments {
                                for row in Int(offsets[s])..<Int(offsets[s + 1]) where !nulls.isNull(row) {
                                    sums[s] &+= Int64(hundredths[row])
                                    counts[s] &+= 1
                                }
                            }
                        }
                    }
                }
            }
        }
        return Aggregation.exactResults(function, sums, counts)
    }

    /// Each range's total of `values`, range `s` being
    /// `offsets[s] ..< offsets[s + 1]` (ascending, within `values`; the
    /// first range may start past the first value).
    ///
    /// A loop per range leaves its inner loop after a number of rows the
    /// processor cannot predict, once per range: for a million customers of
    /// ten-odd orders that misprediction cost more than the additions. Here
    /// the rows are added up in blocks into running totals, and each range
    /// is the difference of the running totals at its two ends, read with
    /// no loop of its own.
    static func rangeSums(_ values: UnsafeBufferPointer<Int32>, offsets: UnsafeBufferPointer<Int32>,
                          into sums: UnsafeMutableBufferPointer<Int64>) {
        // TUNING: 4,096 running totals (32 KB) stay in the first-level cache.
        let block = 4096
        let segmentCount = offsets.count - 1
        guard segmentCount > 0 else { return }
        let end = Int(offsets[segmentCount])
        var running = [Int64](repeating: 0, count: block + 1)
        running.withUnsafeMutableBufferPointer { running in
            var total: Int64 = 0
            var previous: Int64 = 0
            var s = 0
            // The ranges need not start at the first value: a morsel of
            // parents reads its own children only.
            var start = Int(offsets[0])
            while start < end {
                let stop = min(start + block, end)
                running[0] = total
                for i in 0..<(stop - start) { running[i + 1] = running[i] &+ Int64(values[start + i]) }
                while s < segmentCount && Int(offsets[s + 1]) <= stop {
                    let at = running[Int(offsets[s + 1]) - start]
                    sums[s] = at &- previous
                    previous = at
                    s += 1
                }
                total = running[stop - start]
                start = stop
            }
            // Empty ranges at the end (no rows after the last one).
            while s < segmentCount { sums[s] = 0; s += 1 }
        }
    }
}
