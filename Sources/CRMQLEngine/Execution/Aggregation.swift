import CRMQLCore
import CRMQLStorage

/// Reduces values to one per segment (a group, or a parent row's children).
/// Over no values, or only nulls, `count` is 0 and the others are null.
///
/// `sum` and `avg` of a stored number field whose values are all whole
/// hundredths (money, `IndexCache.hundredths`) add the counts of hundredths
/// as integers: exact, the same in any order, so every plan that sums the
/// field gives the same answer, and a cent is never lost or gained however
/// many values are added. The caller passes the counts at the values' rows
/// (`hundredths`), and only for such a field, so that whether a sum is
/// exact depends on the field and never on the plan.
enum Aggregation {
    static func reduce(_ function: AggregateFunction, values: Column?, segments: [Int32], segmentCount: Int,
                       distinct: Bool, fraction: Double?, type: DataType, range: SourceRange,
                       hundredths: [Int32]? = nil, poll: () throws -> Void = {},
                       parallelism: Parallelism = .serial) throws -> Column {
        guard var values else {
            var counts = [Int64](repeating: 0, count: segmentCount)
            for segment in segments { counts[Int(segment)] += 1 }
            return Column(type: .int, data: .int(counts))
        }
        // Many children: one thread per range of parents (see `parts`).
        let parts = Self.parts(children: segments.count, segments: segmentCount, parallelism)
        if distinct, function == .count {
            if let counts = try countDistinct(values, segments, segmentCount: segmentCount, poll: poll, parts: parts) { return counts }
            if let counts = try countDistinctByCodes(values, segments, segmentCount: segmentCount, poll: poll) { return counts }
        }
        var segments = segments
        if distinct { (values, segments) = try deduplicate(values, segments, poll: poll) }
        switch function {
        case .count:
            var counts = [Int64](repeating: 0, count: segmentCount)
            for (index, segment) in segments.enumerated() where !values.isNull(index) { counts[Int(segment)] += 1 }
            return Column(type: .int, data: .int(counts))
        case .sum where type == .int:
            var sums = [Int64](repeating: 0, count: segmentCount)
            var seen = [Bool](repeating: false, count: segmentCount)
            let ints = values.ints
            for (index, segment) in segments.enumerated() where !values.isNull(index) {
                let s = Int(segment)
                let (sum, overflow) = sums[s].addingReportingOverflow(ints[index])
                if overflow { throw Diagnostic.runtime("integer overflow in sum", range) }
                sums[s] = sum
                seen[s] = true
            }
            return Column(type: .int, data: .int(sums), nulls: NullBitmap(count: segmentCount) { !seen[$0] })
        case .sum, .avg:
            if let hundredths, !distinct, type == .number, hundredths.count == values.count {
                let (sums, counts) = hundredthSums(hundredths, values.nulls, segments, segmentCount: segmentCount, parts)
                return exactResults(function, sums, counts)
            }
            if case .decimal(let places) = values.style, type == .number,
               let exact = decimalSums(values, places: places, segments, segmentCount) {
                return decimalResults(function, exact.sums, exact.counts, places: places)
            }
            // Other numbers: compensated, so that many small values added
            // to a large total are not lost.
            var sums = [CompensatedSum](repeating: CompensatedSum(), count: segmentCount)
            var counts = [Int](repeating: 0, count: segmentCount)
            let doubles = values.doubles
            let nulls = values.nulls
            let checkNulls = nulls.hasNulls
            // The hot loop of every relation aggregate. A segment's rows
            // usually come in a run (a parent's children), so its running
            // sum stays in registers for the run and is stored when the
            // segment changes: the same additions in the same order, without
            // a store and reload per row.
            sums.withUnsafeMutableBufferPointer { sums in
                counts.withUnsafeMutableBufferPointer { counts in
                    doubles.withUnsafeBufferPointer { doubles in
                        segments.withUnsafeBufferPointer { segments in
                            let n = min(segments.count, doubles.count)
                            var current = -1
                            var running = CompensatedSum()
                            var runningCount = 0
                            for index in 0..<n {
                                if checkNulls && nulls.isNull(index) { continue }
                                let s = Int(segments[index])
                                guard s >= 0, s < segmentCount else { continue }
                                if s != current {
                                    if current >= 0 { sums[current] = running; counts[current] = runningCount }
                                    current = s
                                    running = sums[s]
                                    runningCount = counts[s]
                                }
                                running.add(doubles[index])
                                runningCount &+= 1
                            }
                            if current >= 0 { sums[current] = running; counts[current] = runningCount }
                        }
                    }
                }
            }
            var results = sums.map(\.value)
            if function == .avg { for s in 0..<segmentCount where counts[s] > 0 { results[s] /= Double(counts[s]) } }
            return Column(type: .number, data: .number(results), nulls: NullBitmap(count: segmentCount) { counts[$0] == 0 })
        case .min, .max:
            return extreme(isMin: function == .min, values, segments, segmentCount,
                           parts: Self.parts(children: segments.count, segments: segmentCount, parallelism))
        case .median, .percentile, .stddev:
            var buckets = [[Double]](repeating: [], count: segmentCount)
            let doubles = values.doubles
            for (index, segment) in segments.enumerated() where !values.isNull(index) { buckets[Int(segment)].append(doubles[index]) }
            let results: [Double?] = buckets.map { bucket in
                function == .stddev ? Statistics.stddev(bucket) : Statistics.percentile(bucket, fraction ?? 0.5)
            }
            var column = Column(type: .number, data: .number(results.map { $0 ?? 0 }), nulls: NullBitmap(count: segmentCount) { results[$0] == nil })
            // The median of money reads as money, rounded where it falls between two.
            if case .decimal(let places) = values.style { column.style = .rounded(places: places) }
            return column
        }
    }

    /// Each segment's sum or average from its exact total of hundredths and
    /// its count of present values; null where there were none. An average
    /// is the total over 100 × the count, rounded once.
    static func exactResults(_ function: AggregateFunction, _ sums: [Int64], _ counts: [Int]) -> Column {
        let n = min(sums.count, counts.count)
        let average = function == .avg
        var empty = false
        // Two divisions at a time: a division takes several cycles, and
        // a million customers' totals each need one.
        let results = [Double](unsafeUninitializedCapacity: n) { results, initialized in
            sums.withUnsafeBufferPointer { sums in
                counts.withUnsafeBufferPointer { counts in
                    var s = 0
                    while s + 1 < n {
                        let total = SIMD2(Double(sums[s]), Double(sums[s + 1]))
                        let divisor = average ? SIMD2(100 * Double(max(counts[s], 1)), 100 * Double(max(counts[s + 1], 1))) : SIMD2(100, 100)
                        let quotient = total / divisor
                        results[s] = quotient[0]
                        results[s + 1] = quotient[1]
                        empty = empty || counts[s] == 0 || counts[s + 1] == 0
                        s += 2
                    }
                    if s < n {
                        results[s] = Double(sums[s]) / (average ? 100 * Double(max(counts[s], 1)) : 100)
                        empty = empty || counts[s] == 0
                    }
                }
            }
            initialized = n
        }
        // A sum of money is money; an average is money rounded.
        let style: NumberStyle = average ? .rounded(places: 2) : .decimal(places: 2)
        guard empty else {
            var column = Column(type: .number, data: .number(results))
            column.style = style
            return column
        }
        // An empty segment's total is 0, so its result is already 0.
        var words = [UInt64](repeating: 0, count: (n + 63) >> 6)
        for s in 0..<n { words[s >> 6] |= UInt64(counts[s] == 0 ? 1 : 0) &<< UInt64(s & 63) }
        var column = Column(type: .number, data: .number(results), nulls: NullBitmap(words: words))
        column.style = style
        return column
    }

    /// The row of each segment holding its smallest (largest) present value.
    private static func extreme(isMin: Bool, _ values: Column, _ segments: [Int32], _ segmentCount: Int,
                                parts: [Range<Int>]) -> Column {
        let best: [Int32]
        switch values.data {
        case .int(let v), .temporal(let v): best = extremeRows(v, isMin: isMin, values.nulls, segments, segmentCount: segmentCount, parts)
        case .number(let v): best = extremeRows(v, isMin: isMin, values.nulls, segments, segmentCount: segmentCount, parts)
        default: best = extremeRows(isMin: isMin, values, segments, segmentCount)
        }
        if values.count == 0 { return Column.nulls(segmentCount, type: values.type) }
        var result = values.gather(best.map { max($0, 0) })
        for s in 0..<segmentCount where best[s] < 0 { result.nulls.set(s) }
        return result
    }

    /// The row of each segment holding its smallest (largest) present value,
    /// for any kind of column.
    private static func extremeRows(isMin: Bool, _ values: Column, _ segments: [Int32], _ segmentCount: Int) -> [Int32] {
        var best = [Int32](repeating: -1, count: segmentCount)
        func better(_ a: Int, _ b: Int) -> Bool {
            switch values.data {
            case .int(let v), .temporal(let v): return isMin ? v[a] < v[b] : v[a] > v[b]
            case .number(let v): return isMin ? v[a] < v[b] : v[a] > v[b]
            case .text(let v): return isMin ? v[a] < v[b] : v[a] > v[b]
            case .codes(let v): return isMin ? v[a] < v[b] : v[a] > v[b]
            case .bool(let v): return isMin ? (!v[a] && v[b]) : (v[a] && !v[b])
            }
        }
        for (index, segment) in segments.enumerated() where !values.isNull(index) {
            let s = Int(segment)
            if best[s] < 0 || better(index, Int(best[s])) { best[s] = Int32(index) }
        }
        return best
    }

    /// Rows handled between two polls of `deduplicate`.
    /// TUNING: 16,384 rows hash or sort in well under a millisecond, a few
    /// in a debug build (long text values take longer per row).
    static let distinctPollRows = 1 << 14

    /// Keeps the first occurrence of each (segment, value) pair, calling
    /// `poll` every `distinctPollRows` rows: every child row of a relation
    /// passes here, so this is one long loop, not one column operation.
    private static func deduplicate(_ values: Column, _ segments: [Int32], poll: () throws -> Void) throws -> (Column, [Int32]) {
        let keep: [Int32]
        switch values.data {
        case .int(let ints), .temporal(let ints):
            keep = try firstOccurrences(values, segments, poll: poll) { ints[$0] }
        case .codes(let codes):
            let wide = codes.wide
            keep = try firstOccurrences(values, segments, poll: poll) { Int64(wide[$0]) }
        default:
            var seen = Set<SegmentValue>(minimumCapacity: segments.count)
            var kept: [Int32] = []
            for index in 0..<segments.count where !values.isNull(index) {
                if index % distinctPollRows == distinctPollRows - 1 { try poll() }
                if seen.insert(SegmentValue(segment: segments[index], value: values.value(at: index))).inserted {
                    kept.append(Int32(index))
                }
            }
            keep = kept
        }
        try poll()
        return (values.gather(keep), keep.map { segments[Int($0)] })
    }

    /// `count(distinct …)` of ints or dates, counted without keeping the
    /// distinct rows. One pass in row order keeps each segment's last value
    /// and counts its rises: while a segment's values never fall, that is
    /// its number of distinct values. A customer's baskets (`count(distinct
    /// orders.basket)`) arrive that way, so usually nothing more is done;
    /// the segments whose values fell are counted again exactly, their
    /// (segment, value) pairs sorted. Nil for other values (`deduplicate`
    /// then does it).
    /// - Complexity: O(n + segments), plus the sort of the pairs of the
    ///   segments whose values were out of order.
    static func countDistinct(_ values: Column, _ segments: [Int32], segmentCount: Int,
                              poll: () throws -> Void = {}, parts: [Range<Int>]? = nil) rethrows -> Column? {
        let integers: [Int64]
        switch values.data {
        case .int(let ints), .temporal(let ints): integers = ints
        default: return nil
        }
        guard integers.count == segments.count, segmentCount >= 0 else { return nil }
        let nulls = values.nulls
        let checkNulls = nulls.hasNulls
        var (counts, unordered, anyUnordered) = risingDistinctCounts(integers, nulls, segments, segmentCount: segmentCount,
                                                                     parts ?? [0..<segmentCount])
        guard anyUnordered else { return Column(type: .int, data: .int(counts)) }
        // Values out of order: counted again by their codes, or, when the
        // pairs are too wide for them, the pairs of those segments sorted.
        if let exact = try countDistinctByCodes(values, segments, segmentCount: segmentCount, poll: poll) { return exact }
        var pairs: [(segment: Int32, value: Int64)] = []
        for index in 0..<integers.count where !(checkNulls && nulls.isNull(index)) {
            let s = Int(segments[index])
            guard s >= 0, s < segmentCount, unordered[s >> 6] & (1 &<< UInt64(s & 63)) != 0 else { continue }
            pairs.append((segments[index], integers[index]))
        }
        pairs.sort { $0.segment != $1.segment ? $0.segment < $1.segment : $0.value < $1.value }
        var previous: (segment: Int32, value: Int64)?
        for pair in pairs {
            if let previous, previous.segment == pair.segment {
                if previous.value != pair.value { counts[Int(pair.segment)] += 1 }
            } else {
                counts[Int(pair.segment)] = 1
            }
            previous = pair
        }
        return Column(type: .int, data: .int(counts))
    }

    /// `deduplicate` for values held as integers (ints, dates, enum codes),
    /// without hashing: the rows are bucketed by segment (a counting sort),
    /// each segment's rows sorted by value, and the first row of each run of
    /// equal values kept. `count(distinct …)` of a relation meets every
    /// child row here, and hashing each pair was most of its time.
    private static func firstOccurrences(_ values: Column, _ segments: [Int32], poll: () throws -> Void,
                                         _ integer: (Int) -> Int64) throws -> [Int32] {
        var starts = [Int](repeating: 0, count: (segments.max().map { Int($0) } ?? -1) + 2)
        let nulls = values.nulls
        for index in segments.indices where !nulls.isNull(index) && segments[index] >= 0 { starts[Int(segments[index]) + 1] += 1 }
        for segment in 0..<(starts.count - 1) { starts[segment + 1] += starts[segment] }
        var bySegment = [Int32](repeating: 0, count: starts[starts.count - 1])
        var next = starts
        for index in segments.indices where !nulls.isNull(index) && segments[index] >= 0 {
            let segment = Int(segments[index])
            bySegment[next[segment]] = Int32(index)
            next[segment] += 1
        }
        try poll()
        var keep = [Bool](repeating: false, count: segments.count)
        var sincePoll = 0
        for segment in 0..<(starts.count - 1) {
            let rows = starts[segment]..<starts[segment + 1]
            guard !rows.isEmpty else { continue }
            sincePoll += rows.count + 1
            if sincePoll >= distinctPollRows {
                sincePoll = 0
                try poll()
            }
            // Rows are ascending within a segment; a stable order by value
            // puts each value's first row first.
            let less = { (a: Int32, b: Int32) in integer(Int(a)) != integer(Int(b)) ? integer(Int(a)) < integer(Int(b)) : a < b }
            if rows.count > distinctPollRows {
                // One segment of many rows (a whole table's distinct values)
                // is sorted so that the sort itself polls.
                var order = Array(bySegment[rows])
                try RunMergeSort.sort(&order, run: distinctPollRows, poll: poll, by: less)
                bySegment.replaceSubrange(rows, with: order)
            } else {
                bySegment[rows].sort(by: less)
            }
            var previous: Int64?
            for position in rows {
                let row = Int(bySegment[position])
                let value = integer(row)
                if value != previous { keep[row] = true }
                previous = value
            }
        }
        try poll()
        var kept: [Int32] = []
        for index in keep.indices where keep[index] { kept.append(Int32(index)) }
        return kept
    }

    private struct SegmentValue: Hashable {
        var segment: Int32
        var value: Value
    }
}
