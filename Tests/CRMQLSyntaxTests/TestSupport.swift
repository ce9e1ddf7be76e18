import CRMQLCore
import XCTest
@testable import CRMQLSyntax

/// Parses a script.
func parseScript(_ text: String) -> (script: Script, diagnostics: [Diagnostic]) {
    Parser.parse(SourceFile(name: "<test>", text: text))
}

/// Parses one statement that must parse cleanly.
func parseOne(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> Statement? {
    let (script, diagnostics) = parseScript(text)
    XCTAssertEqual(diagnostics.map(\.message), [], "for \(text)", file: file, line: line)
    XCTAssertEqual(script.statements.count, 1, "for \(text)", file: file, line: line)
    return script.statements.first
}

/// Parses one query that must parse cleanly.
func parseQuery(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> Query? {
    guard let statement = parseOne(text, file: file, line: line) else { return nil }
    guard case .query(let query) = statement.kind else {
        XCTFail("not a query: \(text)", file: file, line: line)
        return nil
    }
    return query
}

/// The canonical text of a script's only statement, or its first error message.
func canonical(_ text: String) -> String {
    let (script, diagnostics) = parseScript(text)
    if let first = diagnostics.first { return "error: " + first.message }
    return script.statements.map(ASTPrinter.print).joined(separator: "; ")
}

/// Parses a host expression that must parse cleanly.
func parseExpr(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> Expr? {
    let (expr, diagnostics) = Parser.parseExpression(SourceFile(name: "<test>", text: text))
    XCTAssertEqual(diagnostics.map(\.message), [], "for \(text)", file: file, line: line)
    return expr
}

/// A fully bracketed prefix form of an expression, to pin down its shape.
func sexp(_ expr: Expr) -> String {
    switch expr.kind {
    case .literal(let value):
        switch value {
        case .text(let text): return "'\(text)'"
        case .date: return "date:\(value)"
        case .datetime: return "datetime:\(value)"
        case .null: return "null"
        default: return "\(value)"
        }
    case .duration(let count, let unit): return "\(count)\(unit.rawValue)"
    case .identifier(let name, let quoted): return quoted ? "`\(name)`" : name
    case .parameter(let name): return "$\(name)"
    case .member(let base, let name): return "(. \(sexp(base)) \(name.text))"
    case .unary(let op, let operand): return "(\(op.rawValue) \(sexp(operand)))"
    case .binary(let op, let left, let right): return "(\(op.rawValue) \(sexp(left)) \(sexp(right)))"
    case .between(let value, let low, let high, let negated):
        return "(\(negated ? "not-between" : "between") \(sexp(value)) \(sexp(low)) \(sexp(high)))"
    case .inList(let value, let items, let negated):
        return "(\(negated ? "not-in" : "in") \(sexp(value)) [\(items.map(sexp).joined(separator: " "))])"
    case .isNull(let value, let negated): return "(\(negated ? "is-not-null" : "is-null") \(sexp(value)))"
    case .inDateRange(let value, let range, let negated):
        let count = range.count.map { " \($0)" } ?? ""
        let including = range.includesCurrent ? " including-this" : ""
        return "(\(negated ? "not-in" : "in") \(sexp(value)) \(range.direction.rawValue)\(count)\(range.fiscal ? " fiscal" : "") \(range.unit.rawValue)\(including))"
    case .call(let name, let arguments, let distinct):
        return "(\(name.text)\(distinct ? " distinct" : "")\(arguments.map { " " + sexp($0) }.joined()))"
    case .filtered(let base, let condition): return "(where \(sexp(base)) \(sexp(condition)))"
    case .labeled(let label, let value): return "(\(label.text): \(sexp(value)))"
    case .fiscalPeriod(let unit, _): return "fiscal-\(unit.rawValue)"
    case .tuple(let items): return "(tuple\(items.map { " " + sexp($0) }.joined()))"
    case .caseWhen(let arms, let otherwise):
        let armText = arms.map { "(\(sexp($0.condition)) \(sexp($0.value)))" }.joined(separator: " ")
        return "(case \(armText)\(otherwise.map { " (else \(sexp($0)))" } ?? ""))"
    }
}

/// The shape of a host expression, or its first error.
func shape(_ text: String) -> String {
    let (expr, diagnostics) = Parser.parseExpression(SourceFile(name: "<test>", text: text))
    if let first = diagnostics.first { return "error: " + first.message }
    return expr.map(sexp) ?? "nil"
}

/// The source text of a range.
func sourceText(_ text: String, _ range: SourceRange) -> String {
    SourceFile(name: "<test>", text: text).text(of: range)
}
