import CRMQLCore
import Foundation
import XCTest
@testable import CRMQLSyntax

/// The printer's property: for every statement x of the corpus,
/// print(parse(print(parse(x)))) == print(parse(x)).
final class RoundTripTests: XCTestCase {
    static let corpus = [
        "select customers where loyalty > 0.8 and stage = mature",
        "select customers where region in (north, east) order by revenue desc limit 10 show name, revenue",
        "select orders where placed in last 90 days group by channel show channel, count(), sum(amount)",
        "select count customers where tier = gold or tier = platinum",
        "select customers show *, revenue, satisfaction as sat",
        "select customers where not (a or b) and not c",
        "select customers where (a and b) or (c and d)",
        "select customers where a = (b = c)",
        "select customers where (a = b) = c",
        "select customers where a - (b - c) - d",
        "select customers where a / (b * c) % d",
        "select customers where -(a + b) * -c",
        "select customers where - -a",
        "select customers where - -5 = -(5) and -(-5) = 5",
        "select customers where -(5).x = (-5).x",
        "select customers where -9223372036854775808 < x",
        "select customers where x between 1 + 1 and (2 = 2)",
        "select customers where (x between 1 and 2) between false and true",
        "select customers where x not between 1 and 2 and y not in (1, 2, 3)",
        "select customers where (not x) = y",
        "select customers where x is null or y is not null",
        "select customers where (a || b) is null",
        "select customers where name contains 'a' and name starts with \"b\" and name ends with 'c' and email matches '^x'",
        "select customers where (a contains b) contains c",
        "select customers where signup in last 30 days and signup not in next 7 days",
        "select customers where signup in this fiscal quarter or signup in last 2 fiscal quarters or signup in next year",
        "select customers where signup in last 1 month",
        "select customers where signup in last 12 months including this or signup not in next 2 fiscal quarters including this",
        "select customers where rank(value, by: owner) <= 3 show running_sum(revenue, order: signup, by: `order`), trunc(signup, fiscal year), trunc(signup, week)",
        "select customers where signup >= 2026-01-31 + 1 month - 2 weeks and at < 2026-03-31T14:30:00+08:00",
        "select customers where today - last_order > 30 days and x = -30 days",
        "select customers where `first name` = 'Ann' and `select` = 1 and 客户名称 = '张三'",
        "select customers where name = 'it\\'s \\\"quoted\\\"\\n\\t\\\\ \\u{1F600} \\u{7}'",
        "select customers where x = 3.0 and y = 1e-05 and z = 1e20 and w = 0.1 and v = -0.0",
        "select customers where $min <= loyalty and points > $points",
        "select customers show count(orders where channel = web) as web, sum(orders.amount where amount > 5)",
        "select customers where exists(interactions where kind = complaint and outcome = open)",
        "select customers show count(distinct orders.basket), median(orders.amount), percentile(orders.amount, 0.9)",
        "select customers show case when revenue > 1000 then 'big' when revenue > 0 then 'small' else 'none' end as size",
        "select customers show (case when a then 1 end).x, orders.customer.region",
        "select customers show a || b || (c || d), (a + b) || c",
        "select orders group by channel as c, year(placed) having count() > 10 show c, count() order by c nulls first",
        "select orders order by amount desc nulls last, placed asc limit 10 offset 5",
        "select rules(orders, item: product, by: basket, support: 0.01, confidence: 0.3) order by lift desc limit 10",
        "select `count` where x = 1",
        "select count `count`",
        "select `weird name` show `a b`.`c d`",
        "select customers where x in (last, this, next) and day = days",
        "let vip = select customers where tier in (gold, platinum)",
        "param $region = 'north'",
        "param $limit = -10",
        "set today = 2026-06-30",
        "set fiscal_year_start = 4",
        "define customers.revenue = coalesce(sum(orders.amount), 0)",
        "define customers.rfm_segment = case when r_score >= 4 and f_score >= 4 and m_score >= 4 then 'champions' else 'other' end",
        "create entity people (id int key, name text, score number, ok bool, born date, seen datetime, stage enum(new, `at risk`, \"old\"), boss ref people)",
        "load customers from 'customers.csv' with (header = true, delimiter = ',', skip_bad = false)",
        "load orders from $file",
        "insert into people (id, name) values (1, 'Ann'), (2, null)",
        "insert into people values (3, 'Bo')",
        "update customers set tier = gold, points = points + 10 where loyalty > 0.9",
        "delete orders where amount < 0 cascade",
        "delete `from` where x = 1",
        "create index on orders(placed)",
        "drop index on orders(placed)",
        "export select customers where tier = gold show name to 'gold.csv'",
        "save 'store.crmql'",
        "open 'store.crmql'",
        "explain select orders where customer = 5",
        "explain analyze select orders where customer = 5",
        "describe customers",
        "show entities",
        "show indexes",
        "help",
        "help date ranges",
    ]

    func testPrintParsePrintIsStable() {
        for text in Self.corpus {
            let (script, diagnostics) = parseScript(text)
            XCTAssertEqual(diagnostics.map(\.message), [], text)
            guard script.statements.count == 1 else {
                XCTFail("expected one statement: \(text)")
                continue
            }
            let printed = ASTPrinter.print(script.statements[0])
            let (again, againDiagnostics) = parseScript(printed)
            XCTAssertEqual(againDiagnostics.map(\.message), [], printed)
            XCTAssertEqual(again.statements.map(ASTPrinter.print), [printed], text)
        }
    }

    func testReparsedTreeHasTheSameShape() {
        for text in Self.corpus {
            guard let statement = parseScript(text).script.statements.first,
                  case .query(let query) = statement.kind, let condition = query.whereClause else { continue }
            let printed = ASTPrinter.print(statement)
            guard case .query(let again)? = parseScript(printed).script.statements.first?.kind,
                  let againCondition = again.whereClause else { return XCTFail(printed) }
            XCTAssertEqual(sexp(againCondition), sexp(condition), text)
        }
    }

    func testRandomExpressionsRoundTrip() {
        // Random expressions from the grammar (some invalid, which are
        // skipped): printing must give text that parses to the same tree.
        var generator = ExpressionGenerator(seed: 2026)
        var checked = 0
        for _ in 0..<3000 {
            let text = "select c where " + generator.expression(depth: 5)
            let (script, diagnostics) = parseScript(text)
            guard diagnostics.isEmpty, let statement = script.statements.first,
                  case .query(let query) = statement.kind, let condition = query.whereClause else { continue }
            checked += 1
            let printed = ASTPrinter.print(statement)
            let (again, againDiagnostics) = parseScript(printed)
            XCTAssertEqual(againDiagnostics.map(\.message), [], "\(text) → \(printed)")
            guard case .query(let reparsed)? = again.statements.first?.kind, let reparsedCondition = reparsed.whereClause else {
                XCTFail("\(text) → \(printed)")
                continue
            }
            XCTAssertEqual(sexp(reparsedCondition), sexp(condition), "\(text) → \(printed)")
            XCTAssertEqual(ASTPrinter.print(again.statements[0]), printed)
        }
        XCTAssertGreaterThan(checked, 1500)
    }

    /// Every statement of every example and golden script: the printed text
    /// parses to the same whole tree (source positions aside).
    func testEveryScriptStatementReparsesToTheSameTree() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var scripts: [URL] = []
        for folder in ["Examples", "Tests/CRMQLTests/Golden"] {
            let url = root.appendingPathComponent(folder)
            for name in try FileManager.default.contentsOfDirectory(atPath: url.path) where name.hasSuffix(".crmql") {
                scripts.append(url.appendingPathComponent(name))
            }
        }
        var checked = 0
        for script in scripts.sorted(by: { $0.path < $1.path }) {
            let (parsed, diagnostics) = parseScript(try String(contentsOf: script, encoding: .utf8))
            // A script with deliberate syntax errors is not a source of well-formed statements.
            guard diagnostics.isEmpty else { continue }
            for statement in parsed.statements {
                let printed = ASTPrinter.print(statement)
                let (again, againDiagnostics) = parseScript(printed)
                XCTAssertEqual(againDiagnostics.map(\.message), [], "\(script.lastPathComponent): \(printed)")
                XCTAssertEqual(again.statements.map(treeShape), [treeShape(statement)], "\(script.lastPathComponent): \(printed)")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 100, "the scripts hold many statements")
        // The comparison sees the tree, not the layout.
        let shape = { (text: String) in parseScript(text).script.statements.map(treeShape) }
        XCTAssertEqual(shape("select c where a - (b - c)"), shape("SELECT c\n  WHERE a-(b-c)"))
        XCTAssertNotEqual(shape("select c where a - (b - c)"), shape("select c where (a - b) - c"))
        XCTAssertNotEqual(shape("select c where x = 'a'"), shape("select c where x = 'b'"))
    }

    func testPrinterBracketsOnlyWhereNeeded() {
        XCTAssertEqual(canonical("select c where ((a)) and (b)"), "select c where a and b")
        XCTAssertEqual(canonical("select c where a or (b and c)"), "select c where a or b and c")
        XCTAssertEqual(canonical("select c where (a or b) and c"), "select c where (a or b) and c")
        XCTAssertEqual(canonical("select c where a - (b - c)"), "select c where a - (b - c)")
        XCTAssertEqual(canonical("select c where -(5)"), "select c where -(5)")
        XCTAssertEqual(canonical("select c where - - 5"), "select c where - -5")
        XCTAssertEqual(canonical("SELECT c WHERE x IN LAST 3 DAYS"), "select c where x in last 3 days")
        XCTAssertEqual(canonical("select c where x = 2026-03-31T14:30:00+08:00"), "select c where x = 2026-03-31T06:30:00")
    }
}

/// Writes random expression text from the grammar's productions.
struct ExpressionGenerator {
    var random: SplitMix
    init(seed: UInt64) { random = SplitMix(seed: seed) }

    mutating func pick(_ choices: [String]) -> String { choices[Int(random.next() % UInt64(choices.count))] }

    mutating func expression(depth: Int) -> String {
        if depth <= 0 || random.next() % 4 == 0 {
            return pick(["x", "`a b`", "客户", "42", "-7", "3.5", "-0.25", "1e-07", "'s\\n\"q'", "\"t\"", "true", "null",
                         "2026-03-31", "2026-03-31T10:20:30+02:00", "$p", "30 days", "1 month", "-2 weeks", "today",
                         "orders.amount", "count()", "-9223372036854775808"])
        }
        let inner = depth - 1
        switch random.next() % 20 {
        case 0: return "(" + expression(depth: inner) + ")"
        case 1: return "-" + expression(depth: inner)
        case 2: return "not " + expression(depth: inner)
        case 3...8:
            let op = pick(["or", "and", "=", "!=", "<>", "<", "<=", ">", ">=", "||", "+", "-", "*", "/", "%",
                           "contains", "starts with", "ends with", "matches"])
            return expression(depth: inner) + " " + op + " " + expression(depth: inner)
        case 9: return expression(depth: inner) + pick([" between ", " not between "]) + expression(depth: inner) + " and " + expression(depth: inner)
        case 10: return expression(depth: inner) + pick([" in (", " not in ("]) + expression(depth: inner) + ", " + expression(depth: inner) + ")"
        case 11: return expression(depth: inner) + pick([" is null", " is not null"])
        case 12: return expression(depth: inner) + pick([" in last 30 days", " not in this month", " in next fiscal year", " in last 2 fiscal quarters",
                                                            " in last 3 months including this"])
        case 13: return pick(["f", "sum"]) + "(" + expression(depth: inner) + (random.next() % 2 == 0 ? " where " + expression(depth: inner) : "") + ")"
        case 14: return "count(distinct " + expression(depth: inner) + ")"
        case 15: return "case when " + expression(depth: inner) + " then " + expression(depth: inner)
            + (random.next() % 2 == 0 ? " else " + expression(depth: inner) : "") + " end"
        case 16: return "(" + expression(depth: inner) + ").y"
        case 17: return "(" + expression(depth: inner) + "\n" + pick(["or", "+", "*"]) + "\n" + expression(depth: inner) + ")"
        case 18: return "- (" + expression(depth: inner) + ").y"
        default: return "(-(" + expression(depth: inner) + "))"
        }
    }
}

/// A tree as text, every field and case but source positions, so that two
/// parses of differently laid out text compare equal when their trees are.
func treeShape(_ value: Any) -> String {
    if value is SourceRange { return "_" }
    let mirror = Mirror(reflecting: value)
    if mirror.children.isEmpty { return String(describing: value) }
    let parts = mirror.children.compactMap { child -> String? in
        if child.value is SourceRange { return nil }
        return (child.label.map { $0 + ": " } ?? "") + treeShape(child.value)
    }
    return "\(mirror.subjectType)(" + parts.joined(separator: ", ") + ")"
}
