import Foundation

/// A connection string as messages may show it: every password taken out,
/// whether written in a URL (`postgresql://ann:secret@host/db`), as a URL
/// parameter (`?password=secret`) or as a key-value pair (`password=secret`).
public struct ConnectionAddress: Sendable {
    /// The string as given, for libpq only.
    let raw: String
    /// The passwords it holds, to take out of any text shown.
    let secrets: [String]
    /// The string without its passwords.
    public let redacted: String

    /// Reads the passwords out of a connection string.
    public init(_ raw: String) {
        self.raw = raw
        var secrets: [String] = []
        var text = raw
        // `scheme://user:password@host…`: the password ends at the last `@`
        // of the authority, so that an `@` inside it is covered too.
        if let schemeEnd = text.range(of: "://") {
            let authorityStart = schemeEnd.upperBound
            let authorityEnd = text[authorityStart...].firstIndex { $0 == "/" || $0 == "?" } ?? text.endIndex
            let authority = text[authorityStart..<authorityEnd]
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                let password = String(authority[authority.index(after: colon)..<at])
                if !password.isEmpty { secrets.append(password) }
                text.replaceSubrange(colon..<at, with: "")
            }
        }
        // `password=…` as a URL parameter or a key-value pair.
        var out = ""
        var rest = Substring(text)
        while let found = rest.range(of: "password=", options: .caseInsensitive) {
            let before = found.lowerBound == rest.startIndex ? nil : rest[rest.index(before: found.lowerBound)]
            out += rest[..<found.upperBound]
            rest = rest[found.upperBound...]
            guard before == nil || before == "?" || before == "&" || before == " " else { continue }
            var value = ""
            if rest.first == "'" {
                var index = rest.index(after: rest.startIndex)
                while index < rest.endIndex, rest[index] != "'" {
                    if rest[index] == "\\", rest.index(after: index) < rest.endIndex { index = rest.index(after: index) }
                    value.append(rest[index])
                    index = rest.index(after: index)
                }
                rest = index < rest.endIndex ? rest[rest.index(after: index)...] : rest[rest.endIndex...]
            } else {
                let end = rest.firstIndex { $0 == "&" || $0 == " " } ?? rest.endIndex
                value = String(rest[..<end])
                rest = rest[end...]
            }
            if !value.isEmpty { secrets.append(value) }
            out += "…"
        }
        out += rest
        self.secrets = secrets
        redacted = out
    }

    /// `text` with every password of the address replaced by `…`.
    public func scrub(_ text: String) -> String {
        var out = text
        for secret in secrets where !secret.isEmpty {
            out = out.replacingOccurrences(of: secret, with: "…")
        }
        return out
    }
}

extension ConnectionAddress {
    /// The address with one more text to keep out of messages (`PGPASSWORD`).
    func adding(secret: String) -> ConnectionAddress {
        ConnectionAddress(raw: raw, secrets: secrets + [secret], redacted: redacted)
    }

    private init(raw: String, secrets: [String], redacted: String) {
        self.raw = raw
        self.secrets = secrets
        self.redacted = redacted
    }
}
