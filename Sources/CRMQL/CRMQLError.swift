import CRMQLCore

/// An error from CRMQL: where, in which phase, and the rendered text.
///
/// `description` is the full rendering, `file:line:col: error: …`, the source
/// line and a caret run under the span. It never contains parameter values
/// bound by a host: customer data is personal data.
public struct CRMQLError: Error, Sendable, CustomStringConvertible {
    /// One problem.
    public struct Problem: Sendable {
        /// The phase that found it.
        public let phase: Phase
        /// What is wrong, in one line without location.
        public let message: String
        /// The span in the statement text, when there is one.
        public let range: SourceRange?
        /// 1-based line of the span's start, when there is one.
        public let line: Int?
        /// 1-based column (in characters) of the span's start, when there is one.
        public let column: Int?
        /// The rendered message with the source line and caret.
        public let rendered: String
    }

    /// The problems, in source order; a script can report several.
    public let problems: [Problem]

    /// True when the input stopped in the middle of a statement: a REPL asks
    /// for another line instead of reporting it.
    public let isIncompleteInput: Bool

    /// The first problem's phase.
    public var phase: Phase { problems.first?.phase ?? .runtime }
    /// The first problem's message.
    public var message: String { problems.first?.message ?? "" }
    /// Every problem rendered with its source line and caret.
    public var description: String { problems.map(\.rendered).joined(separator: "\n") }

    init(_ diagnostics: [Diagnostic], source: SourceFile?) {
        problems = diagnostics.map { diagnostic in
            Problem(
                phase: diagnostic.phase,
                message: diagnostic.message,
                range: diagnostic.range,
                line: diagnostic.range.flatMap { source?.line(of: $0.start) },
                column: diagnostic.range.flatMap { source?.column(of: $0.start) },
                rendered: diagnostic.rendered(in: source)
            )
        }
        isIncompleteInput = diagnostics.contains { $0.isIncompleteInput }
    }

    /// An error with no place in a statement's text (a host's own, or a
    /// session that could not be opened): `error: <message>`.
    public init(phase: Phase, message: String) {
        problems = [Problem(phase: phase, message: message, range: nil, line: nil, column: nil, rendered: "error: \(message)")]
        isIncompleteInput = false
    }
}
