/// Short byte strings → Int32, looked up straight from a cell's bytes.
///
/// Loading matches every cell of an enum column against its symbols and
/// dictionary-encodes text columns while inferring; doing that through
/// `String` would build one string per cell. Open addressing; the keys live
/// end to end in one buffer, so a table of a few hundred symbols is a
/// handful of allocations and stays in cache.
struct ByteKeyTable {
    /// All keys, end to end.
    private var bytes: [UInt8] = []
    /// `keyEnds[i]` is where key `i` ends in `bytes`; it starts where `i - 1` ends.
    private var keyEnds: [Int] = []
    private var values: [Int32] = []
    private var hashes: [UInt64] = []
    /// Index into the keys + 1, or 0 for an empty slot.
    private var slots: [Int32]
    private var mask: Int

    init(capacity: Int = 8) {
        var size = 16
        while size < capacity * 2, size < 1 << 40 { size <<= 1 }
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

    var count: Int { keyEnds.count }

    /// The stored keys as text, in insertion order.
    var texts: [String] {
        bytes.withUnsafeBufferPointer { all in
            keyEnds.indices.map { String(decoding: all[keyRange($0)], as: UTF8.self) }
        }
    }

    @inline(__always)
    private func keyRange(_ entry: Int) -> Range<Int> {
        (entry == 0 ? 0 : keyEnds[entry - 1])..<keyEnds[entry]
    }

    /// A hash that reads eight bytes at a time: cells are short, and a
    /// byte-at-a-time hash would cost more than the rest of the lookup.
    @inline(__always)
    static func hash(_ key: CellBytes) -> UInt64 {
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: key.count)
        guard let base = key.baseAddress else { return hash }
        let raw = UnsafeRawPointer(base)
        var index = 0
        let count = key.count
        while index + 8 <= count {
            let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            hash = (hash ^ word) &* 0xFF51_AFD7_ED55_8CCD
            hash ^= hash >> 32
            index += 8
        }
        if index < count {
            var word: UInt64 = 0
            var shift: UInt64 = 0
            while index < count {
                word |= UInt64(base[index]) << shift
                shift += 8
                index += 1
            }
            hash = (hash ^ word) &* 0xFF51_AFD7_ED55_8CCD
        }
        hash ^= hash >> 29
        hash = hash &* 0xC4CE_B9FE_1A85_EC53
        return hash ^ (hash >> 32)
    }

    @inline(__always)
    private func matches(_ entry: Int, _ key: CellBytes) -> Bool {
        let range = keyRange(entry)
        guard range.count == key.count else { return false }
        if key.count == 0 { return true }
        return bytes.withUnsafeBufferPointer { all in
            guard let stored = all.baseAddress, let probe = key.baseAddress else { return false }
            return memoryEqual(stored + range.lowerBound, probe, key.count)
        }
    }

    /// The slot holding `key`, or the empty slot where it would go.
    @inline(__always)
    private func probe(_ key: CellBytes, hash: UInt64) -> (slot: Int, entry: Int?) {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { return (slot, nil) }
            if hashes[entry - 1] == hash, matches(entry - 1, key) { return (slot, entry - 1) }
            slot = (slot + 1) & mask
        }
    }

    /// The value of `key`, or nil.
    @inline(__always)
    func find(_ key: CellBytes) -> Int32? {
        guard let entry = probe(key, hash: ByteKeyTable.hash(key)).entry else { return nil }
        return values[entry]
    }

    /// The value of `key`, or nil.
    func find(_ key: ArraySlice<UInt8>) -> Int32? {
        key.withUnsafeBufferPointer { find($0) }
    }

    /// Adds `key` with `value` unless present; false when it was present
    /// (the first value stays).
    @discardableResult
    mutating func insert(_ key: CellBytes, value: Int32) -> Bool {
        if (count + 1) * 2 > slots.count { grow() }
        let hash = ByteKeyTable.hash(key)
        let found = probe(key, hash: hash)
        if found.entry != nil { return false }
        append(key, value: value, hash: hash, slot: found.slot)
        return true
    }

    /// Adds `key` with `value` unless present; false when it was present.
    @discardableResult
    mutating func insert(_ key: ArraySlice<UInt8>, value: Int32) -> Bool {
        key.withUnsafeBufferPointer { insert($0, value: value) }
    }

    /// The value of `key`; a new key gets its insertion number (0, 1, 2, …)
    /// as its value. What dictionary encoding needs, with one probe.
    @inline(__always)
    mutating func code(of key: CellBytes) -> Int32 {
        let hash = ByteKeyTable.hash(key)
        let found = probe(key, hash: hash)
        if let entry = found.entry { return values[entry] }
        let value = Int32(truncatingIfNeeded: count)
        if (count + 1) * 2 > slots.count {
            grow()
            append(key, value: value, hash: hash, slot: probe(key, hash: hash).slot)
        } else {
            append(key, value: value, hash: hash, slot: found.slot)
        }
        return value
    }

    private mutating func append(_ key: CellBytes, value: Int32, hash: UInt64, slot: Int) {
        bytes.append(contentsOf: key)
        keyEnds.append(bytes.count)
        values.append(value)
        hashes.append(hash)
        slots[slot] = Int32(truncatingIfNeeded: keyEnds.count)
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

/// Whether `count` bytes at `a` and `b` are equal.
@inline(__always)
func memoryEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    var index = 0
    let rawA = UnsafeRawPointer(a)
    let rawB = UnsafeRawPointer(b)
    while index + 8 <= count {
        if rawA.loadUnaligned(fromByteOffset: index, as: UInt64.self) != rawB.loadUnaligned(fromByteOffset: index, as: UInt64.self) {
            return false
        }
        index += 8
    }
    while index < count {
        if a[index] != b[index] { return false }
        index += 1
    }
    return true
}
