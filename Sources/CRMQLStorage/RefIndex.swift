import CRMQLCore

/// Both directions of one ref field, resolved to row positions.
///
/// - child to parent: `parentRows[childRow]`, -1 for a null or dangling ref;
/// - parent to children in CSR form: the children of parent `p` are
///   `childRows[offsets[p]..<offsets[p + 1]]`, in ascending row order, so a
///   per-parent aggregate (`sum(orders.amount)`) touches only that parent's
///   children instead of scanning every child.
public struct RefIndex: Sendable {
    /// For each child row, its parent's row position, or -1.
    public let parentRows: [Int32]
    /// `parentCount + 1` offsets into `childRows`.
    public let offsets: [Int32]
    /// Child rows grouped by parent, ascending within each parent.
    public let childRows: [Int32]
    /// Child rows whose non-null ref matches no parent key.
    public let danglingCount: Int
    /// Whether every child row has a parent and the rows are stored in
    /// parent order, so that parent `p`'s children are exactly the rows
    /// `offsets[p]..<offsets[p + 1]` (and `childRows[i] == i`).
    ///
    /// Data exported per customer arrives this way, and then the ref is in
    /// effect run-length encoded: a filter on the parent marks row ranges,
    /// and a per-parent sum reads a range of the child's column, without
    /// reading `parentRows` or `childRows` at all.
    public let isClustered: Bool

    /// Number of parent rows.
    public var parentCount: Int { offsets.count - 1 }

    /// Resolves `childColumn` (ref values) against the parent's key index;
    /// nil when either side has more rows than an `Int32` can name, or
    /// when the running statement must stop (`IndexBuild`).
    /// - Parameter parentCount: the parent entity's row count.
    /// - Complexity: O(children + parents).
    public init?(childColumn: Column, parentKeys: KeyIndex, parentCount: Int) {
        let childCount = childColumn.count
        guard childCount < Int(Int32.max), parentCount >= 0, parentCount < Int(Int32.max) else { return nil }
        var parents = [Int32](repeating: -1, count: childCount)
        var counts = [Int32](repeating: 0, count: parentCount + 1)
        var dangling = 0
        var ordered = true
        var previous: Int32 = 0
        for row in 0..<childCount {
            if IndexBuild.shouldStop(at: row) { return nil }
            if childColumn.isNull(row) {
                ordered = false
                continue
            }
            guard let parent = parentKeys.position(matching: childColumn, row: row), Int(parent) < parentCount else {
                dangling += 1
                continue
            }
            parents[row] = parent
            counts[Int(parent) + 1] += 1
            if parent < previous { ordered = false }
            previous = parent
        }
        guard let children = Self.placeChildren(parents, &counts) else { return nil }
        parentRows = parents
        offsets = counts
        childRows = children
        danglingCount = dangling
        isClustered = ordered && dangling == 0
    }

    /// Turns each parent's child count (`counts[parent + 1]`) into offsets
    /// by prefix sums, then places every child row by a counting sort,
    /// which keeps children in row order within each parent. Nil when the
    /// statement building the index must stop.
    private static func placeChildren(_ parents: [Int32], _ counts: inout [Int32]) -> [Int32]? {
        let parentCount = counts.count - 1
        for parent in 0..<parentCount { counts[parent + 1] += counts[parent] }
        var next = counts
        var children = [Int32](repeating: 0, count: Int(counts[parentCount]))
        for row in 0..<parents.count {
            if IndexBuild.shouldStop(at: row) { return nil }
            let parent = parents[row]
            guard parent >= 0 else { continue }
            children[Int(next[Int(parent)])] = Int32(truncatingIfNeeded: row)
            next[Int(parent)] += 1
        }
        return children
    }

    private init(parentRows: [Int32], offsets: [Int32], childRows: [Int32], danglingCount: Int, isClustered: Bool) {
        self.parentRows = parentRows
        self.offsets = offsets
        self.childRows = childRows
        self.danglingCount = danglingCount
        self.isClustered = isClustered
    }

    /// The same ref over a subset of the child's rows (an `as of` view keeps
    /// the orders up to a date), against the same parent rows: each kept
    /// row's parent is read from this index instead of looked up by key
    /// again, which was most of the cost of building the view's index.
    /// - Parameter kept: the rows kept, ascending positions in this index's
    ///   child; the subset's row `i` is the child's row `kept[i]`.
    /// - Parameter childColumn: the subset's ref column (its nulls tell a
    ///   null ref from a dangling one).
    /// - Returns: nil when a position lies outside the child, or when the
    ///   running statement must stop (`IndexBuild`).
    /// - Complexity: O(kept + parents).
    public func keeping(_ kept: [Int32], childColumn: Column) -> RefIndex? {
        let count = kept.count
        guard childColumn.count == count, count < Int(Int32.max) else { return nil }
        let parentCount = self.parentCount
        var parents = [Int32](repeating: -1, count: count)
        var counts = [Int32](repeating: 0, count: parentCount + 1)
        var dangling = 0
        var ordered = true
        var previous: Int32 = 0
        for index in 0..<count {
            if IndexBuild.shouldStop(at: index) { return nil }
            // Positions come from the caller's filter of the same child
            // version: checked in every build, since a wrong one would
            // read another row's parent.
            let row = Int(kept[index])
            guard row >= 0, row < parentRows.count else { return nil }
            let parent = parentRows[row]
            if parent < 0 {
                if childColumn.isNull(index) { ordered = false } else { dangling += 1 }
                continue
            }
            parents[index] = parent
            counts[Int(parent) + 1] += 1
            if parent < previous { ordered = false }
            previous = parent
        }
        guard let children = Self.placeChildren(parents, &counts) else { return nil }
        return RefIndex(parentRows: parents, offsets: counts, childRows: children, danglingCount: dangling,
                        isClustered: ordered && dangling == 0)
    }

    /// Sets the bit of every child row of `parents` (parent rows, in any
    /// order) in `bits`, one bit per child row; bits past its end are left.
    /// Clustered (see `isClustered`), each parent's children are one range
    /// of bits, set a word at a time.
    /// - Complexity: O(parents + their children / 64) clustered, else
    ///   O(parents + their children).
    public func markChildren(of parents: [Int32], in bits: inout [UInt64]) {
        let limit = bits.count << 6
        bits.withUnsafeMutableBufferPointer { words in
            for parent in parents {
                let p = Int(parent)
                guard p >= 0, p < parentCount else { continue }
                let start = Int(offsets[p]), end = Int(offsets[p + 1])
                if isClustered {
                    RefIndex.setBits(&words, from: min(start, limit), to: min(end, limit))
                    continue
                }
                for child in childRows[start..<end] where Int(child) < limit {
                    words[Int(child) >> 6] |= 1 &<< UInt64(child & 63)
                }
            }
        }
    }

    /// Sets bits `start..<end`: whole words at once, the two ends by mask.
    ///
    /// A customer's ten-odd orders sit in one word or across two about
    /// equally often, and some customers have none: branching on either
    /// mispredicted at every other parent, which cost more than the
    /// stores. Both ends are written unconditionally instead (the same
    /// word twice when they share one), and an empty range writes zeros.
    @inline(__always)
    static func setBits(_ words: inout UnsafeMutableBufferPointer<UInt64>, from start: Int, to end: Int) {
        let first = start >> 6
        guard first < words.count else { return }
        let empty = start >= end
        let last = empty ? first : (end - 1) >> 6
        let keep: UInt64 = empty ? 0 : ~0
        let low = ~0 as UInt64 &<< UInt64(start & 63)
        let high = ~0 as UInt64 &>> UInt64(63 - ((end &- 1) & 63))
        let single = first == last
        words[first] |= low & (single ? high : ~0) & keep
        words[last] |= high & (single ? low : ~0) & keep
        var word = first + 1
        while word < last {
            words[word] = ~0
            word += 1
        }
    }

    /// The children of one parent row, ascending.
    /// - Complexity: O(1).
    @inline(__always)
    public func children(of parentRow: Int) -> ArraySlice<Int32> {
        guard parentRow >= 0, parentRow < parentCount else { return [] }
        return childRows[Int(offsets[parentRow])..<Int(offsets[parentRow + 1])]
    }

    /// How many children one parent row has.
    @inline(__always)
    public func childCount(of parentRow: Int) -> Int {
        guard parentRow >= 0, parentRow < parentCount else { return 0 }
        return Int(offsets[parentRow + 1] - offsets[parentRow])
    }
}

/// Rows by enum symbol: for `stage = mature` and `stage in (growth, mature)`
/// without scanning the column. CSR like `RefIndex`: the rows with code `c`
/// are `rows[offsets[c]..<offsets[c + 1]]`, ascending.
public struct PostingLists: Sendable {
    /// `symbolCount + 1` offsets into `rows`.
    public let offsets: [Int32]
    /// Rows grouped by symbol code, ascending within each symbol.
    public let rows: [Int32]
    /// Rows where the field is null, ascending.
    public let nullRows: [Int32]

    /// Builds the lists of an enum column; nil for other columns, or when
    /// the running statement must stop (`IndexBuild`).
    /// - Complexity: O(rows + symbols).
    public init?(column: Column) {
        guard case .codes(let codes) = column.data, case .enumeration(let type) = column.type,
              column.count < Int(Int32.max) else { return nil }
        let built = switch codes.storage {
        case .narrow(let values): PostingLists.build(values, column.nulls, symbolCount: type.symbols.count)
        case .wide(let values): PostingLists.build(values, column.nulls, symbolCount: type.symbols.count)
        }
        guard let built else { return nil }
        (offsets, rows, nullRows) = built
    }

    private static func build<Code: FixedWidthInteger>(_ codes: [Code], _ isNull: NullBitmap, symbolCount: Int)
        -> (offsets: [Int32], rows: [Int32], nullRows: [Int32])? {
        var counts = [Int32](repeating: 0, count: symbolCount + 1)
        var nulls: [Int32] = []
        for row in codes.indices {
            if IndexBuild.shouldStop(at: row) { return nil }
            let code = Int(codes[row])
            if isNull.isNull(row) || code < 0 || code >= symbolCount {
                nulls.append(Int32(truncatingIfNeeded: row))
            } else {
                counts[code + 1] += 1
            }
        }
        for code in 0..<symbolCount { counts[code + 1] += counts[code] }
        var next = counts
        var rows = [Int32](repeating: 0, count: Int(counts[symbolCount]))
        for row in codes.indices where !isNull.isNull(row) {
            if IndexBuild.shouldStop(at: row) { return nil }
            let code = Int(codes[row])
            guard code >= 0, code < symbolCount else { continue }
            rows[Int(next[code])] = Int32(truncatingIfNeeded: row)
            next[code] += 1
        }
        return (counts, rows, nulls)
    }

    /// Rows holding the symbol with code `code`, ascending.
    public func rows(for code: Int32) -> ArraySlice<Int32> {
        let index = Int(code)
        guard index >= 0, index + 1 < offsets.count else { return [] }
        return rows[Int(offsets[index])..<Int(offsets[index + 1])]
    }

    /// Rows holding any of `codes`, ascending (merged, without repeats).
    public func rows(forAnyOf codes: some Sequence<Int32>) -> [Int32] {
        var seen = Set<Int32>()
        var result: [Int32] = []
        for code in codes where seen.insert(code).inserted { result.append(contentsOf: rows(for: code)) }
        result.sort()
        return result
    }

    /// How many rows hold the symbol, for plan estimates.
    public func count(for code: Int32) -> Int { rows(for: code).count }
}
