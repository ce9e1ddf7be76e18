import Foundation
import XCTest

/// What the REPL shows a person at a 100 × 40 terminal: the banner, wide
/// tables (middle columns hidden and named before a short value is cut,
/// long definitions wrapped), tall results through the pager.
final class TableDisplayTests: XCTestCase {
    private var fixture: Fixture!

    override func setUpWithError() throws {
        fixture = try Fixture()
        try fixture.writeCRMData()
    }

    override func tearDown() {
        fixture = nil
    }

    private func startREPL(_ arguments: [String], environment extra: [String: String] = [:]) throws -> TerminalSession {
        var environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "TERM": "xterm",
            "HOME": fixture.directory.path,
            "CRMQL_HISTORY": "",
            "NO_COLOR": "1",
        ]
        for (key, value) in extra { environment[key] = value }
        let session = try TerminalSession(arguments: arguments, environment: environment, directory: fixture.directory.path)
        XCTAssertTrue(session.waitForPrompt(timeout: 30), "no prompt:\n\(session.screen.text)")
        return session
    }

    func testTheBannerDoesNotOfferDemoDataWhenItIsLoaded() throws {
        let session = try startREPL(["--demo"])
        XCTAssertTrue(session.screen.text.contains("Enter .help for help"), session.screen.text)
        XCTAssertFalse(session.screen.text.contains(".demo to load demo data"), session.screen.text)
        session.type(".quit")
        session.press(.enter)
        XCTAssertEqual(session.waitForExit(), 0)
    }

    func testAWideTableHidesAndNamesMiddleColumnsRatherThanCutShortValues() throws {
        let session = try startREPL(["--demo"], environment: ["PAGER": "cat"])
        session.type("select customers limit 15")
        session.press(.enter)
        XCTAssertTrue(session.waitFor("columns hidden: "), session.screen.text)
        XCTAssertTrue(session.waitForPrompt())
        let screen = session.screen.text
        XCTAssertFalse(screen.contains("individ…"), screen)
        XCTAssertFalse(screen.contains("platin…"), screen)
        XCTAssertTrue(screen.contains("service_cost"), screen)
    }

    func testAFewWideRowsGoVerticalWithNothingCut() throws {
        // The report's query: 15 columns squeezed until `individ…`.
        let session = try startREPL(["--demo"], environment: ["PAGER": "cat"])
        session.type("select customers limit 5")
        session.press(.enter)
        XCTAssertTrue(session.waitFor("(5 rows)"), session.screen.text)
        let transcript = session.screen.transcript
        XCTAssertTrue(transcript.contains("─[ row 5 ]"), session.screen.text)
        XCTAssertTrue(transcript.contains("individual"), session.screen.text)
        XCTAssertTrue(transcript.contains("service_cost"), session.screen.text)
        XCTAssertFalse(transcript.contains("…"), session.screen.text)
    }

    func testDescribeShowsLongDefinitionsWhole() throws {
        let session = try startREPL(["--demo"], environment: ["PAGER": "cat"])
        session.type("describe customers")
        session.press(.enter)
        XCTAssertTrue(session.waitForPrompt())
        // A long definition wraps whole: the end of value_class's is on the
        // screen. (churn_risk's, the longest, passes the wrap's 12 lines
        // beside the field column that expected_orders_90d widens.)
        XCTAssertTrue(session.screen.transcript.contains("else \"small\" end"), session.screen.text)
        XCTAssertTrue(session.screen.transcript.contains("first_order then null"), session.screen.text)
    }

    func testATallResultGoesThroughThePagerUnlessItIsOff() throws {
        let session = try startREPL(["--demo"], environment: ["PAGER": "sed 's/^/PAGED /'"])
        session.type("select customers order by id limit 60 show id, name")
        session.press(.enter)
        XCTAssertTrue(session.waitFor("PAGED (60 rows)"), session.screen.text)
        XCTAssertTrue(session.waitForPrompt())
        // A short one is printed as it is.
        session.type("select customers order by id limit 3 show id")
        session.press(.enter)
        XCTAssertTrue(session.waitFor("(3 rows)"), session.screen.text)
        XCTAssertFalse(session.screen.text.contains("PAGED (3 rows)"), session.screen.text)
        XCTAssertTrue(session.waitForPrompt())
        session.type(".pager off")
        session.press(.enter)
        XCTAssertTrue(session.waitForPrompt())
        session.type("select customers order by id limit 70 show id, name")
        session.press(.enter)
        XCTAssertTrue(session.waitFor("(70 rows)"), session.screen.text)
        XCTAssertFalse(session.screen.text.contains("PAGED (70 rows)"), session.screen.text)
        XCTAssertTrue(session.screen.text.contains("more rows"), session.screen.text)
    }
}
