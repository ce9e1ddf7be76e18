import Foundation
import XCTest

/// The REPL driven through a pseudo-terminal, keystroke by keystroke, with
/// assertions on the screen a person would see.
final class InteractiveTests: XCTestCase {
    private var fixture: Fixture!

    override func setUpWithError() throws {
        fixture = try Fixture()
        try fixture.writeCRMData()
    }

    override func tearDown() {
        fixture = nil
    }

    /// A fresh REPL on the fixture's data. `LANG` is deliberately unset, as
    /// on many CI machines: the REPL must still edit multibyte text.
    private func startREPL(_ arguments: [String] = ["--data", "data"], history: String = "history",
                           environment extra: [String: String] = [:]) throws -> TerminalSession {
        var environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "TERM": "xterm",
            "HOME": fixture.directory.path,
            "CRMQL_HISTORY": fixture.path(history),
            "NO_COLOR": "1",
        ]
        for (key, value) in extra { environment[key] = value }
        let session = try TerminalSession(arguments: arguments, environment: environment, directory: fixture.directory.path)
        XCTAssertTrue(session.waitForPrompt(), "no prompt:\n\(session.screen.text)")
        return session
    }

    func testBannerAndQuit() throws {
        let session = try startREPL([])
        XCTAssertTrue(session.screen.text.contains(".help"), session.screen.text)
        XCTAssertTrue(session.screen.text.contains(".demo to load demo data"), session.screen.text)
        session.type(".quit")
        session.press(.enter)
        XCTAssertEqual(session.waitForExit(), 0)
    }

    func testCtrlDOnAnEmptyLineExits() throws {
        let session = try startREPL()
        session.press(.ctrlD)
        XCTAssertEqual(session.waitForExit(), 0)
    }

    func testTabCompletesAFieldName() throws {
        let session = try startREPL()
        session.type("select customers where loy")
        session.press(.tab)
        XCTAssertTrue(session.wait { $0.currentLine == "crmql> select customers where loyalty" }, session.screen.text)
        session.type("> 0.8 show name")
        session.press(.enter)
        XCTAssertTrue(session.waitFor("Ann"), session.screen.text)
        XCTAssertTrue(session.waitForPrompt())
        XCTAssertFalse(session.screen.text.contains("Bob"), session.screen.text)
    }

    func testTabCompletesAnEnumSymbolAndListsThemAll() throws {
        let session = try startREPL()
        session.type("select customers where stage = ")
        session.press(.tab)
        // Several candidates: listed under the line, which is shown again.
        XCTAssertTrue(session.waitFor("churned"), session.screen.text)
        XCTAssertTrue(session.screen.text.contains("prospect"), session.screen.text)
        XCTAssertTrue(session.waitForPrompt())
        session.type("gr")
        session.press(.tab)
        XCTAssertTrue(session.wait { $0.currentLine == "crmql> select customers where stage = growth" }, session.screen.text)
        session.type("show name")
        session.press(.enter)
        XCTAssertTrue(session.waitFor("Bob"), session.screen.text)
    }

    func testTabCompletesDotCommands() throws {
        let session = try startREPL()
        session.type(".sch")
        session.press(.tab)
        XCTAssertTrue(session.wait { $0.currentLine == "crmql> .schema" }, session.screen.text)
        session.type("cust")
        session.press(.tab)
        XCTAssertTrue(session.wait { $0.currentLine == "crmql> .schema customers" }, session.screen.text)
        session.press(.enter)
        XCTAssertTrue(session.waitFor("create entity customers"), session.screen.text)
    }

    func testMultiLineStatementUsesTheContinuationPromptAndOneHistoryEntry() throws {
        let session = try startREPL()
        session.type("select customers where (loyalty >")
        session.press(.enter)
        XCTAssertTrue(session.waitForPrompt("   ...> "), session.screen.text)
        session.type("0.5) show name")
        session.press(.enter)
        XCTAssertTrue(session.waitFor("王芳"), session.screen.text)
        XCTAssertTrue(session.waitForPrompt())
        XCTAssertTrue(session.screen.text.contains("Ann"), session.screen.text)
        XCTAssertFalse(session.screen.text.contains("Bob"), session.screen.text)

        // Up brings back the whole statement, not its last line.
        session.press(.up)
        XCTAssertTrue(session.wait { $0.text.contains("select customers where (loyalty >") && $0.text.hasSuffix("0.5) show name") },
                      session.screen.text)
    }

    func testHistoryIsRecalledAfterARestart() throws {
        let first = try startREPL()
        first.type("select customers where id = 2 show name")
        first.press(.enter)
        XCTAssertTrue(first.waitFor("Bob"))
        XCTAssertTrue(first.waitForPrompt())
        first.type(".quit")
        first.press(.enter)
        XCTAssertEqual(first.waitForExit(), 0)

        let saved = try String(contentsOfFile: fixture.path("history"), encoding: .utf8)
        XCTAssertTrue(saved.hasPrefix("_HiStOrY_V2_"), saved)

        let second = try startREPL()
        second.press(.up)
        second.press(.up)
        XCTAssertTrue(second.wait { $0.currentLine == "crmql> select customers where id = 2 show name" }, second.screen.text)
        second.press(.enter)
        XCTAssertTrue(second.waitFor("Bob"), second.screen.text)
    }

    func testCtrlCClearsTheLineAndThePendingStatement() throws {
        let session = try startREPL()
        session.type("select customers where (")
        session.press(.enter)
        XCTAssertTrue(session.waitForPrompt("   ...> "), session.screen.text)
        session.type("loyalty > 0.5")
        session.press(.ctrlC)
        // Back at the main prompt, with nothing pending.
        XCTAssertTrue(session.waitForPrompt(), session.screen.text)
        XCTAssertEqual(session.screen.currentLine, "crmql>")
        session.type("select customers where id = 1 show name")
        session.press(.enter)
        XCTAssertTrue(session.waitFor("Ann"), session.screen.text)
        XCTAssertTrue(session.waitForPrompt())
        session.type(".quit")
        session.press(.enter)
        XCTAssertEqual(session.waitForExit(), 0)
    }

    func testCtrlCCancelsALongStatement() throws {
        // Loading the same file many times in one go keeps the engine busy
        // long past the spinner's two seconds, and each statement start is a
        // point where an interrupt is honoured.
        var csv = "id,name,amount\n"
        csv.reserveCapacity(6_000_000)
        for row in 1...200_000 { csv += "\(row),name\(row),\(row % 997).5\n" }
        try fixture.write("big.csv", csv)
        let loads = (1...100).map { "load big\($0) from \"big.csv\"" }.joined(separator: "; ")

        let session = try startREPL()
        session.type(loads)
        session.press(.enter)
        XCTAssertTrue(session.waitFor("running", timeout: 30), "no progress indicator:\n\(session.screen.text)")
        session.press(.ctrlC)
        XCTAssertTrue(session.waitFor("interrupted", timeout: 10), session.screen.text)
        XCTAssertTrue(session.waitForPrompt(timeout: 10), session.screen.text)
        // The spinner is gone and the REPL takes statements again.
        XCTAssertFalse(session.screen.currentLine.contains("running"), session.screen.text)
        session.type("select customers where id = 3 show name")
        session.press(.enter)
        XCTAssertTrue(session.waitFor("王芳"), session.screen.text)
    }

    /// Mining with a tiny support runs for seconds (and, in a debug build,
    /// far longer): one Ctrl-C stops it within a moment, not when the
    /// mining gives up by itself.
    func testCtrlCCancelsRulesMining() throws {
        let session = try startREPL(["--demo"])
        session.type("select rules(orders, item: product, by: customer, support: 0.001, confidence: 0.01) order by lift desc limit 3")
        session.press(.enter)
        XCTAssertTrue(session.waitFor("running", timeout: 30), "no progress indicator:\n\(session.screen.text)")
        let pressed = ContinuousClock.now
        session.press(.ctrlC)
        XCTAssertTrue(session.waitFor("interrupted", timeout: 10), session.screen.text)
        // The screen is read every few milliseconds; a second is far more than polling needs.
        XCTAssertLessThan(ContinuousClock.now - pressed, .seconds(1), session.screen.text)
        XCTAssertFalse(session.screen.text.contains("frequent itemsets"), session.screen.text)
        XCTAssertTrue(session.waitForPrompt(timeout: 10), session.screen.text)
        session.type("select count customers")
        session.press(.enter)
        XCTAssertTrue(session.waitFor("count"), session.screen.text)
    }

    func testEditingCJKText() throws {
        let session = try startREPL()
        session.type("select customers where name = \"王x芳\" show id")
        for _ in 0..<10 { session.press(.left) }
        session.press(.backspace)
        XCTAssertTrue(session.wait { $0.currentLine == "crmql> select customers where name = \"王芳\" show id" }, session.screen.text)
        session.type("小")
        XCTAssertTrue(session.wait { $0.currentLine == "crmql> select customers where name = \"王小芳\" show id" }, session.screen.text)
        session.press(.backspace)
        session.press(.enter)
        XCTAssertTrue(session.waitForPrompt())
        // The row of 王芳 (id 3) is found, so the text arrived intact.
        XCTAssertTrue(session.screen.text.contains("│  3 │") || session.screen.text.contains("│ 3 │"), session.screen.text)
    }

    func testUnknownDotCommandSuggestsTheClosest() throws {
        let session = try startREPL()
        session.type(".hepl")
        session.press(.enter)
        XCTAssertTrue(session.waitFor("unknown command '.hepl'; did you mean '.help'?"), session.screen.text)
    }

    func testModeAndTimer() throws {
        let session = try startREPL()
        session.type(".mode csv")
        session.press(.enter)
        XCTAssertTrue(session.waitForPrompt())
        session.type(".timer on")
        session.press(.enter)
        XCTAssertTrue(session.waitForPrompt())
        session.type("select customers where region = \"east\" show name, stage")
        session.press(.enter)
        XCTAssertTrue(session.waitFor("Time: "), session.screen.text)
        XCTAssertTrue(session.screen.text.contains("name,stage\nBob,growth\n") || session.screen.text.contains("name,stage\r\nBob,growth"),
                      session.screen.text)
    }

    func testEditRunsTheSavedStatement() throws {
        let editor = try fixture.write("editor.sh", "#!/bin/sh\nprintf 'select customers where id = 2 show name\\n' > \"$1\"\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: editor)
        let session = try startREPL(environment: ["EDITOR": editor])
        session.type(".edit")
        session.press(.enter)
        XCTAssertTrue(session.waitFor("Bob"), session.screen.text)
        XCTAssertTrue(session.waitForPrompt())
        // The edited statement joins the history.
        session.press(.up)
        XCTAssertTrue(session.wait { $0.currentLine == "crmql> select customers where id = 2 show name" }, session.screen.text)
    }

    func testLastShowsEveryRowThroughThePager() throws {
        let session = try startREPL(environment: ["PAGER": "cat"])
        session.type(".maxrows 2")
        session.press(.enter)
        XCTAssertTrue(session.waitForPrompt())
        session.type("select orders show id")
        session.press(.enter)
        XCTAssertTrue(session.waitFor(".last"), session.screen.text)
        XCTAssertTrue(session.waitForPrompt())
        XCTAssertFalse(session.screen.transcript.contains("│ 11 │"), session.screen.text)
        session.type(".last")
        session.press(.enter)
        XCTAssertTrue(session.waitFor("│ 11 │"), session.screen.text)
        XCTAssertTrue(session.screen.transcript.contains("│ 12 │"), session.screen.text)
    }
}
