import CRMQLCore
import CRMQLStorage

/// The selection kernels cut into morsels: a filter over a million rows
/// writes each morsel's words on whichever thread takes it, and a bitmap is
/// read back into rows by morsels each writing its own part of the list.
/// A morsel is a whole number of words (`Parallelism.morselRows` is a
/// multiple of 64), so no two threads write one word, and the answer is the
/// serial one bit for bit.
extension RowSelection {
    /// `bits(count:where:)` over `parallelism`'s morsels when the rows are
    /// enough to split. The test is a generic value, not a closure: the
    /// morsel's loop runs inside the closure handed to the threads, where a
    /// captured closure is called through a pointer for every row (each of
    /// two threads then ran at under half the speed of the inlined serial
    /// loop); a generic test is specialised into the loop.
    @inline(__always)
    static func bits<Test: RowTest>(count: Int, _ parallelism: Parallelism, _ test: Test) -> [UInt64] {
        guard parallelism.degree(rows: count) > 1 else { return bits(count: count, where: test.passes) }
        var words = [UInt64](repeating: 0, count: (count &+ 63) >> 6)
        words.withUnsafeMutableBufferPointer { words in
            Parallel.forEach(rows: count, parallelism) { range in
                var base = range.lowerBound
                var word = base >> 6
                while base < range.upperBound {
                    let end = min(base &+ 64, range.upperBound)
                    var mask: UInt64 = 0
                    for index in base..<end {
                        mask |= UInt64(test.passes(index) ? 1 : 0) &<< UInt64(index &- base)
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
    /// rows are enough to split; the test generic for the same reason.
    @inline(__always)
    static func bits<Test: RowTest>(count: Int, under mask: [UInt64], _ parallelism: Parallelism, _ test: Test) -> [UInt64] {
        guard parallelism.degree(rows: count) > 1 else { return bits(count: count, under: mask, where: test.passes) }
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
                            bits |= UInt64(test.passes(index) ? 1 : 0) &<< UInt64(index &- base)
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

/// A test of row `i` that the morsel kernels call directly.
protocol RowTest {
    func passes(_ row: Int) -> Bool
}

/// A test of one stored value, as a type (see `RowSelection.bits(count:_:_:)`).
protocol ValueTest {
    associatedtype Value
    func callAsFunction(_ value: Value) -> Bool
}

/// Row `i` passes when its value does.
struct ValuesPass<Test: ValueTest>: RowTest {
    let values: UnsafeBufferPointer<Test.Value>
    let test: Test
    @inline(__always) func passes(_ row: Int) -> Bool { test(values[row]) }
}

/// Row `i` passes when it is not null and its value passes.
struct PresentValuesPass<Test: ValueTest>: RowTest {
    let values: UnsafeBufferPointer<Test.Value>
    let nulls: NullBitmap
    let test: Test
    @inline(__always) func passes(_ row: Int) -> Bool { test(values[row]) && !nulls.isNull(row) }
}

/// `value op x`, the same Swift comparison `compare` makes.
struct CompareTest<T: Comparable>: ValueTest {
    let op: ComparisonOperator
    let x: T
    @inline(__always) func callAsFunction(_ value: T) -> Bool {
        switch op {
        case .equal: return value == x
        case .notEqual: return value != x
        case .less: return value < x
        case .lessEqual: return value <= x
        case .greater: return value > x
        case .greaterEqual: return value >= x
        }
    }
}

/// A one-byte code in a set of 256 bits, or (negated) not in it: `channel
/// in (web, store)` over enum codes.
struct ByteSetTest: ValueTest {
    let bits: (UInt64, UInt64, UInt64, UInt64)
    let negated: Bool
    @inline(__always) func callAsFunction(_ value: UInt8) -> Bool {
        let word: UInt64
        switch value >> 6 {
        case 0: word = bits.0
        case 1: word = bits.1
        case 2: word = bits.2
        default: word = bits.3
        }
        return (word >> UInt64(value & 63)) & 1 != 0 ? !negated : negated
    }
}

/// `low <= value <= high`, or its negation, as one unsigned comparison of
/// the distance from `low` (a value below `low` wraps to a huge distance):
/// two comparisons joined by `&&` compile to a branch, which mispredicts on
/// about every other row of a filter that keeps half.
struct BetweenTest<T: BinaryInteger>: ValueTest {
    private let low: Int64
    private let width: UInt64
    private let empty: Bool
    private let negated: Bool

    init(low: T, high: T, negated: Bool = false) {
        self.low = Int64(low)
        self.empty = high < low
        self.width = empty ? 0 : UInt64(bitPattern: Int64(high) &- Int64(low))
        self.negated = negated
    }

    @inline(__always) func callAsFunction(_ value: T) -> Bool {
        if empty { return negated }
        return (UInt64(bitPattern: Int64(value) &- low) <= width) != negated
    }
}

/// A day within `low...low + width`: one unsigned comparison, since a day
/// below `low` wraps to a huge distance.
struct DayWindowTest: ValueTest {
    let low: Int64
    let width: UInt64
    @inline(__always) func callAsFunction(_ day: Int64) -> Bool { UInt64(bitPattern: day &- low) <= width }
}

/// The day of an instant (seconds since 1970) within `low...high` (days),
/// or not.
struct InstantDayTest: ValueTest {
    let low: Int64
    let high: Int64
    let negated: Bool
    @inline(__always) func callAsFunction(_ raw: Int64) -> Bool {
        let day = CivilDate.floorDivide(raw, 86_400).0
        return (day >= low && day <= high) != negated
    }
}
