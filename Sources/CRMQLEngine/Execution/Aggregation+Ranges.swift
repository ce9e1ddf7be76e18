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
    static func reduceRanges(_ function: AggregateFunction, values: Column?, offsets: [Int32],
                             distinct: Bool, type: DataType, range: SourceRange) throws -> Column? {
        guard !distinct, let first = offsets.first, first == 0 else { return nil }
        let segmentCount = offsets.count - 1
        // Offsets must climb within the values; a malformed index falls back.
        var previous: Int32 = 0
        for offset in offsets {
            guard offset >= previous else { return nil }
            previous = offset
        }
        if let values, Int(previous) > values.count { return nil }
        guard let values else {
            guard function == .count else { return nil }
            return Column(type: .int, data: .int((0..<segmentCount).map { Int64(offsets[$0 + 1] - offsets[$0]) }))
        }
        let nulls = values.nulls
        switch (function, values.data) {
        case (.count, _):
            var counts = [Int64](repeating: 0, count: segmentCount)
            for s in 0..<segmentCount {
                var count = Int64(offsets[s + 1] - offsets[s])
                if nulls.hasNulls {
                    for row in Int(offsets[s])..<Int(offsets[s + 1]) where nulls.isNull(row) { count -= 1 }
                }
                counts[s] = count
            }
            return Column(type: .int, data: .int(counts))
        case (.sum, .int(let ints)) where type == .int:
            var sums = [Int64](repeating: 0, count: segmentCount)
            var seen = [Bool](repeating: false, count: segmentCount)
            try ints.withUnsafeBufferPointer { ints in
                for s in 0..<segmentCount {
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
            return Column(type: .int, data: .int(sums), nulls: NullBitmap(count: segmentCount) { !seen[$0] })
        case (.sum, .number(let doubles)) where type == .number, (.avg, .number(let doubles)) where type == .number:
            var results = [Double](repeating: 0, count: segmentCount)
            var empty = [Bool](repeating: false, count: segmentCount)
            let checkNulls = nulls.hasNulls
            doubles.withUnsafeBufferPointer { doubles in
                results.withUnsafeMutableBufferPointer { results in
                    for s in 0..<segmentCount {
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
            return Column(type: .number, data: .number(results), nulls: NullBitmap(count: segmentCount) { empty[$0] })
        default:
            return nil
        }
    }
}
