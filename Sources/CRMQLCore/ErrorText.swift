import Foundation

extension Diagnostic: CustomStringConvertible {
    /// The message alone: a diagnostic interpolated into another message
    /// reads as what is wrong, never as a dump of its fields.
    public var description: String { message }
}

extension DiagnosticList: CustomStringConvertible {
    /// The messages, one after another.
    public var description: String { diagnostics.map(\.message).joined(separator: "; ") }
}

/// What an error says to a person.
///
/// Messages are built from errors of many origins (our diagnostics, file
/// system errors, the regular-expression compiler, a host's functions);
/// interpolating one with `\(error)` may print a type's debug dump
/// (`Diagnostic(severity: …)`, `Error Domain=NSCocoaErrorDomain …`), so
/// every message that quotes an error goes through `ErrorText.of`.
public enum ErrorText {
    /// A diagnostic's message, an error's own description when it has one
    /// written for people, else the system's localized description.
    public static func of(_ error: any Error) -> String {
        switch error {
        case let diagnostic as Diagnostic: return diagnostic.message
        case let list as DiagnosticList: return list.description
        case let cocoa as CocoaError: return cocoa.localizedDescription
        case let posix as POSIXError: return posix.localizedDescription
        default:
            // An error written for people says what it means in
            // `description`; one that is not gets the system's wording, and
            // a reflection of fields is never shown.
            let text = String(describing: error)
            if !looksLikeDump(text) { return text }
            let localized = error.localizedDescription
            return looksLikeDump(localized) ? "an unexpected error" : localized
        }
    }

    /// True for text that is a Swift value's reflection rather than a
    /// sentence: `TypeName(field: value, …)`.
    static func looksLikeDump(_ text: String) -> Bool {
        guard let open = text.firstIndex(of: "(") else { return false }
        let head = text[..<open]
        return !head.isEmpty && head.allSatisfy { $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" } && text.contains(": ")
            && head.first?.isUppercase == true
    }
}
