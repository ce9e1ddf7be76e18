import CRMQL
import Foundation
import XCTest

/// `crmql FILE.crmdb`, `--db` and `--readonly` from the command line: a
/// second writer is refused with a clear message, a reader is not.
final class DatabaseFileCommandTests: XCTestCase {
    func testASecondWriterIsRefusedAndAReaderIsNot() throws {
        let fixture = try Fixture()
        let path = fixture.path("shop.crmdb")
        let created = try CommandRun.run([path, "-c", "create entity items (id int key); insert into items (id) values (1)"])
        XCTAssertEqual(created.status, 0, created.standardError)

        // This process writes the file now.
        let writer = try Database(path: path)
        let second = try CommandRun.run([path, "-c", "insert into items (id) values (2)"])
        XCTAssertEqual(second.status, 1)
        XCTAssertTrue(second.standardError.contains("another session is writing it (one writer at a time)"), second.standardError)
        let reader = try CommandRun.run(["--db", path, "--readonly", "--format", "csv", "-c", "select items show id"])
        XCTAssertEqual(reader.status, 0, reader.standardError)
        XCTAssertEqual(reader.standardOutput, "id\n1\n")
        let refused = try CommandRun.run(["--db", path, "--readonly", "-c", "insert into items (id) values (3)"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.standardError.contains("'shop.crmdb' is open read-only: no statement may change it"), refused.standardError)
        try writer.close()

        let usage = try CommandRun.run(["--readonly", "-c", "select 1"])
        XCTAssertEqual(usage.status, 2)
        XCTAssertTrue(usage.standardError.contains("--readonly needs a database file"), usage.standardError)
    }
}
