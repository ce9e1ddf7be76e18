import Foundation
import XCTest

/// `crmql --safe` runs text from other people: no statement and no dot
/// command may read or write a file.
final class SafeModeTests: XCTestCase {
    func testFileStatementsAreRefused() throws {
        let fixture = try Fixture()
        try fixture.writeCRMData()
        let statements = [
            ("load customers from \"\(fixture.path("data/customers.csv"))\"", "load"),
            ("export select customers to \"\(fixture.path("out.csv"))\"", "export"),
            ("export chart bar select customers group by region to \"\(fixture.path("out.svg"))\"", "export"),
            ("save \"\(fixture.path("out.snapshot"))\"", "save"),
            ("open \"\(fixture.path("out.snapshot"))\"", "open"),
        ]
        for (statement, word) in statements {
            let run = try CommandRun.run(["--safe", "--demo", "-c", "\(statement)\nselect count customers"])
            XCTAssertEqual(run.status, 1, statement)
            XCTAssertTrue(run.standardError.contains("error: \(word) is not allowed in safe mode: no statement may read or write files"),
                          run.standardError)
            XCTAssertEqual(run.standardOutput, "", "the script stops at the refused statement")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: fixture.path("out.csv")))
        XCTAssertFalse(FileManager.default.fileExists(atPath: fixture.path("out.svg")))
        XCTAssertFalse(FileManager.default.fileExists(atPath: fixture.path("out.snapshot")))
    }

    func testStartUpOptionsThatReadFilesAreRefused() throws {
        let fixture = try Fixture()
        try fixture.writeCRMData()
        let withData = try CommandRun.run(["--safe", "--data", fixture.path("data"), "-c", "select count customers"])
        XCTAssertEqual(withData.status, 2)
        XCTAssertTrue(withData.standardError.contains("--safe forbids reading files"), withData.standardError)
        let withOpen = try CommandRun.run(["--safe", "--open", fixture.path("x.snapshot"), "-c", "select count customers"])
        XCTAssertEqual(withOpen.status, 2)
    }

    func testDotCommandsThatTouchFilesAreRefused() throws {
        let fixture = try Fixture()
        let script = try fixture.write("script.crmql", "select count customers\n")
        let session = try TerminalSession(arguments: ["--safe", "--demo"], environment: [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "TERM": "xterm",
            "HOME": fixture.directory.path,
            "CRMQL_HISTORY": "",
            "NO_COLOR": "1",
        ], directory: fixture.directory.path)
        XCTAssertTrue(session.waitForPrompt(), session.screen.text)

        session.type(".read \(script)")
        session.press(.enter)
        XCTAssertTrue(session.waitFor(".read is not allowed in safe mode: it reads a file"), session.screen.text)
        XCTAssertTrue(session.waitForPrompt())

        session.type(".output \(fixture.path("out.txt"))")
        session.press(.enter)
        XCTAssertTrue(session.waitFor(".output is not allowed in safe mode: it writes a file"), session.screen.text)
        XCTAssertTrue(session.waitForPrompt())
        XCTAssertFalse(FileManager.default.fileExists(atPath: fixture.path("out.txt")))

        // Results still reach the screen: `.output stdout` touches no file.
        session.type(".output stdout")
        session.press(.enter)
        session.type("select count customers")
        session.press(.enter)
        XCTAssertTrue(session.waitFor("10,000"), session.screen.text)
        XCTAssertTrue(session.waitForPrompt())
        session.type(".quit")
        session.press(.enter)
        XCTAssertEqual(session.waitForExit(), 0)
    }
}
