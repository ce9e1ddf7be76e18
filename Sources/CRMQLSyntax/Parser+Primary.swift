import CRMQLCore

// primary → number | string | date | datetime | 'true' | 'false' | 'null'
//         | parameter | name [ '(' arguments ')' ] | '(' expression ')' | case
extension Parser.State {
    /// Dispatches on the first token; the cases that recurse each have their
    /// own small function, so this frame stays small on the recursive path.
    mutating func parsePrimary() throws -> Node {
        switch peekRequired().kind {
        case .leftParen:
            return try parseParenthesized()
        case .identifier where peekRequired().isWord("case"):
            return try parseCase()
        case .identifier where !peekRequired().isReserved, .quotedIdentifier:
            // A call goes straight to `parseCall`, keeping one frame off the recursive path.
            return try startsCall() ? parseCall() : parseName()
        default:
            return try parseAtom()
        }
    }

    /// True when the name at the current token is followed by `(`, past line
    /// breaks only inside brackets (as everywhere else).
    func startsCall() -> Bool {
        var next = index + 1
        if bracketDepth > 0 { next = indexPastNewlines(from: next) }
        return next < tokens.count && tokens[next].kind == .leftParen
    }

    // '(' expression { ',' expression } ')'
    @inline(never)
    mutating func parseParenthesized() throws -> Node {
        let open = advance()
        let inner = try parseExpression()
        if peekRequired().kind == .comma {
            // A list of inputs, as in `on: (recency, revenue)`.
            var items = [inner]
            while skip(.comma) { items.append(try parseExpression()) }
            let close = try expectClosing(open)
            return try node(.tuple(items.map(\.expr)), open.range.union(close.range), items)
        }
        let close = try expectClosing(open)
        // The brackets belong to the expression's text: `show (a + b)` is named `(a + b)`.
        return Node(expr: Expr(inner.expr.kind, open.range.union(close.range)), height: inner.height)
    }

    // name
    @inline(never)
    mutating func parseName() throws -> Node {
        let token = advance()
        return leaf(.identifier(token.text, quoted: token.kind == .quotedIdentifier), token.range)
    }

    // number | string | date | datetime | parameter
    @inline(never)
    mutating func parseAtom() throws -> Node {
        let token = peekRequired()
        switch (token.kind, token.value) {
        case (.integer, _), (.number, _):
            return try parseNumber(negatedBy: nil)
        case (.string, .text(let text)):
            advance()
            return leaf(.literal(.text(text)), token.range)
        case (.date, .date(let days)):
            advance()
            return leaf(.literal(.date(days)), token.range)
        case (.datetime, .datetime(let seconds)):
            advance()
            return leaf(.literal(.datetime(seconds)), token.range)
        case (.parameter, .text(let name)):
            advance()
            return leaf(.parameter(name), token.range)
        case (.identifier, _) where token.isWord("true") || token.isWord("false"):
            advance()
            return leaf(.literal(.bool(token.isWord("true"))), token.range)
        case (.identifier, _) where token.isWord("null"):
            advance()
            return leaf(.literal(.null), token.range)
        default:
            throw failure(expected: "an expression")
        }
    }

    func leaf(_ kind: ExprKind, _ range: SourceRange) -> Node {
        Node(expr: Expr(kind, range), height: 1)
    }

    // call → name '(' [ [ 'distinct' ] argument { ',' argument } ] ')'
    // argument → [ word ':' ] ( expression [ 'where' expression ] | 'fiscal' ( 'quarter' | 'year' ) )
    @inline(never)
    mutating func parseCall() throws -> Node {
        let nameToken = advance()
        let name = Name(nameToken.text, nameToken.range)
        _ = peekRequired()
        let open = advance().range
        var arguments: [Node] = []
        var distinct = false
        if peekRequired().kind != .rightParen {
            distinct = skipRequiredWord("distinct")
            repeat {
                arguments.append(try parseCallArgument())
            } while skip(.comma)
        }
        return try finishCall(name, open: open, arguments: arguments, distinct: distinct)
    }

    @inline(never)
    mutating func parseCallArgument() throws -> Node {
        let token = peekRequired()
        if token.kind == .identifier || token.kind == .quotedIdentifier,
           tokens[indexPastNewlines(from: index + 1)].kind == .colon {
            // `by` and `order` are reserved words, but a label is only ever a label.
            let label = Name(token.text, token.range)
            advance()
            advance()
            let value = try parseUnlabeledArgument()
            return try node(.labeled(label, value.expr), label.range.union(value.expr.range), [value])
        }
        return try parseUnlabeledArgument()
    }

    @inline(never)
    mutating func parseUnlabeledArgument() throws -> Node {
        if peekRequired().isWord("fiscal") {
            let next = tokens[indexPastNewlines(from: index + 1)]
            if next.kind == .identifier, let unit = Keywords.durationUnit(next.text.lowercased()), unit == .quarter || unit == .year {
                let fiscal = advance()
                let unitToken = advance()
                let range = fiscal.range.union(unitToken.range)
                return leaf(.fiscalPeriod(unit, range), range)
            }
        }
        let argument = try parseExpression()
        guard skipWord("where") else { return argument }
        let condition = try parseExpression()
        return try node(.filtered(argument.expr, condition: condition.expr),
                        argument.expr.range.union(condition.expr.range), [argument, condition])
    }

    @inline(never)
    mutating func finishCall(_ name: Name, open: SourceRange, arguments: [Node], distinct: Bool) throws -> Node {
        let close = try expectClosing(open)
        return try node(.call(name, arguments.map(\.expr), distinct: distinct), name.range.union(close.range), arguments)
    }

    // case → 'case' 'when' expression 'then' expression { 'when' expression 'then' expression }
    //        [ 'else' expression ] 'end'
    @inline(never)
    mutating func parseCase() throws -> Node {
        let start = advance().range
        guard peekRequired().isWord("when") else { throw failure(expected: "'when'") }
        var parts: [Node] = []
        while skipRequiredWord("when") {
            parts.append(try parseExpression())
            try expectWord("then")
            parts.append(try parseExpression())
        }
        var hasElse = false
        if skipRequiredWord("else") {
            parts.append(try parseExpression())
            hasElse = true
        }
        return try finishCase(start: start, parts: parts, hasElse: hasElse)
    }

    /// `parts` holds condition, value pairs, then the `else` value if there is one.
    @inline(never)
    mutating func finishCase(start: SourceRange, parts: [Node], hasElse: Bool) throws -> Node {
        guard peekRequired().isWord("end") else {
            throw failure(expected: hasElse ? "'end'" : "'when', 'else' or 'end'")
        }
        let end = advance()
        let armCount = (parts.count - (hasElse ? 1 : 0)) / 2
        let arms = (0..<armCount).map { (condition: parts[2 * $0].expr, value: parts[2 * $0 + 1].expr) }
        let otherwise = hasElse ? parts.last?.expr : nil
        return try node(.caseWhen(arms, otherwise: otherwise), start.union(end.range), parts)
    }

    /// One expression filling the whole text; line breaks are whitespace.
    mutating func parseStandaloneExpression() -> Expr? {
        // As inside brackets, no line break can end anything here.
        bracketDepth = 1
        do {
            let expr = try parseExpression()
            let token = peekRequired()
            guard token.kind == .endOfInput else {
                if token.kind == .invalid { throw ParseFailure(diagnostic: nil) }
                throw failure("expected the end of the expression, found \(describe(token))", at: token.range)
            }
            return statementHasLexError ? nil : expr.expr
        } catch {
            record(error)
            return nil
        }
    }
}
