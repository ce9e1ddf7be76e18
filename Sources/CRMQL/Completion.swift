import CRMQLCore
import CRMQLSyntax
import Foundation

/// Context-aware completion of a statement being typed, for any host where
/// a person types CRMQL: a shell, an editor, a notebook cell.
///
/// It completes against a `Schema` rather than a live database, so it never
/// waits for a running statement, and a host can complete against a schema
/// it made itself (an editor with no data loaded):
///
/// ```swift
/// let completion = Completion(schema: db.schema)
/// let words = completion.candidates(for: "select customers where st", cursor: 25)
/// ```
///
/// Take a new `schema` after statements that change it (`load`, `define`,
/// `let`, `param`); the shell takes one at each Tab.
public struct Completion: Sendable {
    /// The names completion draws on.
    public let schema: Schema

    /// Completes against `schema`.
    public init(schema: Schema) {
        self.schema = schema
    }

    /// Candidates for completing the word before `cursor` in `text`, a
    /// statement being typed: keywords, entity and field names, enum
    /// symbols, functions, parameters or file paths, as the position calls for.
    ///
    /// - Parameters:
    ///   - text: the statement so far (all its lines).
    ///   - cursor: a UTF-8 byte offset into `text`.
    /// - Returns: whole replacement words for the text just before the cursor
    ///   (`stage` for `st`, `$segment` for `$se`, `data/orders.csv"` inside a
    ///   string); enum symbols in declaration order, other names grouped
    ///   (keywords, fields, functions) and sorted; empty when nothing fits.
    public func candidates(for text: String, cursor: Int) -> [String] {
        let bytes = Array(text.utf8)
        var end = min(max(0, cursor), bytes.count)
        // Never split a multi-byte character.
        while end > 0, end < bytes.count, bytes[end] & 0xC0 == 0x80 { end -= 1 }
        let before = String(decoding: bytes[0..<end], as: UTF8.self)
        if before.hasSuffix("$") {
            return schema.parameters.map { "$" + $0 }
        }
        let (allTokens, diagnostics) = Lexer.tokenize(SourceFile(name: "<completion>", text: before))
        var tokens = allTokens.filter { $0.kind != .endOfInput && $0.kind != .newline }
        if let lastSemicolon = tokens.lastIndex(where: { $0.kind == .semicolon }) {
            tokens.removeSubrange(...lastSemicolon)
        }

        var partial = ""
        if let last = tokens.last, last.range.end == end {
            switch last.kind {
            case .string:
                let isOpen = diagnostics.contains { $0.isIncompleteInput && $0.range?.start == last.range.start }
                guard isOpen else { return [] }
                return pathCandidates(inStringAt: last, of: bytes, context: Array(tokens.dropLast()))
            case .parameter:
                return matching(schema.parameters, last.text).map { "$" + $0 }
            case .identifier:
                partial = last.text
                tokens.removeLast()
            case .quotedIdentifier, .integer, .number, .date, .datetime, .invalid:
                return []
            default:
                break
            }
        }
        var seen: Set<String> = []
        return candidates(after: tokens, partial: partial).filter { seen.insert($0).inserted }
    }

    /// File and directory names that complete `partial`, a path typed so
    /// far; directories end in `/`, files in `closing` (the quote that ends
    /// a string, or nothing). What `candidates` offers inside the string
    /// of a `load`, `export`, `save` or `open`, for a host's own commands
    /// that take a file (the shell's `.read` and `.output`), so that they
    /// complete the same way.
    public static func paths(completing partial: String, closing: String = "") -> [String] {
        let directoryPart: String
        let namePrefix: String
        if let slash = partial.lastIndex(of: "/") {
            directoryPart = String(partial[...slash])
            namePrefix = String(partial[partial.index(after: slash)...])
        } else {
            directoryPart = ""
            namePrefix = partial
        }
        let directory = directoryPart.isEmpty ? "." : directoryPart
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: directory) else { return [] }
        return names
            .filter { $0.hasPrefix(namePrefix) && (namePrefix.hasPrefix(".") || !$0.hasPrefix(".")) }
            .sorted()
            .prefix(500)
            .map { name in
                var isDirectory: ObjCBool = false
                let path = directoryPart + name
                _ = manager.fileExists(atPath: path, isDirectory: &isDirectory)
                return path + (isDirectory.boolValue ? "/" : closing)
            }
    }

    // MARK: Positions

    /// The statement words that take an entity right after them.
    private static let entityAfter: Set<String> = ["select", "count", "describe", "from", "into", "update", "delete", "load", "on", "define"]
    /// Words in front of a file name string.
    private static let fileAfter: Set<String> = ["from", "to", "open", "save"]
    /// What may follow a finished operand when nothing is typed yet.
    private static let afterOperand = ["and", "or", "where", "group", "having", "show", "order", "limit", "offset", "as", "asc", "desc"]
    /// Words that are not reserved yet need something after them.
    private static let expectsOperand: Set<String> = [
        "set", "values", "with", "into", "from", "to", "on", "entity", "index", "let", "param", "define",
        "describe", "load", "update", "delete", "select", "export", "explain", "analyze", "help",
    ]
    private static let comparisons: Set<TokenKind> = [.equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual]

    private func candidates(after tokens: [Token], partial: String) -> [String] {
        guard let previous = tokens.last else {
            return keywords(Keywords.statements, partial)
        }
        let previousWord = previous.keyword ?? (previous.kind == .identifier ? previous.text.lowercased() : nil)
        if tokens.count == 1, let word = previousWord, let next = Completion.followers[word] {
            var names = keywords(next, partial)
            if Completion.entityAfter.contains(word) {
                names += entities(partial, includingQueries: word == "select")
            }
            if word == "select" { names += matching(["rules("], partial) }
            return names
        }
        if previous.kind == .dot {
            return memberCandidates(tokens, partial)
        }
        if let symbols = enumSymbols(tokens) {
            // Declaration order, the order the values mean something in.
            let lowered = partial.lowercased()
            return symbols.filter { $0.lowercased().hasPrefix(lowered) }
        }
        if let word = previousWord, Completion.entityAfter.contains(word), previous.kind == .identifier {
            if word == "count", tokens.count >= 2, !tokens[tokens.count - 2].isWord("select") {
                // `count` as a function name inside an expression.
            } else if word == "from" && isLoad(tokens) {
                return []
            } else {
                var names = entities(partial, includingQueries: ["select", "count", "from"].contains(word))
                if word == "select" {
                    names += keywords(["count"], partial) + matching(["rules("], partial)
                }
                return names
            }
        }
        if let word = previousWord, word == "with", isLoad(tokens) {
            return []
        }
        let entity = entityInScope(tokens)
        if isAfterOperand(previous) {
            return keywords(partial.isEmpty ? Completion.afterOperand : Keywords.all, partial)
        }
        var names = matching(entity?.allNames ?? [], partial)
        names += matching(schema.functions, partial).map { $0 + "(" }
        if !partial.isEmpty {
            names += matching(["today"], partial) + keywords(["not", "case", "when", "then", "else", "end", "null", "true", "false", "distinct"], partial)
        }
        return names
    }

    /// Statement words and what may follow them as the second word.
    private static let followers: [String: [String]] = [
        "select": ["count"], "describe": [], "update": [], "delete": [], "load": [], "define": [],
        "create": ["entity", "index"], "drop": ["index", "model"], "show": ["entities", "indexes", "models"],
        "explain": ["select", "analyze"], "export": ["select"], "insert": ["into"],
        "set": ["today", "fiscal_year_start"], "help": [],
    ]

    private func isLoad(_ tokens: [Token]) -> Bool { tokens.first?.isWord("load") ?? false }

    private func isAfterOperand(_ token: Token) -> Bool {
        switch token.kind {
        case .integer, .number, .string, .date, .datetime, .rightParen, .parameter, .quotedIdentifier:
            return true
        case .identifier:
            let word = token.text.lowercased()
            if Completion.expectsOperand.contains(word) { return false }
            return !Keywords.reserved.contains(word) || ["null", "true", "false", "end"].contains(word)
        default:
            return false
        }
    }

    // MARK: Names in scope

    /// The entity whose fields are in scope at the end of `tokens`: the
    /// relation inside an unclosed `count(orders where ...`, the entity of
    /// `rules(orders, ...`, else the statement's entity.
    private func entityInScope(_ tokens: [Token]) -> Schema.Entity? {
        let statementEntity = statementEntity(tokens)
        var depth = 0
        for index in tokens.indices.reversed() {
            switch tokens[index].kind {
            case .rightParen: depth += 1
            case .leftParen where depth > 0: depth -= 1
            case .leftParen:
                let inner = tokens[(index + 1)...]
                if let first = inner.first, first.kind == .identifier {
                    if index > 0, ["rules", "sequences", "clusters", "classifier"].contains(where: tokens[index - 1].isWord) {
                        return schema.entity(named: first.text)
                    }
                    if inner.contains(where: { $0.isWord("where") }), let child = schema.entity(named: first.text),
                       statementEntity?.relations.contains(first.text) ?? true {
                        return child
                    }
                }
            default: break
            }
        }
        return statementEntity
    }

    /// The entity a statement works on: `select [count] E`, `update E`,
    /// `delete E`, `insert into E`, `define E.`, `create index on E(`.
    private func statementEntity(_ tokens: [Token]) -> Schema.Entity? {
        for (index, token) in tokens.enumerated() where index + 1 < tokens.count {
            let word = token.keyword
            guard word == "select" || word == "update" || word == "delete" || word == "into" || word == "define" || word == "on" else { continue }
            var next = index + 1
            if word == "select", tokens[next].isWord("count"), next + 1 < tokens.count { next += 1 }
            if let entity = schema.entity(named: tokens[next].text) { return entity }
        }
        return nil
    }

    /// After `base.` : the fields of what `base` leads to: a ref field's
    /// parent entity, a relation's child entity, or an entity by name.
    private func memberCandidates(_ tokens: [Token], _ partial: String) -> [String] {
        var path: [String] = []
        var index = tokens.count - 1
        while index >= 1, tokens[index].kind == .dot, tokens[index - 1].kind == .identifier {
            path.insert(tokens[index - 1].text, at: 0)
            index -= 2
        }
        guard let entity = resolve(path, from: entityInScope(Array(tokens[...max(0, index)]))) else { return [] }
        return matching(entity.allNames, partial)
    }

    private func resolve(_ path: [String], from start: Schema.Entity?) -> Schema.Entity? {
        guard let head = path.first else { return start }
        var current: Schema.Entity?
        if let start, let target = step(from: start, head) {
            current = target
        } else {
            current = schema.entity(named: head)
        }
        for name in path.dropFirst() {
            guard let entity = current else { return nil }
            current = step(from: entity, name)
        }
        return current
    }

    private func step(from entity: Schema.Entity, _ name: String) -> Schema.Entity? {
        if let target = entity.field(named: name)?.referencedEntity { return schema.entity(named: target) }
        if entity.relations.contains(name) { return schema.entity(named: name) }
        return nil
    }

    /// The symbols of the enum field compared at the end of `tokens`:
    /// `stage =`, `stage !=`, `stage in (`, `stage not in (growth, `.
    private func enumSymbols(_ tokens: [Token]) -> [String]? {
        var index = tokens.count - 1
        guard index >= 1 else { return nil }
        if Completion.comparisons.contains(tokens[index].kind) {
            index -= 1
        } else {
            // Back over `( sym, sym, ` to the `in`.
            while index >= 0, tokens[index].kind == .comma || tokens[index].kind == .identifier { index -= 1 }
            guard index >= 1, tokens[index].kind == .leftParen, tokens[index - 1].isWord("in") else { return nil }
            index -= 2
            if index >= 0, tokens[index].isWord("not") { index -= 1 }
        }
        guard index >= 0, tokens[index].kind == .identifier || tokens[index].kind == .quotedIdentifier else { return nil }
        var path = [tokens[index].text]
        while index >= 2, tokens[index - 1].kind == .dot, tokens[index - 2].kind == .identifier {
            path.insert(tokens[index - 2].text, at: 0)
            index -= 2
        }
        let fieldName = path.removeLast()
        let owner = resolve(path, from: entityInScope(Array(tokens[...index])))
        return owner?.field(named: fieldName)?.enumSymbols
            ?? owner?.computedFields.first { $0.name == fieldName }?.enumSymbols
    }

    // MARK: Files

    private func pathCandidates(inStringAt token: Token, of bytes: [UInt8], context: [Token]) -> [String] {
        guard let previous = context.last, let word = previous.keyword, Completion.fileAfter.contains(word) else { return [] }
        let start = min(token.range.start, bytes.count)
        guard start < bytes.count else { return [] }
        let quote = String(decoding: [bytes[start]], as: UTF8.self)
        let typed = String(decoding: bytes[(start + 1)..<min(token.range.end, bytes.count)], as: UTF8.self)
        return Completion.paths(completing: typed, closing: quote)
    }

    // MARK: Matching

    private func entities(_ partial: String, includingQueries: Bool) -> [String] {
        matching(schema.entities.map(\.name) + (includingQueries ? schema.namedQueries : []), partial)
    }

    /// Names starting with `partial`, ignoring case, in their own spelling.
    private func matching(_ names: [String], _ partial: String) -> [String] {
        let lowered = partial.lowercased()
        return Array(Set(names.filter { $0.lowercased().hasPrefix(lowered) })).sorted()
    }

    /// Keywords starting with `partial`, upper-cased when the user types in
    /// capitals.
    private func keywords(_ words: [String], _ partial: String) -> [String] {
        let shout = !partial.isEmpty && partial == partial.uppercased() && partial != partial.lowercased()
        return matching(words, partial).map { shout ? $0.uppercased() : $0 }
    }
}
