import CRMQLCore

/// The values a key has taken, to refuse a second row with the same key.
/// Exactly one of the two sets is in use.
struct KeySet {
    private var ints: IntKeyTable?
    private var texts: Set<String>?

    /// The keys of `column` (an entity's key column), with room for `adding` more.
    init(column: Column?, textKeys: Bool, adding: Int) {
        let existing = column?.count ?? 0
        switch column?.data {
        case .text(let keys)?:
            var set = Set<String>(minimumCapacity: existing + adding)
            for row in keys.indices where !(column?.isNull(row) ?? true) { set.insert(keys[row]) }
            texts = set
        case .int(let keys)?:
            var table = IntKeyTable(capacity: existing + adding)
            for row in keys.indices where !(column?.isNull(row) ?? true) { _ = table.insert(keys[row], 0) }
            ints = table
        default:
            if textKeys { texts = Set(minimumCapacity: adding) } else { ints = IntKeyTable(capacity: adding) }
        }
    }

    func contains(_ cell: ParsedCell) -> Bool {
        switch cell {
        case .int(let key): return ints?.find(key) != nil
        case .text(let key): return texts?.contains(key) ?? false
        default: return false
        }
    }

    mutating func insert(_ cell: ParsedCell) {
        switch cell {
        case .int(let key): _ = ints?.insert(key, 0)
        case .text(let key): texts?.insert(key)
        default: break
        }
    }
}

/// The checks that need every row's key: no key twice (counting the keys
/// already in the entity), and a ref to the entity itself names a row
/// already there or earlier in the file. Rows are taken in file order, and
/// a refused row's key does not count.
enum KeyCheck {
    /// A row the checks refuse.
    struct Refusal {
        /// The sound row.
        var row: Int
        /// The self-ref field that names no earlier row, or nil for a duplicate key.
        var selfRefField: Int?
    }

    /// - Parameters:
    ///   - keys: the loaded key column, or nil when the entity has no key.
    ///   - keyCells: the key's converted values where the column could not
    ///     hold them (see `DeclaredColumn.keyCells`).
    ///   - existing: the entity's key column before the load.
    ///   - textKeys: whether the key field is text.
    ///   - selfRefs: each field referring to the entity itself, and its loaded column.
    ///   - rows: number of sound rows.
    ///   - failed: rows already refused.
    static func refusals(keys: Column?, keyCells: [ParsedCell]?, existing: Column?, textKeys: Bool,
                         selfRefs: [(field: Int, column: Column)], rows: Int, failed: NullBitmap) -> [Refusal] {
        if let keys, keyCells == nil, selfRefs.isEmpty, ascending(keys, existing: existing, rows: rows, failed: failed) { return [] }
        var seen = KeySet(column: existing, textKeys: textKeys, adding: rows)
        var refusals: [Refusal] = []
        rowLoop: for row in 0..<rows where !failed.isNull(row) {
            let key = keyCells.map { row < $0.count ? $0[row] : .null } ?? keys.map { cell($0, row) } ?? .null
            if selfRefs.isEmpty {
                // Without self-refs, adding the key is the duplicate test.
                if seen.contains(key) {
                    refusals.append(Refusal(row: row, selfRefField: nil))
                } else {
                    seen.insert(key)
                }
                continue
            }
            if seen.contains(key) {
                refusals.append(Refusal(row: row, selfRefField: nil))
                continue
            }
            for (field, column) in selfRefs {
                let value = cell(column, row)
                if case .null = value { continue }
                if !sameKey(value, key) && !seen.contains(value) {
                    refusals.append(Refusal(row: row, selfRefField: field))
                    continue rowLoop
                }
            }
            seen.insert(key)
        }
        return refusals
    }

    /// True when the new int keys rise strictly and start above every int
    /// key already there: then no key repeats, and no table is needed. The
    /// usual case, since files list rows by id.
    private static func ascending(_ keys: Column, existing: Column?, rows: Int, failed: NullBitmap) -> Bool {
        let values: [Int64]
        switch keys.data {
        case .int(let ints), .temporal(let ints): values = ints
        default: return false
        }
        var previous: Int64?
        if case .int(let old)? = existing?.data, let existing {
            for row in old.indices where !existing.isNull(row) { previous = max(previous ?? old[row], old[row]) }
        }
        let count = min(rows, values.count)
        var row = 0
        while row < count {
            if !failed.isNull(row) {
                if keys.isNull(row) { return false }
                let value = values[row]
                if let last = previous, value <= last { return false }
                previous = value
            }
            row += 1
        }
        return true
    }

    /// The value at `row` as the checks compare it.
    private static func cell(_ column: Column, _ row: Int) -> ParsedCell {
        guard row < column.count, !column.isNull(row) else { return .null }
        switch column.data {
        case .int(let values), .temporal(let values): return .int(values[row])
        case .text(let values): return .text(values[row])
        case .number(let values): return .number(values[row])
        case .bool(let values): return .bool(values[row])
        case .codes(let values): return .code(values[row])
        }
    }

    private static func sameKey(_ a: ParsedCell, _ b: ParsedCell) -> Bool {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x == y
        case (.text(let x), .text(let y)): return x == y
        default: return false
        }
    }
}
