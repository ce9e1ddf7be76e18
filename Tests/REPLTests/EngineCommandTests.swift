import Foundation
import XCTest

/// `--engine` and `.engine` without a server: the choice is checked, an
/// unreachable server is an error within seconds that never shows the
/// password, and `.engine` says where statements run. The server side is
/// `.ci/postgres-engine`'s.
final class EngineCommandTests: XCTestCase {
    private var fixture: Fixture!

    override func setUpWithError() throws {
        fixture = try Fixture()
        try fixture.writeCRMData()
    }

    override func tearDown() {
        fixture = nil
    }

    private func crmql(_ arguments: [String], input: String = "") throws -> CommandRun {
        try CommandRun.run(arguments, input: input, directory: fixture.directory, environment: [:])
    }

    func testAnUnknownEngineIsAUsageError() throws {
        let run = try crmql(["--engine", "mysql://db/crm", "-c", "select customers"])
        XCTAssertEqual(run.status, 2)
        XCTAssertTrue(run.standardError.contains("unknown engine 'mysql://db/crm'"), run.standardError)
    }

    func testAServerSessionCannotTakeADatabaseFileOrTheDemo() throws {
        let run = try crmql(["--engine", "postgresql://ann@db/crm", "--demo", "-c", "select customers"])
        XCTAssertEqual(run.status, 2)
        XCTAssertTrue(run.standardError.contains("cannot be combined"), run.standardError)
    }

    func testAnUnreachableServerFailsSoonWithoutThePassword() throws {
        let started = Date()
        let run = try crmql(["--engine", "postgresql://ann:hunter2-secret@127.0.0.1:1/crm", "-c", "select customers"])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.standardError.contains("cannot connect to postgresql://ann@127.0.0.1:1/crm"), run.standardError)
        XCTAssertFalse(run.standardError.contains("hunter2"), run.standardError)
        XCTAssertLessThan(Date().timeIntervalSince(started), 20)
    }

    func testDotEngineSaysWhereStatementsRunAndStaysInMemoryOnFailure() throws {
        let script = """
            .engine
            .engine postgresql://ann:hunter2-secret@127.0.0.1:1/crm
            """
        let run = try crmql(["--data", "data", "-c", script])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.standardError.contains("\nmemory\n"), run.standardError)
        XCTAssertTrue(run.standardError.contains("<command line>:2: error: cannot connect to postgresql://ann@127.0.0.1:1/crm"), run.standardError)
        XCTAssertTrue(run.standardError.hasSuffix(".engine postgresql://ann@127.0.0.1:1/crm\n"), run.standardError)
        XCTAssertFalse(run.standardError.contains("hunter2"), run.standardError)
        let after = try crmql(["--data", "data", "-c", ".engine memory\nselect count customers"])
        XCTAssertEqual(after.status, 0, after.standardError)
        XCTAssertEqual(after.standardOutput, "count()\n3\n")
    }

    func testDotEngineNeedsAnEngine() throws {
        let run = try crmql(["--data", "data", "-c", ".engine mysql://db"])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.standardError.contains("usage: .engine [memory|postgresql://user@host:port/db]"), run.standardError)
    }
}
