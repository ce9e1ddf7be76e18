import Foundation
import XCTest

/// `crmql` without a terminal: scripts, `-c`, piped input, formats and exit
/// codes (0 success, 1 a statement failed, 2 bad usage).
final class CommandLineTests: XCTestCase {
    private var fixture: Fixture!

    override func setUpWithError() throws {
        fixture = try Fixture()
        try fixture.writeCRMData()
    }

    override func tearDown() {
        fixture = nil
    }

    private func crmql(_ arguments: [String], input: String = "", environment: [String: String] = [:]) throws -> CommandRun {
        try CommandRun.run(arguments, input: input, directory: fixture.directory, environment: environment)
    }

    // MARK: Running statements

    func testCommandPrintsCSVWhenNotATerminal() throws {
        let run = try crmql(["--data", "data", "-c", "select customers show name order by name"])
        XCTAssertEqual(run.status, 0, run.standardError)
        XCTAssertEqual(run.standardOutput, "name\nAnn\nBob\n王芳\n")
    }

    /// `explain sql` is text in a table, one row of one column `sql` in
    /// csv and json.
    func testExplainSQLIsTextInATableAndOneCellInCSVAndJSON() throws {
        let statement = "explain sql duckdb select count customers"
        let sql = "SELECT\n  count(*) AS \"count()\"\nFROM \"customers\" AS c"
        let table = try crmql(["--data", "data", "--format", "table", "-c", statement])
        XCTAssertEqual(table.status, 0, table.standardError)
        XCTAssertEqual(table.standardOutput, sql + "\n")
        let csv = try crmql(["--data", "data", "--format", "csv", "-c", statement])
        XCTAssertEqual(csv.standardOutput, "sql\n\"" + sql.replacingOccurrences(of: "\"", with: "\"\"") + "\"\n")
        let json = try crmql(["--data", "data", "--format", "json", "-c", statement])
        let rows = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [[String: String]]
        XCTAssertEqual(rows, [["sql": sql]])
    }

    func testConsecutiveResultsAreSeparatedByOneEmptyLine() throws {
        let run = try crmql(["--data", "data", "-c", "select customers where stage = mature show name; select orders where amount > 10 show id"])
        XCTAssertEqual(run.status, 0, run.standardError)
        XCTAssertEqual(run.standardOutput, "name\nAnn\n王芳\n\nid\n10\n12\n13\n")
    }

    func testFailingStatementExitsWithOneAndStopsTheScript() throws {
        let run = try crmql(["--data", "data", "-c", "select customers show id\nselect nope\nselect orders show id"])
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.standardOutput, "id\n1\n2\n3\n")
        XCTAssertTrue(run.standardError.contains("<command line>:2:8: error:"), run.standardError)
        XCTAssertTrue(run.standardError.contains("nope"), run.standardError)
        XCTAssertTrue(run.standardError.contains("select nope\n       ^^^^"), run.standardError)
    }

    func testMessagesGoToStandardErrorInCSV() throws {
        let run = try crmql(["--data", "data", "-c", "update customers set loyalty = 1 where region = \"north\""])
        XCTAssertEqual(run.status, 0, run.standardError)
        XCTAssertEqual(run.standardOutput, "")
        XCTAssertTrue(run.standardError.contains("2"), run.standardError)
    }

    func testMessagesGoToStandardErrorInTableToo() throws {
        let run = try crmql(["--data", "data", "--format", "table", "-c", "update customers set loyalty = 1 where region = \"north\""])
        XCTAssertEqual(run.status, 0, run.standardError)
        XCTAssertEqual(run.standardOutput, "")
        XCTAssertTrue(run.standardError.contains("2 customers updated"), run.standardError)
    }

    func testScriptFile() throws {
        let script = try fixture.write("report.crmql", """
            param $region = "east"
            select customers where region = $region show name

            """)
        let run = try crmql([script, "--data", "data"])
        XCTAssertEqual(run.status, 0, run.standardError)
        XCTAssertEqual(run.standardOutput, "name\nBob\n")

        let overridden = try crmql([script, "--data", "data", "--param", "region=north"])
        XCTAssertEqual(overridden.status, 0, overridden.standardError)
        XCTAssertEqual(overridden.standardOutput, "name\nAnn\n王芳\n")
    }

    func testScriptFileErrorsNameTheFileLineAndColumn() throws {
        let script = try fixture.write("broken.crmql", "select customers show name\n\nselect customers where nope > 1\n")
        let run = try crmql([script, "--data", "data"])
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.standardOutput, "name\nAnn\nBob\n王芳\n")
        XCTAssertTrue(run.standardError.contains("\(script):3:24: error:"), run.standardError)
    }

    func testPipedStandardInputRunsWithoutTheREPL() throws {
        let run = try crmql(["--data", "data"], input: "select customers show id\nselect orders where customer = 1 show amount\n")
        XCTAssertEqual(run.status, 0, run.standardError)
        XCTAssertEqual(run.standardOutput, "id\n1\n2\n3\n\namount\n12.5\n8\n")
        XCTAssertFalse(run.standardOutput.contains("crmql>"))
    }

    func testPipedStandardInputFailureExitsWithOne() throws {
        let run = try crmql(["--data", "data"], input: "select customers show id\nselect nope\n")
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.standardError.contains("<stdin>:2:8: error:"), run.standardError)
    }

    func testDataLoadsReferencedEntitiesFirst() throws {
        // `calls` sorts before `customers` but refers to it.
        try fixture.write("data/calls.csv", "id,customer,minutes\n1,3,12\n")
        let run = try crmql(["--data", "data", "-c", "select calls show customer.name"])
        XCTAssertEqual(run.status, 0, run.standardError)
        XCTAssertEqual(run.standardOutput, "customer.name\n王芳\n")
    }

    func testToday() throws {
        let run = try crmql(["--data", "data", "--today", "2026-03-31", "-c", "select orders where placed in last 30 days show id"])
        XCTAssertEqual(run.status, 0, run.standardError)
        XCTAssertEqual(run.standardOutput, "id\n12\n13\n")
    }

    func testTimerReportsOnStandardError() throws {
        let run = try crmql(["--data", "data", "--timer", "-c", "select customers show id"])
        XCTAssertEqual(run.status, 0, run.standardError)
        XCTAssertEqual(run.standardOutput, "id\n1\n2\n3\n")
        XCTAssertNotNil(run.standardError.range(of: #"Time: [0-9]+\.[0-9]+ ms"#, options: .regularExpression), run.standardError)
    }

    func testSafeModeRefusesFileStatements() throws {
        let run = try crmql(["--safe", "-c", "load customers from \"data/customers.csv\""])
        XCTAssertEqual(run.status, 1)
        XCTAssertFalse(run.standardError.isEmpty)
    }

    func testSnapshotRoundTripWithOpen() throws {
        let save = try crmql(["--data", "data", "-c", "save \"crm.snapshot\""])
        XCTAssertEqual(save.status, 0, save.standardError)
        let run = try crmql(["--open", "crm.snapshot", "-c", "select customers where stage = growth show name"])
        XCTAssertEqual(run.status, 0, run.standardError)
        XCTAssertEqual(run.standardOutput, "name\nBob\n")
    }

    func testDemo() throws {
        let run = try crmql(["--demo", "-c", "select count customers"])
        XCTAssertEqual(run.status, 0, run.standardError)
        let lines = run.standardOutput.split(separator: "\n")
        XCTAssertEqual(lines.count, 2, run.standardOutput)
        XCTAssertGreaterThan(Int(lines.last ?? "") ?? 0, 0, run.standardOutput)
    }

    // MARK: Formats

    func testJSONFormat() throws {
        let run = try crmql(["--data", "data", "--format", "json", "-c", "select customers where region = \"north\" show name, loyalty"])
        XCTAssertEqual(run.status, 0, run.standardError)
        let parsed = try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [[String: Any]]
        XCTAssertEqual(parsed?.count, 2)
        XCTAssertEqual(parsed?.first?["name"] as? String, "Ann")
        XCTAssertEqual(parsed?.first?["loyalty"] as? Double, 0.9)
        XCTAssertEqual(parsed?.last?["name"] as? String, "王芳")
    }

    func testNDJSONFormatWritesOneObjectPerLine() throws {
        let run = try crmql(["--data", "data", "--format", "ndjson", "-c", "select customers show id"])
        XCTAssertEqual(run.status, 0, run.standardError)
        let lines = run.standardOutput.split(separator: "\n")
        XCTAssertEqual(lines, [#"{"id":1}"#, #"{"id":2}"#, #"{"id":3}"#])
    }

    func testTwoJSONResultsAreSeparatedByAnEmptyLine() throws {
        let run = try crmql(["--data", "data", "--format", "json", "-c", "select customers where id = 1 show id; select orders where id = 13 show id"])
        XCTAssertEqual(run.status, 0, run.standardError)
        let parts = run.standardOutput.components(separatedBy: "\n\n")
        XCTAssertEqual(parts.count, 2, run.standardOutput)
        XCTAssertEqual(parts.map { $0.filter { !$0.isWhitespace } }, [#"[{"id":1}]"#, #"[{"id":13}]"#])
    }

    func testMarkdownFormat() throws {
        let run = try crmql(["--data", "data", "--format", "markdown", "-c", "select customers where id = 2 show name"])
        XCTAssertEqual(run.status, 0, run.standardError)
        XCTAssertTrue(run.standardOutput.contains("| name"), run.standardOutput)
        XCTAssertTrue(run.standardOutput.contains("| Bob"), run.standardOutput)
    }

    // MARK: Usage

    func testVersionAndHelp() throws {
        let version = try crmql(["--version"])
        XCTAssertEqual(version.status, 0)
        XCTAssertEqual(version.standardOutput, "0.1.0\n")
        let help = try crmql(["--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.standardOutput.contains("--format"), help.standardOutput)
    }

    func testBadUsageExitsWithTwo() throws {
        let cases: [[String]] = [
            ["--no-such-option"],
            ["-c", "select customers", "script.crmql"],
            ["--format", "xml", "-c", "select customers"],
            ["--param", "novalue", "-c", "select customers"],
            ["--today", "2026-02-30", "-c", "select customers"],
            ["missing-script.crmql"],
            ["--data", "no-such-directory", "-c", "select customers"],
            ["--safe", "--data", "data", "-c", "select customers"],
        ]
        for arguments in cases {
            let run = try crmql(arguments)
            XCTAssertEqual(run.status, 2, "\(arguments): \(run.standardError)")
            XCTAssertFalse(run.standardError.isEmpty, "\(arguments)")
            XCTAssertEqual(run.standardOutput, "", "\(arguments)")
        }
    }
}
