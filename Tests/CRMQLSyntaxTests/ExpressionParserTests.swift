import CRMQLCore
import XCTest
@testable import CRMQLSyntax

final class ExpressionParserTests: XCTestCase {
    func testPrecedenceLadder() {
        XCTAssertEqual(shape("a or b and c"), "(or a (and b c))")
        XCTAssertEqual(shape("not a = b and c"), "(and (not (= a b)) c)")
        XCTAssertEqual(shape("a and not b or c"), "(or (and a (not b)) c)")
        XCTAssertEqual(shape("a = b || c"), "(= a (|| b c))")
        XCTAssertEqual(shape("a || b + c"), "(|| a (+ b c))")
        XCTAssertEqual(shape("a + b * c - d"), "(- (+ a (* b c)) d)")
        XCTAssertEqual(shape("a * -b"), "(* a (- b))")
        XCTAssertEqual(shape("-a.b"), "(- (. a b))")
        XCTAssertEqual(shape("a / b % c"), "(% (/ a b) c)")
        XCTAssertEqual(shape("(a + b) * c"), "(* (+ a b) c)")
        XCTAssertEqual(shape("a - b - c"), "(- (- a b) c)")
        XCTAssertEqual(shape("not not a"), "(not (not a))")
    }

    func testComparisonOperators() {
        XCTAssertEqual(shape("a = 1"), "(= a 1)")
        XCTAssertEqual(shape("a != 1"), "(!= a 1)")
        XCTAssertEqual(shape("a <> 1"), "(!= a 1)")
        XCTAssertEqual(shape("a < 1 or a <= 1 or a > 1 or a >= 1"), "(or (or (or (< a 1) (<= a 1)) (> a 1)) (>= a 1))")
        XCTAssertEqual(shape("name contains 'x'"), "(contains name 'x')")
        XCTAssertEqual(shape("name STARTS WITH 'x'"), "(starts with name 'x')")
        XCTAssertEqual(shape("name ends with 'x' || 'y'"), "(ends with name (|| 'x' 'y'))")
        XCTAssertEqual(shape("email matches '@example\\\\.com$'"), "(matches email '@example\\.com$')")
    }

    func testKeywordForms() {
        XCTAssertEqual(shape("x between 1 and 2 and y"), "(and (between x 1 2) y)")
        XCTAssertEqual(shape("x not between 1 + 1 and 5"), "(not-between x (+ 1 1) 5)")
        XCTAssertEqual(shape("region in (north, east)"), "(in region [north east])")
        XCTAssertEqual(shape("region not in ('a')"), "(not-in region ['a'])")
        XCTAssertEqual(shape("x is null"), "(is-null x)")
        XCTAssertEqual(shape("x IS NOT NULL"), "(is-not-null x)")
        XCTAssertEqual(shape("not x in (1)"), "(not (in x [1]))")
    }

    func testDateRanges() {
        XCTAssertEqual(shape("placed in last 30 days"), "(in placed last 30 day)")
        XCTAssertEqual(shape("placed in next 7 days"), "(in placed next 7 day)")
        XCTAssertEqual(shape("placed not in this month"), "(not-in placed this month)")
        XCTAssertEqual(shape("placed in last week"), "(in placed last week)")
        XCTAssertEqual(shape("placed in last 2 quarters"), "(in placed last 2 quarter)")
        XCTAssertEqual(shape("placed in this fiscal quarter"), "(in placed this fiscal quarter)")
        XCTAssertEqual(shape("placed in last 2 fiscal quarters"), "(in placed last 2 fiscal quarter)")
        XCTAssertEqual(shape("placed in NEXT YEAR and x"), "(and (in placed next year) x)")
        XCTAssertEqual(shape("placed in this fiscal month"), "error: a fiscal range counts quarters or years, not month")
        XCTAssertEqual(shape("placed in last 12 months including this"), "(in placed last 12 month including-this)")
        XCTAssertEqual(shape("placed in next 2 fiscal quarters INCLUDING THIS and x"),
                       "(and (in placed next 2 fiscal quarter including-this) x)")
        XCTAssertEqual(shape("placed in last month including this"),
                       "error: 'including this' goes with a count of periods, as in 'last 12 months including this'")
        XCTAssertEqual(shape("placed in last 30 days including this"),
                       "error: 'last n days' already counts today; 'including this' is for weeks, months, quarters and years")
        XCTAssertEqual(shape("placed in last 3 months including"),
                       "error: expected 'this' (as in 'last 12 months including this') after 'including'")
        XCTAssertEqual(shape("placed in last 0 days"), "error: the count of a date range must be a whole number from 1 up")
        XCTAssertEqual(shape("placed in this 2 days"), "error: expected a period (days, weeks, months, quarters, years) after 'this', found the number '2'")
        XCTAssertEqual(shape("placed in yesterday"),
                       "error: expected '(' and a list, or a date range such as 'last 30 days' or 'this month' after 'in', found 'yesterday'")
    }

    func testRangeOfDateRange() {
        let text = "placed in last 2 fiscal quarters"
        guard let expr = parseExpr(text), case .inDateRange(_, let range, _) = expr.kind else { return XCTFail() }
        XCTAssertEqual(sourceText(text, range.range), "last 2 fiscal quarters")
        XCTAssertEqual(range.count, 2)
        XCTAssertEqual(range.fiscal, true)
    }

    func testLiterals() {
        XCTAssertEqual(shape("42"), "42")
        XCTAssertEqual(shape("3.5"), "3.5")
        XCTAssertEqual(shape("'text'"), "'text'")
        XCTAssertEqual(shape("TRUE or false"), "(or true false)")
        XCTAssertEqual(shape("null"), "null")
        XCTAssertEqual(shape("2026-03-31"), "date:2026-03-31")
        XCTAssertEqual(shape("2026-03-31T14:30:00+08:00"), "datetime:2026-03-31T06:30:00")
        XCTAssertEqual(shape("$region"), "$region")
        XCTAssertEqual(shape("`first name`"), "`first name`")
        XCTAssertEqual(shape("客户名称 = '张三'"), "(= 客户名称 '张三')")
        XCTAssertEqual(shape("2026-03-31 - 10-3"), "(- (- date:2026-03-31 10) 3)")
    }

    func testNegativeNumbersFoldIntoLiterals() {
        XCTAssertEqual(shape("-7"), "-7")
        XCTAssertEqual(shape("-3.5"), "-3.5")
        XCTAssertEqual(shape("- 7"), "-7")
        XCTAssertEqual(shape("-9223372036854775808"), "-9223372036854775808")
        XCTAssertEqual(shape("9223372036854775807"), "9223372036854775807")
        XCTAssertEqual(shape("1 - -2"), "(- 1 -2)")
        XCTAssertEqual(shape("- -2"), "(- -2)")
        XCTAssertEqual(shape("-(2)"), "(- 2)")
        guard let expr = parseExpr("x = -9223372036854775808"), case .binary(_, _, let right) = expr.kind else { return XCTFail() }
        guard case .literal(.int(let value)) = right.kind else { return XCTFail() }
        XCTAssertEqual(value, Int64.min)
        XCTAssertEqual(sourceText("x = -9223372036854775808", right.range), "-9223372036854775808")
    }

    func testIntegerOverflowIsAnErrorWithASpan() {
        for (text, literal) in [("9223372036854775808", "9223372036854775808"),
                                ("1 + 99999999999999999999999", "99999999999999999999999"),
                                ("-9223372036854775809", "-9223372036854775809"),
                                ("x - -18446744073709551616", "-18446744073709551616")] {
            let (expr, diagnostics) = Parser.parseExpression(SourceFile(name: "t", text: text))
            XCTAssertNil(expr, text)
            XCTAssertEqual(diagnostics.map(\.message), ["integer \(literal) does not fit in 64 bits"], text)
            XCTAssertEqual(diagnostics.first?.range.map { sourceText(text, $0) }, literal, text)
        }
        XCTAssertEqual(shape("30000000000000000000 days"), "error: integer 30000000000000000000 does not fit in 64 bits")
    }

    func testDurations() {
        XCTAssertEqual(shape("30 days"), "30day")
        XCTAssertEqual(shape("1 month"), "1month")
        XCTAssertEqual(shape("2 Weeks + 1 quarter + 3 years"), "(+ (+ 2week 1quarter) 3year)")
        XCTAssertEqual(shape("today - 30 days"), "(- today 30day)")
        XCTAssertEqual(shape("-30 days"), "-30day")
        XCTAssertEqual(shape("30 * day(placed)"), "(* 30 (day placed))")
        XCTAssertEqual(shape("2026-01-31 + 1 month"), "(+ date:2026-01-31 1month)")
    }

    func testCallsAndAggregates() {
        XCTAssertEqual(shape("count()"), "(count)")
        XCTAssertEqual(shape("count(distinct basket)"), "(count distinct basket)")
        XCTAssertEqual(shape("sum(orders.amount)"), "(sum (. orders amount))")
        XCTAssertEqual(shape("count(orders where channel = web)"), "(count (where orders (= channel web)))")
        XCTAssertEqual(shape("sum(orders.amount where amount > 5)"), "(sum (where (. orders amount) (> amount 5)))")
        XCTAssertEqual(shape("exists(interactions where kind = complaint and outcome = open)"),
                       "(exists (where interactions (and (= kind complaint) (= outcome open))))")
        XCTAssertEqual(shape("round(x, 2)"), "(round x 2)")
        XCTAssertEqual(shape("coalesce(sum(orders.amount), 0)"), "(coalesce (sum (. orders amount)) 0)")
        XCTAssertEqual(shape("percentile(amount, 0.9)"), "(percentile amount 0.9)")
        XCTAssertEqual(shape("`odd name`(1)"), "(odd name 1)")
    }

    func testLabelledArgumentsAndPeriods() {
        XCTAssertEqual(shape("rank(value, by: owner) <= 3"), "(<= (rank value (by: owner)) 3)")
        XCTAssertEqual(shape("running_sum(amount, order: placed, by: customer.region)"),
                       "(running_sum amount (order: placed) (by: (. customer region)))")
        XCTAssertEqual(shape("f(x, by:\n  owner)"), "(f x (by: owner))")
        XCTAssertEqual(shape("count(by: orders where amount > 5)"), "(count (by: (where orders (> amount 5))))")
        XCTAssertEqual(shape("trunc(placed, month)"), "(trunc placed month)")
        XCTAssertEqual(shape("trunc(placed, fiscal quarter)"), "(trunc placed fiscal-quarter)")
        XCTAssertEqual(shape("trunc(placed, FISCAL Years)"), "(trunc placed fiscal-year)")
        XCTAssertEqual(shape("f(fiscal, fiscal + 1)"), "(f fiscal (+ fiscal 1))")
    }

    func testMembersAndCase() {
        XCTAssertEqual(shape("orders.customer.region"), "(. (. orders customer) region)")
        XCTAssertEqual(shape("a.`first name`"), "(. a first name)")
        XCTAssertEqual(shape("x.order"), "(. x order)")
        XCTAssertEqual(shape("case when a > 1 then 'big' when a > 0 then 'small' else 'none' end"),
                       "(case ((> a 1) 'big') ((> a 0) 'small') (else 'none'))")
        XCTAssertEqual(shape("CASE WHEN a THEN 1 END + 1"), "(+ (case (a 1)) 1)")
        XCTAssertEqual(shape("case a when 1 then 2 end"), "error: expected 'when' after 'case', found 'a'")
    }

    func testHostExpressionsIgnoreLineBreaks() {
        XCTAssertEqual(shape("a\n+\nb"), "(+ a b)")
        XCTAssertEqual(shape("a b"), "error: expected the end of the expression, found 'b'")
        XCTAssertEqual(shape(""), "error: expected an expression")
        let (_, diagnostics) = Parser.parseExpression(SourceFile(name: "t", text: "a +"))
        XCTAssertEqual(diagnostics.first?.isIncompleteInput, true)
    }

    func testExactRanges() {
        let text = "select customers where (loyalty + 1) * 2 > 3 show upper(name) as n, orders.amount"
        guard let query = parseQuery(text) else { return }
        guard let condition = query.whereClause, case .binary(.greater, let left, let right) = condition.kind else { return XCTFail() }
        XCTAssertEqual(sourceText(text, condition.range), "(loyalty + 1) * 2 > 3")
        XCTAssertEqual(sourceText(text, left.range), "(loyalty + 1) * 2")
        XCTAssertEqual(sourceText(text, right.range), "3")
        guard case .binary(.multiply, let sum, _) = left.kind else { return XCTFail() }
        XCTAssertEqual(sourceText(text, sum.range), "(loyalty + 1)")
        guard let show = query.show, show.count == 2, case .expr(let first, let alias) = show[0],
              case .expr(let second, nil) = show[1] else { return XCTFail() }
        XCTAssertEqual(sourceText(text, first.range), "upper(name)")
        XCTAssertEqual(alias?.text, "n")
        XCTAssertEqual(alias.map { sourceText(text, $0.range) }, "n")
        XCTAssertEqual(sourceText(text, second.range), "orders.amount")
        XCTAssertEqual(sourceText(text, query.range), text)
        XCTAssertEqual(sourceText(text, query.source.range), "customers")
    }

    func testShowColumnTextSpansLines() {
        let text = "select orders group by channel show sum(\n  amount)"
        guard let query = parseQuery(text), let show = query.show, case .expr(let expr, _) = show[0] else { return XCTFail() }
        XCTAssertEqual(sourceText(text, expr.range), "sum(\n  amount)")
    }
}
