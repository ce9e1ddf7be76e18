import CRMQLCore

// script → { separator } [ statement { separator { separator } statement } ] { separator }
// separator → ';' | line break
extension Parser.State {
    /// Parses every statement; a statement that fails is reported, skipped
    /// to the next statement boundary, and parsing goes on.
    mutating func parseScript() -> [Statement] {
        var statements: [Statement] = []
        while true {
            while current.kind == .newline || current.kind == .semicolon { advance() }
            if current.kind == .endOfInput { break }
            let startIndex = index
            let start = current.range.start
            bracketDepth = 0
            nesting = 0
            previous = nil
            statementHasLexError = false
            do {
                let statement = try parseStatement()
                try expectStatementEnd()
                statementRanges.append(statement.range)
                if !statementHasLexError { statements.append(statement) }
            } catch {
                record(error)
                recover(statementStart: startIndex)
                var last = max(index - 1, startIndex)
                while last > startIndex, tokens[last].kind == .newline || tokens[last].kind == .semicolon
                    || tokens[last].kind == .endOfInput { last -= 1 }
                statementRanges.append(SourceRange(start, tokens[last].range.end))
            }
        }
        return statements
    }

    /// Keeps a failure's diagnostic, unless it only repeats that the text
    /// ended early where the lexer already said why (an open string or comment).
    mutating func record(_ error: Error) {
        guard let diagnostic = (error as? ParseFailure)?.diagnostic else { return }
        if diagnostic.isIncompleteInput, diagnostics.contains(where: \.isIncompleteInput) { return }
        diagnostics.append(diagnostic)
    }

    /// After a statement: `;`, a line break that the next line does not
    /// carry on, or the end of the input.
    mutating func expectStatementEnd() throws {
        let token = peek()
        switch token.kind {
        case .semicolon, .newline:
            advance()
        case .endOfInput:
            break
        case .invalid:
            throw ParseFailure(diagnostic: nil)
        default:
            var message = "expected the end of the statement, found \(describe(token))"
            if token.kind == .identifier, token.text.lowercased() == "like" {
                // SQL's `like` has no place here, but its uses all have a word.
                message += "; CRMQL has no 'like': use contains, starts with, ends with (all ignore case) or matches (a regular expression)"
            } else if token.kind == .identifier {
                // Clause keywords first: `wher` is one edit from both `where` and `when`.
                let match = Suggestion.closest(to: token.text, among: Keywords.clauses)
                    ?? Suggestion.closest(to: token.text, among: Keywords.continuing.sorted())
                if let match, match != token.text.lowercased() {
                    message += "; did you mean '\(match)'?"
                }
            }
            throw failure(message, at: token.range)
        }
    }

    /// Skips from a failed statement to the next statement boundary at or
    /// after the token that failed: a `;`, or a line break outside brackets
    /// that the next line does not carry on. A line that starts with a
    /// statement keyword always starts a new statement, even inside an
    /// unclosed bracket, so that one missing `)` does not swallow the script.
    mutating func recover(statementStart: Int) {
        let failedAt = index
        var depth = 0
        var cursor = statementStart
        while true {
            let token = tokens[cursor]
            if token.kind == .endOfInput { break }
            if cursor >= failedAt {
                if token.kind == .semicolon {
                    cursor += 1
                    break
                }
                if token.kind == .newline {
                    let next = indexPastNewlines(from: cursor)
                    if (depth == 0 && !continuesStatement(at: next)) || startsStatement(at: next) {
                        cursor = next
                        break
                    }
                } else if cursor == failedAt, cursor > statementStart, tokens[cursor - 1].kind == .newline,
                          startsStatement(at: cursor) {
                    break
                }
            }
            switch token.kind {
            case .leftParen: depth += 1
            case .rightParen: depth = max(0, depth - 1)
            default: break
            }
            cursor += 1
        }
        index = max(cursor, statementStart + 1 < tokens.count ? statementStart + 1 : statementStart)
        bracketDepth = 0
    }

    /// True when the token at `position` is a word that starts a statement.
    func startsStatement(at position: Int) -> Bool {
        let token = tokens[position]
        guard token.kind == .identifier else { return false }
        let lowered = token.text.lowercased()
        if lowered == "show" { return !continuesStatement(at: position) }
        return Keywords.statements.contains(lowered)
    }

    // statement → query | let | param | set | define | create | load | insert
    //           | update | delete | drop | export | save | open | explain
    //           | describe | show | help
    mutating func parseStatement() throws -> Statement {
        let token = peekRequired()
        let start = token.range.start
        guard token.kind == .identifier else {
            if token.kind == .invalid { throw ParseFailure(diagnostic: nil) }
            throw failure("expected a statement, found \(describe(token))", at: token.range)
        }
        let kind: StatementKind
        switch token.text.lowercased() {
        case "select": kind = .query(try parseQuery())
        case "let": kind = try parseLet()
        case "param": kind = try parseParam()
        case "set": kind = try parseSet()
        case "define": kind = try parseDefine()
        case "create": kind = try parseCreate()
        case "load": kind = try parseLoad()
        case "insert": kind = try parseInsert()
        case "update": kind = try parseUpdate()
        case "delete": kind = try parseDelete()
        case "drop": kind = try parseDrop()
        case "export": kind = try parseExport()
        case "save":
            advance()
            kind = .save(path: try parseExpression().expr)
        case "open":
            advance()
            if peekRequired().isWord("database") {
                advance()
                kind = .openDatabase(path: try parseExpression().expr)
            } else {
                kind = .open(path: try parseExpression().expr)
            }
        case "explain":
            advance()
            let analyze = peekRequired().isWord("analyze")
            if analyze { advance() }
            kind = .explain(query: try parseQuery(), analyze: analyze)
        case "describe":
            advance()
            if peekRequired().isWord("model"), tokens[indexPastNewlines(from: index + 1)].kind == .identifier
                || tokens[indexPastNewlines(from: index + 1)].kind == .quotedIdentifier {
                advance()
                kind = .describeModel(name: try expectName("a model name"))
            } else {
                kind = .describe(entity: try expectName("an entity name"))
            }
        case "model": kind = try parseModel()
        case "show": kind = try parseShowStatement()
        case "help": kind = parseHelp()
        default:
            let message = Suggestion.message("unknown statement '\(token.text)'", for: token.text, among: Keywords.statements)
            throw failure(message, at: token.range)
        }
        return Statement(kind, SourceRange(start, lastEnd))
    }

    // let → 'let' name '=' query
    mutating func parseLet() throws -> StatementKind {
        advance()
        let name = try expectName("a name for the query")
        try expect(.equal, "'='")
        guard peekRequired().isWord("select") else { throw failure(expected: "a query ('select ...')") }
        return .letQuery(name: name, query: try parseQuery())
    }

    // param → 'param' parameter '=' expression
    mutating func parseParam() throws -> StatementKind {
        advance()
        let token = peekRequired()
        guard token.kind == .parameter else { throw failure(expected: "a parameter name ('$name')") }
        advance()
        try expect(.equal, "'='")
        return .param(name: Name(token.text, token.range), value: try parseExpression().expr)
    }

    // set → 'set' name '=' expression
    mutating func parseSet() throws -> StatementKind {
        advance()
        let name = try expectName("a setting name (today, fiscal_year_start)")
        try expect(.equal, "'='")
        return .set(name: name, value: try parseExpression().expr)
    }

    // define → 'define' name '.' name '=' expression
    mutating func parseDefine() throws -> StatementKind {
        advance()
        let entity = try expectName("an entity name")
        try expect(.dot, "'.' and a field name ('define customers.field = ...')")
        let field = try expectName("a field name")
        try expect(.equal, "'='")
        return .define(entity: entity, field: field, expr: try parseExpression().expr)
    }

    // model → 'model' name '=' name '(' [ argument { ',' argument } ] ')'
    //           [ 'fitted' '(' option { ',' option } ')' ]
    mutating func parseModel() throws -> StatementKind {
        advance()
        let name = try expectName("a name for the model")
        try expect(.equal, "'=' and a fit such as bgnbd(orders)")
        guard peekRequired().kind == .identifier || peekRequired().kind == .quotedIdentifier else {
            throw failure(expected: "a fit such as bgnbd(orders, unit: week)")
        }
        guard case .function(let kind, let arguments, let range) = try parseSource() else {
            throw failure("a model is fitted by a call such as bgnbd(orders, unit: week)", at: name.range)
        }
        var fitted: [OptionItem]?
        if skipWord("fitted") {
            let open = try expect(.leftParen, "'(' and the fitted parameters")
            var items: [OptionItem] = []
            repeat {
                let parameter = try expectAnyWord("a parameter name")
                try expect(.equal, "'='")
                items.append(OptionItem(name: parameter, value: try parseExpression().expr))
            } while skip(.comma)
            try expectClosing(open)
            fitted = items
        }
        return .model(name: name, fit: ModelFit(kind: kind, arguments: arguments, fitted: fitted, range: range))
    }

    // show-statement → 'show' ( 'entities' | 'indexes' | 'models' )
    mutating func parseShowStatement() throws -> StatementKind {
        advance()
        let token = peekRequired()
        if token.isWord("models") {
            advance()
            return .showModels
        }
        if token.isWord("entities") {
            advance()
            return .showEntities
        }
        if token.isWord("indexes") {
            advance()
            return .showIndexes
        }
        let match = token.kind == .identifier ? Suggestion.closest(to: token.text, among: ["entities", "indexes", "models"]) : nil
        throw failure("expected 'entities', 'indexes' or 'models' after 'show'", found: token, suggestion: match)
    }

    // help → 'help' { any token on the same line }
    mutating func parseHelp() -> StatementKind {
        advance()
        var topicRange: SourceRange?
        while !current.endsStatement {
            let token = advance()
            topicRange = topicRange.map { $0.union(token.range) } ?? token.range
        }
        guard let topicRange else { return .help(topic: nil) }
        let words = source.text(of: topicRange).split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
        return .help(topic: Name(words.joined(separator: " "), topicRange))
    }
}
