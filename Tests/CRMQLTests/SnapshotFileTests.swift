import CRMQL
import Foundation
import Testing

/// `open` of a file that is not a sound snapshot fails with a message that
/// says what is wrong with it, and the session (store, computed fields,
/// named queries) is exactly as it was. (`KillDuringSaveTests` checks that
/// `save` never leaves such a file behind.)
@Suite struct SnapshotFileTests {
    private let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("crmql-snapshot-files-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    private func makeDatabase() throws -> Database {
        let db = try Database(options: Database.Options(today: "2026-06-30"))
        try db.execute("""
            create entity customers (id int key, name text, stage enum(prospect, mature))
            insert into customers (id, name, stage) values (1, "Ada", mature), (2, "Ben", prospect)
            create entity orders (id int key, customer ref customers, amount number)
            insert into orders (id, customer, amount) values (10, 1, 5.5), (11, 1, 7), (12, 2, 1)
            define customers.spend = sum(orders.amount)
            let big = select customers where spend > 5
            """)
        return db
    }

    /// The session as text: both entities, the computed field and the named query.
    private func contents(_ db: Database) throws -> String {
        try ["select customers order by id show id, name, stage, spend", "select orders order by id", "select big show id"]
            .map { ResultRenderer.render(try db.query($0), options: RenderOptions(format: .csv)) }
            .joined(separator: "\n")
    }

    @Test func openingADamagedFileFailsClearlyAndChangesNothing() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let saved = try makeDatabase()
        let good = folder.appendingPathComponent("good.snapshot").path
        try saved.execute("save \"\(good)\"")
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: good)))
        #expect(bytes.count > 100)

        var flipped = bytes
        flipped[bytes.count / 2] ^= 0x04
        var newer = bytes
        newer[8] = 9
        let damaged: [(String, [UInt8], String)] = [
            ("truncated", Array(bytes.prefix(bytes.count * 2 / 3)), "the file is truncated"),
            ("bit-flipped", flipped, "damaged"),
            ("foreign", Array("id,name\n1,Ada\n".utf8), "not a crmql snapshot"),
            ("newer", newer, "written by a newer version of crmql"),
            ("empty", [], "not a crmql snapshot"),
        ]

        // A session with other data in it, which a failed open must not touch.
        let db = try Database(options: Database.Options(today: "2026-06-30"))
        try db.execute("""
            create entity customers (id int key, name text, stage enum(prospect, mature))
            insert into customers (id, name, stage) values (7, "Cy", prospect)
            create entity orders (id int key, customer ref customers, amount number)
            define customers.spend = count(orders)
            let big = select customers
            """)
        let before = try contents(db)
        for (name, content, fragment) in damaged {
            let path = folder.appendingPathComponent(name + ".snapshot").path
            try Data(content).write(to: URL(fileURLWithPath: path))
            let error = #expect(throws: CRMQLError.self, "\(name)") { try db.execute("open \"\(path)\"") }
            #expect(error?.phase == .io, "\(name)")
            #expect(error?.description.contains(fragment) == true, "\(name): \(error?.description ?? "")")
            #expect(try contents(db) == before, "\(name): the session is as it was")

            let fresh = #expect(throws: CRMQLError.self, "\(name)") { try Database(snapshot: path) }
            #expect(fresh?.description.contains(fragment) == true, "\(name): \(fresh?.description ?? "")")
        }

        // The sound file opens, with its computed field and named query.
        try db.execute("open \"\(good)\"")
        #expect(try contents(db) == contents(saved))
    }

    /// A named query over a prelude measure, and a saved redefinition of
    /// another, open again: the prelude is there before the saved script runs.
    @Test func namedQueriesOverPreludeMeasuresSurviveSaveAndOpen() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = try Database.demo()
        try db.execute("""
            define customers.order_count = count(orders)
            let big = select customers where revenue > 2000
            let big_north = select big where region = north
            """)
        let question = "select big_north group by tier show tier, count(), max(order_count)"
        let before = ResultRenderer.render(try db.query(question), options: RenderOptions(format: .csv))
        let path = folder.appendingPathComponent("measures.snapshot").path
        try db.execute("save \"\(path)\"")
        try db.execute("open \"\(path)\"")
        #expect(ResultRenderer.render(try db.query(question), options: RenderOptions(format: .csv)) == before)
        let opened = try Database(snapshot: path, options: Database.Options(today: "2026-06-30"))
        #expect(ResultRenderer.render(try opened.query(question), options: RenderOptions(format: .csv)) == before)
    }
}
