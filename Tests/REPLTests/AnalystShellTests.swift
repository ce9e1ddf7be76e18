import Foundation
import XCTest

/// The shell as sqlite3 users expect it, and what a new analyst met in the
/// first hour: dot commands in scripts and piped input, messages on
/// standard error in every format, exports that refuse a format they do not
/// write, saved work that reopens, hints and help.
final class AnalystShellTests: XCTestCase {
    private var fixture: Fixture!

    override func setUpWithError() throws {
        fixture = try Fixture()
        try fixture.writeCRMData()
    }

    override func tearDown() {
        fixture = nil
    }

    private func crmql(_ arguments: [String], input: String = "") throws -> CommandRun {
        try CommandRun.run(arguments, input: input, directory: fixture.directory)
    }

    // MARK: Dot commands outside the REPL

    func testDotModeInAScriptFile() throws {
        try fixture.write("report.crmql", """
            .mode json
            select customers where stage = mature show name
            .mode csv
            select count customers
            """)
        let run = try crmql(["--data", "data", "report.crmql"])
        XCTAssertEqual(run.status, 0, run.standardError)
        XCTAssertEqual(run.standardOutput, "[\n{\"name\":\"Ann\"},\n{\"name\":\"王芳\"}\n]\n\ncount()\n3\n")
    }

    func testDotCommandsInPipedInput() throws {
        let run = try crmql(["--data", "data"], input: ".mode markdown\nselect customers where id = 1 show name\n.timer off\n")
        XCTAssertEqual(run.status, 0, run.standardError)
        XCTAssertEqual(run.standardOutput, "| name |\n|------|\n| Ann  |\n")
    }

    func testADotLineInsideAnOpenStatementIsPartOfIt() throws {
        // The string is still open, so `.mode line` is text of the name;
        // only lines between statements are commands.
        let input = "insert into customers (id, name) values (9, \"first\n.mode line\")\nselect customers where id = 9 show length(name)\n"
        let run = try crmql(["--data", "data"], input: input)
        XCTAssertEqual(run.status, 0, run.standardError)
        XCTAssertEqual(run.standardOutput, "length(name)\n16\n")
    }

    func testEverySyntaxErrorIsReportedBeforeAnythingRuns() throws {
        try fixture.write("bad.crmql", "select customers show name\n.mode json\nselect customers whre id = 1\nselect ( from\n")
        let run = try crmql(["--data", "data", "bad.crmql"])
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.standardOutput, "")
        XCTAssertTrue(run.standardError.contains("bad.crmql:3:"), run.standardError)
        XCTAssertTrue(run.standardError.contains("bad.crmql:4:"), run.standardError)
    }

    func testAnUnknownDotCommandStopsTheScriptWithItsLine() throws {
        let run = try crmql(["--data", "data"], input: "select count customers\n.mdoe json\nselect count orders\n")
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.standardOutput, "count()\n3\n")
        XCTAssertTrue(run.standardError.contains("<stdin>:2: error: unknown command '.mdoe'; did you mean '.mode'?"), run.standardError)
    }

    func testDotReadOfAFileThatReadsItselfStops() throws {
        try fixture.write("loop.crmql", ".read loop.crmql\n")
        let run = try crmql(["loop.crmql"])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.standardError.contains("more than 16 files deep"), run.standardError)
    }

    func testDotFormatPlainInAScript() throws {
        let run = try crmql(["--data", "data", "--format", "table"], input: "select orders where id = 10 show amount * 1000\n.format plain\nselect orders where id = 10 show amount * 1000\n")
        XCTAssertEqual(run.status, 0, run.standardError)
        XCTAssertTrue(run.standardOutput.contains("12,500.00"), run.standardOutput)
        let plain = run.standardOutput.components(separatedBy: "\n\n").last ?? ""
        XCTAssertTrue(plain.contains(" 12500 │") && !plain.contains("12,500"), run.standardOutput)
    }

    // MARK: Messages

    func testMessagesGoToStandardErrorInTableFormatToo() throws {
        try fixture.write("leads.csv", "id,name\n1,a\n2,b\n3,c\n4,d\n5,e\n6,f\n")
        let run = try crmql(["--demo", "--format", "table", "-c", "load leads from \"leads.csv\"; select count leads"])
        XCTAssertEqual(run.status, 0, run.standardError)
        XCTAssertFalse(run.standardOutput.contains("demo data loaded"), run.standardOutput)
        XCTAssertFalse(run.standardOutput.contains("loaded 6 leads"), run.standardOutput)
        XCTAssertTrue(run.standardError.contains("demo data loaded"), run.standardError)
        XCTAssertTrue(run.standardError.contains("loaded 6 leads from leads.csv"), run.standardError)
        XCTAssertTrue(run.standardOutput.hasPrefix("┌"), run.standardOutput)
    }

    // MARK: Export

    func testExportToAnExtensionItDoesNotWriteIsAnError() throws {
        let run = try crmql(["--data", "data", "-c", "export select customers to \"x.xlsx\""])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.standardError.contains("cannot export to '.xlsx' files; the file name must end in .csv, .json, .ndjson or .jsonl"),
                      run.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: fixture.path("x.xlsx")))
        let written = try crmql(["--data", "data", "-c", "export select customers to \"x.ndjson\""])
        XCTAssertEqual(written.status, 0, written.standardError)
    }

    // MARK: Saved work

    func testASnapshotWithADefinitionOverAPreludeMeasureReopens() throws {
        let save = try crmql(["--demo", "-c", "define customers.big = revenue > 5000; save \"d1.db\"; open \"d1.db\"; select count customers where big"])
        XCTAssertEqual(save.status, 0, save.standardError)
        XCTAssertTrue(save.standardError.contains("saved 3 entities"), save.standardError)
        XCTAssertFalse(save.standardError.contains("Diagnostic"), save.standardError)
        let expected = save.standardOutput
        for arguments in [["--open", "d1.db"], ["--demo", "--open", "d1.db"]] {
            let run = try crmql(arguments + ["-c", "select count customers where big"])
            XCTAssertEqual(run.status, 0, "\(arguments): \(run.standardError)")
            XCTAssertEqual(run.standardOutput, expected, "\(arguments)")
        }
    }

    func testAFailingOpenNeverPrintsADebugDump() throws {
        try fixture.write("junk.db", "not a snapshot")
        for script in ["open \"junk.db\"", "open \"missing.db\"", "load customers from \"missing.csv\""] {
            let run = try crmql(["-c", script])
            XCTAssertEqual(run.status, 1, script)
            for dump in ["Diagnostic(", "CRMQLCore.", "Error Domain=", "severity:"] {
                XCTAssertFalse(run.standardError.contains(dump), "\(script): \(run.standardError)")
            }
        }
    }

    // MARK: Small ones

    func testLikeGetsAHint() throws {
        let run = try crmql(["--data", "data", "-c", "select customers where name like \"A%\""])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.standardError.contains("CRMQL has no 'like': use contains, starts with, ends with"), run.standardError)
    }

    func testHelpFunctionsListsShareAbove() throws {
        let run = try crmql(["-c", "help functions"])
        XCTAssertEqual(run.status, 0, run.standardError)
        XCTAssertTrue(run.standardOutput.contains("share_above(x)"), run.standardOutput)
    }
}
