import CRMQLCore
import CRMQLSyntax

extension Binder {
    /// The periods `trunc` knows, by the words that name them.
    static let truncPeriods = ["week", "month", "quarter", "year", "fiscal quarter", "fiscal year"]

    // trunc → 'trunc' '(' expression ',' ( 'week' | 'month' | 'quarter' | 'year' | 'fiscal' ( 'quarter' | 'year' ) ) ')'
    /// `trunc(placed, month)`: the period word is not a field, so it is read
    /// here rather than bound; it travels to the evaluator as a constant.
    mutating func bindTrunc(_ arguments: [Expr], _ range: SourceRange, _ scope: Scope) throws -> BoundExpr {
        let usage = "trunc takes a date and a period: trunc(placed, month); the periods are week, month, quarter, year, fiscal quarter and fiscal year"
        guard arguments.count == 2 else { throw Diagnostic.semantic(usage, range) }
        let period: String
        switch arguments[1].kind {
        case .identifier(let word, quoted: false):
            let lowered = word.lowercased()
            // Plurals read naturally too: `trunc(placed, months)`.
            let singular = lowered.hasSuffix("s") ? String(lowered.dropLast()) : lowered
            guard let unit = DurationUnit(rawValue: singular), unit != .day else {
                throw Diagnostic.semantic(Suggestion.message("'\(word)' is not a period", for: lowered, among: Self.truncPeriods)
                                          + "; the periods are week, month, quarter, year, fiscal quarter and fiscal year", arguments[1].range)
            }
            period = unit.rawValue
        case .fiscalPeriod(let unit, _):
            period = "fiscal " + unit.rawValue
        default:
            throw Diagnostic.semantic(usage, arguments[1].range)
        }
        let value = try bindExpr(arguments[0], scope)
        guard value.type.isTemporal || value.type == .null else {
            throw Diagnostic.semantic("trunc needs a date, but this is \(value.type.kindName)", value.range)
        }
        let word = BoundExpr(.constant(.text(period)), .text, arguments[1].range)
        return BoundExpr(.call(.trunc, [value, word]), .date, range)
    }

    // format → 'format' '(' expression ',' string ')'
    /// `format(placed, "YYYY-MM")`: the pattern must be written out, so that
    /// a mistake in it is found before the query runs.
    mutating func bindFormat(_ arguments: [Expr], _ range: SourceRange, _ scope: Scope) throws -> BoundExpr {
        guard arguments.count == 2 else {
            throw Diagnostic.semantic("format takes a date and a pattern: format(placed, \"YYYY-MM\")", range)
        }
        guard case .literal(.text(let pattern)) = arguments[1].kind else {
            throw Diagnostic.semantic("the pattern of format is a text in quotes, such as \"YYYY-MM\"", arguments[1].range)
        }
        do {
            _ = try DatePattern(pattern)
        } catch {
            throw Diagnostic.semantic(error.message, arguments[1].range)
        }
        let value = try bindExpr(arguments[0], scope)
        guard value.type.isTemporal || value.type == .null else {
            throw Diagnostic.semantic("format needs a date or datetime, but this is \(value.type.kindName)", value.range)
        }
        return BoundExpr(.call(.format, [value, BoundExpr(.constant(.text(pattern)), .text, arguments[1].range)]), .text, range)
    }
}

extension DatePeriod {
    /// The period a bound `trunc` names (`"month"`, `"fiscal quarter"`),
    /// fiscal ones starting in `fiscalYearStart`; nil for any other word.
    init?(word: String, fiscalYearStart: Int) {
        switch word {
        case "week": self = .week
        case "month": self = .month
        case "quarter": self = .quarter
        case "year": self = .year
        case "fiscal quarter": self = .fiscalQuarter(start: fiscalYearStart)
        case "fiscal year": self = .fiscalYear(start: fiscalYearStart)
        default: return nil
        }
    }
}
