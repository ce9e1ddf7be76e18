/// Reading a bitmap of rows back as the rows themselves.
///
/// The plain loop (`while bits != 0 { emit; clear the lowest bit }`) leaves
/// its inner loop after a number of rounds the processor cannot predict,
/// once per word: at a few rows per word that misprediction costs more
/// than the rows. Here each word writes eight positions unconditionally
/// and then advances by its count of set bits, so a word with eight rows
/// or fewer takes no branch that depends on its bits; the positions past
/// the count are overwritten by the next word or lie past the end.
public enum SetBits {
    /// Positions a caller must allow past the last set bit's: the
    /// unconditional writes of the last word.
    public static let slack = 8

    /// Writes `base` plus the index of each set bit of `words`, in
    /// ascending order, to `out` from `start`; returns the index after
    /// the last one. `out` must have room for every set bit plus `slack`.
    @inline(__always)
    public static func decode(_ words: UnsafeBufferPointer<UInt64>, base: Int,
                              into out: UnsafeMutableBufferPointer<Int32>, at start: Int) -> Int {
        guard let target = out.baseAddress else { return start }
        var n = start
        var wordBase = base
        for word in words {
            var bits = word
            let slot = target + n
            slot[0] = Int32(truncatingIfNeeded: wordBase &+ bits.trailingZeroBitCount); bits &= bits &- 1
            slot[1] = Int32(truncatingIfNeeded: wordBase &+ bits.trailingZeroBitCount); bits &= bits &- 1
            slot[2] = Int32(truncatingIfNeeded: wordBase &+ bits.trailingZeroBitCount); bits &= bits &- 1
            slot[3] = Int32(truncatingIfNeeded: wordBase &+ bits.trailingZeroBitCount); bits &= bits &- 1
            slot[4] = Int32(truncatingIfNeeded: wordBase &+ bits.trailingZeroBitCount); bits &= bits &- 1
            slot[5] = Int32(truncatingIfNeeded: wordBase &+ bits.trailingZeroBitCount); bits &= bits &- 1
            slot[6] = Int32(truncatingIfNeeded: wordBase &+ bits.trailingZeroBitCount); bits &= bits &- 1
            slot[7] = Int32(truncatingIfNeeded: wordBase &+ bits.trailingZeroBitCount); bits &= bits &- 1
            var k = 8
            while bits != 0 {
                slot[k] = Int32(truncatingIfNeeded: wordBase &+ bits.trailingZeroBitCount)
                bits &= bits &- 1
                k &+= 1
            }
            n &+= word.nonzeroBitCount
            wordBase &+= 64
        }
        return n
    }

    /// The positions of the set bits, plus `base`, in ascending order.
    public static func positions(_ words: UnsafeBufferPointer<UInt64>, base: Int = 0) -> [Int32] {
        var total = 0
        for word in words { total &+= word.nonzeroBitCount }
        guard total > 0 else { return [] }
        return [Int32](unsafeUninitializedCapacity: total &+ slack) { out, count in
            count = decode(words, base: base, into: out, at: 0)
        }
    }
}
