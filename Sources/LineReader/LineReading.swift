#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What one attempt to read a line gave.
public enum LineResult: Equatable, Sendable {
    /// A line, without its line break.
    case line(String)
    /// Ctrl-C while the line was being edited: the caller drops what it was
    /// collecting and asks again.
    case interrupted
    /// End of input (Ctrl-D on an empty line, or the end of a pipe).
    case eof
}

/// Candidates for completing the word before the cursor.
///
/// Receives the whole line and the cursor as a UTF-8 byte offset into it;
/// returns whole replacement words. The word being replaced is the longest
/// text just before the cursor that starts every candidate (ignoring case),
/// so a completer may return `.help` for `.he` or `region` for `customer.reg`.
public typealias Completer = (_ line: String, _ cursor: Int) -> [String]

/// A source of input lines: an interactive editor or a plain stream.
///
/// The REPL sees only this seam, so it can be driven by any reader (tests
/// use a scripted one).
public protocol LineReading {
    /// Shows `prompt` (when interactive) and reads one line.
    mutating func readLine(prompt: String) -> LineResult
    /// Remembers a finished entry (a whole statement, even one typed over
    /// several lines) so that it can be recalled later.
    mutating func addHistory(_ entry: String)
}

/// Picks the reader that suits the standard streams.
public enum LineReaders {
    /// An editing reader with history and completion when standard input and
    /// output are both terminals; otherwise a plain reader. Forced through the
    /// editor, a piped script would end up in the user's history file.
    /// - Parameters:
    ///   - historyPath: where history persists between runs; nil keeps it in memory only.
    ///   - completer: what Tab offers; nil leaves Tab without completion.
    public static func standard(historyPath: String?, completer: Completer?) -> any LineReading {
        if Terminal.isTerminal(STDIN_FILENO), Terminal.isTerminal(STDOUT_FILENO),
           let editor = EditLineReader(historyPath: historyPath, completer: completer) {
            return editor
        }
        return PlainLineReader(showsPrompt: Terminal.isTerminal(STDIN_FILENO))
    }
}
