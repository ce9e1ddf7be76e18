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
public struct FoldedText: Sendable {
    /// Row `r` is `bytes[starts[r] ..< starts[r + 1] - 1]`, then a 0 byte.
    private let bytes: [UInt8]
    private let starts: [Int]
    /// How often each byte value occurs in `bytes`: a search tests the
    /// needle's rarest bytes, since stopping at every `a` of a million names
    /// costs more than the scan itself.
    private let byteCounts: [Int]

    /// Folds a text column; nil for any other kind of column.
    /// - Parameter foldNonASCII: appends the folded UTF-8 of a text that is
    ///   not all ASCII.
    /// - Complexity: O(total length of the texts).
    public init?(column: Column, foldNonASCII: (String, inout [UInt8]) -> Void) {
        guard case .text(let texts) = column.data else { return nil }
        var bytes: [UInt8] = []
        var starts: [Int] = []
        starts.reserveCapacity(texts.count + 1)
        for row in texts.indices {
            starts.append(bytes.count)
            if !column.isNull(row) {
                var text = texts[row]
                let isASCII = text.withUTF8 { utf8 -> Bool in
                    var combined: UInt8 = 0
                    for byte in utf8 { combined |= byte }
                    guard combined < 0x80 else { return false }
                    for byte in utf8 { bytes.append(byte &- 65 < 26 ? byte | 0x20 : byte) }
                    return true
                }
                if !isASCII { foldNonASCII(text, &bytes) }
            }
            bytes.append(0)
        }
        starts.append(bytes.count)
        var counts = [Int](repeating: 0, count: 256)
        for byte in bytes { counts[Int(byte)] &+= 1 }
        self.bytes = bytes
        self.starts = starts
        byteCounts = counts
    }

    /// Number of rows.
    public var count: Int { starts.count - 1 }

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
        guard FoldedText.canSearch(needle) else { return [] }
        let (first, second) = rarestPositions(needle)
        var result: [Int32] = []
        bytes.withUnsafeBufferPointer { haystack in
            needle.withUnsafeBufferPointer { needle in
                starts.withUnsafeBufferPointer { starts in
                    guard let base = haystack.baseAddress, let needleBase = needle.baseAddress else { return }
                    var search = Search(base: base, count: haystack.count, needle: needleBase, length: needle.count, starts: starts)
                    let firstByte = SIMD16<UInt8>(repeating: needle[first])
                    let secondByte = SIMD16<UInt8>(repeating: needle[second])
                    let reach = max(first, second) + 16
                    let raw = UnsafeRawPointer(base)
                    let n = haystack.count
                    var at = 0
                    while at + reach <= n {
                        let a = raw.loadUnaligned(fromByteOffset: at + first, as: SIMD16<UInt8>.self)
                        let b = raw.loadUnaligned(fromByteOffset: at + second, as: SIMD16<UInt8>.self)
                        let both = (a .== firstByte) .& (b .== secondByte)
                        if any(both) {
                            for lane in 0..<16 where both[lane] { search.check(at + lane, into: &result) }
                        }
                        at += 16
                    }
                    while at + needle.count <= n {
                        if base[at + first] == needle[first] && base[at + second] == needle[second] { search.check(at, into: &result) }
                        at += 1
                    }
                }
            }
        }
        return result
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
        /// The first position a match may start at: past the row of the
        /// last match, which is counted once.
        var next = 0
        /// The row of the last match.
        var row = 0

        init(base: UnsafePointer<UInt8>, count: Int, needle: UnsafePointer<UInt8>, length: Int, starts: UnsafeBufferPointer<Int>) {
            self.base = base
            self.count = count
            self.needle = needle
            self.length = length
            self.starts = starts
        }

        @inline(__always)
        mutating func check(_ start: Int, into result: inout [Int32]) {
            guard start >= next, start + length <= count, memcmp(base + start, needle, length) == 0 else { return }
            // The row holding `start`: the last row start at or before it.
            // Matches come in order, so the search gallops forward from the
            // last match's row and stays in memory just read, where a search
            // over all rows would miss the cache at every step.
            let rows = starts.count - 1
            var low = row, step = 1
            while low + step < rows && starts[low + step] <= start {
                low += step
                step *= 2
            }
            var high = min(low + step, rows)
            while high - low > 1 {
                let middle = low + (high - low) / 2
                if starts[middle] <= start { low = middle } else { high = middle }
            }
            row = low
            result.append(Int32(truncatingIfNeeded: row))
            next = starts[row + 1]
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
        let start = starts[row], end = starts[row + 1] - 1
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
