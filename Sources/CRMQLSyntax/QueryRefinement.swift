import CRMQLCore

/// Appending a clause to the query just run: at the REPL, `show name,
/// loyalty` typed after `select customers where loyalty > 0.8` runs
/// `select customers where loyalty > 0.8 show name, loyalty`. A clause the
/// query already has is replaced; `and …` / `or …` extend its `where`.
public enum QueryRefinement {
    /// True when `text` is exactly one `select` statement.
    public static func isSingleQuery(_ text: String) -> Bool {
        let (script, diagnostics) = Parser.parse(SourceFile(name: "<input>", text: text))
        guard diagnostics.isEmpty, script.statements.count == 1, case .query = script.statements[0].kind else { return false }
        return true
    }

    /// The clause keywords a refinement line may start with.
    static let clauseStarts: Set<String> = ["where", "group", "having", "show", "order", "limit", "offset"]

    /// The refined query text, or nil when `line` is not a clause (or is a
    /// statement of its own, like `show entities`) or `previous` is not a
    /// single `select`.
    public static func refine(previous: String, with line: String) -> String? {
        let lineSource = SourceFile(name: "<input>", text: line)
        let lineTokens = Lexer.tokenize(lineSource).tokens.filter { $0.kind != .newline }
        guard let first = lineTokens.first, first.kind == .identifier else { return nil }
        let word = first.text.lowercased()
        if word == "show", lineTokens.count > 1, lineTokens[1].isWord("entities") || lineTokens[1].isWord("indexes")
            || lineTokens[1].isWord("models") { return nil }
        guard clauseStarts.contains(word) || word == "and" || word == "or" else { return nil }

        let previousSource = SourceFile(name: "<input>", text: previous)
        guard isSingleQuery(previous) else { return nil }
        let script = Parser.parse(previousSource).script
        let statementRange = script.statements[0].range
        let clauses = topLevelClauses(previousSource, within: statementRange)
        let body = previousSource.text(of: statementRange)
        let offset = statementRange.start

        if word == "and" || word == "or" {
            guard let whereClause = clauses.first(where: { $0.keyword == "where" }) else { return nil }
            // `and x` joins the condition as a whole: (old) and x.
            let condition = previousSource.text(of: SourceRange(whereClause.range.start + 5, whereClause.range.end))
                .trimmingWhitespace
            return splice(body, offset: offset, replacing: whereClause.range,
                          with: "where (\(condition)) \(line.trimmingWhitespace) ")
        }
        // `limit` and `offset` travel together: a new limit keeps no old offset.
        let replaced = clauses.filter { $0.keyword == word || (word == "limit" && $0.keyword == "offset") }
        var text = body
        for clause in replaced.sorted(by: { $0.range.start > $1.range.start }) {
            text = splice(text, offset: offset, replacing: clause.range, with: "")
        }
        return text.trimmingWhitespace + " " + line.trimmingWhitespace
    }

    /// Each top-level clause of a query: its keyword and the span from the
    /// keyword to the next clause (nested `where`s inside brackets skipped).
    static func topLevelClauses(_ source: SourceFile, within range: SourceRange) -> [(keyword: String, range: SourceRange)] {
        let tokens = Lexer.tokenize(source).tokens.filter { $0.range.start >= range.start && $0.range.end <= range.end }
        var starts: [(String, Int)] = []
        var depth = 0
        for (index, token) in tokens.enumerated() {
            switch token.kind {
            case .leftParen: depth += 1
            case .rightParen: depth -= 1
            case .identifier where depth == 0:
                let word = token.text.lowercased()
                guard clauseStarts.contains(word) else { continue }
                // `case … when … then … else … end` has no clause words, but an
                // `order` or `group` must be followed by `by`.
                if word == "order" || word == "group", !(index + 1 < tokens.count && tokens[index + 1].isWord("by")) { continue }
                starts.append((word, token.range.start))
            default: break
            }
        }
        var clauses: [(keyword: String, range: SourceRange)] = []
        for (index, start) in starts.enumerated() {
            let end = index + 1 < starts.count ? starts[index + 1].1 : range.end
            clauses.append((start.0, SourceRange(start.1, end)))
        }
        return clauses
    }

    private static func splice(_ text: String, offset: Int, replacing range: SourceRange, with replacement: String) -> String {
        var bytes = Array(text.utf8)
        let start = max(0, min(bytes.count, range.start - offset)), end = max(start, min(bytes.count, range.end - offset))
        bytes.replaceSubrange(start..<end, with: Array(replacement.utf8))
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension String {
    var trimmingWhitespace: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
