#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A text column's rows case-folded, as UTF-8, side by side in one
/// buffer, each ended by a 0 byte: what `contains` scans instead of the
/// column's strings. Reading a million strings one by one costs a pointer
/// chase (and often a cache miss) per row; one buffer is read straight
/// through, testing a needle's two rarest bytes 16 positions at a time.
///
/// The folding is the caller's (the engine's Unicode case folding); ASCII
/// rows, most of CRM text, are folded here by lowercasing, which is what
/// that folding does to them. A needle folded the same way matches a row
/// exactly when its bytes occur in the row's bytes: UTF-8 lead bytes never
/// occur inside a scalar, so a byte match is a match of whole scalars. Nulls
/// have an empty slot.
///
/// A column of few distinct texts (names, cities, product titles: a
/// million customers' names are about two thousand texts) keeps each
/// distinct text once, and each row the number of its text (`codes`). A
/// search then scans the distinct texts, a few kilobytes that stay in the
/// cache, and reads two bytes a row to keep the rows whose text matched:
/// a seventh of the bytes of the rows' texts, read at the speed of memory.
public struct FoldedText: Sendable {
    /// Entry `e` is `bytes[starts[e] ..< starts[e + 1] - 1]`, then a 0 byte.
    /// An entry is a row, or with `codes` a distinct text.
    private let bytes: [UInt8]
    private let starts: [Int]
    /// Each row's entry, when the column has few distinct texts; nil when
    /// each row is its own entry.
    private let codes: [UInt16]?
    /// How often each byte value occurs in `bytes`: a search tests the
    /// needle's rarest bytes, since stopping at every `a` of a million names
    /// costs more than the scan itself.
    private let byteCounts: [Int]
    /// For each 64 bytes of `bytes`, the entry its first byte belongs to: a
    /// match finds its row from here in a step or two. Searching `starts`
    /// from the last match's row instead followed a chain of entries that a
    /// million rows' starts (8 MB) keep out of the cache, which cost more
    /// than the scan itself at that size.
    private let blockRows: [Int32]

    /// Folds a text column; nil for any other kind of column.
    /// - Parameter foldNonASCII: appends the folded UTF-8 of a text that is
    ///   not all ASCII.
    /// - Complexity: O(total length of the texts).
    public init?(column: Column, foldNonASCII: (String, inout [UInt8]) -> Void) {
        self.init(column: column, foldNonASCII: foldNonASCII, poll: {})
    }

    /// Folds a text column as `init(column:foldNonASCII:)` does, calling
    /// `poll` every 1,024 texts: what it throws stops the folding.
    public init?(column: Column, foldNonASCII: (String, inout [UInt8]) -> Void, poll: () throws -> Void) rethrows {
        guard case .text(let texts) = column.data else { return nil }
        // A stop here leaves one entry a row: slower, never wrong, and the
        // polls below end the build soon after.
        var stopped = false
        let codes = TextDictionary.distinctCodes(column, texts, stopped: &stopped)
        var bytes: [UInt8] = []
        var starts: [Int] = []
        if let (codes, distinct) = codes {
            starts.reserveCapacity(distinct.count + 1)
            for (index, text) in distinct.enumerated() {
                if index & 1023 == 0 { try poll() }
                starts.append(bytes.count)
                if let text { FoldedText.append(text, to: &bytes, foldNonASCII) }
                bytes.append(0)
            }
            self.codes = codes
        } else {
            starts.reserveCapacity(texts.count + 1)
            for row in texts.indices {
                if row & 1023 == 0 { try poll() }
                starts.append(bytes.count)
                if !column.isNull(row) { FoldedText.append(texts[row], to: &bytes, foldNonASCII) }
                bytes.append(0)
            }
            self.codes = nil
        }
        starts.append(bytes.count)
        var counts = [Int](repeating: 0, count: 256)
        for byte in bytes { counts[Int(byte)] &+= 1 }
        var blocks = [Int32](repeating: 0, count: (bytes.count + 63) >> 6)
        var entry = 0
        for block in blocks.indices {
            while starts[entry + 1] <= block << 6 { entry += 1 }
            blocks[block] = Int32(truncatingIfNeeded: entry)
        }
        self.bytes = bytes
        self.starts = starts
        byteCounts = counts
        blockRows = blocks
    }

    private static func append(_ text: String, to bytes: inout [UInt8], _ foldNonASCII: (String, inout [UInt8]) -> Void) {
        var text = text
        let isASCII = text.withUTF8 { utf8 -> Bool in
            var combined: UInt8 = 0
            for byte in utf8 { combined |= byte }
            guard combined < 0x80 else { return false }
            for byte in utf8 { bytes.append(byte &- 65 < 26 ? byte | 0x20 : byte) }
            return true
        }
        if !isASCII { foldNonASCII(text, &bytes) }
    }

    /// Number of rows.
    public var count: Int { codes?.count ?? entries }

    /// Number of entries: rows, or distinct texts.
    private var entries: Int { starts.count - 1 }

    /// Whether a needle (folded UTF-8) can be searched here: not empty and
    /// without a 0 byte, which would match across rows.
    public static func canSearch(_ needle: [UInt8]) -> Bool {
        !needle.isEmpty && !needle.contains(0)
    }

    /// The rows, ascending, whose folded text contains `needle` (see `canSearch`).
    ///
    /// The needle's two rarest bytes are tested 16 positions at a time with
    /// vector compares, and only where both match is the whole needle
    /// compared. Stopping at every occurrence of one byte (`memchr`) costs a
    /// call per stop, and even a needle's rarest letter occurs every few
    /// dozen bytes of names; two letters at their distance apart are
    /// rare enough that the scan runs at the speed of reading the bytes.
    /// - Complexity: O(n · m) in the worst case, about O(n) in practice.
    public func rowsContaining(_ needle: [UInt8]) -> [Int32] {
        let matches = entriesContaining(needle)
        guard let codes else { return matches }
        guard !matches.isEmpty else { return [] }
        var matched = [UInt8](repeating: 0, count: entries)
        for entry in matches { matched[Int(entry)] = 1 }
        // One bit a row, from a table lookup a row with no branch, then
        // read back: a branch on each row's match would mispredict at
        // every few rows of a common needle.
        return codes.withUnsafeBufferPointer { codes in
            matched.withUnsafeBufferPointer { matched in
                var words = [UInt64](repeating: 0, count: (codes.count + 63) >> 6)
                words.withUnsafeMutableBufferPointer { words in
                    var base = 0
                    for word in words.indices {
                        let end = min(base &+ 64, codes.count)
                        var bits: UInt64 = 0
                        for row in base..<end {
                            bits |= UInt64(matched[Int(codes[row])]) &<< UInt64(row &- base)
                        }
                        words[word] = bits
                        base = end
                    }
                }
                return words.withUnsafeBufferPointer { SetBits.positions($0) }
            }
        }
    }

    /// The entries, ascending, whose folded text contains `needle`.
    private func entriesContaining(_ needle: [UInt8]) -> [Int32] {
        guard FoldedText.canSearch(needle) else { return [] }
        let (first, second) = rarestPositions(needle)
        var result: [Int32] = []
        bytes.withUnsafeBufferPointer { haystack in
            needle.withUnsafeBufferPointer { needle in
                starts.withUnsafeBufferPointer { starts in
                    blockRows.withUnsafeBufferPointer { blockRows in
                        guard let base = haystack.baseAddress, let needleBase = needle.baseAddress else { return }
                        var search = Search(base: base, count: haystack.count, needle: needleBase, length: needle.count,
                                            starts: starts, blockRows: blockRows)
                        Self.scan(base, count: haystack.count, needle: needle, first: first, second: second) { at in
                            search.check(at, into: &result)
                        }
                    }
                }
            }
        }
        return result
    }

    /// Calls `candidate` with each position, ascending, where the needle's
    /// bytes at `first` and `second` both match.
    @inline(__always)
    private static func scan(_ base: UnsafePointer<UInt8>, count n: Int, needle: UnsafeBufferPointer<UInt8>,
                             first: Int, second: Int, _ candidate: (Int) -> Void) {
        let firstByte = SIMD16<UInt8>(repeating: needle[first])
        let secondByte = SIMD16<UInt8>(repeating: needle[second])
        let reach = max(first, second) + 16
        let raw = UnsafeRawPointer(base)
        var at = 0
        while at + reach <= n {
            let a = raw.loadUnaligned(fromByteOffset: at &+ first, as: SIMD16<UInt8>.self)
            let b = raw.loadUnaligned(fromByteOffset: at &+ second, as: SIMD16<UInt8>.self)
            let both = (a .== firstByte) .& (b .== secondByte)
            if any(both) {
                for lane in 0..<16 where both[lane] { candidate(at &+ lane) }
            }
            at &+= 16
        }
        while at + needle.count <= n {
            if base[at + first] == needle[first] && base[at + second] == needle[second] { candidate(at) }
            at += 1
        }
    }

    /// The state of one `rowsContaining` scan, passed by `inout` rather
    /// than captured by a local function: captured variables are checked
    /// for exclusive access at run time on every candidate, which cost as
    /// much as comparing it.
    private struct Search {
        let base: UnsafePointer<UInt8>
        let count: Int
        let needle: UnsafePointer<UInt8>
        let length: Int
        let starts: UnsafeBufferPointer<Int>
        let blockRows: UnsafeBufferPointer<Int32>
        /// The first position a match may start at: past the row of the
        /// last match, which is counted once.
        var next = 0

        init(base: UnsafePointer<UInt8>, count: Int, needle: UnsafePointer<UInt8>, length: Int,
             starts: UnsafeBufferPointer<Int>, blockRows: UnsafeBufferPointer<Int32>) {
            self.base = base
            self.count = count
            self.needle = needle
            self.length = length
            self.starts = starts
            self.blockRows = blockRows
        }

        @inline(__always)
        mutating func check(_ start: Int, into result: inout [Int32]) {
            guard start >= next, start + length <= count, memcmp(base + start, needle, length) == 0 else { return }
            // The row holding `start`: the last row start at or before it,
            // a step or two past the row its block of 64 bytes begins in.
            var low = Int(blockRows[start >> 6])
            while starts[low + 1] <= start { low += 1 }
            result.append(Int32(truncatingIfNeeded: low))
            next = starts[low + 1]
        }
    }

    /// The positions of the needle's rarest byte and of its next rarest at
    /// another position (the same position for a one-byte needle).
    private func rarestPositions(_ needle: [UInt8]) -> (Int, Int) {
        let byCount = needle.indices.sorted { byteCounts[Int(needle[$0])] < byteCounts[Int(needle[$1])] }
        let first = byCount[0]
        let second = byCount.dropFirst().first { needle[$0] != needle[first] } ?? byCount.dropFirst().first ?? first
        return (first, second)
    }

    /// Whether row `row`'s folded text contains `needle` (see `canSearch`).
    public func row(_ row: Int, contains needle: [UInt8]) -> Bool {
        guard row >= 0, row < count, FoldedText.canSearch(needle) else { return false }
        let entry = codes.map { Int($0[row]) } ?? row
        let start = starts[entry], end = starts[entry + 1] - 1
        let m = needle.count
        guard end - start >= m else { return false }
        return bytes.withUnsafeBufferPointer { haystack in
            needle.withUnsafeBufferPointer { needle in
                guard let base = haystack.baseAddress, let needleBase = needle.baseAddress else { return false }
                let first = Int32(needle[0])
                var at = start
                while at + m <= end {
                    guard let found = memchr(base + at, first, end - m + 1 - at) else { return false }
                    let hit = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                    if m == 1 || memcmp(base + hit + 1, needleBase + 1, m - 1) == 0 { return true }
                    at = hit + 1
                }
                return false
            }
        }
    }
}
