import CRMQL
import Foundation
import Synchronization
import Testing

/// The ways to run text: one parameter convention for all of them, a
/// script stepped statement by statement, streams that convert rows only
/// as they are read, and results that print as tables.
@Suite struct RunningStatementsTests {
    static func people() throws -> Database {
        let db = try Database()
        try db.execute("""
            create entity people (id int key, name text, points int)
            insert into people (id, name, points) values (1, 'Ann', 10), (2, 'Bo', null), (3, 'Cy', 30)
            """)
        return db
    }

    // MARK: One convention for parameters

    @Test func aQueryAndItsPreparedStatementTakeTheSameParameters() throws {
        let db = try Database.demo()
        let text = "select customers where points >= $min and region = $region order by id limit 20 show id, name"
        let parameters: [String: any ValueConvertible] = ["min": 1000, "$region": "north"]

        let direct = try db.query(text, parameters: parameters)
        let prepared = try db.prepare(text)
        let again = try prepared.query(parameters: parameters)
        #expect(direct.rowCount == 20)
        #expect(again.rows == direct.rows)

        struct Customer: Decodable, Equatable { let id: Int; let name: String }
        #expect(try prepared.query(parameters: parameters, as: Customer.self) == db.query(text, parameters: parameters, as: Customer.self))

        var fromDatabase = try db.stream(text, parameters: parameters, as: Customer.self)
        var fromPrepared = try prepared.stream(parameters: parameters, as: Customer.self)
        while let expected = try fromDatabase.next() { #expect(try fromPrepared.next() == expected) }
        #expect(try fromPrepared.next() == nil)

        let changed = try db.prepare("update customers set points = points + $bonus where id = $id")
        let viaPrepared = try changed.execute(parameters: ["bonus": 1, "id": 1])
        let viaDatabase = try db.execute("update customers set points = points + $bonus where id = $id", parameters: ["bonus": 1, "id": 1])
        #expect(viaPrepared.map(\.description) == viaDatabase.map(\.description))
    }

    @Test func aParameterGivenTwiceIsRefusedTheSameWayEverywhere() throws {
        let db = try Self.people()
        let twice: [String: any ValueConvertible] = ["min": 1, "$min": 2]
        let text = "select people where points >= $min"
        let errors = [
            #expect(throws: CRMQLError.self) { try db.query(text, parameters: twice) },
            #expect(throws: CRMQLError.self) { try db.execute(text, parameters: twice) },
            #expect(throws: CRMQLError.self) { try db.statements(text, parameters: twice) },
            #expect(throws: CRMQLError.self) { try db.prepare(text).query(parameters: twice) },
        ]
        for error in errors { #expect(error?.message == "parameter '$min' is given twice") }
    }

    // MARK: Scripts, statement by statement

    @Test func aStatementRunsOnlyWhenItIsPulled() throws {
        let db = try Self.people()
        var statements = try db.statements("""
            insert into people (id, name) values (4, 'Di')
            select count people
            insert into people (id, name) values (5, 'Ed')
            """)
        // Nothing has run yet.
        #expect(try db.query("select count people")[0].get(0, as: Int.self) == 3)

        let first = try statements.next()
        #expect(first?.outputs.map(\.description) == ["1 people inserted"])
        #expect(try db.query("select count people")[0].get(0, as: Int.self) == 4)

        // The count is handed over while the statement after it has not run.
        let counted = try statements.next()
        guard case .rows(let rows)? = counted?.outputs.first else {
            Issue.record("the count produced no rows")
            return
        }
        #expect(try rows[0].get(0, as: Int.self) == 4)
        #expect(counted?.duration ?? .zero > .zero)
        #expect(try db.query("select count people")[0].get(0, as: Int.self) == 4)

        _ = try statements.next()
        #expect(try statements.next() == nil)
        #expect(try db.query("select count people")[0].get(0, as: Int.self) == 5)
    }

    @Test func aStreamGoesOnPastAFailureWhenAskedTo() throws {
        let db = try Self.people()
        let script = """
            insert into people (id, name) values (1, 'Dup')
            update people set points = 0 where id = 2
            select people where id = 2 show points
            """
        var statements = try db.statements(script, sourceName: "notebook")
        let failure = #expect(throws: CRMQLError.self) { try statements.next() }
        #expect(failure?.description.hasPrefix("notebook:1:") == true)
        #expect(try statements.next()?.outputs.map(\.description) == ["1 people updated"])
        let range = try statements.next()?.range
        let selected = range.map { String(decoding: Array(script.utf8)[$0.start..<$0.end], as: UTF8.self) }
        #expect(selected == "select people where id = 2 show points")
        #expect(try statements.next() == nil)

        // `execute` stops at the failure instead.
        let fresh = try Self.people()
        #expect(throws: CRMQLError.self) { try fresh.execute(script) }
        #expect(try fresh.query("select people where id = 2 show points")[0]["points"] == .null)
    }

    @Test func syntaxErrorsAreKnownUpFrontAndThrownInPlace() throws {
        let db = try Self.people()
        let script = """
            insert into people (id, name) values (4, 'Di')
            select people where
            insert into people (id, name) values (5, 'Ed')
            """
        var statements = try db.statements(script)
        #expect(statements.syntaxError?.phase == .syntax)
        // `execute` runs nothing when the text does not parse.
        #expect(throws: CRMQLError.self) { try db.execute(script) }
        #expect(try db.query("select count people")[0].get(0, as: Int.self) == 3)

        var thrown: [Phase] = []
        var ran = 0
        while true {
            do throws(CRMQLError) {
                guard try statements.next() != nil else { break }
                ran += 1
            } catch {
                thrown.append(error.phase)
            }
        }
        #expect(thrown == [.syntax])
        #expect(ran >= 1)
        #expect(try db.query("select count people where id = 4")[0].get(0, as: Int.self) == 1)
    }

    @Test func anInterruptStopsTheRestOfTheStream() throws {
        let db = try Self.people()
        var statements = try db.statements("select count people\nselect count people")
        _ = try statements.next()
        db.interrupt()
        let error = #expect(throws: CRMQLError.self) { try statements.next() }
        #expect(error?.phase == .interrupted)
        // A stream made afterwards is not affected.
        #expect(try db.query("select count people")[0].get(0, as: Int.self) == 3)
    }

    // MARK: Streams convert rows only as they are read

    /// Counts its decodings, so a test sees when rows are converted.
    struct Counted: Decodable {
        static let decoded = Atomic<Int>(0)
        let name: String

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            Self.decoded.add(1, ordering: .relaxed)
        }

        enum CodingKeys: String, CodingKey { case name }
    }

    @Test func aStreamDecodesARowOnlyWhenItIsRead() throws {
        let db = try Database.demo()
        var stream = try db.stream("select customers show name", as: Counted.self)
        #expect(Counted.decoded.load(ordering: .relaxed) == 0)
        for _ in 0..<3 { _ = try stream.next() }
        #expect(Counted.decoded.load(ordering: .relaxed) == 3)
        // Left after three of ten thousand rows: the rest are never converted.
        #expect(Counted.decoded.load(ordering: .relaxed) == 3)
        #expect(try db.query("select count customers")[0].get(0, as: Int.self) == 10_000)
    }

    /// A stream's shown columns are computed a chunk at a time as rows are
    /// read: a function in `show` runs for the rows read, not for all.
    @Test func aStreamComputesOnlyTheRowsItReads() throws {
        let db = try Database.demo()
        let calls = Atomic<Int>(0)
        try db.register("tick") { arguments in
            calls.add(1, ordering: .relaxed)
            return arguments.first ?? .null
        }
        var stream = try db.stream("select customers where points >= 0 order by points desc show id, tick(points)")
        #expect(calls.load(ordering: .relaxed) == 0, "nothing shown is computed before a row is read")
        for _ in 0..<3 { _ = try stream.next() }
        let afterThree = calls.load(ordering: .relaxed)
        #expect(afterThree > 0 && afterThree <= 256, "only the first chunk: \(afterThree)")
        // Read to the end, the stream gives the query's answer.
        var ids: [Value] = [.null, .null, .null]
        while let row = try stream.next() { ids.append(row[0]) }
        let answer = try db.query("select customers where points >= 0 order by points desc show id, points")
        #expect(ids.count == answer.rowCount)
        #expect(ids.dropFirst(3).elementsEqual((3..<answer.rowCount).map { answer[$0][0] }))
    }

    /// A stream reads the session as it was when it was made, and an
    /// interrupt stops the chunks still to compute.
    @Test func aStreamReadsItsSnapshotAndStopsWhenInterrupted() throws {
        let db = try Database.demo()
        var stream = try db.stream("select customers order by id show id, points")
        let first = try #require(try stream.next())
        try db.execute("update customers set points = -1")
        #expect(try db.query("select customers where id = $id show points", parameters: ["id": first[0]])[0][0] == .int(-1))
        var seen = 1
        while seen < 256, let row = try stream.next() {
            #expect(row[1] != .int(-1), "a row of the session as the stream found it")
            seen += 1
        }
        db.interrupt()
        let error = #expect(throws: CRMQLError.self) { while try stream.next() != nil {} }
        #expect(error?.phase == .interrupted)
        var prepared = try db.prepare("select customers where points >= $min show id").stream(parameters: ["min": -5])
        #expect(try prepared.next() != nil, "a stream opened after the interrupt reads on")
    }

    @Test func aRowThatDoesNotDecodeDoesNotEndTheStream() throws {
        struct Strict: Decodable { let name: String; let points: Int }
        var stream = try Self.people().stream("select people order by id show name, points", as: Strict.self)
        #expect(try stream.next()?.name == "Ann")
        #expect(throws: CRMQLError.self) { try stream.next() }
        #expect(try stream.next()?.name == "Cy")
        #expect(try stream.next() == nil)
    }

    // MARK: Printing

    @Test func aResultPrintsAsASmallTable() throws {
        let result = try Self.people().query("select people order by id show name, points")
        #expect("\(result)" == """
            ┌──────┬────────┐
            │ name │ points │
            ├──────┼────────┤
            │ Ann  │     10 │
            │ Bo   │      ∅ │
            │ Cy   │     30 │
            └──────┴────────┘
            (3 rows)

            """)
        #expect(result.debugDescription == result.description)
        #expect(String(reflecting: result) == result.description)
    }

    @Test func aRowPrintsAsAOneRowTable() throws {
        let result = try Self.people().query("select people order by id show name, points")
        #expect("\(result[2])" == """
            ┌──────┬────────┐
            │ name │ points │
            ├──────┼────────┤
            │ Cy   │     30 │
            └──────┴────────┘
            (1 row)

            """)
        #expect(String(reflecting: result[0]).contains("│ Ann  │     10 │"))
    }

    @Test func printingNeverShowsStorage() throws {
        let db = try Database.demo()
        let count = try db.query("select count customers")
        for text in ["\(count)", String(reflecting: count), "\(count[0])", "\(StatementOutput.rows(count))"] {
            #expect(!text.contains("Column"), "\(text)")
            #expect(!text.contains("CRMQLStorage"), "\(text)")
            #expect(text.contains("10,000"), "\(text)")
        }
        // A long result shows its first and last rows, and how many there are.
        let customers = "\(try db.query("select customers order by id show id"))"
        #expect(customers.split(separator: "\n").count < 30)
        #expect(customers.hasSuffix("(10,000 rows)\n"))
        #expect("\(StatementOutput.message("3 notes updated"))" == "3 notes updated")
    }
}
