import CRMQLCore
import CRMQLStorage

/// One sort or group key as an unsigned code per row whose order is the
/// key's order (direction and nulls included) and whose equality is the
/// key's equality. Comparing two codes is one integer compare where the
/// general comparator reads a column through a closure, checks nulls and
/// branches on the direction; and codes of a few bits sort by radix
/// (`RadixSort`, `RadixGroup`) instead of by comparisons.
struct KeyCode {
    var codes: [UInt64]
    /// Every code is below `1 << bits`.
    var bits: Int
}

enum KeyCodes {
    /// The codes of `key` over rows `0..<count`; nil when the key has no
    /// order an integer can keep: a number column holding NaN, which the
    /// comparator treats as equal to everything. A key of one value for
    /// every row (a constant) codes every row as 0.
    /// - Parameter poll: called between passes over the rows, and every
    ///   1,024 texts while texts are ranked (a text has no bound on its
    ///   length); what it throws stops the coding.
    static func encode(_ key: SortKey, count: Int, poll: () throws -> Void = {}) rethrows -> KeyCode? {
        let column = key.column
        if column.count != count {
            guard column.count == 1 else { return nil }
            return KeyCode(codes: [UInt64](repeating: 0, count: count), bits: 0)
        }
        var raw: [UInt64]
        switch column.data {
        case .int(let values), .temporal(let values):
            raw = values.map { UInt64(bitPattern: $0) ^ (1 << 63) }
        case .number(let values):
            var finite = true
            raw = values.map { value in
                if value.isNaN { finite = false }
                // -0 and 0 are equal to the comparator, so they share a code.
                let bits = (value == 0 ? 0.0 : value).bitPattern
                return bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
            }
            // A NaN in a null's slot is only a placeholder.
            if !finite, (0..<count).contains(where: { values[$0].isNaN && !column.isNull($0) }) { return nil }
        case .codes(let codes):
            switch codes.storage {
            case .narrow(let values): raw = values.map { UInt64($0) }
            case .wide(let values): raw = values.map { UInt64(bitPattern: Int64($0)) ^ (1 << 63) }
            }
        case .bool(let values):
            raw = values.map { $0 ? 1 : 0 }
        case .text(let values):
            raw = try textRanks(values, column.nulls, poll: poll)
        }
        try poll()
        return finish(&raw, key, count: count)
    }

    /// Each text's rank among the column's distinct present texts, by the
    /// same `<` and `==` the comparator uses (canonically equal texts
    /// share a rank).
    ///
    /// Rows are first told apart by their strings' 16 bytes: two strings of
    /// the same bytes are one text (a short text lives in those bytes, a
    /// long one is a reference to its storage, which equal rows of a
    /// loaded column share), so only each distinct representation is hashed
    /// as a string. Hashing 8 M product names as strings cost more than
    /// grouping them.
    private static func textRanks(_ values: [String], _ nulls: NullBitmap, poll: () throws -> Void) rethrows -> [UInt64] {
        let count = values.count
        var representations = RepresentationTable()
        var firstRowOf: [Int32] = []
        var ids = [UInt32](repeating: 0, count: count)
        let hasNulls = nulls.hasNulls
        try values.withUnsafeBufferPointer { values in
            for row in 0..<count where !(hasNulls && nulls.isNull(row)) {
                if row & 1023 == 0 { try poll() }
                let id = representations.id(of: values[row]) { UInt32(firstRowOf.count) }
                if id == firstRowOf.count { firstRowOf.append(Int32(row)) }
                ids[row] = id
            }
        }
        // Canonically equal texts of different bytes become one text here.
        var textOf: [String: UInt32] = [:]
        var distinct: [String] = []
        var textOfRepresentation = [UInt32](repeating: 0, count: firstRowOf.count)
        for (representation, row) in firstRowOf.enumerated() {
            if representation & 1023 == 0 { try poll() }
            let text = values[Int(row)]
            if let known = textOf[text] {
                textOfRepresentation[representation] = known
            } else {
                textOf[text] = UInt32(distinct.count)
                textOfRepresentation[representation] = UInt32(distinct.count)
                distinct.append(text)
            }
        }
        var order = Array(distinct.indices)
        try Sorting.sortPolling(&order, poll: poll) { distinct[$0] < distinct[$1] }
        var rankOf = [UInt64](repeating: 0, count: distinct.count)
        for (rank, text) in order.enumerated() { rankOf[text] = UInt64(rank) }
        let rankOfRepresentation = textOfRepresentation.map { rankOf[Int($0)] }
        return ids.map { rankOfRepresentation[Int($0)] }
    }

    /// Shifts raw ascending codes to start at 0, turns them for a
    /// descending key, and gives nulls the first or last code.
    private static func finish(_ raw: inout [UInt64], _ key: SortKey, count: Int) -> KeyCode? {
        let nulls = key.column.nulls
        let hasNulls = nulls.hasNulls
        var low = UInt64.max, high = UInt64.min
        raw.withUnsafeBufferPointer { codes in
            if hasNulls {
                for row in 0..<count where !nulls.isNull(row) {
                    low = min(low, codes[row])
                    high = max(high, codes[row])
                }
            } else {
                for row in 0..<count {
                    low = min(low, codes[row])
                    high = max(high, codes[row])
                }
            }
        }
        if low > high { low = 0; high = 0 }
        let span = high - low
        // With nulls, one more code than the values' span is needed.
        if hasNulls && span == UInt64.max { return nil }
        let nullsFirst = key.nullsFirst
        let shift: UInt64 = hasNulls && nullsFirst ? 1 : 0
        let nullCode: UInt64 = nullsFirst ? 0 : span &+ 1
        let descending = key.descending
        raw.withUnsafeMutableBufferPointer { codes in
            if descending {
                for row in 0..<count { codes[row] = (high &- codes[row]) &+ shift }
            } else {
                for row in 0..<count { codes[row] = (codes[row] &- low) &+ shift }
            }
            if hasNulls {
                for row in 0..<count where nulls.isNull(row) { codes[row] = nullCode }
            }
        }
        let top = hasNulls ? span + 1 : span
        return KeyCode(codes: raw, bits: UInt64.bitWidth - top.leadingZeroBitCount)
    }

    /// The codes of every key, or nil when one has none.
    static func encode(_ keys: [SortKey], count: Int, poll: () throws -> Void = {}) rethrows -> [KeyCode]? {
        var coded: [KeyCode] = []
        coded.reserveCapacity(keys.count)
        for key in keys {
            guard let code = try encode(key, count: count, poll: poll) else { return nil }
            coded.append(code)
        }
        return coded
    }

    /// The keys' codes as one code a row, the first key in the highest
    /// bits, when they fit 64 bits together.
    static func packed(_ keys: [KeyCode], count: Int) -> KeyCode? {
        let bits = keys.reduce(0) { $0 + $1.bits }
        guard bits <= 64 else { return nil }
        if keys.count == 1 { return keys[0] }
        var codes = [UInt64](repeating: 0, count: count)
        codes.withUnsafeMutableBufferPointer { out in
            for key in keys where key.bits > 0 {
                key.codes.withUnsafeBufferPointer { values in
                    for row in 0..<count { out[row] = out[row] << UInt64(key.bits) | values[row] }
                }
            }
        }
        return KeyCode(codes: codes, bits: bits)
    }
}

/// An open-addressing table from a string's 16 bytes to a number, for
/// telling rows of equal representation apart without hashing text.
private struct RepresentationTable {
    private var keys: [(UInt64, UInt64)] = Array(repeating: (0, 0), count: 64)
    private var values: [UInt32] = Array(repeating: UInt32.max, count: 64)
    private var used = 0

    /// The number of `text`'s representation, or a new one from `next`.
    mutating func id(of text: String, next: () -> UInt32) -> UInt32 {
        let key = withUnsafeBytes(of: text) { raw in
            (raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self), raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        }
        let mask = values.count - 1
        var slot = Self.slot(key, mask)
        while values[slot] != UInt32.max {
            if keys[slot] == key { return values[slot] }
            slot = (slot + 1) & mask
        }
        let id = next()
        keys[slot] = key
        values[slot] = id
        used += 1
        if used * 2 > values.count { grow() }
        return id
    }

    private static func slot(_ key: (UInt64, UInt64), _ mask: Int) -> Int {
        let mixed = (key.0 ^ (key.1 &* 0x9E37_79B9_7F4A_7C15)) &* 0xBF58_476D_1CE4_E5B9
        return Int(truncatingIfNeeded: mixed >> 32) & mask
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        keys = Array(repeating: (0, 0), count: oldValues.count * 2)
        values = Array(repeating: UInt32.max, count: oldValues.count * 2)
        let mask = values.count - 1
        for index in oldValues.indices where oldValues[index] != UInt32.max {
            let key = oldKeys[index]
            var slot = Self.slot(key, mask)
            while values[slot] != UInt32.max { slot = (slot + 1) & mask }
            keys[slot] = key
            values[slot] = oldValues[index]
        }
    }
}
