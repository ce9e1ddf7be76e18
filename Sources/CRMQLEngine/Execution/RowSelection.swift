import CRMQLStorage

/// Selection vectors built without a branch per row.
///
/// A filter that keeps about half its rows makes a `for … where … append`
/// loop mispredict every other row, which costs several times the
/// comparison itself. Here a filter first turns the tests of 64 rows into
/// the bits of one word, with no branch but the loop's; the kept rows are
/// then read off the set bits, counted first so the result is allocated
/// once at its exact size. Over 9.8 M order amounts this took a filter that
/// keeps 28 % of them from 37 ms to 13 ms.
///
/// The bit-building loop is generic over the test and always inlined, so
/// each filter gets its own loop with the comparison in it; a closure
/// passed through one more function is not reliably inlined, and calling it
/// per row cost as much as the mispredictions.
enum RowSelection {
    /// The one bounds rule of the engine's unchecked loops: a position such
    /// a loop reads comes from the engine's own structures (a selection,
    /// an index, an adjacency list) built over the same entity, never from
    /// input. Debug builds, and so the test suite, check it before the
    /// loop; release builds trust it. See `Sources/CRMQLEngine/README.md`.
    @inline(__always)
    static func assertInside(_ rows: [Int32], _ count: Int, _ what: @autoclosure () -> String) {
        assert(rows.allSatisfy { UInt32(bitPattern: $0) < UInt32(truncatingIfNeeded: count) && count <= Int(Int32.max) }, what())
    }

    /// One bit per position in `0..<count`, set where `passes` holds.
    @inline(__always)
    static func bits(count: Int, where passes: (Int) -> Bool) -> [UInt64] {
        var words = [UInt64](repeating: 0, count: (count &+ 63) >> 6)
        words.withUnsafeMutableBufferPointer { words in
            var base = 0
            for word in 0..<words.count {
                let end = min(base &+ 64, count)
                var mask: UInt64 = 0
                for index in base..<end {
                    mask |= UInt64(passes(index) ? 1 : 0) &<< UInt64(index &- base)
                }
                words[word] = mask
                base = end
            }
        }
        return words
    }

    /// `bits(count:where:)` for the rows set in `mask` only: a word of
    /// `mask` that is zero stays zero without a test, and the others are
    /// tested whole (their 64 values are side by side) and masked.
    @inline(__always)
    static func bits(count: Int, under mask: [UInt64], where passes: (Int) -> Bool) -> [UInt64] {
        var words = [UInt64](repeating: 0, count: (count &+ 63) >> 6)
        words.withUnsafeMutableBufferPointer { words in
            mask.withUnsafeBufferPointer { mask in
                for word in 0..<min(words.count, mask.count) where mask[word] != 0 {
                    let base = word &<< 6
                    let end = min(base &+ 64, count)
                    var bits: UInt64 = 0
                    for index in base..<end {
                        bits |= UInt64(passes(index) ? 1 : 0) &<< UInt64(index &- base)
                    }
                    words[word] = bits & mask[word]
                }
            }
        }
        return words
    }

    /// One bit per byte of `values`, set where the byte equals `byte` (or,
    /// `negated`, differs from it) and the row is not null.
    ///
    /// Eight bytes at a time in one 64-bit word: XOR with the byte repeated
    /// leaves a zero byte where a row matches; a zero byte is one whose low
    /// seven bits, plus 0x7F, do not carry into its high bit and whose high
    /// bit is clear; a multiply gathers the eight high bits into one byte.
    /// For one-byte enum codes (`stage = mature`) this does in a few
    /// operations what the generic loop does in a few per row.
    static func bits(of values: UnsafeBufferPointer<UInt8>, equalTo byte: UInt8, negated: Bool, nulls: NullBitmap) -> [UInt64] {
        let count = values.count
        var words = [UInt64](repeating: 0, count: (count &+ 63) >> 6)
        guard let base = values.baseAddress else { return words }
        let raw = UnsafeRawPointer(base)
        let repeated = UInt64(byte) &* 0x0101_0101_0101_0101
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        let flip: UInt64 = negated ? ~0 : 0
        words.withUnsafeMutableBufferPointer { words in
            let whole = count >> 6
            for word in 0..<whole {
                var mask: UInt64 = 0
                for lane in 0..<8 {
                    let chunk = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: word &<< 6 | lane &<< 3, as: UInt64.self))
                    let x = chunk ^ repeated
                    let zero = ~(((x & low7) &+ low7) | x) & 0x8080_8080_8080_8080
                    mask |= (((zero >> 7) &* 0x0102_0408_1020_4080) >> 56) &<< UInt64(lane &<< 3)
                }
                words[word] = mask ^ flip
            }
            // The last, partial word one row at a time.
            if whole < words.count {
                var mask: UInt64 = 0
                for index in (whole &<< 6)..<count {
                    mask |= UInt64((values[index] == byte) != negated ? 1 : 0) &<< UInt64(index & 63)
                }
                words[whole] = mask
            }
            if nulls.hasNulls {
                let nullWords = nulls.words
                for word in 0..<min(words.count, nullWords.count) { words[word] &= ~nullWords[word] }
            }
        }
        return words
    }

    /// The positions whose bit is set, in order.
    static func positions(_ bits: [UInt64]) -> [Int32] {
        bits.withUnsafeBufferPointer { SetBits.positions($0) }
    }

    /// The elements of `rows` whose index's bit is set, in order.
    static func picked(from rows: [Int32], _ bits: [UInt64]) -> [Int32] {
        // Bits past the end of `rows` (not expected) are left out, as the
        // subscript would otherwise trap on them.
        var indices = positions(bits)
        if let last = indices.last, Int(last) >= rows.count { indices.removeAll { Int($0) >= rows.count } }
        rows.withUnsafeBufferPointer { rows in
            indices.withUnsafeMutableBufferPointer { indices in
                for i in indices.indices { indices[i] = rows[Int(indices[i])] }
            }
        }
        return indices
    }
}

/// The rows a filter kept: a list, or a bitmap over every row of the entity
/// when its last conjuncts kept them as one. A count or a dense grouping
/// reads the bitmap a few words at a time; listing a million kept rows
/// first would write and read back megabytes for nothing.
enum KeptRows {
    case rows([Int32])
    case bits([UInt64])
    /// Every row of an entity of this many rows: what a scan gives, listed
    /// only when an operator needs the list (`AllRows`), so that one that
    /// only counts them, or reads an index instead, pays nothing.
    case all(Int)

    /// Number of rows kept.
    var count: Int {
        switch self {
        case .rows(let rows): return rows.count
        case .bits(let words): return words.reduce(0) { $0 &+ $1.nonzeroBitCount }
        case .all(let count): return count
        }
    }

    /// The rows kept, ascending for a bitmap.
    var rows: [Int32] {
        switch self {
        case .rows(let rows): return rows
        case .bits(let words): return RowSelection.positions(words)
        case .all(let count): return AllRows.of(count: count)
        }
    }

    // TUNING: a chunk's 2,048 rows, slots and values stay in a core's
    // first-level cache. A bitmap is read 8 words (at most 512 rows) at a time.
    static let chunkRows = 2048
    static let batchWords = 8

    /// Calls `body` with the rows kept, ascending for a bitmap, at most
    /// `chunkRows` at a time.
    func forEachChunk(_ body: (UnsafeBufferPointer<Int32>) throws -> Void) rethrows {
        switch self {
        case .all:
            try KeptRows.rows(rows).forEachChunk(body)
        case .rows(let rows):
            try rows.withUnsafeBufferPointer { rows in
                var start = 0
                while start < rows.count {
                    let end = min(start + KeptRows.chunkRows, rows.count)
                    try body(UnsafeBufferPointer(rebasing: rows[start..<end]))
                    start = end
                }
            }
        case .bits(let words):
            try words.withUnsafeBufferPointer { try KeptRows.forEachChunk(of: $0, base: 0, body) }
        }
    }

    /// `forEachChunk` over the rows set in `words`, the first word's bit 0
    /// being row `base`.
    static func forEachChunk(of words: UnsafeBufferPointer<UInt64>, base: Int,
                             _ body: (UnsafeBufferPointer<Int32>) throws -> Void) rethrows {
        // Filled a few words at a time up to a chunk's rows, however
        // sparse the bitmap: a chunk per fixed number of words would
        // pay the per-chunk work for a handful of rows.
        var chunk = [Int32](repeating: 0, count: KeptRows.chunkRows + SetBits.slack)
        let batchRows = KeptRows.batchWords * 64
        try chunk.withUnsafeMutableBufferPointer { chunk in
            var start = 0, n = 0
            while start < words.count {
                let end = min(start + KeptRows.batchWords, words.count)
                n = SetBits.decode(UnsafeBufferPointer(rebasing: words[start..<end]), base: base &+ start &<< 6, into: chunk, at: n)
                start = end
                // Handed on while the next batch could still fit.
                if n > KeptRows.chunkRows - batchRows || (start == words.count && n > 0) {
                    try body(UnsafeBufferPointer(rebasing: chunk[0..<n]))
                    n = 0
                }
            }
        }
    }
}
