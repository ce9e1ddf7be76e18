import CRMQL
import Foundation
import Testing

/// Bad input files through the `load` statement, from the disk: a refused
/// load names the file, the line and the column and leaves the store as it
/// was; with `skip_bad = true` the message reports how many lines were
/// rejected and the `.rejected` file beside the input holds exactly those
/// lines, byte for byte. (`Tests/CRMQLStorageTests/BadInputTableTests.swift`
/// covers every kind of bad input at the loader.)
@Suite struct BadInputFileTests {
    private let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("crmql-bad-input-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    private func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    /// customers 1 and 2, and an empty orders entity that refers to them.
    private func makeDatabase() throws -> Database {
        let db = try Database(options: Database.Options(today: "2026-06-30"))
        try db.execute("""
            create entity customers (id int key, name text, stage enum(prospect, mature))
            insert into customers (id, name, stage) values (1, "Ada", mature), (2, "Ben", prospect)
            create entity orders (id int key, customer ref customers, amount number, note text)
            insert into orders (id, customer, amount, note) values (100, 1, 5, "kept")
            """)
        return db
    }

    /// Everything the store holds, as text.
    private func contents(_ db: Database) throws -> String {
        let customers = try db.query("select customers order by id")
        let orders = try db.query("select orders order by id")
        return ResultRenderer.render(customers, options: RenderOptions(format: .csv))
            + ResultRenderer.render(orders, options: RenderOptions(format: .csv))
    }

    @Test func skippedLinesLandInTheRejectedFileByteForByte() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let good1 = Array("1,1,10.5,plain\r\n".utf8)
        let tooFew = Array("2,1\r\n".utf8)
        let invalid = Array("3,2,7,caf".utf8) + [0xE9] + Array("\r\n".utf8)
        let dangling = Array("4,9,1,\"quoted, with comma\"\r\n".utf8)
        let duplicate = Array("1,2,3,again\r\n".utf8)
        let good2 = Array("5,2,8,\"multi\r\nline\"\r\n".utf8)
        let lastWithoutNewline = Array("6,1,2,x,extra".utf8)
        let header = Array("id,customer,amount,note\r\n".utf8)
        let path = try write("orders.csv", [0xEF, 0xBB, 0xBF] + header + good1 + tooFew + invalid + dangling + duplicate + good2 + lastWithoutNewline)
        let db = try makeDatabase()
        let before = try contents(db)

        // Without skip_bad the first bad line refuses the whole file.
        let error = #expect(throws: CRMQLError.self) { try db.execute("load orders from \"\(path)\"") }
        #expect(error?.description.contains("orders.csv:3: expected 4 cells, found 2") == true, "\(error?.description ?? "")")
        #expect(try contents(db) == before, "a refused load changes nothing")

        let outputs = try db.execute("load orders from \"\(path)\" with (skip_bad = true)")
        guard case .message(let message) = outputs.first else {
            Issue.record("load reports what it did")
            return
        }
        #expect(message.hasPrefix("loaded 2 orders from orders.csv; 5 rejected lines written to orders.csv.rejected"), "\(message)")
        #expect(message.contains("orders.csv:4:10: invalid UTF-8 (byte 0xE9)"), "\(message)")
        #expect(message.contains("orders.csv:5: customer: no customers row has the key '9'"), "\(message)")
        let rejected = Array(try Data(contentsOf: URL(fileURLWithPath: path + ".rejected")))
        #expect(rejected == tooFew + invalid + dangling + duplicate + lastWithoutNewline + Array("\n".utf8),
                "the rejected lines, byte for byte, in order")
        let count = try db.query("select count orders").value(row: 0, column: 0)
        #expect(count == .int(3), "the order already there and the two sound lines")
        let note = try db.query("select orders where id = 5 show note").value(row: 0, column: 0)
        #expect(note == .text("multi\r\nline"))
    }

    @Test func malformedJSONNamesItsLineAndColumnAndChangesNothing() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let cases: [(String, String)] = [
            ("[\n  {\"id\": 1, \"customer\": 1},\n  {\"id\": 2, \"customer\": 1,}\n]\n", "orders.json:3:27: expected a field name in quotes"),
            ("[\n  {\"id\": 1, \"customer\": 1}\n  {\"id\": 2}\n]", "orders.json:3:3: expected ',' or ']'"),
            ("{\"id\": 1, \"customer\": 1}\n{\"id\": 2, \"note\": \"open\n", "orders.json:2:24: control character in a string"),
            ("{\"id\": 1, \"customer\": 1}\n{\"id\": 2, \"note\": \"open", "orders.json:2:19: unclosed string"),
            ("[{\"id\": 1, \"amount\": 1e}]", "orders.json:1:"),
            ("", "orders.json: the file is empty"),
        ]
        let db = try makeDatabase()
        let before = try contents(db)
        for (text, expected) in cases {
            let path = try write("orders.json", Array(text.utf8))
            for skipBad in [false, true] {
                let error = #expect(throws: CRMQLError.self) {
                    try db.execute("load orders from \"\(path)\" with (skip_bad = \(skipBad))")
                }
                #expect(error?.description.contains(expected) == true, "\(text.debugDescription): \(error?.description ?? "")")
                #expect(try contents(db) == before, "a refused load changes nothing")
            }
        }
    }
}
