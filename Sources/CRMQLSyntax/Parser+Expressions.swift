import CRMQLCore

/// Binding strength of the expression levels, lowest first.
enum Precedence: Int, Comparable {
    case or = 1, and, not, comparison, concat, additive, multiplicative, unary, postfix, primary

    static func < (lhs: Precedence, rhs: Precedence) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The next tighter level (what the right operand of a left-associative operator is parsed at).
    var tighter: Precedence { Precedence(rawValue: rawValue + 1) ?? .primary }
}

/// An infix form found after an operand.
enum InfixForm {
    case binary(BinaryOperator)
    case between(negated: Bool)
    case inForm(negated: Bool)
    case isNull
}

// expression → or-expr
// or-expr → and-expr { 'or' and-expr }
// and-expr → not-expr { 'and' not-expr }
// not-expr → 'not' not-expr | comparison
// comparison → concat { comparison-op concat | ['not'] 'between' concat 'and' concat
//            | ['not'] 'in' ( '(' list ')' | date-range ) | 'is' ['not'] 'null' }
// concat → additive { '||' additive }
// additive → multiplicative { ('+' | '-') multiplicative }
// multiplicative → unary { ('*' | '/' | '%') unary }
// unary → '-' unary | postfix
// postfix → primary { '.' word }
extension Parser.State {
    /// A whole expression. Every nested expression comes through here or
    /// through a prefix operator, so counting here bounds the recursion.
    mutating func parseExpression() throws -> Node {
        try enterNesting()
        defer { nesting -= 1 }
        return try parseBinary(.or)
    }

    mutating func enterNesting() throws {
        guard nesting < Parser.maximumNestingDepth else {
            throw failure("expression nested too deeply", at: peekRequired().range)
        }
        nesting += 1
    }

    /// A leaf or inner node; refuses trees taller than the nesting limit, so
    /// that long operator chains are as safe to walk as deep brackets.
    func node(_ kind: ExprKind, _ range: SourceRange, _ children: [Node]) throws -> Node {
        let height = 1 + (children.map(\.height).max() ?? 0)
        guard height <= Parser.maximumNestingDepth else {
            throw failure("expression nested too deeply", at: previous?.range ?? range)
        }
        return Node(expr: Expr(kind, range), height: height)
    }

    // Stack use: every function on the recursive path (parseExpression →
    // parseBinary → parseUnary → parsePostfix → parsePrimary → a bracket,
    // call or case → parseExpression) is kept small, and the work that needs
    // many temporaries sits in helpers that return before the recursion goes
    // deeper. `@inline(never)` keeps the optimizer from folding those helpers
    // back into the recursive frames. At the nesting limit this keeps the
    // parser well within a 512 KB thread stack in release builds.

    /// Precedence climbing over the binary levels from `minimum` up.
    mutating func parseBinary(_ minimum: Precedence) throws -> Node {
        var left = try minimum <= .not && peekRequired().isWord("not") ? parseNot() : parseUnary()
        while let infix = infixForm(), infix.level >= minimum {
            left = try parseInfix(infix, left: left)
        }
        return left
    }

    /// Consumes an infix form's operator tokens and parses the rest of it.
    @inline(never)
    mutating func parseInfix(_ infix: (form: InfixForm, level: Precedence, width: Int), left: Node) throws -> Node {
        for _ in 0..<infix.width { advance() }
        switch infix.form {
        case .binary(let op): return try parseRightOperand(op, level: infix.level, left: left)
        case .between(let negated): return try parseBetween(left, negated: negated)
        case .inForm(let negated): return try parseIn(left, negated: negated)
        case .isNull: return try parseIsNull(left)
        }
    }

    // not-expr → 'not' not-expr
    @inline(never)
    mutating func parseNot() throws -> Node {
        let notToken = advance()
        try enterNesting()
        defer { nesting -= 1 }
        let operand = try parseBinary(.not)
        return try node(.unary(.not, operand.expr), notToken.range.union(operand.expr.range), [operand])
    }

    /// The infix form at the next token, its level and how many tokens spell it.
    mutating func infixForm() -> (form: InfixForm, level: Precedence, width: Int)? {
        let token = peek()
        switch token.kind {
        case .equal: return (.binary(.equal), .comparison, 1)
        case .notEqual: return (.binary(.notEqual), .comparison, 1)
        case .less: return (.binary(.less), .comparison, 1)
        case .lessEqual: return (.binary(.lessEqual), .comparison, 1)
        case .greater: return (.binary(.greater), .comparison, 1)
        case .greaterEqual: return (.binary(.greaterEqual), .comparison, 1)
        case .concat: return (.binary(.concat), .concat, 1)
        case .plus: return (.binary(.add), .additive, 1)
        case .minus: return (.binary(.subtract), .additive, 1)
        case .star: return (.binary(.multiply), .multiplicative, 1)
        case .slash: return (.binary(.divide), .multiplicative, 1)
        case .percent: return (.binary(.modulo), .multiplicative, 1)
        case .identifier: break
        default: return nil
        }
        switch token.text.lowercased() {
        case "or": return (.binary(.or), .or, 1)
        case "and": return (.binary(.and), .and, 1)
        case "contains": return (.binary(.contains), .comparison, 1)
        case "matches": return (.binary(.matches), .comparison, 1)
        case "starts": return (.binary(.startsWith), .comparison, 1)
        case "ends": return (.binary(.endsWith), .comparison, 1)
        case "between": return (.between(negated: false), .comparison, 1)
        case "in": return (.inForm(negated: false), .comparison, 1)
        case "is": return (.isNull, .comparison, 1)
        case "not":
            let second = peekSecond()
            if second.isWord("between") { return (.between(negated: true), .comparison, 2) }
            if second.isWord("in") { return (.inForm(negated: true), .comparison, 2) }
            return nil
        default: return nil
        }
    }

    // The rest of each infix form, once its operator tokens are consumed.

    @inline(never)
    mutating func parseRightOperand(_ op: BinaryOperator, level: Precedence, left: Node) throws -> Node {
        if op == .startsWith || op == .endsWith { try expectWord("with") }
        let right = try parseBinary(level.tighter)
        return try node(.binary(op, left.expr, right.expr), left.expr.range.union(right.expr.range), [left, right])
    }

    @inline(never)
    mutating func parseBetween(_ left: Node, negated: Bool) throws -> Node {
        let low = try parseBinary(.concat)
        try expectWord("and")
        let high = try parseBinary(.concat)
        return try node(.between(left.expr, low: low.expr, high: high.expr, negated: negated),
                        left.expr.range.union(high.expr.range), [left, low, high])
    }

    @inline(never)
    mutating func parseIsNull(_ left: Node) throws -> Node {
        let negated = skipRequiredWord("not")
        try expectWord("null")
        return try node(.isNull(left.expr, negated: negated), SourceRange(left.expr.range.start, lastEnd), [left])
    }

    @inline(never)
    mutating func parseIn(_ left: Node, negated: Bool) throws -> Node {
        let token = peekRequired()
        if token.kind == .leftParen {
            let open = advance()
            var items: [Node] = [left]
            repeat {
                items.append(try parseExpression())
            } while skip(.comma)
            return try finishInList(open: open, items: items, negated: negated)
        }
        if token.isWord("last") || token.isWord("this") || token.isWord("next") {
            let range = try parseDateRange()
            return try node(.inDateRange(left.expr, range, negated: negated), left.expr.range.union(range.range), [left])
        }
        throw failure(expected: "'(' and a list, or a date range such as 'last 30 days' or 'this month'")
    }

    /// `items` holds the tested value, then the list.
    @inline(never)
    mutating func finishInList(open: Token, items: [Node], negated: Bool) throws -> Node {
        let close = try expectClosing(open)
        let left = items[0].expr
        return try node(.inList(left, items.dropFirst().map(\.expr), negated: negated), left.range.union(close.range), items)
    }

    // date-range → ( 'last' | 'next' ) [ integer ] [ 'fiscal' ] unit [ 'including' 'this' ]
    //            | 'this' [ 'fiscal' ] unit
    mutating func parseDateRange() throws -> DateRangeSyntax {
        let directionToken = advance()
        let direction = DateRangeSyntax.Direction(rawValue: directionToken.text.lowercased()) ?? .this
        var count: Int64?
        if direction != .this, peekRequired().kind == .integer {
            let token = advance()
            guard case .integer(let magnitude?) = token.value, magnitude >= 1, magnitude <= UInt64(Int64.max) else {
                throw failure("the count of a date range must be a whole number from 1 up", at: token.range)
            }
            count = Int64(magnitude)
        }
        let fiscal = skipRequiredWord("fiscal")
        let unitToken = peekRequired()
        guard unitToken.kind == .identifier, let unit = Keywords.durationUnit(unitToken.text.lowercased()) else {
            throw failure(expected: fiscal ? "'quarter' or 'year'" : "a period (days, weeks, months, quarters, years)")
        }
        advance()
        if fiscal, unit != .quarter, unit != .year {
            throw failure("a fiscal range counts quarters or years, not \(unitToken.text)", at: unitToken.range)
        }
        var end = unitToken.range
        var includesCurrent = false
        if peek().isWord("including") {
            let including = advance()
            guard peekRequired().isWord("this") else { throw failure(expected: "'this' (as in 'last 12 months including this')") }
            end = advance().range
            let phrase = including.range.union(end)
            guard count != nil else {
                throw failure("'including this' goes with a count of periods, as in '\(direction.rawValue) 12 months including this'", at: phrase)
            }
            guard unit != .day else {
                throw failure("'\(direction.rawValue) n days' already counts today; 'including this' is for weeks, months, quarters and years", at: phrase)
            }
            includesCurrent = true
        }
        return DateRangeSyntax(direction: direction, count: count, unit: unit, fiscal: fiscal, includesCurrent: includesCurrent,
                               range: directionToken.range.union(end))
    }

    // unary → '-' unary | postfix
    mutating func parseUnary() throws -> Node {
        try peekRequired().kind == .minus ? parseNegation() : parsePostfix()
    }

    @inline(never)
    mutating func parseNegation() throws -> Node {
        let minus = advance()
        // `-7` is one literal, which is also how `-9223372036854775808` fits.
        if foldsIntoLiteral(peekRequired()) {
            return try parseNumber(negatedBy: minus)
        }
        try enterNesting()
        defer { nesting -= 1 }
        let operand = try parseUnary()
        return try node(.unary(.negate, operand.expr), minus.range.union(operand.expr.range), [operand])
    }

    /// True when a minus before `number` (the current token) can become part
    /// of the literal: not when a postfix `.field` follows the literal (or
    /// its duration unit), since `.` binds tighter: `-5.x` is `-(5.x)`.
    func foldsIntoLiteral(_ number: Token) -> Bool {
        guard number.kind == .integer || number.kind == .number, !number.hasError else { return false }
        var after = index + 1
        if number.kind == .integer, tokens[after].kind == .identifier,
           Keywords.durationUnit(tokens[after].text.lowercased()) != nil, tokens[after + 1].kind != .leftParen {
            after += 1
        }
        return tokens[indexPastNewlines(from: after)].kind != .dot
    }

    // postfix → primary { '.' word }
    mutating func parsePostfix() throws -> Node {
        let base = try parsePrimary()
        return try peek().kind == .dot ? parseMembers(base) : base
    }

    @inline(never)
    mutating func parseMembers(_ start: Node) throws -> Node {
        var base = start
        while skip(.dot) {
            let name = try expectAnyWord("a field name after '.'")
            base = try node(.member(base.expr, name), base.expr.range.union(name.range), [base])
        }
        return base
    }

    // number → integer [ unit ] | decimal
    // unit → 'day' | 'days' | 'week' | 'weeks' | 'month' | 'months' | 'quarter' | 'quarters' | 'year' | 'years'
    @inline(never)
    mutating func parseNumber(negatedBy minus: Token?) throws -> Node {
        let token = advance()
        let range = minus.map { $0.range.union(token.range) } ?? token.range
        switch token.value {
        case .number(let value):
            return Node(expr: Expr(.literal(.number(minus == nil ? value : -value)), range), height: 1)
        case .integer(let magnitude):
            let value: Int64?
            switch (magnitude, minus) {
            case (let magnitude?, nil): value = magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
            case (let magnitude?, _?):
                value = magnitude == UInt64(Int64.max) + 1 ? Int64.min
                    : magnitude <= UInt64(Int64.max) ? -Int64(magnitude) : nil
            default: value = nil
            }
            guard let value else {
                throw failure("integer \(source.text(of: range)) does not fit in 64 bits", at: range)
            }
            // `30 days`: the unit must follow on the same line, and `day(x)` is a call.
            let unitToken = current
            if unitToken.kind == .identifier, let unit = Keywords.durationUnit(unitToken.text.lowercased()),
               tokens[index + 1].kind != .leftParen {
                advance()
                return Node(expr: Expr(.duration(value, unit), range.union(unitToken.range)), height: 1)
            }
            return Node(expr: Expr(.literal(.int(value)), range), height: 1)
        default:
            return Node(expr: Expr(.literal(.null), range), height: 1)
        }
    }
}
