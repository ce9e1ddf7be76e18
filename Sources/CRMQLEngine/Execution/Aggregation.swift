import CRMQLCore
import CRMQLStorage

/// Reduces values to one per segment (a group, or a parent row's children).
/// Over no values, or only nulls, `count` is 0 and the others are null.
enum Aggregation {
    static func reduce(_ function: AggregateFunction, values: Column?, segments: [Int32], segmentCount: Int,
                       distinct: Bool, fraction: Double?, type: DataType, range: SourceRange) throws -> Column {
        guard var values else {
            var counts = [Int64](repeating: 0, count: segmentCount)
            for segment in segments { counts[Int(segment)] += 1 }
            return Column(type: .int, data: .int(counts))
        }
        var segments = segments
        if distinct { (values, segments) = deduplicate(values, segments) }
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
            // Compensated: summing cents as doubles should give cents back,
            // not 277618.56000000006.
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
            return extreme(isMin: function == .min, values, segments, segmentCount)
        case .median, .percentile, .stddev:
            var buckets = [[Double]](repeating: [], count: segmentCount)
            let doubles = values.doubles
            for (index, segment) in segments.enumerated() where !values.isNull(index) { buckets[Int(segment)].append(doubles[index]) }
            let results: [Double?] = buckets.map { bucket in
                function == .stddev ? Statistics.stddev(bucket) : Statistics.percentile(bucket, fraction ?? 0.5)
            }
            return Column(type: .number, data: .number(results.map { $0 ?? 0 }), nulls: NullBitmap(count: segmentCount) { results[$0] == nil })
        }
    }

    /// The row of each segment holding its smallest (largest) present value.
    private static func extreme(isMin: Bool, _ values: Column, _ segments: [Int32], _ segmentCount: Int) -> Column {
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
        if values.count == 0 { return Column.nulls(segmentCount, type: values.type) }
        var result = values.gather(best.map { max($0, 0) })
        for s in 0..<segmentCount where best[s] < 0 { result.nulls.set(s) }
        return result
    }

    /// Keeps the first occurrence of each (segment, value) pair.
    private static func deduplicate(_ values: Column, _ segments: [Int32]) -> (Column, [Int32]) {
        var seen = Set<SegmentValue>()
        var keep: [Int32] = []
        for index in 0..<segments.count where !values.isNull(index) {
            if seen.insert(SegmentValue(segment: segments[index], value: values.value(at: index))).inserted {
                keep.append(Int32(index))
            }
        }
        return (values.gather(keep), keep.map { segments[Int($0)] })
    }

    private struct SegmentValue: Hashable {
        var segment: Int32
        var value: Value
    }
}
