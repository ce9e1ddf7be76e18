import CRMQL
import Foundation
import Testing

/// Reading results: typed accessors, `Decodable` rows, streams, metadata.
@Suite struct RowTests {
    static func people() throws -> Database {
        let db = try Database()
        try db.execute("""
            create entity people (id int key, name text, score number, active bool, born date, level enum(low, high), order_count int)
            insert into people (id, name, score, active, born, level, order_count) values
                (1, 'Ann', 2.5, true, 1990-04-01, high, 3), (2, 'Bo', null, false, null, low, 0), (3, 'Cy', 7, true, 2001-12-31, low, 12)
            """)
        return db
    }

    @Test func columnNamesAndTypes() throws {
        let result = try Self.people().query("select people show name, score * 2 as double_score, level")
        #expect(result.columnNames == ["name", "double_score", "level"])
        #expect(result.columnTypes.map(\.description) == ["text", "number", "enum(low, high)"])
        #expect(result.columnIndex(named: "level") == 2)
        #expect(result.columnIndex(named: "nope") == nil)
        #expect(result.count == 3)
    }

    @Test func typedAccessorsByNameAndPosition() throws {
        let result = try Self.people().query("select people order by id")
        let ann = result[0]
        #expect(try ann.get("name") == "Ann")
        #expect(try ann.get("score", as: Double.self) == 2.5)
        #expect(try ann.get("level", as: String.self) == "high")
        #expect(try ann.get(0, as: Int.self) == 1)
        #expect(try ann.get("born", as: Date.self) == Date(timeIntervalSince1970: 638_928_000))
        #expect(ann["name"] == .text("Ann"))
        #expect(ann["nope"] == nil)
        #expect(ann[99] == .null)
        #expect(ann.values.count == 7)
        // Whole numbers read as Int; fractions do not.
        #expect(try result[2].get("score", as: Int.self) == 7)
        #expect(throws: CRMQLError.self) { try ann.get("score", as: Int.self) }
        // Null reads as nil into an optional, and is an error otherwise.
        #expect(try result[1].get("score", as: Double?.self) == nil)
        let null = #expect(throws: CRMQLError.self) { try result[1].get("score", as: Double.self) }
        #expect(null?.message.contains("null") == true)
        let missing = #expect(throws: CRMQLError.self) { try ann.get("scroe", as: Double.self) }
        #expect(missing?.message.contains("'score'") == true)
        #expect(throws: CRMQLError.self) { try ann.get(-1, as: Int.self) }
        // A mismatch names the column and the types, never the cell.
        let mismatch = #expect(throws: CRMQLError.self) { try ann.get("name", as: Int.self) }
        #expect(mismatch?.description.contains("Ann") == false)
    }

    enum Level: String, Decodable { case low, high }

    struct Person: Decodable, Equatable {
        let id: Int
        let name: String
        let score: Double?
        let active: Bool
        let born: Date?
        let level: Level
        let orderCount: Int
        let nickname: String?
    }

    @Test func rowsDecodeIntoStructs() throws {
        let people = try Self.people().query("select people order by id", as: Person.self)
        #expect(people.map(\.name) == ["Ann", "Bo", "Cy"])
        #expect(people[0].level == .high)
        #expect(people[1].score == nil && people[1].born == nil)
        #expect(people[2].orderCount == 12)
        #expect(people.allSatisfy { $0.nickname == nil })
    }

    /// Names that fold to themselves keep no table of folded names; a
    /// property named in camel case still finds its column.
    @Test func aCamelCasePropertyFindsAColumnOfPlainName() throws {
        struct Short: Decodable { let id: Int; let fullName: String }
        let rows = try Self.people().query("select people order by id show id, name as fullname", as: Short.self)
        #expect(rows.map(\.fullName) == ["Ann", "Bo", "Cy"])
    }

    @Test func decodingNamesTheColumnThatDoesNotFit() throws {
        struct Strict: Decodable { let score: Double }
        let error = #expect(throws: CRMQLError.self) {
            try Self.people().query("select people order by id", as: Strict.self)
        }
        #expect(error?.message.contains("column 'score' is null") == true)

        struct Missing: Decodable { let email: String }
        let missing = #expect(throws: CRMQLError.self) { try Self.people().query("select people", as: Missing.self) }
        #expect(missing?.message.contains("'email'") == true)

        struct WrongEnum: Decodable {
            enum Tier: String, Decodable { case gold }
            let level: Tier
        }
        let wrong = #expect(throws: CRMQLError.self) { try Self.people().query("select people", as: WrongEnum.self) }
        #expect(wrong?.description.contains("high") == false)
    }

    @Test func aOneColumnRowDecodesAsItsValue() throws {
        let names = try Self.people().query("select people order by id show name", as: String.self)
        #expect(names == ["Ann", "Bo", "Cy"])
        #expect(try Self.people().query("select count people", as: Int.self) == [3])
        #expect(throws: CRMQLError.self) { try Self.people().query("select people", as: String.self) }
    }

    @Test func streamsDecodeOneRowAtATime() throws {
        let db = try Database.demo()
        var stream = try db.stream("select customers show name, points", as: Customer.self)
        let total = try db.query("select count customers")[0].get(0, as: Int.self)
        var count = 0
        while let customer = try stream.next() {
            #expect(!customer.name.isEmpty)
            count += 1
        }
        #expect(count == total)
        #expect(total > 1000)
        #expect(try stream.next() == nil)

        var rows = try db.prepare("select customers where points >= $min show name").stream(parameters: ["min": 1000])
        #expect(rows.columnNames == ["name"])
        var first: Row?
        first = try rows.next()
        #expect(first.map { $0["name"] != nil } == true)
    }

    struct Customer: Decodable, Sendable, Equatable {
        let name: String
        let points: Int?
    }

    @Test func streamsWorkWithForAwait() async throws {
        let db = try Database.demo()
        let stream = try db.stream("select customers order by points desc limit 50 show name, points", as: Customer.self)
        var points: [Int] = []
        for try await customer in stream {
            points.append(customer.points ?? 0)
        }
        #expect(points.count == 50)
        #expect(points == points.sorted(by: >))
    }

    @Test func aResultIsACollectionOfRows() throws {
        let result = try Self.people().query("select people order by id show name")
        #expect(result.map { $0["name"]?.description ?? "" } == ["Ann", "Bo", "Cy"])
        #expect(result.first?.position == 0)
        #expect(result.last?.position == 2)
        #expect(result.rows.count == 3)
    }
}
