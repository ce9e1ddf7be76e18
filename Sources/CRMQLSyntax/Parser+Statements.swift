import CRMQLCore

// The statements that change the store or move data in and out.
extension Parser.State {
    // create → 'create' 'entity' name '(' field-declaration { ',' field-declaration } ')'
    //        | 'create' 'index' 'on' name '(' name ')'
    mutating func parseCreate() throws -> StatementKind {
        advance()
        let token = peekRequired()
        if token.isWord("index") {
            advance()
            let (entity, field) = try parseIndexTarget()
            return .createIndex(entity: entity, field: field)
        }
        guard token.isWord("entity") else {
            let match = token.kind == .identifier ? Suggestion.closest(to: token.text, among: ["entity", "index"]) : nil
            throw failure("expected 'entity' or 'index' after 'create'", found: token, suggestion: match)
        }
        advance()
        let name = try expectName("an entity name")
        let open = try expect(.leftParen, "'(' and the field declarations")
        var fields: [FieldDeclaration] = []
        repeat {
            fields.append(try parseFieldDeclaration())
        } while skip(.comma)
        try expectClosing(open)
        return .createEntity(name: name, fields: fields)
    }

    // field-declaration → name type [ 'key' ]
    // type → 'int' | 'number' | 'text' | 'bool' | 'date' | 'datetime'
    //      | 'enum' '(' symbol { ',' symbol } ')' | 'ref' name
    mutating func parseFieldDeclaration() throws -> FieldDeclaration {
        let name = try expectName("a field name")
        let token = peekRequired()
        let type: TypeSyntax
        if token.isWord("enum") {
            advance()
            let open = try expect(.leftParen, "'(' and the enum's symbols")
            var symbols: [Name] = []
            repeat {
                let symbol = peekRequired()
                switch symbol.kind {
                case .identifier where !symbol.isReserved, .quotedIdentifier, .string:
                    advance()
                    symbols.append(Name(symbol.text, symbol.range))
                default:
                    throw failure(expected: "an enum symbol")
                }
            } while skip(.comma)
            let close = try expectClosing(open)
            type = .enumeration(symbols, range: token.range.union(close.range))
        } else if token.isWord("ref") {
            advance()
            let target = try expectName("the entity the field refers to")
            type = .ref(target, range: token.range.union(target.range))
        } else if token.kind == .identifier, Keywords.scalarTypes.contains(token.text.lowercased()) {
            advance()
            type = .named(Name(token.text, token.range))
        } else if token.kind == .identifier {
            let base = "unknown type '\(token.text)'"
            throw failure(Suggestion.message(base, for: token.text, among: Keywords.scalarTypes + ["enum", "ref"]), at: token.range)
        } else {
            throw failure(expected: "a type (int, number, text, bool, date, datetime, enum(...), ref <entity>)")
        }
        let key = skipWord("key")
        return FieldDeclaration(name: name, type: type, isKey: key, range: SourceRange(name.range.start, lastEnd))
    }

    // index-target → 'on' name '(' name ')'
    mutating func parseIndexTarget() throws -> (Name, Name) {
        try expectWord("on")
        let entity = try expectName("an entity name")
        let open = try expect(.leftParen, "'(' and a field name")
        let field = try expectName("a field name")
        try expectClosing(open)
        return (entity, field)
    }

    // drop → 'drop' 'index' 'on' name '(' name ')' | 'drop' 'model' name
    mutating func parseDrop() throws -> StatementKind {
        advance()
        if skipWord("model") { return .dropModel(name: try expectName("a model name")) }
        try expectWord("index")
        let (entity, field) = try parseIndexTarget()
        return .dropIndex(entity: entity, field: field)
    }

    // load → 'load' name 'from' expression [ 'with' '(' option { ',' option } ')' ]
    // option → word '=' expression
    mutating func parseLoad() throws -> StatementKind {
        advance()
        let entity = try expectName("an entity name")
        try expectWord("from")
        let path = try parseExpression().expr
        var options: [OptionItem] = []
        if skipWord("with") {
            let open = try expect(.leftParen, "'(' and options such as header = true")
            repeat {
                let name = try expectAnyWord("an option name (header, delimiter, skip_bad)")
                try expect(.equal, "'='")
                options.append(OptionItem(name: name, value: try parseExpression().expr))
            } while skip(.comma)
            try expectClosing(open)
        }
        return .load(entity: entity, path: path, options: options)
    }

    // insert → 'insert' 'into' name [ '(' name { ',' name } ')' ] 'values' row { ',' row }
    // row → '(' expression { ',' expression } ')'
    mutating func parseInsert() throws -> StatementKind {
        advance()
        try expectWord("into")
        let entity = try expectName("an entity name")
        var fields: [Name] = []
        if let open = accept(.leftParen) {
            repeat {
                fields.append(try expectName("a field name"))
            } while skip(.comma)
            try expectClosing(open)
        }
        try expectWord("values")
        var rows: [[Expr]] = []
        repeat {
            let open = try expect(.leftParen, "'(' and a row of values")
            var row: [Expr] = []
            repeat {
                row.append(try parseExpression().expr)
            } while skip(.comma)
            let close = try expectClosing(open)
            if !fields.isEmpty, row.count != fields.count {
                throw failure("this row has \(row.count) value\(row.count == 1 ? "" : "s") but \(fields.count) field\(fields.count == 1 ? " is" : "s are") named",
                              at: open.range.union(close.range))
            }
            rows.append(row)
        } while skip(.comma)
        return .insert(entity: entity, fields: fields, rows: rows)
    }

    // update → 'update' name 'set' assignment { ',' assignment } [ 'where' expression ]
    // assignment → name '=' expression
    mutating func parseUpdate() throws -> StatementKind {
        advance()
        let entity = try expectName("an entity name")
        try expectWord("set")
        var assignments: [Assignment] = []
        repeat {
            let field = try expectName("a field name")
            try expect(.equal, "'='")
            assignments.append(Assignment(field: field, value: try parseExpression().expr))
        } while skip(.comma)
        var whereClause: Expr?
        if skipWord("where") { whereClause = try parseExpression().expr }
        return .update(entity: entity, assignments: assignments, whereClause: whereClause)
    }

    // delete → 'delete' [ 'from' ] name [ 'where' expression ] [ 'cascade' ]
    mutating func parseDelete() throws -> StatementKind {
        advance()
        if peekRequired().isWord("from"), tokens[index + 1].kind == .identifier || tokens[index + 1].kind == .quotedIdentifier {
            advance()
        }
        let entity = try expectName("an entity name")
        var whereClause: Expr?
        if skipWord("where") { whereClause = try parseExpression().expr }
        let cascade = skipWord("cascade")
        return .delete(entity: entity, whereClause: whereClause, cascade: cascade)
    }

    // export → 'export' query 'to' expression
    mutating func parseExport() throws -> StatementKind {
        advance()
        let query = try parseQuery()
        try expectWord("to")
        return .export(query: query, path: try parseExpression().expr)
    }

    /// Consumes the `)` that closes `open`, or fails pointing back at it.
    @discardableResult
    mutating func expectClosing(_ open: Token) throws -> Token {
        try expectClosing(open.range)
    }

    @discardableResult
    mutating func expectClosing(_ open: SourceRange) throws -> Token {
        let token = peekRequired()
        guard token.kind == .rightParen else {
            throw failure("expected ')' to close the '(' at line \(source.line(of: open.start))", found: token)
        }
        return advance()
    }
}
