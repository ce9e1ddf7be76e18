import CRMQLCore

/// Prints syntax trees back as canonical CRMQL text: lowercase keywords,
/// single spaces, clauses in the order they take effect, and brackets only
/// where precedence needs them. Parsing the printed text gives the same
/// tree, so printing that again gives the same text.
public enum ASTPrinter {
    /// The canonical text of a statement, without a terminating `;`.
    public static func print(_ statement: Statement) -> String {
        statementText(statement.kind)
    }

    /// The canonical text of an expression.
    public static func print(_ expr: Expr) -> String {
        text(expr, .or)
    }

    /// The canonical text of a query.
    public static func print(_ query: Query) -> String {
        queryText(query)
    }

    // MARK: - Expressions

    /// The text of `expr`, bracketed when it binds more loosely than `minimum`.
    static func text(_ expr: Expr, _ minimum: Precedence) -> String {
        let (text, level) = render(expr)
        return level < minimum ? "(" + text + ")" : text
    }

    static func render(_ expr: Expr) -> (String, Precedence) {
        switch expr.kind {
        case .literal(let value):
            return literal(value)
        case .duration(let count, let unit):
            let text = "\(count) \(unit.rawValue)\(count == 1 ? "" : "s")"
            return (text, count < 0 ? .unary : .primary)
        case .identifier(let name, let quoted):
            return (quoted ? "`\(name)`" : nameText(name), .primary)
        case .parameter(let name):
            return ("$" + name, .primary)
        case .member(let base, let name):
            return (text(base, .postfix) + "." + wordText(name.text), .postfix)
        case .unary(.negate, let operand):
            var inner = text(operand, .unary)
            if isUnsignedNumber(operand) {
                // A bare `-5` would parse as one literal; keep the negation a node.
                inner = "(" + inner + ")"
            } else if inner.hasPrefix("-") {
                inner = " " + inner
            }
            return ("-" + inner, .unary)
        case .unary(.not, let operand):
            return ("not " + text(operand, .not), .not)
        case .binary(let op, let left, let right):
            let level = precedence(of: op)
            return (text(left, level) + " " + op.rawValue + " " + text(right, level.tighter), level)
        case .between(let value, let low, let high, let negated):
            let text = text(value, .comparison) + (negated ? " not between " : " between ")
                + Self.text(low, .concat) + " and " + Self.text(high, .concat)
            return (text, .comparison)
        case .inList(let value, let items, let negated):
            let list = items.map { text($0, .or) }.joined(separator: ", ")
            return (text(value, .comparison) + (negated ? " not in (" : " in (") + list + ")", .comparison)
        case .isNull(let value, let negated):
            return (text(value, .comparison) + (negated ? " is not null" : " is null"), .comparison)
        case .inDateRange(let value, let range, let negated):
            return (text(value, .comparison) + (negated ? " not in " : " in ") + dateRangeText(range), .comparison)
        case .call(let name, let arguments, let distinct):
            let list = arguments.map(argumentText).joined(separator: ", ")
            return (nameText(name.text) + "(" + (distinct ? "distinct " : "") + list + ")", .primary)
        case .filtered, .labeled:
            // Only meaningful as a call's argument, where `argumentText` prints it.
            return (argumentText(expr), .or)
        case .fiscalPeriod(let unit, _):
            return ("fiscal " + unit.rawValue, .primary)
        case .tuple(let items):
            return ("(" + items.map { text($0, .or) }.joined(separator: ", ") + ")", .primary)
        case .caseWhen(let arms, let otherwise):
            var text = "case"
            for arm in arms {
                text += " when " + Self.text(arm.condition, .or) + " then " + Self.text(arm.value, .or)
            }
            if let otherwise { text += " else " + Self.text(otherwise, .or) }
            return (text + " end", .primary)
        }
    }

    static func argumentText(_ argument: Expr) -> String {
        if case .labeled(let label, let value) = argument.kind {
            return wordText(label.text) + ": " + argumentText(value)
        }
        if case .filtered(let base, let condition) = argument.kind {
            return text(base, .or) + " where " + text(condition, .or)
        }
        return text(argument, .or)
    }

    static func isUnsignedNumber(_ expr: Expr) -> Bool {
        switch expr.kind {
        case .literal(.int(let value)): return value >= 0
        case .literal(.number(let value)): return value.sign == .plus
        case .duration(let count, _): return count >= 0
        default: return false
        }
    }

    static func precedence(of op: BinaryOperator) -> Precedence {
        switch op {
        case .or: return .or
        case .and: return .and
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual, .contains, .startsWith, .endsWith, .matches:
            return .comparison
        case .concat: return .concat
        case .add, .subtract: return .additive
        case .multiply, .divide, .modulo: return .multiplicative
        }
    }

    static func literal(_ value: Value) -> (String, Precedence) {
        switch value {
        case .null: return ("null", .primary)
        case .bool(let flag): return (flag ? "true" : "false", .primary)
        case .int(let number): return (String(number), number < 0 ? .unary : .primary)
        case .number(let number):
            // `description` keeps a fraction or exponent (`3.0`, `1e-05`), so the text reads back as a number.
            return (number.description, number.sign == .minus ? .unary : .primary)
        case .text(let text): return (quoted(text), .primary)
        case .date(let days): return (CivilDate(days: days).iso, .primary)
        case .datetime(let seconds): return (CivilDate.isoDateTime(seconds: seconds), .primary)
        case .symbol(let code, let type):
            let index = Int(code)
            return (index >= 0 && index < type.symbols.count ? nameText(type.symbols[index]) : "null", .primary)
        }
    }

    static func dateRangeText(_ range: DateRangeSyntax) -> String {
        var words = [range.direction.rawValue]
        if let count = range.count { words.append(String(count)) }
        if range.fiscal { words.append("fiscal") }
        let plural = range.count != nil && range.count != 1
        words.append(range.unit.rawValue + (plural ? "s" : ""))
        if range.includesCurrent { words.append("including this") }
        return words.joined(separator: " ")
    }

    /// A string literal in double quotes with the escapes the lexer reads:
    /// what reads back as `text` (the printer's, and a snapshot's saved
    /// parameters').
    public static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    // MARK: - Names

    /// True when `text` lexes as one bare identifier.
    static func isPlainWord(_ text: String) -> Bool {
        var scalars = text.unicodeScalars.makeIterator()
        guard let first = scalars.next(), UnicodeClass.isIdentifierStart(first) else { return false }
        while let scalar = scalars.next() {
            if !UnicodeClass.isIdentifierContinue(scalar) { return false }
        }
        return true
    }

    /// A name where reserved words are not allowed bare; `avoiding` adds
    /// contextual words that would be misread in that position.
    static func nameText(_ text: String, avoiding: Set<String> = []) -> String {
        let lowered = text.lowercased()
        if isPlainWord(text), !Keywords.reserved.contains(lowered), !avoiding.contains(lowered) { return text }
        return "`" + text + "`"
    }

    /// A name where any word is allowed bare (after `.`, before `:`).
    static func wordText(_ text: String) -> String {
        isPlainWord(text) ? text : "`" + text + "`"
    }
}
