/// The words CRMQL gives a meaning to, in one place.
///
/// Words are lexed as identifiers and recognised as keywords by their
/// lowercased text, so `SELECT` and `select` are the same keyword. Only the
/// reserved words are kept from being names; the contextual ones mean
/// something in one position (`from` after `load e`, `last` after `in`) and
/// are ordinary names everywhere else, so that an enum symbol such as `open`
/// or `key` still reads as a name in `outcome = open`.
///
/// `Grammar/crmql.ebnf` lists the same words; a test keeps the two in step.
public enum Keywords {
    /// Words that can never be a bare name: use backquotes (`` `order` ``).
    public static let reserved: Set<String> = [
        "and", "as", "asc", "between", "by", "case", "contains", "desc", "distinct",
        "else", "end", "ends", "false", "group", "having", "in", "is", "limit",
        "matches", "not", "null", "nulls", "offset", "or", "order", "select",
        "show", "starts", "then", "true", "when", "where",
    ]

    /// Words that are keywords only where the grammar expects them.
    public static let contextual: Set<String> = [
        // statements
        "analyze", "cascade", "count", "create", "database", "define", "delete", "describe", "drop",
        "entities", "entity", "explain", "export", "from", "help", "index", "indexes",
        "insert", "into", "let", "load", "model", "models", "fitted", "on", "open", "param", "save", "set", "to",
        "update", "values", "with",
        // types in `create entity`
        "bool", "date", "datetime", "enum", "int", "key", "number", "ref", "text",
        // `nulls first|last` and date ranges
        "first", "last", "next", "this", "fiscal", "including",
        // `as of` a date
        "of",
        // duration and date-range units
        "day", "days", "week", "weeks", "month", "months", "quarter", "quarters", "year", "years",
    ]

    /// Every keyword, sorted: what completion offers.
    public static let all: [String] = Array(reserved.union(contextual)).sorted()

    /// The words a statement starts with.
    public static let statements: [String] = [
        "select", "let", "param", "set", "define", "create", "load", "insert", "update",
        "delete", "drop", "export", "save", "open", "explain", "describe", "show", "help", "model",
    ]

    /// The words a query clause starts with.
    static let clauses: [String] = ["where", "group", "having", "show", "order", "limit", "offset"]

    /// The six scalar type names of `create entity`.
    static let scalarTypes: [String] = ["int", "number", "text", "bool", "date", "datetime"]

    /// Words that, at the start of a line, carry on the statement above: the
    /// clause keywords, the logical and keyword operators, and the words that
    /// can only follow something (`asc`, `cascade`, `to`, ...).
    static let continuing: Set<String> = [
        "where", "group", "having", "show", "order", "limit", "offset", "and", "or",
        "between", "by", "in", "is", "not", "contains", "starts", "ends", "matches",
        "as", "asc", "desc", "nulls", "then", "else", "end", "when",
        "cascade", "to", "with", "values", "from",
    ]

    /// The unit a duration or date-range word names (`days` → `.day`).
    static func durationUnit(_ lowercased: String) -> DurationUnit? {
        switch lowercased {
        case "day", "days": return .day
        case "week", "weeks": return .week
        case "month", "months": return .month
        case "quarter", "quarters": return .quarter
        case "year", "years": return .year
        default: return nil
        }
    }
}
