/// The text side of Tab completion: which word a set of candidates
/// replaces, what they share, and how a list of them is laid out.
enum CompletionText {
    /// The longest text just before the cursor that starts every candidate,
    /// ignoring case: `.he` for `.help`, `reg` for `region` after `customer.`.
    static func replacedWord(before text: String, candidates: [String]) -> String {
        let typed = Array(text.unicodeScalars)
        let lowered = candidates.map { Array($0.lowercased().unicodeScalars) }
        let longest = lowered.map(\.count).min() ?? 0
        var length = min(longest, typed.count)
        while length > 0 {
            let suffix = Array(String(String.UnicodeScalarView(typed[(typed.count - length)...])).lowercased().unicodeScalars)
            if lowered.allSatisfy({ $0.starts(with: suffix) }) {
                return String(String.UnicodeScalarView(typed[(typed.count - length)...]))
            }
            length -= 1
        }
        return ""
    }

    /// The longest prefix shared by all candidates.
    static func commonPrefix(_ candidates: [String]) -> String {
        guard var prefix = candidates.first.map({ Array($0.unicodeScalars) }) else { return "" }
        for candidate in candidates.dropFirst() {
            let scalars = Array(candidate.unicodeScalars)
            var shared = 0
            while shared < prefix.count, shared < scalars.count, prefix[shared] == scalars[shared] { shared += 1 }
            prefix.removeSubrange(shared...)
        }
        return String(String.UnicodeScalarView(prefix))
    }

    /// A finished word gets a space after it; a directory, an opened call or
    /// a closed string does not, since more follows right after.
    static func wantsSpaceAfter(_ candidate: String) -> Bool {
        guard let last = candidate.unicodeScalars.last else { return false }
        return !"/(\"'.$".unicodeScalars.contains(last)
    }

    /// Candidates as a list shows them: file paths without the directory
    /// they share and without the quote that closes their string.
    static func displayNames(_ candidates: [String]) -> [String] {
        let common = commonPrefix(candidates)
        let directoryLength = common.lastIndex(of: "/").map { common.distance(from: common.startIndex, to: $0) + 1 } ?? 0
        return candidates.map { candidate in
            var name = String(candidate.dropFirst(directoryLength))
            if name.count > 1, name.last == "\"" || name.last == "'" { name.removeLast() }
            return name
        }
    }

    /// Candidates in columns across the width, row by row, ending in a line
    /// break. Very long lists are cut, saying how many were left out.
    static func columns(_ candidates: [String], width: Int, limit: Int = 200) -> String {
        let shown = displayNames(Array(candidates.prefix(limit)))
        let cellWidth = (shown.map { Terminal.displayWidth($0) }.max() ?? 0) + 2
        let perRow = max(1, width / max(1, cellWidth))
        var out = ""
        for (index, candidate) in shown.enumerated() {
            let isRowEnd = (index + 1) % perRow == 0 || index == shown.count - 1
            out += candidate
            if isRowEnd {
                out += "\n"
            } else {
                out += String(repeating: " ", count: max(1, cellWidth - Terminal.displayWidth(candidate)))
            }
        }
        if candidates.count > shown.count { out += "… and \(candidates.count - shown.count) more\n" }
        return out
    }
}
