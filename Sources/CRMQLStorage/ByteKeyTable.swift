/// Short byte strings → Int32, looked up straight from a cell's bytes.
///
/// Loading matches every cell of an enum column against its symbols and
/// counts distinct values while inferring; doing that through `String`
/// would build one string per cell. Open addressing with FNV-1a hashing.
struct ByteKeyTable {
    private var keys: [[UInt8]] = []
    private var values: [Int32] = []
    private var hashes: [UInt64] = []
    /// Index into `keys` + 1, or 0 for an empty slot.
    private var slots: [Int32]
    private var mask: Int

    init(capacity: Int = 8) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
    }

    /// Builds the table of an enum's symbols, mapping each to its code.
    init(symbols: [String]) {
        self.init(capacity: symbols.count)
        for (code, symbol) in symbols.enumerated() {
            _ = insert(Array(symbol.utf8)[...], value: Int32(truncatingIfNeeded: code))
        }
    }

    var count: Int { keys.count }

    /// The stored keys as text, in insertion order.
    var texts: [String] { keys.map { String(decoding: $0, as: UTF8.self) } }

    @inline(__always)
    private static func hash(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return hash
    }

    /// The value of `bytes`, or nil.
    @inline(__always)
    func find(_ bytes: ArraySlice<UInt8>) -> Int32? {
        let hash = ByteKeyTable.hash(bytes)
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { return nil }
            if hashes[entry - 1] == hash, keys[entry - 1].elementsEqual(bytes) { return values[entry - 1] }
            slot = (slot + 1) & mask
        }
    }

    /// Adds `bytes` with `value` unless present; false when it was present
    /// (the first value stays).
    @discardableResult
    mutating func insert(_ bytes: ArraySlice<UInt8>, value: Int32) -> Bool {
        if (keys.count + 1) * 2 > slots.count { grow() }
        let hash = ByteKeyTable.hash(bytes)
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { break }
            if hashes[entry - 1] == hash, keys[entry - 1].elementsEqual(bytes) { return false }
            slot = (slot + 1) & mask
        }
        keys.append(Array(bytes))
        values.append(value)
        hashes.append(hash)
        slots[slot] = Int32(truncatingIfNeeded: keys.count)
        return true
    }

    private mutating func grow() {
        slots = [Int32](repeating: 0, count: slots.count * 2)
        mask = slots.count - 1
        for entry in hashes.indices {
            var slot = Int(truncatingIfNeeded: hashes[entry]) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(truncatingIfNeeded: entry + 1)
        }
    }
}
