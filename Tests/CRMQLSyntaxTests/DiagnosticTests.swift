import CRMQLCore
import Foundation
import Synchronization
import XCTest
@testable import CRMQLSyntax

/// Error messages, their ranges, recovery, and the limits that keep hostile
/// input from crashing the parser.
final class DiagnosticTests: XCTestCase {
    func errors(_ text: String) -> [String] {
        parseScript(text).diagnostics.map { diagnostic in
            let span = diagnostic.range.map { sourceText(text, $0) } ?? ""
            return "\(diagnostic.message) [\(span)]"
        }
    }

    func testMisspelledStatementSuggestsAKeyword() {
        XCTAssertEqual(errors("selct customers"), ["unknown statement 'selct'; did you mean 'select'? [selct]"])
        XCTAssertEqual(errors("DESCRIBEE customers"), ["unknown statement 'DESCRIBEE'; did you mean 'describe'? [DESCRIBEE]"])
        XCTAssertEqual(errors("frobnicate"), ["unknown statement 'frobnicate' [frobnicate]"])
    }

    func testMisspelledClauseSuggestsAKeyword() {
        XCTAssertEqual(errors("select customers wher loyalty > 1"),
                       ["expected the end of the statement, found 'wher'; did you mean 'where'? [wher]"])
        XCTAssertEqual(errors("select customers where a = 1 ordr by a"),
                       ["expected the end of the statement, found 'ordr'; did you mean 'order'? [ordr]"])
        XCTAssertEqual(errors("select customers where a = 1 adn b = 2"),
                       ["expected the end of the statement, found 'adn'; did you mean 'and'? [adn]"])
    }

    func testExpectedMessagesNameThePreviousToken() {
        XCTAssertEqual(errors("select customers where = 1"), ["expected an expression after 'where', found '=' [=]"])
        XCTAssertEqual(errors("select customers where a = = 1"), ["expected an expression after '=', found '=' [=]"])
        XCTAssertEqual(errors("select customers where a = ;"), ["expected an expression after '=' []"])
        XCTAssertEqual(errors("select customers group name"), ["expected 'by' after 'group', found 'name' [name]"])
        XCTAssertEqual(errors("select customers where x is 5"), ["expected 'null' after 'is', found the number '5' [5]"])
        XCTAssertEqual(errors("select customers where x starts 'a'"), ["expected 'with' after 'starts', found a string ['a']"])
        XCTAssertEqual(errors("select customers where f(1 2)"),
                       ["expected ')' to close the '(' at line 1, found the number '2' [2]"])
        XCTAssertEqual(errors("select customers where count(*)"), ["expected an expression after '(', found '*' [*]"])
        XCTAssertEqual(errors("select customers show a as"), ["expected a column name after 'as' []"])
    }

    func testRepeatedClauseIsAnError() {
        XCTAssertEqual(errors("select customers where a = 1 where b = 2"),
                       ["duplicate 'where' clause; a query takes each clause at most once [where]"])
        XCTAssertEqual(errors("select customers order by a show a order by b"),
                       ["duplicate 'order by' clause; a query takes each clause at most once [order]"])
    }

    func testRecoveryReportsEveryError() {
        let text = """
        selct customers
        select orders where amount > 5
        select customers where loyalty >
          and tier = gold
        select customers wher x = 1; select orders
        create entity t (a int
        select orders show (1 +
        select customers
        """
        let (script, diagnostics) = parseScript(text)
        XCTAssertEqual(diagnostics.map(\.message), [
            "unknown statement 'selct'; did you mean 'select'?",
            "expected an expression after '>', found 'and'",
            "expected the end of the statement, found 'wher'; did you mean 'where'?",
            "expected ')' to close the '(' at line 6, found 'select'",
            "expected an expression after '+', found 'select'",
        ])
        XCTAssertEqual(diagnostics.compactMap(\.range).map { SourceFile(name: "t", text: text).line(of: $0.start) }, [1, 4, 5, 7, 8])
        XCTAssertEqual(script.statements.map(ASTPrinter.print),
                       ["select orders where amount > 5", "select orders", "select customers"])
        XCTAssertFalse(diagnostics.contains { $0.isIncompleteInput })
    }

    func testLexerErrorsDropTheirStatementOnly() {
        let (script, diagnostics) = parseScript("select customers where name = 'a\\qb'\nselect orders where x # 1\nselect orders")
        XCTAssertEqual(diagnostics.count, 2)
        XCTAssertEqual(diagnostics[1].message, "unexpected character '#'")
        XCTAssertEqual(script.statements.map(ASTPrinter.print), ["select orders"])
    }

    func testRenderedDiagnosticPointsAtTheSpan() {
        let source = SourceFile(name: "q.crmql", text: "select customers\nselect orders where amount >> 1")
        let (_, diagnostics) = Parser.parse(source)
        XCTAssertEqual(diagnostics.first?.rendered(in: source), """
        q.crmql:2:29: error: expected an expression after '>', found '>'
        select orders where amount >> 1
                                    ^
        """)
    }

    func testDeepNestingIsRefusedWithoutOverflow() {
        let depth = 10_000
        let cases = [
            String(repeating: "(", count: depth) + "1" + String(repeating: ")", count: depth),
            String(repeating: "- ", count: depth) + "x",
            String(repeating: "- ", count: depth) + "1",
            String(repeating: "not ", count: depth) + "x",
            String(repeating: "f(", count: depth) + "1" + String(repeating: ")", count: depth),
            Array(repeating: "1", count: depth).joined(separator: " + "),
            "x" + String(repeating: ".y", count: depth),
            String(repeating: "(", count: depth),
            String(repeating: "case when ", count: depth) + "1",
        ]
        for body in cases {
            let text = "select customers where " + body
            let (script, diagnostics) = parseScript(text)
            XCTAssertEqual(script.statements.count, 0)
            XCTAssertEqual(diagnostics.map(\.message), ["expression nested too deeply"], String(body.prefix(20)))
            let (expr, exprDiagnostics) = Parser.parseExpression(SourceFile(name: "t", text: body))
            XCTAssertNil(expr)
            XCTAssertEqual(exprDiagnostics.map(\.message), ["expression nested too deeply"])
        }
    }

    func testDeepNestingFitsAThreadStack() {
        // Not only the main thread's large stack: the parser at its nesting
        // limit fits a 4 MB thread even in debug builds (512 KB in release).
        let depth = 10_000
        let bodies = [
            String(repeating: "1 + (", count: depth) + "1" + String(repeating: ")", count: depth),
            String(repeating: "f(", count: depth) + "1" + String(repeating: ")", count: depth),
            String(repeating: "x between (", count: depth) + "1" + String(repeating: ") and 2", count: depth),
            String(repeating: "case when ", count: depth) + "1" + String(repeating: " then 1 end", count: depth),
            String(repeating: "(", count: 250) + "x in (1, f(2 where y))" + String(repeating: ")", count: 250),
        ]
        let finished = expectation(description: "parsed on a thread")
        let messages = Mutex<[[String]]>([])
        let thread = Thread {
            for body in bodies {
                let (script, diagnostics) = Parser.parse(SourceFile(name: "t", text: "select c where " + body))
                let printed = script.statements.map(ASTPrinter.print)
                messages.withLock { $0.append(diagnostics.map(\.message) + printed.map { _ in "ok" }) }
            }
            finished.fulfill()
        }
        thread.stackSize = 4 << 20
        thread.start()
        wait(for: [finished], timeout: 60)
        let tooDeep = ["expression nested too deeply"]
        XCTAssertEqual(messages.withLock { $0 }, [tooDeep, tooDeep, tooDeep, tooDeep, ["ok"]])
    }

    func testNestingUpToTheLimitIsFine() {
        let depth = 200
        let text = String(repeating: "(", count: depth) + "1" + String(repeating: ")", count: depth)
        XCTAssertEqual(shape(text), "1")
        let chain = Array(repeating: "1", count: 200).joined(separator: " + ")
        guard let expr = parseExpr(chain) else { return XCTFail() }
        // The printer walks it back without brackets.
        XCTAssertEqual(ASTPrinter.print(expr), chain)
        XCTAssertFalse(shape(Array(repeating: "x", count: 100_000).joined(separator: ", ").wrapped).hasPrefix("error"))
    }

    func testGarbageNeverCrashes() {
        var generator = SplitMix(seed: 42)
        let pieces = ["select", "customers", "where", "(", ")", "'", "\"", "`", "$", "-", "--", "/*", "*/", "\n", ";",
                      "and", "not", "in", "last", "3", "days", "9223372036854775808", "2026-03-31", ",", ".", "case",
                      "when", "end", "\\", "é", "客户", "show", "*", "group", "by", "between", "is", "null", "||", "#"]
        for _ in 0..<2000 {
            let count = Int(generator.next() % 20)
            let text = (0..<count).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }.joined(separator: " ")
            let source = SourceFile(name: "fuzz", text: text)
            let (script, _) = Parser.parse(source)
            for statement in script.statements {
                let printed = ASTPrinter.print(statement)
                let reparsed = Parser.parse(SourceFile(name: "again", text: printed))
                XCTAssertEqual(reparsed.diagnostics.map(\.message), [], "\(text) → \(printed)")
                XCTAssertEqual(reparsed.script.statements.map(ASTPrinter.print), [printed], text)
            }
            _ = Parser.needsMoreInput(source)
            _ = Parser.parseExpression(source)
        }
    }
}

private extension String {
    /// `x in (...)` around a list, for a very wide (not deep) expression.
    var wrapped: String { "x in (" + self + ")" }
}

/// A small deterministic generator for the fuzz test.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
