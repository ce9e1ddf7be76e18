import CRMQLCore

// query → 'select' [ 'count' ] source [ 'as' 'of' expression ] { clause }
// clause → 'where' expression | 'group' 'by' items | 'having' expression
//        | 'show' items | 'order' 'by' order-items | 'limit' expression
//        | 'offset' expression
extension Parser.State {
    mutating func parseQuery() throws -> Query {
        let select = try expectWord("select")
        var isCount = false
        if peekRequired().isWord("count") {
            // `select count <source>`: an entity named `count` needs backquotes.
            advance()
            isCount = true
        }
        let source = try parseSource()
        var query = Query(source: source, isCount: isCount, range: select.range)
        if peek().isWord("as"), tokens[indexPastNewlines(from: index + 1)].isWord("of") {
            advance()
            advance()
            query.asOf = try parseExpression().expr
        }
        var seen: Set<String> = []
        while true {
            let token = peek()
            guard token.kind == .identifier else { break }
            let clause = token.text.lowercased()
            guard Keywords.clauses.contains(clause) else { break }
            if seen.contains(clause) {
                let spelled = clause == "group" || clause == "order" ? "\(clause) by" : clause
                throw failure("duplicate '\(spelled)' clause; a query takes each clause at most once", at: token.range)
            }
            seen.insert(clause)
            advance()
            switch clause {
            case "where":
                query.whereClause = try parseExpression().expr
            case "group":
                try expectWord("by")
                query.groupBy = try parseShowItems(allowStar: false)
            case "having":
                query.having = try parseExpression().expr
            case "show":
                query.show = try parseShowItems(allowStar: true)
            case "order":
                try expectWord("by")
                query.orderBy = try parseOrderItems()
            case "limit":
                query.limit = try parseExpression().expr
            default:
                query.offset = try parseExpression().expr
            }
        }
        query.range = SourceRange(select.range.start, lastEnd)
        return query
    }

    // source → name [ '(' [ argument { ',' argument } ] ')' ]
    // argument → [ word ':' ] ( expression [ 'where' expression ] | 'fiscal' ( 'quarter' | 'year' ) )
    mutating func parseSource() throws -> QuerySource {
        let name = try expectName("an entity or query name")
        guard let open = accept(.leftParen) else { return .named(name) }
        var arguments: [Argument] = []
        if peekRequired().kind != .rightParen {
            repeat {
                var label: Name?
                let token = peekRequired()
                if token.kind == .identifier || token.kind == .quotedIdentifier,
                   tokens[indexPastNewlines(from: index + 1)].kind == .colon {
                    label = Name(token.text, token.range)
                    advance()
                    advance()
                }
                arguments.append(Argument(label: label, value: try parseUnlabeledArgument().expr))
            } while skip(.comma)
        }
        let close = try expectClosing(open)
        return .function(name: name, arguments: arguments, range: name.range.union(close.range))
    }

    // items → item { ',' item }
    // item → '*' | expression [ 'as' name ]
    mutating func parseShowItems(allowStar: Bool) throws -> [ShowItem] {
        var items: [ShowItem] = []
        repeat {
            let token = peekRequired()
            if token.kind == .star, allowStar {
                advance()
                items.append(.star(token.range))
                continue
            }
            let expr = try parseExpression().expr
            var alias: Name?
            if skipWord("as") { alias = try expectName("a column name") }
            items.append(.expr(expr, alias: alias))
        } while skip(.comma)
        return items
    }

    // order-items → order-item { ',' order-item }
    // order-item → expression [ 'asc' | 'desc' ] [ 'nulls' ( 'first' | 'last' ) ]
    mutating func parseOrderItems() throws -> [OrderItem] {
        var items: [OrderItem] = []
        repeat {
            let expr = try parseExpression().expr
            var descending = false
            if skipWord("desc") {
                descending = true
            } else {
                _ = skipWord("asc")
            }
            var nullsFirst: Bool?
            if skipWord("nulls") {
                if skipRequiredWord("first") {
                    nullsFirst = true
                } else if skipRequiredWord("last") {
                    nullsFirst = false
                } else {
                    throw failure(expected: "'first' or 'last'")
                }
            }
            items.append(OrderItem(expr: expr, descending: descending, nullsFirst: nullsFirst,
                                   range: SourceRange(expr.range.start, lastEnd)))
        } while skip(.comma)
        return items
    }
}
