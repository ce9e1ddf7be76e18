import Foundation
import XCTest

/// `.chart` at the prompt, on a pseudo-terminal 100 columns wide, and in
/// piped input, where it draws in plain characters.
final class ChartCommandTests: XCTestCase {
    private var fixture: Fixture!

    override func setUpWithError() throws {
        fixture = try Fixture()
        try fixture.writeCRMData()
    }

    override func tearDown() {
        fixture = nil
    }

    private func startREPL(environment extra: [String: String] = [:]) throws -> TerminalSession {
        var environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "TERM": "xterm",
            "HOME": fixture.directory.path,
            "CRMQL_HISTORY": fixture.path("history"),
            "NO_COLOR": "1",
        ]
        for (key, value) in extra { environment[key] = value }
        let session = try TerminalSession(arguments: ["--data", "data"], environment: environment, directory: fixture.directory.path)
        XCTAssertTrue(session.waitForPrompt(), "no prompt:\n\(session.screen.text)")
        return session
    }

    private func run(_ session: TerminalSession, _ line: String) {
        session.type(line)
        session.press(.enter)
        XCTAssertTrue(session.waitForPrompt(), session.screen.text)
    }

    func testBarChartOfTheLastResultFillsTheTerminal() throws {
        let session = try startREPL()
        run(session, "select customers group by region show region, count() as n")
        run(session, ".chart")
        let lines = session.screen.text.split(separator: "\n").map(String.init)
        guard let heading = lines.lastIndex(of: "n by region") else { return XCTFail(session.screen.text) }
        // Two customers in the north: the longest bar, to the terminal's edge but for the value.
        XCTAssertEqual(lines[heading + 1], "east  " + String(repeating: "█", count: 46) + " 1", session.screen.text)
        XCTAssertEqual(lines[heading + 2], "north " + String(repeating: "█", count: 92) + " 2", session.screen.text)
        session.type(".quit")
        session.press(.enter)
        XCTAssertEqual(session.waitForExit(), 0)
    }

    func testLineAndHeatChartsAtThePrompt() throws {
        let session = try startREPL()
        run(session, "select orders group by placed show placed, sum(amount) as sales")
        run(session, ".chart")
        XCTAssertTrue(session.screen.text.contains("sales by placed"), session.screen.text)
        XCTAssertTrue(session.screen.text.contains("2026-01-05"), session.screen.text)
        XCTAssertTrue(session.screen.text.contains("└" + String(repeating: "─", count: 90)), session.screen.text)
        run(session, "select orders group by customer.region, product show customer.region, product, count() as n")
        run(session, ".chart")
        XCTAssertTrue(session.screen.text.contains("n by customer.region (rows) and product (columns)"), session.screen.text)
        XCTAssertTrue(session.screen.text.contains("""
                   tea   cup   pot
            east     1█
            north    1█    1█    1█
            scale: 0 ·░▒▓█ 1
            """), session.screen.text)
    }

    func testTabCompletesAChartKind() throws {
        let session = try startREPL()
        run(session, "select customers group by region")
        session.type(".chart fu")
        session.press(.tab)
        XCTAssertTrue(session.wait { $0.currentLine == "crmql> .chart funnel" }, session.screen.text)
        session.press(.enter)
        XCTAssertTrue(session.waitFor("% of the first"), session.screen.text)
    }

    func testAKindThatDoesNotFitIsAClearMessage() throws {
        let session = try startREPL()
        session.type(".chart")
        session.press(.enter)
        XCTAssertTrue(session.waitFor("no result to draw yet; run a query first, then .chart"), session.screen.text)
        XCTAssertTrue(session.waitForPrompt())
        run(session, "select customers group by region")
        run(session, ".chart line")
        // The terminal wraps the message at 100 columns.
        XCTAssertTrue(session.screen.text.replacingOccurrences(of: "\n", with: "").contains(
            "cannot draw this result as a line chart: a line chart runs along a date or number column, and 'region' (text) is neither; try a bar chart"),
            session.screen.text)
        run(session, ".chart pie")
        XCTAssertTrue(session.screen.text.contains("unknown chart kind 'pie'; expected one of bar, line, funnel, heat"), session.screen.text)
        run(session, ".chart funel")
        XCTAssertTrue(session.screen.text.contains("unknown chart kind 'funel'; did you mean 'funnel'?"), session.screen.text)
        // The REPL goes on after every refusal.
        run(session, "select count customers")
        XCTAssertTrue(session.screen.text.contains("3"), session.screen.text)
    }

    func testColoursWhereTheTerminalHas256() throws {
        let session = try startREPL(environment: ["TERM": "xterm-256color", "NO_COLOR": ""])
        run(session, "select customers group by region show region, count() as n")
        run(session, ".chart bar")
        XCTAssertTrue(session.screen.text.contains("north " + String(repeating: "█", count: 92) + " 2"), session.screen.text)
        XCTAssertTrue(session.rawOutput.contains("\u{1B}[38;5;33m"), "no 256-colour escape in the output")
    }

    func testPipedInputDrawsPlainCharacters() throws {
        let run = try CommandRun.run(["--data", fixture.path("data")], input: """
            select customers group by region show region, count() as n
            .chart funnel

            """)
        XCTAssertEqual(run.status, 0, run.standardError)
        XCTAssertTrue(run.standardOutput.hasSuffix("""
            n by region, % of the first
            east                  ##################################                  1 100%
            north ################################################################### 2 200%

            """), run.standardOutput)
    }
}
