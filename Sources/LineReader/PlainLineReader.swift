import CEditLine
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads lines from standard input without editing: for pipes, files, and
/// terminals whose output is redirected.
public struct PlainLineReader: LineReading {
    /// Whether prompts are shown; they go to standard error so that
    /// redirected output holds results only.
    public var showsPrompt: Bool

    /// - Parameter showsPrompt: true when a person types the input.
    public init(showsPrompt: Bool) {
        self.showsPrompt = showsPrompt
    }

    public mutating func readLine(prompt: String) -> LineResult {
        if showsPrompt {
            fputs(prompt, cel_stderr())
            fflush(cel_stderr())
        }
        let interruptsBefore = InterruptSignal.count
        var buffer: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(buffer) }
        while true {
            let count = getline(&buffer, &capacity, cel_stdin())
            if count >= 0, let buffer {
                // Bytes, not Characters: "\r\n" is one Character in Swift.
                var bytes = UnsafeRawBufferPointer(start: buffer, count: count)[...]
                if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
                if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
                return .line(String(decoding: bytes, as: UTF8.self))
            }
            let failure = errno
            guard ferror(cel_stdin()) != 0 else { return .eof }
            clearerr(cel_stdin())
            if InterruptSignal.count != interruptsBefore {
                if showsPrompt { fputs("\n", cel_stderr()) }
                return .interrupted
            }
            if failure != EINTR { return .eof }
        }
    }

    /// Plain input keeps no history.
    public mutating func addHistory(_ entry: String) {}
}
