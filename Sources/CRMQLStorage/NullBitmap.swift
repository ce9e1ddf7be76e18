/// One bit per row, set where the row's value is null. An all-present column
/// keeps no words at all, so most columns pay nothing for nullability.
public struct NullBitmap: Sendable, Equatable {
    public private(set) var words: [UInt64] = []
    public private(set) var nullCount = 0

    public init() {}

    // Inlinable, so that the test is inlined into the loop: aggregates build
    // one bitmap per result, a call per group or parent row.
    @inlinable
    public init(count: Int, isNull: (Int) -> Bool) {
        var words: [UInt64] = []
        var nullCount = 0
        for index in 0..<count where isNull(index) {
            let word = index >> 6
            if word >= words.count { words.append(contentsOf: repeatElement(0, count: word - words.count + 1)) }
            words[word] |= 1 << UInt64(index & 63)
            nullCount += 1
        }
        self.init(words: words, nullCount: nullCount)
    }

    /// A bitmap from its words, bit `i % 64` of word `i / 64` set for a null
    /// row `i`: for a caller that sets the bits a word at a time.
    public init(words: [UInt64]) {
        self.init(words: words, nullCount: words.reduce(0) { $0 &+ $1.nonzeroBitCount })
    }

    @usableFromInline
    init(words: [UInt64], nullCount: Int) {
        self.words = words
        self.nullCount = nullCount
    }

    // Inlinable: filters and aggregates in other modules ask it once a row.
    @inlinable @inline(__always)
    public func isNull(_ index: Int) -> Bool {
        let word = index >> 6
        return word < words.count && words[word] & (1 << UInt64(index & 63)) != 0
    }

    public var hasNulls: Bool { nullCount > 0 }

    /// The rows null in either bitmap, a word at a time.
    public func union(_ other: NullBitmap) -> NullBitmap {
        if !other.hasNulls { return self }
        if !hasNulls { return other }
        let (longer, shorter) = words.count >= other.words.count ? (words, other.words) : (other.words, words)
        var union = longer
        for index in shorter.indices { union[index] |= shorter[index] }
        return NullBitmap(words: union, nullCount: union.reduce(0) { $0 + $1.nonzeroBitCount })
    }

    public mutating func set(_ index: Int) {
        let word = index >> 6
        if word >= words.count { words.append(contentsOf: repeatElement(0, count: word - words.count + 1)) }
        let bit: UInt64 = 1 << UInt64(index & 63)
        if words[word] & bit == 0 { words[word] |= bit; nullCount += 1 }
    }

    public mutating func clear(_ index: Int) {
        let word = index >> 6
        guard word < words.count else { return }
        let bit: UInt64 = 1 << UInt64(index & 63)
        if words[word] & bit != 0 { words[word] &= ~bit; nullCount -= 1 }
    }

    public mutating func setNull(_ index: Int, _ null: Bool) {
        if null { set(index) } else { clear(index) }
    }

    /// The bitmap of the rows at `positions`, in that order.
    public func gather(_ positions: some Collection<Int32>) -> NullBitmap {
        var result = NullBitmap()
        guard hasNulls else { return result }
        for (out, position) in positions.enumerated() where isNull(Int(position)) { result.set(out) }
        return result
    }
}
