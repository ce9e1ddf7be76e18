/// The text scalar functions and the case-insensitive text operators.
///
/// Lengths and positions count characters (grapheme clusters), as a reader
/// does: `length("Chloé")` is 5 however the `é` is encoded.
public enum TextFunctions {
    /// `text contains needle`, ignoring case. For a needle that stays the
    /// same across rows, prepare a `TextSearch` once instead.
    public static func contains(_ text: String, _ needle: String) -> Bool {
        TextSearch(needle).isContained(in: text)
    }

    /// `text starts with prefix`, ignoring case.
    public static func startsWith(_ text: String, _ prefix: String) -> Bool {
        TextSearch(prefix).isPrefix(of: text)
    }

    /// `text ends with suffix`, ignoring case.
    public static func endsWith(_ text: String, _ suffix: String) -> Bool {
        TextSearch(suffix).isSuffix(of: text)
    }

    /// `lower(text)`: full Unicode lowercase mapping.
    public static func lower(_ text: String) -> String { text.lowercased() }

    /// `upper(text)`: full Unicode uppercase mapping (`ß` becomes `SS`).
    public static func upper(_ text: String) -> String { text.uppercased() }

    /// `length(text)`: the number of characters.
    /// - Complexity: O(n).
    public static func length(_ text: String) -> Int64 { Int64(text.count) }

    /// `trim(text)`: without leading and trailing white space (Unicode's,
    /// including line breaks and no-break spaces).
    public static func trim(_ text: String) -> String {
        // Most values have nothing to trim: return them without copying.
        if let first = text.utf8.first, let last = text.utf8.last, isPlainASCII(first), isPlainASCII(last) {
            return text
        }
        guard let start = text.firstIndex(where: { !$0.isWhitespace }),
              let end = text.lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(text[start...end])
    }

    /// `substr(text, start[, length])`, with SQL's semantics: the characters
    /// at positions `start` … `start + length - 1`, counting from 1, clipped
    /// to the text. A start before 1 uses up part of the length
    /// (`substr("abc", 0, 2)` is `"a"`); without a length the rest of the
    /// text; a length of 0 or less, or a start past the end, gives `""`.
    /// - Complexity: O(n).
    public static func substr(_ text: String, start: Int64, length: Int64?) -> String {
        let first = max(start, 1)
        guard let lower = text.index(text.startIndex, offsetBy: Int(clamping: first - 1), limitedBy: text.endIndex) else {
            return ""
        }
        guard let length else { return String(text[lower...]) }
        // One past the last wanted position; saturated, as positions that
        // far out are past any text anyway.
        let (sum, overflow) = start.addingReportingOverflow(length)
        let end = overflow ? (length > 0 ? Int64.max : Int64.min) : sum
        guard end > first else { return "" }
        let upper = text.index(lower, offsetBy: Int(clamping: end - first), limitedBy: text.endIndex) ?? text.endIndex
        return String(text[lower..<upper])
    }

    /// True for an ASCII byte that is neither white space nor a control
    /// character, so cannot be trimmed nor join a trimmable cluster.
    @inline(__always)
    private static func isPlainASCII(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F
    }
}
