import CRMQL
import Foundation
import LineReader

/// Where results go: standard output, or a file chosen with `.output`.
///
/// Everything is written straight to the file descriptor, unbuffered, so
/// results, messages on standard error and the line editor's own output
/// appear in the order they were produced.
final class OutputSink: Sendable {
    private let handle: FileHandle
    /// The file's path; nil for standard output.
    let path: String?
    /// Whether a person sees this output on a terminal.
    let isTerminal: Bool

    private init(handle: FileHandle, path: String?, isTerminal: Bool) {
        self.handle = handle
        self.path = path
        self.isTerminal = isTerminal
    }

    /// Standard output.
    static let standardOutput = OutputSink(handle: .standardOutput, path: nil, isTerminal: Terminal.isTerminal(STDOUT_FILENO))

    /// A file, created or emptied.
    /// - Throws: when the file cannot be opened for writing.
    static func file(_ path: String) throws -> OutputSink {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw ShellError("cannot write '\(path)'")
        }
        return OutputSink(handle: try FileHandle(forWritingTo: URL(fileURLWithPath: path)), path: path, isTerminal: false)
    }

    func write(_ text: String) {
        try? handle.write(contentsOf: Data(text.utf8))
    }

    /// Closes a file sink; standard output stays open.
    func close() {
        if path != nil { try? handle.close() }
    }
}

/// Messages for the person at the keyboard: errors, timings, notices.
enum StandardError {
    static func write(_ text: String) {
        try? FileHandle.standardError.write(contentsOf: Data(text.utf8))
    }

    /// Writes `text` and a line break.
    static func line(_ text: String) {
        write(text.hasSuffix("\n") ? text : text + "\n")
    }

    static let isTerminal = Terminal.isTerminal(STDERR_FILENO)
}

/// A problem of the shell itself (a file that cannot be read, a bad dot
/// command argument), as opposed to a statement's error.
struct ShellError: Error, CustomStringConvertible {
    let description: String
    /// True when the problem has been printed already (a statement that
    /// `.read` ran failed with its own message).
    let isReported: Bool
    init(_ description: String) {
        self.description = description
        isReported = false
    }

    private init(reported description: String) {
        self.description = description
        isReported = true
    }

    /// A failure whose message is already on standard error.
    static let reported = ShellError(reported: "a statement failed")
}

extension ShellError {
    /// What an error says to a person: the shell's and the library's errors
    /// describe themselves; anything else gets the system's wording, never
    /// a dump of its fields.
    static func text(of error: any Error) -> String {
        switch error {
        case let shell as ShellError: return shell.description
        case let crmql as CRMQLError: return crmql.description
        default: return error.localizedDescription
        }
    }
}
