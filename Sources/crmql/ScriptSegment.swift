import Foundation
import CRMQL

/// A script cut where dot commands stand, as sqlite3 reads its input: a
/// line that starts with `.` and a letter, between statements (not inside
/// one that is still open), is a dot command; the rest are statements.
enum ScriptSegment: Equatable {
    /// Statements, preceded by as many line breaks as lines came before
    /// them in the script, so that errors name the script's own lines.
    case statements(String)
    /// One dot command line, trimmed, and its 1-based line number.
    case dotCommand(String, line: Int)

    /// The segments of `text`, in order. A text without dot commands is
    /// one `statements` segment holding it unchanged.
    static func split(_ text: String) -> [ScriptSegment] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.contains(where: isDotCommand) else { return [.statements(text)] }
        var segments: [ScriptSegment] = []
        var pending: [Substring] = []
        var pendingStart = 0
        func flush() {
            let joined = pending.joined(separator: "\n")
            if joined.contains(where: { !$0.isWhitespace }) {
                segments.append(.statements(String(repeating: "\n", count: pendingStart) + joined))
            }
            pending = []
        }
        for (index, line) in lines.enumerated() {
            let pendingText = pending.joined(separator: "\n")
            let betweenStatements = !pendingText.contains(where: { !$0.isWhitespace }) || !InteractiveInput.needsMoreInput(pendingText)
            if isDotCommand(line), betweenStatements {
                flush()
                segments.append(.dotCommand(line.trimmingCharacters(in: .whitespacesAndNewlines), line: index + 1))
                pendingStart = index + 1
            } else {
                pending.append(line)
            }
        }
        flush()
        return segments
    }

    /// The statements of `segments` alone, on their own lines, for parsing
    /// the whole script at once.
    static func statementsOnly(_ segments: [ScriptSegment]) -> String {
        var out = ""
        var lineCount = 0
        for segment in segments {
            guard case .statements(let text) = segment else { continue }
            // Each segment starts with the line breaks of the lines before it.
            let leading = text.prefix { $0 == "\n" }.count
            out += String(repeating: "\n", count: max(0, leading - lineCount)) + text.dropFirst(leading)
            lineCount = max(lineCount, leading) + text.dropFirst(leading).reduce(0) { $1 == "\n" ? $0 + 1 : $0 }
        }
        return out
    }

    private static func isDotCommand(_ line: Substring) -> Bool {
        let trimmed = line.drop { $0 == " " || $0 == "\t" }
        guard trimmed.first == ".", let next = trimmed.dropFirst().first else { return false }
        return next.isLetter
    }
}
