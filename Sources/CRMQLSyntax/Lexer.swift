import CRMQLCore

/// Turns CRMQL text into tokens.
///
/// The lexer walks the UTF-8 bytes, not `Character`s: grapheme breaking
/// would cost far more than the whole rest of lexing, and a 100 MB string
/// literal must stay cheap. Keywords are not decided here; a bare word is an
/// identifier and the parser matches keywords by lowercased text.
///
/// Problems (a bad escape, a stray character) are reported as diagnostics and
/// lexing goes on, so one run reports everything. Text that ends inside a
/// string, quoted identifier or block comment is reported as incomplete input.
public struct Lexer: Sendable {
    let bytes: [UInt8]
    var position = 0
    var tokens: [Token] = []
    var diagnostics: [Diagnostic] = []

    init(_ source: SourceFile) {
        bytes = source.bytes
    }

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The tokens of `source`, always ending with `.endOfInput`, and the problems found.
    /// - Complexity: O(n) in the length of the text.
    public static func tokenize(_ source: SourceFile) -> (tokens: [Token], diagnostics: [Diagnostic]) {
        var lexer = Lexer(source)
        lexer.run()
        return (lexer.tokens, lexer.diagnostics)
    }

    /// The tokens of UTF-8 text given as bytes (the bytes must be valid UTF-8).
    static func tokenize(bytes: [UInt8]) -> (tokens: [Token], diagnostics: [Diagnostic]) {
        var lexer = Lexer(bytes: bytes)
        lexer.run()
        return (lexer.tokens, lexer.diagnostics)
    }

    mutating func run() {
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case ASCII.space, ASCII.tab, ASCII.carriageReturn, 0x0B, 0x0C:
                position += 1
            case ASCII.newline:
                emit(.newline, from: position, to: position + 1)
            case ASCII.minus where peekByte(1) == ASCII.minus:
                skipLineComment()
            case ASCII.slash where peekByte(1) == ASCII.star:
                skipBlockComment()
            case ASCII.singleQuote, ASCII.doubleQuote:
                lexString()
            case ASCII.backquote:
                lexQuotedIdentifier()
            case ASCII.dollar:
                lexParameter()
            case ASCII.zero...ASCII.nine:
                lexNumber()
            default:
                if ASCII.isIdentifierStart(byte) {
                    lexIdentifier()
                } else if byte >= 0x80 {
                    lexNonASCII()
                } else {
                    lexOperator()
                }
            }
        }
        tokens.append(Token(.endOfInput, SourceRange(bytes.count, bytes.count)))
    }

    // MARK: - Helpers

    func peekByte(_ offset: Int) -> UInt8? {
        let index = position + offset
        return index < bytes.count ? bytes[index] : nil
    }

    func isDigit(at index: Int) -> Bool {
        index < bytes.count && bytes[index] >= ASCII.zero && bytes[index] <= ASCII.nine
    }

    mutating func emit(_ kind: TokenKind, from start: Int, to end: Int, value: TokenValue = .none, hasError: Bool = false) {
        tokens.append(Token(kind, SourceRange(start, end), value: value, hasError: hasError))
        position = end
    }

    mutating func report(_ message: String, _ start: Int, _ end: Int, incomplete: Bool = false) {
        diagnostics.append(Diagnostic(.syntax, message, at: SourceRange(start, end), incompleteInput: incomplete))
    }

    func text(_ start: Int, _ end: Int) -> String {
        String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// The scalar starting at `index` and its length in bytes. The bytes come
    /// from a `String`, so they are valid UTF-8; a stray continuation byte is
    /// still handled rather than trusted.
    func scalar(at index: Int) -> (Unicode.Scalar, Int) {
        let lead = bytes[index]
        let length: Int
        var value: UInt32
        switch lead {
        case 0..<0x80: return (Unicode.Scalar(lead), 1)
        case 0xC0..<0xE0: length = 2; value = UInt32(lead & 0x1F)
        case 0xE0..<0xF0: length = 3; value = UInt32(lead & 0x0F)
        case 0xF0..<0xF8: length = 4; value = UInt32(lead & 0x07)
        default: return ("\u{FFFD}", 1)
        }
        guard index + length <= bytes.count else { return ("\u{FFFD}", 1) }
        for offset in 1..<length {
            value = value << 6 | UInt32(bytes[index + offset] & 0x3F)
        }
        return (Unicode.Scalar(value) ?? "\u{FFFD}", length)
    }

    /// The end of the identifier characters starting at `index`.
    func identifierEnd(from index: Int) -> Int {
        var end = index
        while end < bytes.count {
            let byte = bytes[end]
            if byte < 0x80 {
                guard ASCII.isIdentifierContinue(byte) else { break }
                end += 1
            } else {
                let (scalar, length) = scalar(at: end)
                guard UnicodeClass.isIdentifierContinue(scalar) else { break }
                end += length
            }
        }
        return end
    }

    /// True when an identifier character starts at `index` (so a number or a
    /// date runs straight into a word, which is a typo, not two tokens).
    func identifierCharacter(at index: Int) -> Bool {
        guard index < bytes.count else { return false }
        if bytes[index] < 0x80 { return ASCII.isIdentifierContinue(bytes[index]) }
        return UnicodeClass.isIdentifierContinue(scalar(at: index).0)
    }

    // MARK: - Comments

    mutating func skipLineComment() {
        while position < bytes.count, bytes[position] != ASCII.newline { position += 1 }
    }

    mutating func skipBlockComment() {
        let start = position
        position += 2
        while position + 1 < bytes.count {
            if bytes[position] == ASCII.star, bytes[position + 1] == ASCII.slash {
                position += 2
                return
            }
            position += 1
        }
        position = bytes.count
        report("unterminated block comment", start, start + 2, incomplete: true)
    }

    // MARK: - Words

    mutating func lexIdentifier() {
        let start = position
        let end = identifierEnd(from: start)
        emit(.identifier, from: start, to: end, value: .text(text(start, end)))
    }

    mutating func lexNonASCII() {
        let (scalar, length) = scalar(at: position)
        if UnicodeClass.isIdentifierStart(scalar) {
            lexIdentifier()
        } else if scalar.properties.isWhitespace {
            position += length
        } else {
            report("unexpected character '\(scalar)'", position, position + length)
            emit(.invalid, from: position, to: position + length, hasError: true)
        }
    }

    mutating func lexQuotedIdentifier() {
        let start = position
        var end = start + 1
        while end < bytes.count, bytes[end] != ASCII.backquote { end += 1 }
        guard end < bytes.count else {
            report("unterminated quoted identifier", start, start + 1, incomplete: true)
            emit(.quotedIdentifier, from: start, to: bytes.count, value: .text(text(start + 1, bytes.count)), hasError: true)
            return
        }
        let name = text(start + 1, end)
        if name.isEmpty { report("empty quoted identifier", start, end + 1) }
        emit(.quotedIdentifier, from: start, to: end + 1, value: .text(name), hasError: name.isEmpty)
    }

    mutating func lexParameter() {
        let start = position
        let nameStart = start + 1
        guard nameStart < bytes.count, identifierStart(at: nameStart) else {
            report("expected a parameter name after '$'", start, start + 1)
            emit(.invalid, from: start, to: start + 1, hasError: true)
            return
        }
        let end = identifierEnd(from: nameStart)
        emit(.parameter, from: start, to: end, value: .text(text(nameStart, end)))
    }

    func identifierStart(at index: Int) -> Bool {
        if bytes[index] < 0x80 { return ASCII.isIdentifierStart(bytes[index]) }
        return UnicodeClass.isIdentifierStart(scalar(at: index).0)
    }

    // MARK: - Operators

    mutating func lexOperator() {
        let start = position
        let byte = bytes[start]
        let next = peekByte(1)
        let kind: TokenKind
        var length = 1
        switch byte {
        case UInt8(ascii: "("): kind = .leftParen
        case UInt8(ascii: ")"): kind = .rightParen
        case UInt8(ascii: ","): kind = .comma
        case UInt8(ascii: ";"): kind = .semicolon
        case UInt8(ascii: "."): kind = .dot
        case UInt8(ascii: ":"): kind = .colon
        case UInt8(ascii: "="): kind = .equal
        case UInt8(ascii: "+"): kind = .plus
        case UInt8(ascii: "-"): kind = .minus
        case UInt8(ascii: "*"): kind = .star
        case UInt8(ascii: "/"): kind = .slash
        case UInt8(ascii: "%"): kind = .percent
        case UInt8(ascii: "<"):
            switch next {
            case UInt8(ascii: "="): kind = .lessEqual; length = 2
            case UInt8(ascii: ">"): kind = .notEqual; length = 2
            default: kind = .less
            }
        case UInt8(ascii: ">"):
            if next == UInt8(ascii: "=") { kind = .greaterEqual; length = 2 } else { kind = .greater }
        case UInt8(ascii: "!") where next == UInt8(ascii: "="):
            kind = .notEqual; length = 2
        case UInt8(ascii: "|") where next == UInt8(ascii: "|"):
            kind = .concat; length = 2
        default:
            let shown = byte < 0x20 || byte == 0x7F ? "\\u{\(String(byte, radix: 16))}" : String(UnicodeScalar(byte))
            report("unexpected character '\(shown)'", start, start + 1)
            emit(.invalid, from: start, to: start + 1, hasError: true)
            return
        }
        emit(kind, from: start, to: start + length)
    }
}

/// Byte classes of ASCII, named.
enum ASCII {
    static let tab: UInt8 = 0x09
    static let newline: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let doubleQuote = UInt8(ascii: "\"")
    static let singleQuote = UInt8(ascii: "'")
    static let backslash = UInt8(ascii: "\\")
    static let backquote = UInt8(ascii: "`")
    static let dollar = UInt8(ascii: "$")
    static let minus = UInt8(ascii: "-")
    static let plus = UInt8(ascii: "+")
    static let slash = UInt8(ascii: "/")
    static let star = UInt8(ascii: "*")
    static let dot = UInt8(ascii: ".")
    static let colon = UInt8(ascii: ":")
    static let underscore = UInt8(ascii: "_")
    static let zero = UInt8(ascii: "0")
    static let nine = UInt8(ascii: "9")

    static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= zero && byte <= nine }
    static func isIdentifierStart(_ byte: UInt8) -> Bool { isLetter(byte) || byte == underscore }
    static func isIdentifierContinue(_ byte: UInt8) -> Bool { isIdentifierStart(byte) || isDigit(byte) }
}

/// Which Unicode scalars make identifiers: letters start them; letters,
/// combining marks, decimal digits and `_` continue them (marks so that
/// words of scripts such as Devanagari stay whole).
enum UnicodeClass {
    static func isIdentifierStart(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return ASCII.isIdentifierStart(UInt8(scalar.value)) }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    static func isIdentifierContinue(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return ASCII.isIdentifierContinue(UInt8(scalar.value)) }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .decimalNumber:
            return true
        default:
            return false
        }
    }
}
