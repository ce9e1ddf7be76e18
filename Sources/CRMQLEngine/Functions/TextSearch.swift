/// A case-insensitive needle for `contains`, `starts with` and `ends with`,
/// prepared once per query and then tested against every row without
/// allocating.
///
/// Both sides are compared case-folded, scalar by scalar: each Unicode
/// scalar becomes the lowercase of its uppercase, which equates `É` and
/// `é`, `ß` and `ss`, `ς` and `Σ`, and the Kelvin sign and `k`. Rows whose
/// UTF-8 is all ASCII (most CRM text) are compared byte by byte; other rows
/// are decoded and folded on the fly, straight into the matcher.
///
/// Matching is by scalars, not by grapheme clusters: text is expected in
/// the composed form (NFC) that keyboards and nearly all files produce, and
/// a decomposed accent in the data only matches a decomposed one in the
/// needle.
public struct TextSearch: Sendable {
    /// The needle as written.
    public let needle: String
    /// The needle case-folded, as scalar values.
    private let folded: [UInt32]
    /// The folded needle's bytes when every scalar of it is ASCII.
    private let asciiBytes: [UInt8]?
    /// Knuth–Morris–Pratt failure table over `folded`, so that a search is
    /// linear in the row's length whatever the needle.
    private let failure: [Int]

    /// Prepares `needle`: folds it once and builds its search table.
    /// - Complexity: O(m) for a needle of m scalars.
    public init(_ needle: String) {
        self.needle = needle
        var folded: [UInt32] = []
        folded.reserveCapacity(needle.utf8.count)
        for scalar in needle.unicodeScalars { CaseFolding.fold(scalar.value) { folded.append($0) } }
        self.folded = folded
        asciiBytes = folded.allSatisfy { $0 < 0x80 } ? folded.map { UInt8(truncatingIfNeeded: $0) } : nil
        failure = SubstringSearch.failureTable(folded)
    }

    /// The folded needle as UTF-8, to search in a `FoldedText`.
    public var foldedUTF8: [UInt8] {
        var bytes: [UInt8] = []
        for value in folded { CaseFolding.appendUTF8(value, to: &bytes) }
        return bytes
    }

    /// Appends the folded UTF-8 of `text`, as `FoldedText` stores a row.
    public static func appendFolded(_ text: String, to bytes: inout [UInt8]) {
        CaseFolding.forEachFoldedScalar(of: text) { value in
            CaseFolding.appendUTF8(value, to: &bytes)
            return true
        }
    }

    /// True when the needle is empty: it is then found in every text.
    public var isEmpty: Bool { folded.isEmpty }

    /// `text contains needle`, ignoring case.
    /// - Complexity: O(n) in the UTF-8 length of `text`.
    public func isContained(in text: String) -> Bool {
        if folded.isEmpty { return true }
        let ascii: Bool?? = text.utf8.withContiguousStorageIfAvailable { bytes -> Bool? in
            guard CaseFolding.isASCII(bytes) else { return nil }
            // An ASCII row folds to ASCII, so a needle that does not cannot match.
            guard let asciiBytes else { return false }
            return SubstringSearch.firstMatchEnd(of: asciiBytes, failure: failure, in: bytes.count) {
                CaseFolding.asciiLower(bytes[$0])
            } != nil
        }
        if let ascii, let answer = ascii { return answer }
        var matcher = SubstringSearch.Matcher(needle: folded, failure: failure)
        var found = false
        CaseFolding.forEachFoldedScalar(of: text) { value in
            found = matcher.feed(value)
            return !found
        }
        return found
    }

    /// `text starts with needle`, ignoring case.
    /// - Complexity: O(m) for a needle of m scalars.
    public func isPrefix(of text: String) -> Bool {
        if folded.isEmpty { return true }
        let ascii: Bool?? = text.utf8.withContiguousStorageIfAvailable { bytes -> Bool? in
            guard let asciiBytes else { return nil }
            for index in asciiBytes.indices {
                // A short row, or a mismatch before any non-ASCII byte, settles it.
                guard index < bytes.count else { return false }
                let byte = bytes[index]
                if byte >= 0x80 { return nil }
                if CaseFolding.asciiLower(byte) != asciiBytes[index] { return false }
            }
            return true
        }
        if let ascii, let answer = ascii { return answer }
        var matched = 0
        var mismatch = false
        CaseFolding.forEachFoldedScalar(of: text) { value in
            if value != folded[matched] {
                mismatch = true
                return false
            }
            matched += 1
            return matched < folded.count
        }
        return !mismatch && matched == folded.count
    }

    /// `text ends with needle`, ignoring case.
    /// - Complexity: O(n) in the UTF-8 length of `text` (O(m) for ASCII rows).
    public func isSuffix(of text: String) -> Bool {
        if folded.isEmpty { return true }
        let ascii: Bool?? = text.utf8.withContiguousStorageIfAvailable { bytes -> Bool? in
            guard let asciiBytes else { return nil }
            for offset in 1...asciiBytes.count {
                guard offset <= bytes.count else { return false }
                let byte = bytes[bytes.count - offset]
                if byte >= 0x80 { return nil }
                if CaseFolding.asciiLower(byte) != asciiBytes[asciiBytes.count - offset] { return false }
            }
            return true
        }
        if let ascii, let answer = ascii { return answer }
        // The matcher's state after the last scalar is the longest start of
        // the needle that ends the text.
        var matcher = SubstringSearch.Matcher(needle: folded, failure: failure)
        var endsWithNeedle = false
        CaseFolding.forEachFoldedScalar(of: text) { value in
            endsWithNeedle = matcher.feed(value)
            return true
        }
        return endsWithNeedle
    }
}

/// The case folding `TextSearch` applies to needles and rows alike.
enum CaseFolding {
    @inline(__always)
    static func asciiLower(_ byte: UInt8) -> UInt8 {
        byte &- 65 < 26 ? byte | 0x20 : byte
    }

    /// Appends the UTF-8 of a scalar value (one that is no scalar, which
    /// folding never yields, becomes U+FFFD).
    static func appendUTF8(_ value: UInt32, to bytes: inout [UInt8]) {
        let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
        UTF8.encode(scalar) { bytes.append($0) }
    }

    /// True when every byte is below 0x80.
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var combined: UInt8 = 0
        for byte in bytes { combined |= byte }
        return combined < 0x80
    }

    /// Decodes `text` and passes each folded scalar to `body` until it
    /// returns false.
    @inline(__always)
    static func forEachFoldedScalar(of text: String, _ body: (UInt32) -> Bool) {
        // One look-up of the lazily built table per row, not per scalar.
        let table = twoByteFolds
        let decoded: Void? = text.utf8.withContiguousStorageIfAvailable { bytes in
            var index = 0
            var going = true
            while going, index < bytes.count {
                let lead = UInt32(bytes[index])
                var value = lead
                var length = 1
                if lead >= 0xF0 {
                    value = lead & 0x07
                    length = 4
                } else if lead >= 0xE0 {
                    value = lead & 0x0F
                    length = 3
                } else if lead >= 0xC0 {
                    value = lead & 0x1F
                    length = 2
                }
                // Strings hold valid UTF-8; the bound only guards the reads.
                guard index + length <= bytes.count else { return }
                for offset in 1..<length { value = value << 6 | UInt32(bytes[index + offset] & 0x3F) }
                index += length
                fold(value, table) { folded in
                    if going { going = body(folded) }
                }
            }
        }
        if decoded != nil { return }
        var going = true
        for scalar in text.unicodeScalars where going {
            fold(scalar.value, table) { folded in
                if going { going = body(folded) }
            }
        }
    }

    /// Emits the folded scalars of one scalar: the lowercase of its
    /// uppercase, a close match to Unicode's full case folding that the
    /// standard library can compute.
    @inline(__always)
    static func fold(_ value: UInt32, _ table: [UInt32] = twoByteFolds, _ emit: (UInt32) -> Void) {
        if value < 0x80 {
            emit(value &- 65 < 26 ? value | 0x20 : value)
            return
        }
        if value < 0x800, table.count == 0x800 {
            let folded = table[Int(value)]
            if folded != expands {
                emit(folded)
                return
            }
        } else if (0x3000..<0xA000).contains(value) || (0xAC00..<0xD7A4).contains(value) {
            // CJK, kana and Hangul syllables have no case.
            emit(value)
            return
        }
        foldByMapping(value, emit)
    }

    /// The folding by the standard library's case mappings, which build
    /// small strings: the slow path of `fold`.
    static func foldByMapping(_ value: UInt32, _ emit: (UInt32) -> Void) {
        guard let scalar = Unicode.Scalar(value), scalar.properties.changesWhenCaseMapped else {
            emit(value)
            return
        }
        for upper in scalar.properties.uppercaseMapping.unicodeScalars {
            for lower in upper.properties.lowercaseMapping.unicodeScalars { emit(lower.value) }
        }
    }

    /// Marks a scalar in `twoByteFolds` that folds to more than one (`ß`).
    static let expands = UInt32.max

    /// The fold of every scalar below U+0800 (those UTF-8 writes in one or
    /// two bytes: Latin, Greek, Cyrillic, Armenian, Hebrew, Arabic…), so
    /// that European names fold without building strings.
    static let twoByteFolds: [UInt32] = (0..<0x800).map { value -> UInt32 in
        var folded: [UInt32] = []
        foldByMapping(UInt32(value)) { folded.append($0) }
        return folded.count == 1 ? folded[0] : expands
    }
}

/// Knuth–Morris–Pratt substring search.
enum SubstringSearch {
    /// `failure[i]`: the length of the longest proper border of `needle[0...i]`.
    static func failureTable<Element: Equatable>(_ needle: [Element]) -> [Int] {
        var failure = [Int](repeating: 0, count: needle.count)
        var border = 0
        var index = 1
        while index < needle.count {
            if needle[index] == needle[border] {
                border += 1
                failure[index] = border
                index += 1
            } else if border > 0 {
                border = failure[border - 1]
            } else {
                failure[index] = 0
                index += 1
            }
        }
        return failure
    }

    /// The end offset of the first occurrence of `needle` in the `count`
    /// elements that `element` returns, or nil. An empty needle matches at 0.
    @inline(__always)
    static func firstMatchEnd<Element: Equatable>(of needle: [Element], failure: [Int], in count: Int,
                                                  _ element: (Int) -> Element) -> Int? {
        if needle.isEmpty { return 0 }
        guard count >= needle.count else { return nil }
        var matched = 0
        var index = 0
        while index < count {
            let value = element(index)
            while matched > 0 && value != needle[matched] { matched = failure[matched - 1] }
            if value == needle[matched] {
                matched += 1
                if matched == needle.count { return index + 1 }
            }
            index += 1
        }
        return nil
    }

    /// The same search fed one element at a time, for text decoded on the fly.
    struct Matcher {
        let needle: [UInt32]
        let failure: [Int]
        /// How many elements of the needle the text seen so far ends with.
        private var matched = 0

        /// - Precondition: `needle` is not empty.
        init(needle: [UInt32], failure: [Int]) {
            self.needle = needle
            self.failure = failure
        }

        /// Takes the next element; true when the text seen so far ends
        /// with the whole needle.
        @inline(__always)
        mutating func feed(_ value: UInt32) -> Bool {
            guard !needle.isEmpty else { return true }
            if matched == needle.count { matched = failure[matched - 1] }
            while matched > 0 && value != needle[matched] { matched = failure[matched - 1] }
            if value == needle[matched] { matched += 1 }
            return matched == needle.count
        }
    }
}
