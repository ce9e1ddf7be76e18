import CRMQL
import Foundation
import Testing

/// A declared enum may have more than 256 symbols; its column then keeps
/// four bytes a row instead of one. Filters, grouping, sorting, the enum
/// index and snapshots answer the same at either width.
@Suite struct WideEnumTests {
    private static let symbols = (0..<300).map { "s\($0)" }

    private func makeDatabase(codes: [Int]) throws -> Database {
        let db = try Database(options: Database.Options(today: "2026-06-30"))
        try db.execute("create entity things (id int key, kind enum(\(Self.symbols.joined(separator: ", "))))")
        let rows = codes.enumerated().map { "(\($0.offset + 1), \($0.element < 0 ? "null" : "s\($0.element)"))" }
        try db.execute("insert into things (id, kind) values " + rows.joined(separator: ", "))
        return db
    }

    private func answers(_ db: Database) throws -> [String] {
        [
            "select things where kind = s299 show id",
            "select things where kind = s3 show id",
            "select things where kind > s250 show id",
            "select things where kind in (s3, s299) show id",
            "select things where kind != s3 show id",
            "select things where (kind = s3) or false show id",
            "select things group by kind show kind, count()",
            "select things order by kind desc, id show id, kind",
            "select count things where kind = s255",
        ].map { text in
            (try? db.query(text)).map { ResultRenderer.render($0, options: RenderOptions(format: .csv)) } ?? "failed: \(text)"
        }
    }

    @Test func aWideEnumAnswersAsANarrowOneWould() throws {
        // The same rows, once with every code in a byte and once with a code
        // past it (s299) that widens the column; the rows they share must
        // answer the same.
        let narrowCodes = [3, 255, 3, -1, 0, 251, 3]
        let narrow = try answers(try makeDatabase(codes: narrowCodes))
        let wide = try makeDatabase(codes: narrowCodes + [299, 299])
        try wide.execute("delete things where kind = s299")
        #expect(try answers(wide) == narrow)
        #expect(narrow[1] == "id\n1\n3\n7\n")
        #expect(narrow[2] == "id\n2\n6\n")
        #expect(narrow[8] == "count()\n1\n")
    }

    @Test func symbolsPastTheFirst256AreFoundStoredAndReopened() throws {
        let db = try makeDatabase(codes: [299, 3, 299, 256, -1])
        let before = try answers(db)
        #expect(before[0] == "id\n1\n3\n")
        #expect(before[2] == "id\n1\n3\n4\n")
        #expect(before[3] == "id\n1\n2\n3\n")
        #expect(before[6] == "kind,count()\ns3,1\ns256,1\ns299,2\n,1\n")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crmql-wide-enum-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("wide.snapshot").path
        try db.execute("save \"\(path)\"")
        #expect(try answers(try Database(snapshot: path)) == before)
    }
}
