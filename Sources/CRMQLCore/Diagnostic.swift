/// The phase of the pipeline that found a problem; hosts use it to tell a
/// typo (syntax, semantic) from a data problem (runtime).
public enum Phase: String, Sendable, Hashable {
    /// The text is not CRMQL: the lexer or the parser stopped.
    case syntax
    /// A name, a type or a rule of the language: found before anything runs.
    case semantic
    /// A statement failed while running (a division by zero, a duplicate key).
    case runtime
    /// A file could not be read or written, or was refused (safe mode).
    case io
    /// A statement went past one of the host's limits.
    case limit
    /// `interrupt()` (Ctrl-C at the prompt) stopped the statement.
    case interrupted
}

/// One problem found in a piece of CRMQL, located in its source.
///
/// Every layer reports through this one type, and it renders one way:
/// `file:line:col: error: message`, the source line, and a caret run under
/// the span.
public struct Diagnostic: Error, Sendable, Hashable {
    /// How serious a diagnostic is; only errors stop a statement.
    public enum Severity: String, Sendable, Hashable { case error, warning, note }

    /// Error, warning or note.
    public var severity: Severity
    /// The phase that found the problem.
    public var phase: Phase
    /// What is wrong, in one line without location.
    public var message: String
    /// The span the caret underlines, when there is one.
    public var range: SourceRange?
    /// True when the parser stopped because the text ended too early; the REPL
    /// asks for another line instead of reporting it.
    public var isIncompleteInput: Bool

    public init(_ phase: Phase, _ message: String, at range: SourceRange?, severity: Severity = .error, incompleteInput: Bool = false) {
        self.phase = phase
        self.message = message
        self.range = range
        self.severity = severity
        self.isIncompleteInput = incompleteInput
    }

    /// Renders the diagnostic against its source:
    /// ```
    /// q.crmql:1:25: error: unknown field 'loyality'; did you mean 'loyalty'?
    /// select customers where loyality > 0.8
    ///                        ^^^^^^^^
    /// ```
    public func rendered(in source: SourceFile?) -> String {
        guard let source, let range else {
            return "\(source?.name ?? "<input>"): \(severity.rawValue): \(message)"
        }
        let line = source.line(of: range.start)
        let column = source.column(of: range.start)
        var out = "\(source.name):\(line):\(column): \(severity.rawValue): \(message)"
        let lineText = source.lineText(line)
        let lineStart = source.lineStarts[line - 1]
        let prefix = String(decoding: source.bytes[lineStart..<min(range.start, source.bytes.count)], as: UTF8.self)
        // The caret run stops at the end of the first line of a multi-line span.
        let lineEnd = lineStart + lineText.utf8.count
        let spanEnd = min(range.end, lineEnd)
        let spanText = spanEnd > range.start
            ? String(decoding: source.bytes[range.start..<spanEnd], as: UTF8.self) : ""
        let indent = String(repeating: " ", count: DisplayWidth.of(prefix))
        let carets = String(repeating: "^", count: max(1, DisplayWidth.of(spanText)))
        out += "\n" + lineText + "\n" + indent + carets
        return out
    }
}

/// Several diagnostics from one run, reported together.
public struct DiagnosticList: Error, Sendable {
    public var diagnostics: [Diagnostic]
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
}
