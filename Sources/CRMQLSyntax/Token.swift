import CRMQLCore

/// What kind of token the lexer found.
public enum TokenKind: Equatable, Sendable {
    /// A bare word: a name or a keyword (keywords are recognised by their lowercased text).
    case identifier
    /// `` `any text` ``
    case quotedIdentifier
    /// `$name`
    case parameter
    /// Literals; `TokenValue` carries what they mean.
    case integer, number, string, date, datetime
    /// `(` `)` `,` `;` `.` `:`
    case leftParen, rightParen, comma, semicolon, dot, colon
    /// `=`, `!=` (also spelled `<>`), `<`, `<=`, `>`, `>=`
    case equal, notEqual, less, lessEqual, greater, greaterEqual
    /// `+` `-` `*` `/` `%` `||`
    case plus, minus, star, slash, percent, concat
    /// A line break: statements may end at one.
    case newline
    /// A character no token starts with; the lexer has reported it.
    case invalid
    /// Always the last token, an empty range at the end of the text.
    case endOfInput
}

/// The value a literal token carries.
public enum TokenValue: Sendable, Equatable {
    /// Punctuation, operators, line breaks.
    case none
    /// The name of an identifier or parameter (without `$`), or a string's decoded text.
    case text(String)
    /// An integer's magnitude; nil when it does not fit in 64 bits. The
    /// parser decides whether it fits an `Int64`, because only it knows
    /// whether a minus sign stands in front (`-9223372036854775808`).
    case integer(UInt64?)
    case number(Double)
    /// Days since 1970-01-01.
    case date(Int64)
    /// Seconds since 1970-01-01T00:00:00 UTC.
    case datetime(Int64)
}

/// One token with its exact source span.
public struct Token: Sendable {
    /// What the token is.
    public var kind: TokenKind
    /// The token's bytes in the source, quotes and `$` included.
    public var range: SourceRange
    /// The name, text or number the token carries.
    public var value: TokenValue
    /// True when the lexer reported a problem inside this token (a bad escape,
    /// an invalid date); a statement holding it is not returned.
    public var hasError: Bool

    /// A token of `kind` spanning `range`.
    public init(_ kind: TokenKind, _ range: SourceRange, value: TokenValue = .none, hasError: Bool = false) {
        self.kind = kind
        self.range = range
        self.value = value
        self.hasError = hasError
    }

    /// The identifier's or parameter's name, or a string's contents; empty otherwise.
    public var text: String {
        if case .text(let text) = value { return text }
        return ""
    }

    /// The keyword this token spells, lowercased; nil for anything but a bare word.
    public var keyword: String? {
        guard kind == .identifier else { return nil }
        let lowered = text.lowercased()
        return Keywords.reserved.contains(lowered) || Keywords.contextual.contains(lowered) ? lowered : nil
    }

    /// True for a bare word spelling `word` (lowercase) in any case.
    public func isWord(_ word: String) -> Bool {
        kind == .identifier && text.utf8.count == word.utf8.count && text.lowercased() == word
    }

    /// True for a bare word that is a reserved keyword.
    public var isReserved: Bool {
        kind == .identifier && Keywords.reserved.contains(text.lowercased())
    }

    /// The symbol an operator or punctuation token is spelled with.
    public var symbol: String? {
        switch kind {
        case .leftParen: return "("
        case .rightParen: return ")"
        case .comma: return ","
        case .semicolon: return ";"
        case .dot: return "."
        case .colon: return ":"
        case .equal: return "="
        case .notEqual: return "!="
        case .less: return "<"
        case .lessEqual: return "<="
        case .greater: return ">"
        case .greaterEqual: return ">="
        case .plus: return "+"
        case .minus: return "-"
        case .star: return "*"
        case .slash: return "/"
        case .percent: return "%"
        case .concat: return "||"
        default: return nil
        }
    }

    /// True for the tokens that can end a statement: `;`, a line break, the end.
    var endsStatement: Bool {
        kind == .semicolon || kind == .newline || kind == .endOfInput
    }
}
