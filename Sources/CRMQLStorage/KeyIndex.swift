import CRMQLCore

/// Key value → row position for an entity's key (or any int or text
/// column): what resolves refs and `where id = 42`.
///
/// Int keys that run without a gap from the first row (1, 2, 3, … as files
/// usually number their rows) need no table: the row is the key minus the
/// first key. Other int keys use an open-addressing table with no per-entry
/// allocation; text keys a `Dictionary`. Null keys are not indexed. When a
/// value occurs twice the first row wins and `duplicateCount` says how many
/// were shadowed.
public struct KeyIndex: Sendable {
    private enum Storage: Sendable {
        /// Row `r` has key `first + r`, for every row.
        case dense(first: Int64, count: Int)
        case int(IntKeyTable)
        case text([String: Int32])
    }

    private let storage: Storage
    /// Number of keys indexed.
    public let count: Int
    /// Rows whose key repeats an earlier row's key (0 for a sound key).
    public let duplicateCount: Int

    /// Indexes an int, text or ref column; nil for any other kind of data,
    /// or for more rows than an `Int32` position can name, or when the
    /// running statement must stop (`IndexBuild`).
    /// - Complexity: O(n).
    public init?(column: Column) {
        guard column.count < Int(Int32.max) else { return nil }
        var duplicates = 0
        switch column.data {
        case .int(let keys):
            if let first = KeyIndex.denseStart(keys, nulls: column.nulls) {
                storage = .dense(first: first, count: keys.count)
                count = keys.count
                duplicateCount = 0
                return
            }
            var table = IntKeyTable(capacity: keys.count)
            for row in keys.indices where !column.isNull(row) {
                if IndexBuild.shouldStop(at: row) { return nil }
                if !table.insert(keys[row], Int32(truncatingIfNeeded: row)) { duplicates += 1 }
            }
            storage = .int(table)
            count = table.count
        case .text(let keys):
            var map: [String: Int32] = [:]
            map.reserveCapacity(keys.count)
            for row in keys.indices where !column.isNull(row) {
                if IndexBuild.shouldStop(at: row) { return nil }
                if map.updateValue(Int32(truncatingIfNeeded: row), forKey: keys[row]) != nil { duplicates += 1 }
            }
            if duplicates > 0 {
                // `updateValue` let later rows win; the rule is first row wins.
                for row in keys.indices.reversed() where !column.isNull(row) { map[keys[row]] = Int32(truncatingIfNeeded: row) }
            }
            storage = .text(map)
            count = map.count
        default:
            return nil
        }
        duplicateCount = duplicates
    }

    /// The first key when `keys` has no null and rises by exactly one from
    /// row to row; nil otherwise.
    private static func denseStart(_ keys: [Int64], nulls: NullBitmap) -> Int64? {
        guard let first = keys.first, !nulls.hasNulls else { return nil }
        // `first + count` must not overflow, so every key and every probe
        // difference stays in range.
        guard first <= Int64.max - Int64(keys.count) else { return nil }
        return keys.withUnsafeBufferPointer { buffer -> Int64? in
            var expected = first
            for key in buffer {
                if key != expected { return nil }
                expected &+= 1
            }
            return first
        }
    }

    /// Whether keys are int (else text).
    public var isIntKeyed: Bool {
        switch storage {
        case .dense, .int: return true
        case .text: return false
        }
    }

    /// The row with int key `key`.
    /// - Complexity: O(1) expected.
    @inline(__always)
    public func position(of key: Int64) -> Int32? {
        switch storage {
        case .dense(let first, let count):
            // Subtracting in UInt64 cannot trap; a key below `first` wraps
            // to a huge offset and fails the bound.
            let offset = UInt64(bitPattern: key) &- UInt64(bitPattern: first)
            return offset < UInt64(count) ? Int32(truncatingIfNeeded: offset) : nil
        case .int(let table): return table.find(key)
        case .text: return nil
        }
    }

    /// The row with text key `key`.
    public func position(of key: String) -> Int32? {
        guard case .text(let map) = storage else { return nil }
        return map[key]
    }

    /// The row whose key equals `value` (an int, a whole number or a text);
    /// nil for null and for values of another kind.
    public func position(of value: Value) -> Int32? {
        switch value {
        case .int(let key): return position(of: key)
        case .number(let number):
            guard let key = Int64(exactly: number) else { return nil }
            return position(of: key)
        case .text(let key): return position(of: key)
        default: return nil
        }
    }

    /// The row whose key equals the value at `row` of `column` (a ref
    /// column holding this key's values); nil for a null or unmatched value.
    @inline(__always)
    public func position(matching column: Column, row: Int) -> Int32? {
        if column.isNull(row) { return nil }
        switch (column.data, storage) {
        case (.int(let values), .dense): return position(of: values[row])
        case (.int(let values), .int(let table)): return table.find(values[row])
        case (.text(let values), .text(let map)): return map[values[row]]
        default: return nil
        }
    }
}

/// Linear-probing hash table from Int64 to Int32, sized to at most half full.
struct IntKeyTable: Sendable {
    private var keys: [Int64]
    private var values: [Int32]
    private var mask: Int
    private var shift: UInt64
    private(set) var count = 0

    init(capacity: Int) {
        var slots = 16
        var bits: UInt64 = 4
        while slots < capacity * 2, slots < 1 << 40 { slots <<= 1; bits += 1 }
        keys = [Int64](repeating: 0, count: slots)
        values = [Int32](repeating: -1, count: slots)
        mask = slots - 1
        shift = 64 - bits
    }

    @inline(__always)
    private func slot(_ key: Int64) -> Int {
        // Fibonacci hashing spreads sequential ids across the table.
        Int(truncatingIfNeeded: (UInt64(bitPattern: key) &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// Adds a key; false (and no change) when it is already present.
    mutating func insert(_ key: Int64, _ value: Int32) -> Bool {
        if (count + 1) * 2 > keys.count { grow() }
        var index = slot(key)
        while values[index] >= 0 {
            if keys[index] == key { return false }
            index = (index + 1) & mask
        }
        keys[index] = key
        values[index] = value
        count += 1
        return true
    }

    private mutating func grow() {
        let oldKeys = keys
        let oldValues = values
        keys = [Int64](repeating: 0, count: oldKeys.count * 2)
        values = [Int32](repeating: -1, count: oldKeys.count * 2)
        mask = keys.count - 1
        shift -= 1
        count = 0
        for index in oldKeys.indices where oldValues[index] >= 0 { _ = insert(oldKeys[index], oldValues[index]) }
    }

    @inline(__always)
    func find(_ key: Int64) -> Int32? {
        var index = slot(key)
        while true {
            let value = values[index]
            if value < 0 { return nil }
            if keys[index] == key { return value }
            index = (index + 1) & mask
        }
    }
}
