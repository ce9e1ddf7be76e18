import CRMQLCore

/// One end of a range lookup: `x >= 10` is `IndexBound(.int(10), inclusive: true)`.
public struct IndexBound: Sendable, Hashable {
    /// The bound's value.
    public var value: Value
    /// Whether the value itself is in the range.
    public var inclusive: Bool

    /// A bound at `value`.
    public init(_ value: Value, inclusive: Bool) {
        self.value = value
        self.inclusive = inclusive
    }
}

/// The rows of a field sorted by value: what `create index on e(f)` builds
/// for int, number, date, datetime, enum and text fields.
///
/// Lookups return row positions in ascending row order (the order a
/// selection keeps), or nil when this index cannot answer that question (a
/// value of another kind, an enum text that is no symbol): the caller then
/// scans. Nulls, and NaN numbers, are not in the index; no lookup matches them.
/// Text compares as Swift `String` does. A case-folded index (`prefixIndex`)
/// answers only `starts with`, which ignores case.
public struct SortedIndex: Sendable {
    private enum Keys: Sendable {
        case int([Int64])
        case number([Double])
        case text([String])
    }

    private enum Probe {
        case int(Int64)
        case number(Double)
        case text(String)
    }

    /// The field's type.
    public let type: DataType
    /// Whether text keys are lowercased (a `starts with` index).
    public let foldsCase: Bool
    /// Non-null rows, ordered by value and then by row.
    public let sortedRows: [Int32]
    private let keys: Keys
    /// Rows in the column, nulls included: positions are below it.
    private let rowCount: Int

    /// Sorts a column's rows; nil for a bool or ref column, or one with more
    /// rows than an `Int32` can name, or when the running statement must
    /// stop (`IndexBuild`).
    /// - Parameter foldCase: lowercase text keys, for `starts with`.
    /// - Complexity: O(n) for numbers, dates and enums (see `RowSort`), O(n log n) for text.
    public init?(column: Column, foldCase: Bool = false) {
        guard column.count < Int(Int32.max) else { return nil }
        if case .ref = column.type { return nil }
        var rows = column.nulls.hasNulls
            ? (0..<column.count).lazy.filter { !column.isNull($0) }.map { Int32(truncatingIfNeeded: $0) } as [Int32]
            : Array(0..<Int32(truncatingIfNeeded: column.count))
        switch column.data {
        case .int(let values), .temporal(let values):
            guard !foldCase else { return nil }
            guard let sorted = RowSort.sorted(rows, key: { RowSort.orderedBits(values[Int($0)]) }) else { return nil }
            rows = sorted
            keys = .int(rows.map { values[Int($0)] })
        case .codes(let enumCodes):
            guard !foldCase else { return nil }
            let codes = enumCodes.wide
            guard let sorted = RowSort.sorted(rows, key: { RowSort.orderedBits(Int64(codes[Int($0)])) }) else { return nil }
            rows = sorted
            keys = .int(rows.map { Int64(codes[Int($0)]) })
        case .number(let values):
            guard !foldCase else { return nil }
            rows.removeAll { values[Int($0)].isNaN }
            guard let sorted = RowSort.sorted(rows, key: { RowSort.orderedBits(values[Int($0)]) }) else { return nil }
            rows = sorted
            keys = .number(rows.map { values[Int($0)] })
        case .text(let values):
            let texts = foldCase ? values.map { $0.lowercased() } : values
            guard let sorted = RowSort.compared(rows, by: { texts[Int($0)] != texts[Int($1)] ? texts[Int($0)] < texts[Int($1)] : $0 < $1 })
            else { return nil }
            rows = sorted
            keys = .text(rows.map { texts[Int($0)] })
        case .bool:
            return nil
        }
        type = column.type
        foldsCase = foldCase
        sortedRows = rows
        rowCount = column.count
    }

    /// Number of indexed (non-null) rows.
    public var count: Int { sortedRows.count }

    /// Rows whose value equals `value`.
    /// - Complexity: O(log n + k log k) for k matches.
    public func rows(equalTo value: Value) -> [Int32]? {
        positions(lower: IndexBound(value, inclusive: true), upper: IndexBound(value, inclusive: true)).map(rows(at:))
    }

    /// Rows whose value lies between the bounds; a nil bound is open.
    public func rows(lower: IndexBound?, upper: IndexBound?) -> [Int32]? {
        positions(lower: lower, upper: upper).map(rows(at:))
    }

    /// Rows with `low <= value <= high`.
    public func rows(between low: Value, and high: Value) -> [Int32]? {
        rows(lower: IndexBound(low, inclusive: true), upper: IndexBound(high, inclusive: true))
    }

    /// Rows whose value is one of `values`.
    public func rows(in values: [Value]) -> [Int32]? {
        var ranges: [Range<Int>] = []
        for value in values where !value.isNull {
            guard let range = positions(lower: IndexBound(value, inclusive: true), upper: IndexBound(value, inclusive: true)) else { return nil }
            ranges.append(range)
        }
        var seen = Set<Int>()
        var result: [Int32] = []
        for range in ranges where seen.insert(range.lowerBound).inserted { result.append(contentsOf: sortedRows[range]) }
        result.sort()
        return result
    }

    /// Rows whose text starts with `prefix`, ignoring case; only a
    /// case-folded index answers.
    public func rows(startingWith prefix: String) -> [Int32]? {
        guard foldsCase, case .text(let texts) = keys else { return nil }
        let folded = prefix.lowercased()
        var end = partitionPoint { texts[$0] < folded }
        let start = end
        while end < texts.count, texts[end].hasPrefix(folded) { end += 1 }
        return rows(at: start..<end)
    }

    /// Where the matching rows sit in `sortedRows`: their count is an exact
    /// estimate for a plan. Nil when the index cannot compare with the bounds.
    public func positions(lower: IndexBound?, upper: IndexBound?) -> Range<Int>? {
        guard !foldsCase else { return nil }
        var start = 0
        var end = sortedRows.count
        if let lower {
            guard let probe = probe(lower.value) else { return nil }
            start = lower.inclusive ? partitionPoint { compare($0, probe) < 0 } : partitionPoint { compare($0, probe) <= 0 }
        }
        if let upper {
            guard let probe = probe(upper.value) else { return nil }
            end = upper.inclusive ? partitionPoint { compare($0, probe) <= 0 } : partitionPoint { compare($0, probe) < 0 }
        }
        return start..<max(start, end)
    }

    /// The rows at some positions of `sortedRows`, in ascending row order.
    public func rows(at positions: Range<Int>) -> [Int32] {
        guard let marks = rowBits(at: positions) else {
            var result = Array(sortedRows[positions])
            result.sort()
            return result
        }
        return marks.withUnsafeBufferPointer { SetBits.positions($0) }
    }

    /// The rows at some positions of `sortedRows` as a bitmap over every
    /// row of the column, or nil for so few rows that a sort of them is
    /// cheaper (`rows(at:)` then sorts).
    public func rowBits(at positions: Range<Int>) -> [UInt64]? {
        // TUNING: sorting k rows costs about k log k steps, marking them in a
        // bitmap and reading it back k + n / 64; the bitmap wins well before
        // k reaches n / 1024.
        if positions.count <= 64 || positions.count < rowCount / 1024 { return nil }
        var marks = [UInt64](repeating: 0, count: (rowCount + 63) / 64)
        marks.withUnsafeMutableBufferPointer { marks in
            sortedRows.withUnsafeBufferPointer { sorted in
                for position in positions {
                    let row = Int(sorted[position])
                    // A row outside the entity (not expected) is left out.
                    guard UInt(bitPattern: row) < UInt(rowCount) else { continue }
                    marks[row >> 6] |= 1 &<< UInt64(row & 63)
                }
            }
        }
        return marks
    }

    // MARK: Comparison

    /// The lookup value in the terms of the keys, or nil when the kinds do
    /// not compare (the caller scans instead).
    private func probe(_ value: Value) -> Probe? {
        switch (type, value) {
        case (.int, .int(let v)): return .int(v)
        case (.int, .number(let v)), (.number, .number(let v)): return v.isNaN ? nil : .number(v)
        case (.number, .int(let v)): return .number(Double(v))
        case (.date, .date(let v)), (.datetime, .datetime(let v)): return .int(v)
        case (.enumeration(let symbols), .symbol(let code, let valueType)):
            return symbols == valueType ? .int(Int64(code)) : nil
        case (.enumeration(let symbols), .text(let text)):
            return symbols.code(of: text).map { .int(Int64($0)) }
        case (.text, .text(let text)): return .text(text)
        default: return nil
        }
    }

    /// The sign of `key at position - probe`.
    @inline(__always)
    private func compare(_ position: Int, _ probe: Probe) -> Int {
        switch (keys, probe) {
        case (.int(let values), .int(let v)):
            return values[position] < v ? -1 : (values[position] == v ? 0 : 1)
        case (.int(let values), .number(let v)):
            let key = Double(values[position])
            return key < v ? -1 : (key == v ? 0 : 1)
        case (.number(let values), .number(let v)):
            return values[position] < v ? -1 : (values[position] == v ? 0 : 1)
        case (.number(let values), .int(let v)):
            let probe = Double(v)
            return values[position] < probe ? -1 : (values[position] == probe ? 0 : 1)
        case (.text(let values), .text(let v)):
            return values[position] < v ? -1 : (values[position] == v ? 0 : 1)
        default:
            return 0
        }
    }

    /// The first position where `isBefore` turns false (it must be true for a
    /// prefix of the positions and false after).
    private func partitionPoint(_ isBefore: (Int) -> Bool) -> Int {
        var low = 0
        var high = sortedRows.count
        while low < high {
            let middle = low + (high - low) / 2
            if isBefore(middle) { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
