import CRMQLCore
import CRMQLStorage

extension Aggregation {
    /// `count(distinct …)` by the values' codes (`KeyCodes`: equal values,
    /// and only they, share a code): each (segment, code) pair is a bit of a
    /// set when the pairs span a few million, else the pairs are sorted by
    /// radix and their runs counted. Nil when the values have no codes (a
    /// NaN) or the pairs do not fit 64 bits; `deduplicate` then does it.
    /// `count(distinct customer)` over 8 M order lines sorted their pairs
    /// by comparisons, and a text's distinct values were hashed as values.
    static func countDistinctByCodes(_ values: Column, _ segments: [Int32], segmentCount: Int,
                                     poll: () throws -> Void) rethrows -> Column? {
        let count = segments.count
        guard values.count == count, segmentCount > 0,
              let code = try KeyCodes.encode(SortKey(column: values, descending: false, nullsFirst: false), count: count, poll: poll)
        else { return nil }
        let segmentBits = UInt64.bitWidth - UInt64(segmentCount - 1).leadingZeroBitCount
        let bits = code.bits
        guard segmentBits + bits <= 62 else { return nil }
        let nulls = values.nulls
        let checkNulls = nulls.hasNulls
        var counts = [Int64](repeating: 0, count: segmentCount)
        let span = 1 << (segmentBits + bits)
        // TUNING: a bit per possible pair while the set is no bigger than the
        // pairs' own array would be.
        if span <= max(64 * count, 1 << 20), span <= 1 << 32 {
            var seen = [UInt64](repeating: 0, count: (span + 63) >> 6)
            code.codes.withUnsafeBufferPointer { codes in
                seen.withUnsafeMutableBufferPointer { seen in
                    for index in 0..<count where !(checkNulls && nulls.isNull(index)) {
                        let segment = Int(segments[index])
                        guard segment >= 0, segment < segmentCount else { continue }
                        let pair = segment << bits | Int(codes[index])
                        let mask: UInt64 = 1 << UInt64(pair & 63)
                        if seen[pair >> 6] & mask == 0 {
                            seen[pair >> 6] |= mask
                            counts[segment] += 1
                        }
                    }
                }
            }
            return Column(type: .int, data: .int(counts))
        }
        var pairs: [UInt64] = []
        pairs.reserveCapacity(count)
        for index in 0..<count where !(checkNulls && nulls.isNull(index)) {
            let segment = Int(segments[index])
            guard segment >= 0, segment < segmentCount else { continue }
            pairs.append(UInt64(segment) << UInt64(bits) | code.codes[index])
        }
        try poll()
        var rows = [Int32](repeating: 0, count: pairs.count)
        try RadixSort.sortPairs(&pairs, &rows, bits: segmentBits + bits, poll: poll)
        var previous: UInt64? = nil
        for pair in pairs where pair != previous {
            counts[Int(pair >> UInt64(bits))] += 1
            previous = pair
        }
        return Column(type: .int, data: .int(counts))
    }
}
