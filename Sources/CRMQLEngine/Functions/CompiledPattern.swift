import CRMQLCore
/// Why a `matches` pattern was refused.
public struct PatternError: Error, Sendable, CustomStringConvertible {
    /// What is wrong with the pattern, e.g. `expected ')'`.
    public let message: String

    /// A refusal with its reason.
    public init(_ message: String) { self.message = message }

    /// The reason, as error messages quote it.
    public var description: String { message }
}

/// The regular expression of `text matches pattern`, compiled once per query.
///
/// The syntax is Swift's `Regex` (PCRE-like: classes, anchors, `(?i)` for
/// case-insensitive matching); matching is case-sensitive unless the
/// pattern says otherwise, and true when the pattern matches anywhere in
/// the text. A pattern made only of ordinary ASCII characters is searched
/// for directly, which is several times faster than the regex engine.
///
/// Backtracking is not bounded: a pathological pattern such as `(a+)+b` is
/// slow on long rows, as in most regex engines.
///
/// Not `Sendable`: the standard library does not declare `Regex` with an
/// untyped output so. Compile one per query on the thread that runs it.
public struct CompiledPattern {
    /// The pattern as written.
    public let source: String
    private let regex: Regex<AnyRegexOutput>
    /// The pattern's bytes when it is a plain ASCII literal.
    private let literal: [UInt8]?
    private let failure: [Int]

    /// Longer patterns are refused: no real filter needs one, and a limit
    /// keeps compilation time and memory bounded.
    public static let maximumLength = 10_000

    /// Deeper nesting of character classes is refused: the regex parser
    /// recurses once per level and would exhaust the stack long before its
    /// own limits (it caps groups, not classes).
    public static let maximumClassNesting = 32

    /// Compiles `pattern`.
    /// - Throws: `PatternError` when the pattern is not a valid regular
    ///   expression, or is too long or too deeply nested to compile safely.
    public init(_ pattern: String) throws(PatternError) {
        guard pattern.utf8.count <= Self.maximumLength else {
            throw PatternError("pattern is longer than \(Self.maximumLength) bytes")
        }
        guard Self.classNesting(pattern) <= Self.maximumClassNesting else {
            throw PatternError("character classes are nested more than \(Self.maximumClassNesting) deep")
        }
        do {
            regex = try Regex(pattern)
        } catch {
            throw PatternError("\(ErrorText.of(error))")
        }
        source = pattern
        literal = Self.isPlainLiteral(pattern) ? Array(pattern.utf8) : nil
        failure = literal.map { SubstringSearch.failureTable($0) } ?? []
    }

    /// True when the pattern matches somewhere in `text`.
    public func matches(_ text: String) -> Bool {
        if let literal, let answer = literalMatch(literal, in: text) { return answer }
        return text.contains(regex)
    }

    /// Searches for a plain literal by bytes. Nil when the first hit touches
    /// a non-ASCII byte: the regex engine matches whole grapheme clusters,
    /// and a combining mark next to the hit could join it to a neighbour,
    /// so that case is left to the engine.
    private func literalMatch(_ literal: [UInt8], in text: String) -> Bool? {
        let answer: Bool?? = text.utf8.withContiguousStorageIfAvailable { bytes -> Bool? in
            guard let end = SubstringSearch.firstMatchEnd(of: literal, failure: failure, in: bytes.count, { bytes[$0] }) else {
                return false
            }
            let start = end - literal.count
            if end < bytes.count, bytes[end] >= 0x80 { return nil }
            if start > 0, bytes[start - 1] >= 0x80 { return nil }
            return true
        }
        return answer ?? nil
    }

    /// True for a non-empty pattern of printable ASCII without any
    /// character that regex syntax gives a meaning.
    private static func isPlainLiteral(_ pattern: String) -> Bool {
        !pattern.isEmpty && pattern.utf8.allSatisfy { byte in
            byte >= 0x20 && byte < 0x7F && !"\\^$.|?*+()[]{}#".utf8.contains(byte)
        }
    }

    /// An upper bound on how deeply character classes nest in `pattern`.
    ///
    /// Exact tracking would need the full grammar, so this count errs only
    /// upward: every unescaped `[` opens a level, even inside quotes and
    /// POSIX names, and a `]` closes one only where it surely closes a class.
    /// It does not close one inside `\Q…\E`, inside a `[:…:]` name (whose
    /// own `:]` closes the level its `[:` opened, whichever way the parser
    /// reads it), right after a class's opening (`[]a]` holds a `]`), nor
    /// anywhere once a `#` appears, since extended-mode comments could hide it.
    static func classNesting(_ pattern: String) -> Int {
        let bytes = Array(pattern.utf8)
        let mayHaveComments = bytes.contains(UInt8(ascii: "#"))
        var depth = 0
        var deepest = 0
        var quoted = false
        /// The byte that, followed by `]`, ends the POSIX name being read.
        var nameEnd: UInt8?
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            let next = index < bytes.count ? bytes[index] : 0
            switch byte {
            case UInt8(ascii: "\\"):
                if quoted {
                    if next == UInt8(ascii: "E") { quoted = false; index += 1 }
                } else {
                    if next == UInt8(ascii: "Q") { quoted = true }
                    index += 1
                }
            case UInt8(ascii: "["):
                depth += 1
                deepest = max(deepest, depth)
                if quoted || nameEnd != nil { break }
                if depth > 1, next == UInt8(ascii: ":") || next == UInt8(ascii: "=") || next == UInt8(ascii: ".") {
                    nameEnd = next
                    index += 1
                    break
                }
                if next == UInt8(ascii: "^") { index += 1 }
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1 }
            case nameEnd where next == UInt8(ascii: "]"):
                nameEnd = nil
                index += 1
                if !mayHaveComments { depth -= 1 }
            case UInt8(ascii: "]"):
                if depth > 0 && !quoted && nameEnd == nil && !mayHaveComments { depth -= 1 }
            default:
                break
            }
        }
        return deepest
    }
}
