import CRMQLCore
import XCTest
@testable import CRMQLSyntax

/// Where statements end, and when the text needs more input.
final class ContinuationTests: XCTestCase {
    func statements(_ text: String) -> [String] {
        let (script, diagnostics) = parseScript(text)
        return diagnostics.map { "error: " + $0.message } + script.statements.map(ASTPrinter.print)
    }

    func needsMore(_ text: String) -> Bool {
        Parser.needsMoreInput(SourceFile(name: "<input>", text: text))
    }

    func testLineBreakEndsACompleteStatement() {
        XCTAssertEqual(statements("select customers\nselect orders"), ["select customers", "select orders"])
        XCTAssertEqual(statements("select customers;select orders;"), ["select customers", "select orders"])
        XCTAssertEqual(statements("\n\n;;select customers\n\n;\n"), ["select customers"])
        XCTAssertEqual(statements("set today = 2026-01-01\nselect orders where placed in this month"),
                       ["set today = 2026-01-01", "select orders where placed in this month"])
    }

    func testClauseKeywordsContinueTheStatement() {
        XCTAssertEqual(statements("select customers\nwhere loyalty > 0.8\n  and stage = mature\nor tier = gold\nshow name\norder by name\nlimit 3\noffset 1"),
                       ["select customers where loyalty > 0.8 and stage = mature or tier = gold show name order by name limit 3 offset 1"])
        XCTAssertEqual(statements("select orders\ngroup by channel\nhaving count() > 2"),
                       ["select orders group by channel having count() > 2"])
        XCTAssertEqual(statements("select orders where placed\n  in last 7 days"), ["select orders where placed in last 7 days"])
        XCTAssertEqual(statements("delete orders where amount < 0\ncascade"), ["delete orders where amount < 0 cascade"])
        XCTAssertEqual(statements("select customers order by revenue\n  desc\n  nulls first"),
                       ["select customers order by revenue desc nulls first"])
    }

    func testOperatorsAtLineStartContinue() {
        XCTAssertEqual(statements("select orders show amount\n  + cost\n  * 2"), ["select orders show amount + cost * 2"])
        XCTAssertEqual(statements("select orders show amount\n, cost"), ["select orders show amount, cost"])
        XCTAssertEqual(statements("select orders where a\n= 1"), ["select orders where a = 1"])
        XCTAssertEqual(statements("select orders show name\n|| 'x'"), ["select orders show name || \"x\""])
        XCTAssertEqual(statements("select orders show customer\n.region"), ["select orders show customer.region"])
    }

    func testTrailingOperatorOrKeywordContinues() {
        XCTAssertEqual(statements("select customers where\nloyalty >\n0.8 and\nstage = mature"),
                       ["select customers where loyalty > 0.8 and stage = mature"])
        XCTAssertEqual(statements("select\ncustomers"), ["select customers"])
        XCTAssertEqual(statements("select customers order\nby name"), ["select customers order by name"])
        XCTAssertEqual(statements("let x =\nselect customers"), ["let x = select customers"])
        XCTAssertEqual(statements("select orders show case\nwhen amount > 1\nthen 'big'\nelse 'small'\nend"),
                       ["select orders show case when amount > 1 then \"big\" else \"small\" end"])
    }

    func testOpenBracketsContinue() {
        XCTAssertEqual(statements("select customers where region in (\n  north,\n  east\n)\nselect orders"),
                       ["select customers where region in (north, east)", "select orders"])
        XCTAssertEqual(statements("select rules(orders,\n item: product,\n by: basket)"),
                       ["select rules(orders, item: product, by: basket)"])
        XCTAssertEqual(statements("select orders show 'multi\nline'"), ["select orders show \"multi\\nline\""])
        XCTAssertEqual(statements("select orders show sum(coalesce\n(amount, 0))"), ["select orders show sum(coalesce(amount, 0))"])
    }

    func testOtherLinesStartNewStatements() {
        XCTAssertEqual(statements("select customers\nshow entities"), ["select customers", "show entities"])
        XCTAssertEqual(statements("select customers\nshow indexes;"), ["select customers", "show indexes"])
        XCTAssertEqual(statements("select customers\nshow name"), ["select customers show name"])
        XCTAssertEqual(statements("select customers\n(1)"), ["error: expected a statement, found '('", "select customers"])
        // A clause keyword carries on even a statement that takes no clause.
        XCTAssertEqual(statements("help me\nwhere x"), ["error: expected the end of the statement, found 'where'"])
    }

    func testCommentsDoNotEndOrContinue() {
        XCTAssertEqual(statements("select customers -- all of them\n-- a comment line\nwhere tier = gold /* gold only */"),
                       ["select customers where tier = gold"])
        XCTAssertEqual(statements("select customers /* spans\nlines */ where x = 1"), ["select customers where x = 1"])
    }

    func testNeedsMoreInput() {
        for text in ["select", "select ", "select customers where", "select customers where loyalty >",
                     "select customers where (loyalty", "select customers where name = 'abc", "select customers /* note",
                     "select customers order", "select customers order by", "select count", "let x =",
                     "select orders show case when a then b", "select customers where x between 1",
                     "select customers where x in", "select customers where x in last", "create entity t (a int,",
                     "insert into t values (1,", "select customers where\n", "select customers where a and\n\n",
                     "select rules(orders,", "update customers set", "select customers\nwhere", "`unfinished",
                     "show", "create"] {
            XCTAssertTrue(needsMore(text), text)
        }
        for text in ["", "select customers", "select customers where x = 1", "select customers;", "selct customers where",
                     "select customers where x = = 1", "show entities", "help", "select customers where x = 1\n",
                     "select customers where (a))"] {
            XCTAssertFalse(needsMore(text), text)
        }
    }

    func testAnOpenCommentOrStringIsReportedOnce() {
        let (_, diagnostics) = parseScript("select customers where /* a note")
        XCTAssertEqual(diagnostics.map(\.message), ["unterminated block comment"])
        XCTAssertEqual(parseScript("select 'abc").diagnostics.map(\.message),
                       ["unterminated string", "expected an entity or query name after 'select', found a string"])
    }

    func testIncompleteErrorsAreMarked() {
        let (_, diagnostics) = parseScript("select customers where")
        XCTAssertEqual(diagnostics.map(\.message), ["expected an expression after 'where'"])
        XCTAssertEqual(diagnostics.first?.isIncompleteInput, true)
        XCTAssertEqual(diagnostics.first?.range, SourceRange(22, 22))
        let closing = parseScript("select customers where region in (north,\n east").diagnostics
        XCTAssertEqual(closing.map(\.message), ["expected ')' to close the '(' at line 1"])
        XCTAssertEqual(closing.first?.isIncompleteInput, true)
    }
}
