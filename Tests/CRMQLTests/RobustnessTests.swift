import CRMQL
import Foundation
import Testing

/// No input may crash the process, and a failing statement leaves the store
/// exactly as it was.
@Suite struct RobustnessTests {
    func database() throws -> Database { try Database(options: Database.Options(today: "2026-06-30")) }

    func expectError(_ text: String, containing fragment: String, in database: Database? = nil) throws {
        let db = try database ?? self.database()
        do {
            try db.execute(text)
            Issue.record("expected an error for \(text.prefix(60))")
        } catch {
            #expect(error.description.contains(fragment), "\(error.description.prefix(300))")
        }
    }

    @Test func deeplyNestedExpressionsAreErrors() throws {
        let depth = 10_000
        try expectError("select count x where " + String(repeating: "(", count: depth) + "1" + String(repeating: ")", count: depth),
                        containing: "nested too deeply")
        try expectError("create entity x (id int key); select x show " + String(repeating: "- ", count: depth) + "1",
                        containing: "nested too deeply")
        try expectError("create entity x (id int key); select x where " + String(repeating: "not ", count: depth) + "true",
                        containing: "nested too deeply")
    }

    @Test func hugeStringLiteralWorks() throws {
        let db = try database()
        try db.execute("create entity x (id int key); insert into x (id) values (1)")
        let big = String(repeating: "a", count: 100_000_000)
        let result = try db.query("select x show length(\"" + big + "\") as n")
        #expect(result.value(row: 0, column: 0) == .int(100_000_000))
    }

    @Test func integerOverflowIsAnError() throws {
        try expectError("create entity x (id int key); insert into x (id) values (1); select x show 9223372036854775807 + id",
                        containing: "integer overflow")
        try expectError("create entity x (id int key); select x show 99999999999999999999", containing: "does not fit in 64 bits")
        try expectError("create entity x (id int key, n int); insert into x (id, n) values (1, 9223372036854775807), (2, 1); select x show sum(n)",
                        containing: "overflow")
    }

    @Test func invalidUTF8InCSVIsAnErrorWithItsLine() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crmql-robust-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("people.csv")
        var bytes = Array("id,name\n1,Ann\n2,B".utf8)
        bytes += [0xFF, 0xFE]
        bytes += Array("o\n".utf8)
        try Data(bytes).write(to: file)
        let db = try database()
        try expectError("load people from \"\(file.path)\"", containing: "people.csv:3", in: db)
        try expectError("select people", containing: "unknown entity", in: db)
    }

    @Test func failedStatementsLeaveTheStoreUnchanged() throws {
        let db = try database()
        try db.execute("""
        create entity a (id int key, n int, s text)
        insert into a (id, n, s) values (1, 10, "x"), (2, 9223372036854775807, "y")
        """)
        // The overflow happens on the second row, after the first was computed.
        try expectError("update a set n = n + 1, s = \"changed\"", containing: "overflow", in: db)
        let after = try db.query("select a order by id show n, s")
        #expect(after.rows == [[.int(10), .text("x")], [.int(9223372036854775807), .text("y")]])
        try expectError("insert into a (id) values (3), (1)", containing: "duplicate key", in: db)
        #expect(try db.query("select count a").value(row: 0, column: 0) == .int(2))
    }

    @Test func scriptsStopAtTheFirstFailure() throws {
        let db = try database()
        try expectError("create entity a (id int key); select nothing; create entity b (id int key)", containing: "unknown entity", in: db)
        try expectError("select b", containing: "unknown entity 'b'", in: db)
        #expect(try db.query("select count a").value(row: 0, column: 0) == .int(0))
    }

    @Test func garbageNeverCrashes() throws {
        let db = try database()
        try db.execute("create entity t (id int key, x number, s text, d date)")
        var generator = SplitMix64(state: 7)
        let pieces = ["select", "t", "where", "show", "(", ")", "x", "+", "-", "*", "/", "\"", "'", "`", "$p", "and", "or", "not",
                      "in", "last", "30", "days", "2026-01-01", "count(", "sum(", "group", "by", "order", "limit", ",", ";", "\n",
                      "case", "when", "then", "end", "is", "null", "between", "1e999", "9223372036854775808", "/*", "--", "é", "客"]
        for _ in 0..<2_000 {
            let length = Int(generator.next() % 12) + 1
            let text = (0..<length).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }.joined(separator: " ")
            _ = try? db.execute(text)
            _ = InteractiveInput.needsMoreInput(text)
        }
        #expect(try db.query("select count t").value(row: 0, column: 0) == .int(0))
    }
}
