import CRMQLStorage

/// The selection kernels cut into morsels: a filter over a million rows
/// writes each morsel's words on whichever thread takes it, and a bitmap is
/// read back into rows by morsels each writing its own part of the list.
/// A morsel is a whole number of words (`Parallelism.morselRows` is a
/// multiple of 64), so no two threads write one word, and the answer is the
/// serial one bit for bit.
extension RowSelection {
    /// `bits(count:where:)` over `parallelism`'s morsels when the rows are
    /// enough to split.
    @inline(__always)
    static func bits(count: Int, _ parallelism: Parallelism, where passes: (Int) -> Bool) -> [UInt64] {
        guard parallelism.degree(rows: count) > 1 else { return bits(count: count, where: passes) }
        var words = [UInt64](repeating: 0, count: (count &+ 63) >> 6)
        words.withUnsafeMutableBufferPointer { words in
            Parallel.forEach(rows: count, parallelism) { range in
                var base = range.lowerBound
                var word = base >> 6
                while base < range.upperBound {
                    let end = min(base &+ 64, range.upperBound)
                    var mask: UInt64 = 0
                    for index in base..<end {
                        mask |= UInt64(passes(index) ? 1 : 0) &<< UInt64(index &- base)
                    }
                    words[word] = mask
                    base = end
                    word &+= 1
                }
            }
        }
        return words
    }

    /// `bits(count:under:where:)` over `parallelism`'s morsels when the
    /// rows are enough to split.
    @inline(__always)
    static func bits(count: Int, under mask: [UInt64], _ parallelism: Parallelism, where passes: (Int) -> Bool) -> [UInt64] {
        guard parallelism.degree(rows: count) > 1 else { return bits(count: count, under: mask, where: passes) }
        var words = [UInt64](repeating: 0, count: (count &+ 63) >> 6)
        words.withUnsafeMutableBufferPointer { words in
            mask.withUnsafeBufferPointer { mask in
                Parallel.forEach(rows: count, parallelism) { range in
                    let first = range.lowerBound >> 6
                    let last = min((range.upperBound &+ 63) >> 6, words.count, mask.count)
                    guard first < last else { return }
                    for word in first..<last where mask[word] != 0 {
                        let base = word &<< 6
                        let end = min(base &+ 64, count)
                        var bits: UInt64 = 0
                        for index in base..<end {
                            bits |= UInt64(passes(index) ? 1 : 0) &<< UInt64(index &- base)
                        }
                        words[word] = bits & mask[word]
                    }
                }
            }
        }
        return words
    }

    /// `positions(_:)` over `parallelism`'s morsels when the bitmap is long
    /// enough: each morsel's rows are counted, then written from where the
    /// morsels before it end.
    static func positions(_ bits: [UInt64], _ parallelism: Parallelism) -> [Int32] {
        let rows = bits.count &<< 6
        guard parallelism.degree(rows: rows) > 1 else { return positions(bits) }
        let morsels = parallelism.morsels(rows)
        var starts = [Int](repeating: 0, count: morsels + 1)
        bits.withUnsafeBufferPointer { words in
            starts.withUnsafeMutableBufferPointer { starts in
                Parallel.forEach(rows: rows, parallelism) { range in
                    var count = 0
                    for word in (range.lowerBound >> 6)..<(range.upperBound >> 6) { count &+= words[word].nonzeroBitCount }
                    starts[range.lowerBound / parallelism.morselRows &+ 1] = count
                }
            }
        }
        for morsel in 0..<morsels { starts[morsel + 1] &+= starts[morsel] }
        let total = starts[morsels]
        guard total > 0 else { return [] }
        return [Int32](unsafeUninitializedCapacity: total &+ SetBits.slack) { out, initialized in
            bits.withUnsafeBufferPointer { words in
                starts.withUnsafeBufferPointer { starts in
                    Parallel.forEach(rows: rows, parallelism) { range in
                        let morsel = range.lowerBound / parallelism.morselRows
                        let first = range.lowerBound >> 6, end = range.upperBound >> 6
                        // `decode` writes eight positions per word whatever
                        // its count: the words whose rows are the morsel's
                        // last eight or fewer are read one bit at a time, so
                        // that no write reaches the next morsel's part.
                        var tail = end, tailRows = 0
                        while tail > first && tailRows < SetBits.slack {
                            tail &-= 1
                            tailRows &+= words[tail].nonzeroBitCount
                        }
                        var n = SetBits.decode(UnsafeBufferPointer(rebasing: words[first..<tail]), base: first &<< 6,
                                               into: out, at: starts[morsel])
                        for word in tail..<end {
                            var bits = words[word]
                            while bits != 0 {
                                out[n] = Int32(truncatingIfNeeded: word &<< 6 &+ bits.trailingZeroBitCount)
                                bits &= bits &- 1
                                n &+= 1
                            }
                        }
                    }
                }
            }
            initialized = total
        }
    }
}
