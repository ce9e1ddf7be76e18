import CRMQLCore
import CRMQLStorage

/// Relation aggregates of every parent at once (`sum(orders.amount)`,
/// `max(orders.placed)`, `count(distinct orders.basket)` for a million
/// customers), on one thread per part of the parents.
///
/// The children come in their own order, their parents at random, so each
/// child updates a parent's slot somewhere in arrays bigger than a core's
/// cache, and the loop waits on memory. Each thread reads every child but
/// updates only the slots of its own range of parents, so each thread's
/// slots are a fraction of the whole and the threads share no slot. Every
/// parent's children are still met in the children's order by one thread,
/// so each answer is the one loop's, to the digit, whatever the thread
/// count. (Cutting the children instead gives each thread slots for every
/// parent: together more than the shared cache, and no faster here.)
extension Aggregation {
    /// TUNING: under 32 morsels of children (two million at the default
    /// 64K) one loop's misses are a few milliseconds, less than waking a
    /// second thread to read them all again. Tied to the morsel setting so
    /// that the ThreadSanitizer stress's small tables split too.
    static func splitsChildren(_ children: Int, _ parallelism: Parallelism) -> Bool {
        children >= parallelism.minimumRows &* 32
    }

    /// The ranges of parents (segments) the threads take, each a whole
    /// number of 64 (so that no two share a word of a bitmap); one range
    /// when not worth splitting.
    static func parts(children: Int, segments: Int, _ parallelism: Parallelism) -> [Range<Int>] {
        let threads = splitsChildren(children, parallelism) && segments >= 128 ? min(parallelism.threads, 8) : 1
        guard threads > 1 else { return [0..<segments] }
        let size = ((segments + threads - 1) / threads + 63) / 64 * 64
        return (0..<threads).map { $0 * size..<min(segments, ($0 + 1) * size) }.filter { !$0.isEmpty }
    }

    /// Runs `body` once per part (its index and parents), on one thread each.
    static func forEachPart(_ parts: [Range<Int>], _ body: (Int, Range<Int>) -> Void) {
        if parts.count == 1 { return body(0, parts[0]) }
        try? Parallel.forEach(morsels: parts.count, threads: parts.count, stop: nil) { body($0, parts[$0]) }
    }

    /// Each segment's total of hundredths and count of present values
    /// (`reduce` for money).
    static func hundredthSums(_ hundredths: [Int32], _ nulls: NullBitmap, _ segments: [Int32], segmentCount: Int,
                              _ parts: [Range<Int>]) -> (sums: [Int64], counts: [Int]) {
        var sums = [Int64](repeating: 0, count: segmentCount), counts = [Int](repeating: 0, count: segmentCount)
        let checkNulls = nulls.hasNulls
        let n = min(segments.count, hundredths.count)
        sums.withUnsafeMutableBufferPointer { sums in
            counts.withUnsafeMutableBufferPointer { counts in
                hundredths.withUnsafeBufferPointer { hundredths in
                    segments.withUnsafeBufferPointer { segments in
                        forEachPart(parts) { _, part in
                            let lower = part.lowerBound, width = UInt(part.count)
                            // The loop holds nothing but the two updates, so
                            // many can be in flight at once.
                            for index in 0..<n {
                                let s = Int(segments[index])
                                guard UInt(bitPattern: s &- lower) < width else { continue }
                                if checkNulls && nulls.isNull(index) { continue }
                                sums[s] &+= Int64(hundredths[index])
                                counts[s] &+= 1
                            }
                        }
                    }
                }
            }
        }
        return (sums, counts)
    }

    /// Each segment's row holding its least (`isMin`) or greatest value,
    /// the first such row (-1 for none). Each segment's best value so far
    /// sits beside its row: comparing with it reads this small array, not
    /// the values at a random row.
    static func extremeRows<T: Comparable>(_ values: [T], isMin: Bool, _ nulls: NullBitmap, _ segments: [Int32],
                                           segmentCount: Int, _ parts: [Range<Int>]) -> [Int32] {
        var best = [Int32](repeating: -1, count: segmentCount)
        guard let first = values.first else { return best }
        var bestValues = [T](repeating: first, count: segmentCount)
        let checkNulls = nulls.hasNulls
        let n = min(values.count, segments.count)
        values.withUnsafeBufferPointer { values in
            segments.withUnsafeBufferPointer { segments in
                best.withUnsafeMutableBufferPointer { best in
                    bestValues.withUnsafeMutableBufferPointer { bestValues in
                        forEachPart(parts) { _, part in
                            let lower = part.lowerBound, width = UInt(part.count)
                            for index in 0..<n {
                                let s = Int(segments[index])
                                guard UInt(bitPattern: s &- lower) < width else { continue }
                                if checkNulls && nulls.isNull(index) { continue }
                                let value = values[index]
                                if best[s] < 0 || (isMin ? value < bestValues[s] : value > bestValues[s]) {
                                    best[s] = Int32(truncatingIfNeeded: index)
                                    bestValues[s] = value
                                }
                            }
                        }
                    }
                }
            }
        }
        return best
    }

    /// `countDistinct`'s first pass: each segment's count of rising values
    /// and the segments where a value fell (a bit each).
    static func risingDistinctCounts(_ integers: [Int64], _ nulls: NullBitmap, _ segments: [Int32], segmentCount: Int,
                                     _ parts: [Range<Int>]) -> (counts: [Int64], unordered: [UInt64], any: Bool) {
        var counts = [Int64](repeating: 0, count: segmentCount)
        var last = [Int64](repeating: 0, count: segmentCount)
        var unordered = [UInt64](repeating: 0, count: (segmentCount + 63) >> 6)
        var anyInPart = [Bool](repeating: false, count: parts.count)
        let checkNulls = nulls.hasNulls
        let n = min(integers.count, segments.count)
        integers.withUnsafeBufferPointer { integers in
            segments.withUnsafeBufferPointer { segments in
                counts.withUnsafeMutableBufferPointer { counts in
                    last.withUnsafeMutableBufferPointer { last in
                        unordered.withUnsafeMutableBufferPointer { unordered in
                            anyInPart.withUnsafeMutableBufferPointer { anyInPart in
                                forEachPart(parts) { p, part in
                                    let lower = part.lowerBound, width = UInt(part.count)
                                    var any = false
                                    for index in 0..<n {
                                        let s = Int(segments[index])
                                        guard UInt(bitPattern: s &- lower) < width else { continue }
                                        if checkNulls && nulls.isNull(index) { continue }
                                        let value = integers[index]
                                        if counts[s] == 0 || value > last[s] {
                                            counts[s] &+= 1
                                            last[s] = value
                                        } else if value < last[s] {
                                            unordered[s >> 6] |= 1 &<< UInt64(s & 63)
                                            any = true
                                        }
                                    }
                                    anyInPart[p] = any
                                }
                            }
                        }
                    }
                }
            }
        }
        return (counts, unordered, anyInPart.contains(true))
    }
}
