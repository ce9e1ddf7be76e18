/// Orders row positions by a key without comparisons, for `SortedIndex`:
/// building an index over ten million rows with a comparison sort took
/// seconds, these sorts take a few passes over the rows.
///
/// Both sorts are stable and start from ascending rows, so rows with equal
/// keys stay in row order, which is the tie order the index promises.
enum RowSort {
    /// `rows` (ascending) ordered by `key(row)`, ties by row; nil when the
    /// running statement must stop (`IndexBuild`).
    /// - Parameter key: an order-preserving map of the row's value to UInt64.
    /// - Complexity: O(n + range) when the keys span a range no wider than
    ///   about the row count (dates, small counts); else O(n · d) for the
    ///   d bytes in which the keys differ.
    static func sorted(_ rows: [Int32], key: (Int32) -> UInt64) -> [Int32]? {
        guard rows.count > 1 else { return rows }
        var low = UInt64.max
        var high = UInt64.min
        for (index, row) in rows.enumerated() {
            if IndexBuild.shouldStop(at: index) { return nil }
            let value = key(row)
            low = min(low, value)
            high = max(high, value)
        }
        let span = high - low
        if span < UInt64(max(rows.count, 1 << 16)) {
            return counting(rows, key: key, low: low, buckets: Int(span) + 1)
        }
        return radix(rows, keys: rows.map(key), low: low, high: high)
    }

    /// One bucket per key value; the keys are read again rather than kept.
    private static func counting(_ rows: [Int32], key: (Int32) -> UInt64, low: UInt64, buckets: Int) -> [Int32]? {
        var starts = [Int](repeating: 0, count: buckets + 1)
        for row in rows { starts[Int(key(row) - low) + 1] += 1 }
        if IndexBuild.shouldStop() { return nil }
        for bucket in 0..<buckets { starts[bucket + 1] += starts[bucket] }
        var result = [Int32](repeating: 0, count: rows.count)
        for (index, row) in rows.enumerated() {
            if IndexBuild.shouldStop(at: index) { return nil }
            let bucket = Int(key(row) - low)
            result[starts[bucket]] = row
            starts[bucket] += 1
        }
        return result
    }

    /// Least significant byte first, skipping the bytes every key shares.
    private static func radix(_ rows: [Int32], keys: [UInt64], low: UInt64, high: UInt64) -> [Int32]? {
        var keys = keys.map { $0 - low }
        let width = 64 - (high - low).leadingZeroBitCount
        var rows = rows
        var otherKeys = [UInt64](repeating: 0, count: rows.count)
        var otherRows = [Int32](repeating: 0, count: rows.count)
        var shift = 0
        while shift < width {
            if IndexBuild.shouldStop() { return nil }
            var starts = [Int](repeating: 0, count: 257)
            for value in keys { starts[Int((value >> UInt64(shift)) & 0xFF) + 1] += 1 }
            // A byte all keys share leaves the order as it is.
            if !starts.contains(rows.count) {
                for digit in 0..<256 { starts[digit + 1] += starts[digit] }
                for index in rows.indices {
                    if IndexBuild.shouldStop(at: index) { return nil }
                    let digit = Int((keys[index] >> UInt64(shift)) & 0xFF)
                    let target = starts[digit]
                    otherKeys[target] = keys[index]
                    otherRows[target] = rows[index]
                    starts[digit] = target + 1
                }
                swap(&keys, &otherKeys)
                swap(&rows, &otherRows)
            }
            shift += 8
        }
        return rows
    }

    /// `rows` ordered by a comparison that is a total order (ties broken by
    /// row), for keys no integer map can order (text); nil when the running
    /// statement must stop, asked between runs of `IndexBuild.pollRows` rows
    /// (`RunMergeSort`).
    static func compared(_ rows: [Int32], by isBefore: (Int32, Int32) -> Bool) -> [Int32]? {
        struct Stopped: Error {}
        var sorted = rows
        do {
            try RunMergeSort.sort(&sorted, run: IndexBuild.pollRows, poll: { if IndexBuild.shouldStop() { throw Stopped() } },
                                  by: isBefore)
        } catch {
            return nil
        }
        return sorted
    }

    /// A map of doubles to UInt64 that keeps their order (NaN excluded):
    /// flip every bit of a negative number, only the sign bit of the others.
    @inline(__always)
    static func orderedBits(_ value: Double) -> UInt64 {
        // -0.0 and 0.0 compare equal, so they must map to the same key.
        let bits = (value == 0 ? 0.0 : value).bitPattern
        return bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
    }

    /// A map of Int64 to UInt64 that keeps their order.
    @inline(__always)
    static func orderedBits(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: value) ^ (1 << 63)
    }
}
