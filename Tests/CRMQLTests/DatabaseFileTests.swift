import CRMQL
import Foundation
import XCTest

/// A database file keeps every committed change, and replays each one as it
/// ran: with the `today`, the parameter values and the loaded bytes of that
/// moment; one writer at a time; files only their owner may read.
final class DatabaseFileTests: XCTestCase {
    private var folder: URL!
    private var path: String { folder.appendingPathComponent("shop.crmdb").path }

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("crmql-dbfile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func lines(_ database: Database, _ query: String) throws -> [String] {
        try database.query(query).map { row in row.values.map(\.description).joined(separator: ",") }
    }

    func testEveryKindOfChangeSurvivesACheckpoint() throws {
        let csv = folder.appendingPathComponent("items.csv").path
        try "id,qty\n5,50\n6,60\n".write(toFile: csv, atomically: true, encoding: .utf8)
        do {
            let database = try Database(path: path, options: Database.Options(today: "2026-03-01", parameters: ["bonus": "100"]))
            _ = try database.execute("""
                create entity items (id int key, qty int, seen date)
                load items from "\(csv)"
                insert into items (id, qty) values (1, 10)
                update items set seen = today where id = 1
                param $bonus = 1
                update items set qty = qty + $bonus where id = 5
                define items.double = qty * 2
                let big = select items where qty > 55 show id
                set fiscal_year_start = 4
                create index on items(qty)
                """)
            _ = try database.execute("update items set qty = qty + $step where id = 6", parameters: ["step": 7])
            try database.close()
        }
        // The load's file changes and vanishes: replay must not read it.
        try FileManager.default.removeItem(atPath: csv)
        let reopened = try Database(path: path, options: Database.Options(today: "2027-01-01"))
        XCTAssertEqual(try lines(reopened, "select items show id, qty, seen, double order by id"),
                       ["1,10,2026-03-01,20", "5,150,,300", "6,67,,134"])
        XCTAssertEqual(try lines(reopened, "select big order by id"), ["5", "6"])
        XCTAssertEqual(try lines(reopened, "select items where id = 1 show today, $bonus"), ["2027-01-01,1"],
                       "today is this session's, and the parameter its declared default")
        XCTAssertEqual(reopened.schema.parameters, ["bonus"])
        let indexes = try lines(reopened, "show indexes")
        XCTAssertTrue(indexes.contains { $0.hasPrefix("items,qty") }, "\(indexes)")
    }

    func testTheLogIsReplayedWhenTheProcessNeverClosedTheFile() throws {
        let csv = folder.appendingPathComponent("items.csv").path
        try "id,qty\n5,50\n".write(toFile: csv, atomically: true, encoding: .utf8)
        // A child that is killed never checkpoints; so does a copy of the files taken while open.
        let copy = folder.appendingPathComponent("copy.crmdb").path
        do {
            let database = try Database(path: path, options: Database.Options(today: "2026-03-01", parameters: ["bonus": "100"]))
            _ = try database.execute("""
                create entity items (id int key, qty int, seen date)
                load items from "\(csv)"
                param $bonus = 1
                update items set qty = qty + $bonus, seen = today
                set today = 2026-05-05
                """)
            try FileManager.default.copyItem(atPath: path, toPath: copy)
            try FileManager.default.copyItem(atPath: path + "-log", toPath: copy + "-log")
            XCTAssertGreaterThan(try Data(contentsOf: URL(fileURLWithPath: copy + "-log")).count, 16, "the log holds the statements")
        }
        try FileManager.default.removeItem(atPath: csv)
        let reopened = try Database(path: copy, options: Database.Options(today: "2027-01-01"))
        XCTAssertNil(reopened.recoveryNote)
        XCTAssertEqual(try lines(reopened, "select items show id, qty, seen, today"), ["5,150,2026-03-01,2026-05-05"],
                       "the update saw the overriding parameter and the day it ran; set today holds")
    }

    func testOneWriterAtATimeAndReadersBesideIt() throws {
        let writer = try Database(path: path)
        _ = try writer.execute("create entity items (id int key); insert into items (id) values (1)")
        XCTAssertThrowsError(try Database(path: path)) { error in
            XCTAssertTrue("\(error)".contains("another session is writing it"), "\(error)")
        }
        let reader = try Database(path: path, readOnly: true)
        XCTAssertEqual(try lines(reader, "select items show id"), ["1"])
        XCTAssertThrowsError(try reader.execute("insert into items (id) values (2)")) { error in
            XCTAssertTrue("\(error)".contains("is open read-only"), "\(error)")
        }
        try writer.close()
        XCTAssertThrowsError(try writer.execute("insert into items (id) values (3)")) { error in
            XCTAssertTrue("\(error)".contains("is closed"), "\(error)")
        }
        XCTAssertEqual(try lines(writer, "select items show id"), ["1"], "a closed database still reads")
        let next = try Database(path: path)
        XCTAssertEqual(try lines(next, "select items show id"), ["1"])
    }

    func testFilesAreOnlyTheirOwnersAndTheFileIsASnapshot() throws {
        let database = try Database(path: path)
        _ = try database.execute("create entity items (id int key); insert into items (id) values (1)")
        try database.close()
        for suffix in ["", "-log", "-lock"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: path + suffix)
            XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600, "\(path + suffix)")
        }
        // The checkpoint is in the format `save` writes: `open` reads it.
        let memory = try Database()
        _ = try memory.execute("open \"\(path)\"")
        XCTAssertEqual(try lines(memory, "select items show id"), ["1"])
    }

    func testAChangeThatCallsAHostFunctionIsRefused() throws {
        let database = try Database(path: path)
        try database.register("triple", arity: 1, returns: .int) { values in
            if case .int(let value) = values[0] { return .int(value * 3) }
            return .null
        }
        _ = try database.execute("create entity items (id int key, qty int); insert into items (id, qty) values (1, 2)")
        XCTAssertThrowsError(try database.execute("update items set qty = triple(qty)")) { error in
            XCTAssertTrue("\(error)".contains("'triple' is a host function"), "\(error)")
        }
        XCTAssertEqual(try lines(database, "select items show triple(qty)"), ["6"], "a read may call it")
    }

    func testOpenDatabaseAtThePromptAndTheDemoData() throws {
        let database = try Database()
        let outputs = try database.execute("open database \"\(path)\"; create entity items (id int key)")
        guard case .message(let message)? = outputs.first else { return XCTFail("\(outputs)") }
        XCTAssertEqual(message, "opened database shop.crmdb: 0 entities")
        XCTAssertEqual(database.path, path)
        try database.loadDemo()
        try database.close()
        let reopened = try Database(path: path)
        XCTAssertEqual(try lines(reopened, "select count customers"), [try lines(Database.demo(), "select count customers")[0]])
        XCTAssertEqual(try lines(reopened, "select customers where id = 1 show today"), ["2026-06-30"], "the demo's today is kept")
    }
}
