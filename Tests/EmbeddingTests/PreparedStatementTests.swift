import CRMQL
import Foundation
import Testing

/// Opening, running text with parameters, and prepared statements.
@Suite struct PreparedStatementTests {
    static func demo() throws -> Database {
        try Database.demo(options: Database.Options(today: "2026-06-30"))
    }

    /// The getting-started article's code, nearly verbatim.
    @Test func queryInTenLines() throws {
        struct Customer: Decodable {
            let name: String
            let points: Int
        }
        let db = try Database.demo()
        let top = try db.query("select customers order by points desc limit 3 show name, points", as: Customer.self)
        #expect(top.count == 3)
        #expect(top[0].points >= top[1].points)
    }

    @Test func aPreparedQueryRunsWithDifferentValues() throws {
        let db = try Self.demo()
        let statement = try db.prepare("select count customers where points >= $min and tier = $tier")
        #expect(statement.parameterNames == ["min", "tier"])
        #expect(statement.isQuery)
        var counts: [Int] = []
        for minimum in [0, 1000, 5000, 100_000_000] {
            let result = try statement.query(parameters: ["min": minimum, "$tier": "gold"])
            counts.append(try result[0].get(0))
        }
        #expect(counts == counts.sorted(by: >))
        #expect(counts.last == 0)
        let direct = try db.query("select count customers where points >= 1000 and tier = gold")
        #expect(try direct[0].get(0, as: Int.self) == counts[1])
    }

    @Test func valuesBoundToOneRunDoNotStay() throws {
        let db = try Database()
        try db.execute("""
            create entity items (id int key, size int)
            insert into items (id, size) values (1, 3), (2, 8)
            param $n = 5
            """)
        let sized = try db.prepare("select count items where size >= $n")
        #expect(try sized.query(parameters: ["n": 1])[0].get(0) == 2)
        // The session's `param` value again.
        #expect(try sized.query()[0].get(0) == 1)
    }

    /// A computed field that uses a parameter sees each run's value, not a
    /// column cached from another run.
    @Test func computedFieldsSeeEachRunsValues() throws {
        let db = try Database()
        try db.execute("""
            create entity items (id int key, size int)
            insert into items (id, size) values (1, 3), (2, 8), (3, 12)
            param $min = 5
            define items.big = size >= $min
            """)
        let big = try db.prepare("select count items where big")
        #expect(try big.query()[0].get(0) == 2)
        #expect(try big.query(parameters: ["min": 10])[0].get(0) == 1)
        #expect(try big.query(parameters: ["min": 0])[0].get(0) == 3)
        #expect(try big.query()[0].get(0) == 2)
        #expect(try db.query("select count items where big")[0].get(0) == 2)
    }

    @Test func aMissingParameterIsNamedAtItsUse() throws {
        let db = try Self.demo()
        let statement = try db.prepare("select customers where points >= $minimum")
        do {
            _ = try statement.query()
            Issue.record("expected an error")
        } catch {
            #expect(error.phase == .semantic)
            #expect(error.message.contains("$minimum"))
            #expect(error.problems.first?.column == 34)
            #expect(error.description.contains("^^^^^^^^"))
        }
    }

    @Test func prepareTakesOneStatement() throws {
        let db = try Database()
        #expect(throws: CRMQLError.self) { try db.prepare("select a; select b") }
        #expect(throws: CRMQLError.self) { try db.prepare("   ") }
        let error = #expect(throws: CRMQLError.self) { try db.prepare("select customers where") }
        #expect(error?.phase == .syntax)
    }

    /// A prepared statement binds names at each run: it sees entities made after it.
    @Test func aPreparedStatementFollowsTheSchema() throws {
        let db = try Database()
        let statement = try db.prepare("select count items")
        #expect(throws: CRMQLError.self) { try statement.query() }
        try db.execute("create entity items (id int key)")
        #expect(try statement.query()[0].get(0) == 0)
    }

    @Test func statementsThatChangeTheStoreCanBePrepared() throws {
        let db = try Database()
        try db.execute("create entity people (id int key, name text, born date)")
        let insert = try db.prepare("insert into people (id, name, born) values ($id, $name, $born)")
        #expect(!insert.isQuery)
        for (id, name) in [(1, "Ann"), (2, "Bo")] {
            try insert.execute(parameters: ["id": id, "name": name, "born": Value.date(iso: "1990-0\(id)-15")])
        }
        #expect(throws: CRMQLError.self) { try insert.query(parameters: ["id": 3, "name": "Cy", "born": Value.null]) }
        let people = try db.query("select people order by id")
        #expect(people.count == 2)
        #expect(try people[1].get("name") == "Bo")
        #expect(people[1]["born"] == Value.date(iso: "1990-02-15"))
    }

    @Test func parametersOfEveryKind() throws {
        let db = try Database()
        try db.execute("create entity t (id int key, n number, s text, b bool, d date, at datetime)")
        let stamp = Date(timeIntervalSince1970: 1_780_000_000)
        try db.execute("insert into t (id, n, s, b, d, at) values ($id, $n, $s, $b, $d, $at)", parameters: [
            "id": Int64(1), "n": 2.5, "s": "x", "b": true, "d": Value.date(iso: "2026-01-02"), "at": stamp,
        ])
        try db.execute("insert into t (id, n, s) values ($id, $n, $s)", parameters: ["id": Int32(2), "n": Optional<Double>.none, "s": Double.nan])
        let rows = try db.query("select t order by id")
        #expect(try rows[0].get("at", as: Date.self) == stamp)
        #expect(try rows[0].get("b", as: Bool.self))
        #expect(try rows[1].get("n", as: Double?.self) == nil)
        #expect(rows[1]["s"] == .null)
        #expect(throws: CRMQLError.self) { try db.execute("select t", parameters: ["a": 1, "$a": 2]) }
    }

    @Test func aSnapshotOpensEvenInSafeMode() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crmql-snapshot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("crm.crmqlsnap").path
        let db = try Database()
        try db.execute("""
            create entity items (id int key, size int)
            insert into items (id, size) values (1, 3), (2, 8)
            define items.big = size > 5
            save "\(path)"
            """)
        let opened = try Database(snapshot: path, options: Database.Options(safe: true))
        #expect(try opened.query("select count items where big")[0].get(0) == 1)
        #expect(throws: CRMQLError.self) { try opened.execute("save \"\(path)\"") }
        let missing = #expect(throws: CRMQLError.self) { try Database(snapshot: folder.appendingPathComponent("none").path) }
        #expect(missing?.phase == .io)
    }
}
