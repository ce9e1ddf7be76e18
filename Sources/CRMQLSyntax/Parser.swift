import CRMQLCore

/// The CRMQL parser: hand-written recursive descent, with one function per
/// precedence level for expressions.
///
/// It recovers from errors: a statement that fails is reported and skipped up
/// to the next statement boundary, and parsing goes on, so one run reports
/// every error of a script and still returns the statements that parsed.
public enum Parser {
    /// Expressions nested deeper than this are refused, so that neither the
    /// parser nor anything that walks the tree recursively can run out of stack.
    public static let maximumNestingDepth = 256

    /// Parses a whole script.
    /// - Returns: the statements that parsed, in order, and every problem found.
    /// - Complexity: O(n) in the length of the text.
    public static func parse(_ source: SourceFile) -> (script: Script, diagnostics: [Diagnostic]) {
        _ = metadataWarmUp
        var state = State(source)
        let statements = state.parseScript()
        return (Script(statements: statements), state.sortedDiagnostics)
    }

    /// Parses text that is one expression as a whole (line breaks are
    /// whitespace here), as hosts supply them.
    public static func parseExpression(_ source: SourceFile) -> (Expr?, [Diagnostic]) {
        _ = metadataWarmUp
        var state = State(source)
        let expr = state.parseStandaloneExpression()
        return (expr, state.sortedDiagnostics)
    }

    /// Touches every generic collection the expression parser uses.
    static let warmUpText = "f(distinct g(1) where x, 2).y in (1) and not case when a then -b else c end between 1 and 2"

    /// One small parse per process before the first real one. The Swift
    /// runtime instantiates generic metadata (`[Node]`, ...) on first use, and
    /// its demangler needs tens of kilobytes of stack: met first at the
    /// deepest point of a deeply nested parse, that alone can exhaust a
    /// 512 KB thread stack that the parse itself fits in.
    private static let metadataWarmUp: Void = {
        var state = State(SourceFile(name: "", text: warmUpText))
        _ = state.parseStandaloneExpression()
    }()

    /// True when the text stops inside an unfinished statement: an open
    /// bracket, string or comment, a trailing operator or keyword, `select`
    /// without a source. A REPL asks for another line instead of running it.
    public static func needsMoreInput(_ source: SourceFile) -> Bool {
        parse(source).diagnostics.contains { $0.isIncompleteInput }
    }

    /// The span of every statement of a script, whether it parsed or not,
    /// without the `;` or line break that ends it.
    public static func statementRanges(_ source: SourceFile) -> [SourceRange] {
        _ = metadataWarmUp
        var state = State(source)
        _ = state.parseScript()
        return state.statementRanges
    }
}

/// Why a statement's parse stopped. The diagnostic is already recorded when
/// `diagnostic` is nil (a token the lexer reported).
struct ParseFailure: Error {
    var diagnostic: Diagnostic?
}

/// An expression under construction with the height of its tree, so that a
/// long chain (`1 + 1 + ... + 1`) is refused as surely as deep brackets.
struct Node {
    var expr: Expr
    var height: Int
}

extension Parser {
    /// The parser's working state: the tokens and where it stands in them.
    ///
    /// Line breaks are tokens, because a statement may end at one. Where a
    /// token is required, line breaks are skipped (the statement is
    /// incomplete, so it goes on). Where a continuation is optional, line
    /// breaks are skipped only when the next line starts with a word or
    /// operator that can only carry on a statement, or inside brackets.
    struct State {
        let source: SourceFile
        var tokens: [Token]
        var index = 0
        var diagnostics: [Diagnostic] = []
        var statementRanges: [SourceRange] = []
        /// Open brackets of the current statement; inside them, lines always go on.
        var bracketDepth = 0
        /// Current recursion depth of expression parsing.
        var nesting = 0
        /// The end of the last token consumed, for statement ranges and for
        /// placing "expected ... after" messages just past it.
        var lastEnd = 0
        /// The last token consumed, for "after 'where'" in messages.
        var previous: Token?
        /// Set when the statement being parsed holds a token the lexer reported.
        var statementHasLexError = false

        init(_ source: SourceFile) {
            self.source = source
            let (tokens, diagnostics) = Lexer.tokenize(source)
            self.tokens = tokens
            self.diagnostics = diagnostics
        }

        /// The lexer's and the parser's problems together, in source order.
        var sortedDiagnostics: [Diagnostic] {
            // Enumerated so that problems at the same offset keep the order they were found in.
            diagnostics.enumerated().sorted { lhs, rhs in
                let left = lhs.element.range?.start ?? Int.max, right = rhs.element.range?.start ?? Int.max
                return left != right ? left < right : lhs.offset < rhs.offset
            }.map(\.element)
        }

        // MARK: - Looking at tokens

        /// The raw current token, line breaks included.
        var current: Token { tokens[index] }

        /// The index of the first token at or after `start` that is not a line break.
        func indexPastNewlines(from start: Int) -> Int {
            var cursor = start
            while cursor < tokens.count - 1, tokens[cursor].kind == .newline { cursor += 1 }
            return cursor
        }

        /// The next token where a continuation is optional: a line break ends
        /// the statement unless the next line clearly carries it on.
        mutating func peek() -> Token {
            if tokens[index].kind == .newline {
                let next = indexPastNewlines(from: index)
                if bracketDepth > 0 || continuesStatement(at: next) { index = next }
            }
            return tokens[index]
        }

        /// The next token where one is required: line breaks are skipped.
        mutating func peekRequired() -> Token {
            index = indexPastNewlines(from: index)
            return tokens[index]
        }

        /// The token after the next one that `peek` would give, past line breaks.
        mutating func peekSecond() -> Token {
            _ = peek()
            return tokens[indexPastNewlines(from: min(index + 1, tokens.count - 1))]
        }

        /// True when the token at `position`, first on its line, carries on
        /// the statement above rather than starting a new one.
        func continuesStatement(at position: Int) -> Bool {
            let token = tokens[position]
            switch token.kind {
            case .identifier:
                let lowered = token.text.lowercased()
                guard Keywords.continuing.contains(lowered) else { return false }
                // `show entities` on its own line is a statement, not a clause.
                if lowered == "show" {
                    let next = tokens[min(position + 1, tokens.count - 1)]
                    let after = tokens[min(position + 2, tokens.count - 1)]
                    if next.isWord("entities") || next.isWord("indexes") || next.isWord("models"), after.endsStatement { return false }
                }
                return true
            case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual, .plus, .minus, .star,
                 .slash, .percent, .concat, .comma, .dot, .colon, .rightParen:
                return true
            default:
                return false
            }
        }

        // MARK: - Consuming tokens

        /// Consumes the token `peek` or `peekRequired` just returned.
        @discardableResult
        mutating func advance() -> Token {
            let token = tokens[index]
            if token.hasError { statementHasLexError = true }
            switch token.kind {
            case .leftParen: bracketDepth += 1
            case .rightParen: bracketDepth = max(0, bracketDepth - 1)
            default: break
            }
            if token.kind != .endOfInput { index += 1 }
            if token.kind != .newline {
                lastEnd = token.range.end
                previous = token
            }
            return token
        }

        /// Consumes the next token when it is of kind `kind`.
        mutating func accept(_ kind: TokenKind) -> Token? {
            guard peek().kind == kind else { return nil }
            return advance()
        }

        /// Consumes the next token when it is of kind `kind`; says whether it did.
        mutating func skip(_ kind: TokenKind) -> Bool {
            guard peek().kind == kind else { return false }
            advance()
            return true
        }

        /// Consumes the next token when it is the word `word`; says whether it did.
        mutating func skipWord(_ word: String) -> Bool {
            guard peek().isWord(word) else { return false }
            advance()
            return true
        }

        /// As `skipWord`, where a token is required (line breaks skipped).
        mutating func skipRequiredWord(_ word: String) -> Bool {
            guard peekRequired().isWord(word) else { return false }
            advance()
            return true
        }

        /// Consumes the required word `word`, or fails naming what was expected.
        @discardableResult
        mutating func expectWord(_ word: String) throws -> Token {
            guard peekRequired().isWord(word) else { throw failure(expected: "'\(word)'") }
            return advance()
        }

        /// Consumes the required token of kind `kind`.
        @discardableResult
        mutating func expect(_ kind: TokenKind, _ description: String) throws -> Token {
            guard peekRequired().kind == kind else { throw failure(expected: description) }
            return advance()
        }

        /// A name: an identifier that is not reserved, or a backquoted one.
        mutating func expectName(_ what: String) throws -> Name {
            let token = peekRequired()
            switch token.kind {
            case .identifier where !token.isReserved, .quotedIdentifier:
                advance()
                return Name(token.text, token.range)
            default:
                throw failure(expected: what)
            }
        }

        /// Any word, reserved or not, or a backquoted name: after `.` and
        /// before `:` a name cannot be mistaken for a keyword.
        mutating func expectAnyWord(_ what: String) throws -> Name {
            let token = peekRequired()
            guard token.kind == .identifier || token.kind == .quotedIdentifier else { throw failure(expected: what) }
            advance()
            return Name(token.text, token.range)
        }

        // MARK: - Errors

        /// How a token is shown in a message.
        func describe(_ token: Token) -> String {
            switch token.kind {
            case .newline: return "the end of the line"
            case .endOfInput: return "the end of the input"
            case .string: return "a string"
            case .integer, .number: return "the number '\(source.text(of: token.range))'"
            case .date, .datetime: return "the date '\(source.text(of: token.range))'"
            default:
                let text = source.text(of: token.range)
                return "'\(text.count > 40 ? String(text.prefix(40)) + "..." : text)'"
            }
        }

        /// `expected <what> after '<previous>'`, about the current token.
        func failure(expected what: String) -> ParseFailure {
            let after = previous.map { " after \(describe($0))" } ?? ""
            return failure("expected \(what)\(after)", found: tokens[index])
        }

        /// A failure with a full message about the unexpected `token`: at the
        /// end of the input it is incomplete, at a line's end it points just
        /// past the previous token, elsewhere it names the token too.
        func failure(_ message: String, found token: Token, suggestion: String? = nil) -> ParseFailure {
            let hint = suggestion.map { "; did you mean '\($0)'?" } ?? ""
            switch token.kind {
            case .invalid:
                return ParseFailure(diagnostic: nil)
            case .endOfInput:
                return ParseFailure(diagnostic: Diagnostic(.syntax, message + hint, at: SourceRange(lastEnd, lastEnd), incompleteInput: true))
            case .newline, .semicolon:
                return ParseFailure(diagnostic: Diagnostic(.syntax, message + hint, at: SourceRange(lastEnd, lastEnd)))
            default:
                return ParseFailure(diagnostic: Diagnostic(.syntax, "\(message), found \(describe(token))\(hint)", at: token.range))
            }
        }

        /// A failure with its own message at `range`.
        func failure(_ message: String, at range: SourceRange) -> ParseFailure {
            ParseFailure(diagnostic: Diagnostic(.syntax, message, at: range))
        }
    }
}
