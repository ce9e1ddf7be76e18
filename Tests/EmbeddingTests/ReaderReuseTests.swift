import CRMQL
import Foundation
import Testing

/// A read runs on a reader kept from the previous read while the session
/// does not change. Every kind of change a host can make between two reads
/// must reach the second one: data, definitions, parameters, indexes,
/// settings, limits and host functions.
@Suite struct ReaderReuseTests {
    private func database() throws -> Database {
        let db = try Database(options: Database.Options(today: "2026-06-30"))
        try db.execute("""
            create entity items (id int key, name text, size int)
            insert into items (id, name, size) values (1, "a", 5), (2, "b", 7), (3, "c", 9)
            """)
        return db
    }

    private func count(_ db: Database, _ text: String) throws -> Value {
        try db.query(text).value(row: 0, column: 0)
    }

    @Test func aWriteBetweenTwoReadsIsSeen() throws {
        let db = try database()
        let query = "select count items where size > 6"
        #expect(try count(db, query) == .int(2))
        #expect(try count(db, query) == .int(2))
        try db.execute("insert into items (id, name, size) values (4, \"d\", 11)")
        #expect(try count(db, query) == .int(3))
        try db.execute("delete items where id = 2")
        #expect(try count(db, query) == .int(2))
        try db.execute("create index on items(size)")
        #expect(try count(db, query) == .int(2))
        try db.execute("update items set size = 1 where id = 3")
        #expect(try count(db, query) == .int(1))
    }

    @Test func aFailedWriteLeavesReadsAsTheyWere() throws {
        let db = try database()
        let query = "select count items"
        #expect(try count(db, query) == .int(3))
        #expect(throws: CRMQLError.self) { try db.execute("insert into items (id, name, size) values (1, \"dup\", 1)") }
        #expect(try count(db, query) == .int(3))
    }

    @Test func definitionsParametersAndSettingsReachTheNextRead() throws {
        let db = try database()
        try db.execute("param $least = 6")
        let query = "select count items where size > $least"
        #expect(try count(db, query) == .int(2))
        try db.execute("param $least = 8")
        #expect(try count(db, query) == .int(1))
        #expect(try count(db, query, ["least": 4]) == .int(3))
        #expect(try count(db, query) == .int(1))

        try db.execute("define items.big = size > 6")
        #expect(try count(db, "select count items where big") == .int(2))
        try db.execute("define items.big = size > 8")
        #expect(try count(db, "select count items where big") == .int(1))

        let today = "select items where id = 1 show today"
        let before = try db.query(today).value(row: 0, column: 0)
        try db.execute("set today = 2020-01-01")
        #expect(try db.query(today).value(row: 0, column: 0) != before)
    }

    @Test func limitsAndHostFunctionsReachTheNextRead() throws {
        let db = try database()
        let all = "select items show id"
        #expect(try db.query(all).count == 3)
        db.limits = Database.Limits(maxResultRows: 2)
        let error = #expect(throws: CRMQLError.self) { try db.query(all) }
        #expect(error?.phase == .limit)
        db.limits = Database.Limits()
        #expect(try db.query(all).count == 3)

        try db.register("twice", arity: 1) { arguments in .number((arguments[0].doubleValue ?? 0) * 2) }
        let doubled = "select items where id = 1 show twice(size)"
        #expect(try db.query(doubled).value(row: 0, column: 0) == .number(10))
        db.unregister("twice")
        try db.register("twice", arity: 1) { arguments in .number((arguments[0].doubleValue ?? 0) * 3) }
        #expect(try db.query(doubled).value(row: 0, column: 0) == .number(15))
    }

    private func count(_ db: Database, _ text: String, _ parameters: [String: any ValueConvertible]) throws -> Value {
        try db.query(text, parameters: parameters).value(row: 0, column: 0)
    }
}
