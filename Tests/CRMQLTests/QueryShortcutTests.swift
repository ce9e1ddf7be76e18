import CRMQL
import Testing

/// The shortcuts a query may take (a case-folded text buffer for
/// `contains`, a sorted index for `in last N days`, a relation aggregate
/// shared within a query, a reused parse) give the answers of the plain path.
@Suite struct QueryShortcutTests {
    func database() throws -> Database {
        let db = try Database(options: Database.Options(today: "2026-06-30"))
        try db.execute("""
            create entity customers (id int key, name text, tier text);
            create entity orders (id int key, customer ref customers, placed date, amount number);
            insert into customers (id, name, tier) values
              (1, 'ACME Corp', 'gold'), (2, 'Straße GmbH', 'gold'), (3, null, 'gold'), (4, '\u{212A}elvin Acme', 'silver'),
              (5, 'acmeacme', 'silver'), (6, 'Café Ümlaut', 'gold'), (7, 'xac', 'gold'), (8, 'me', 'gold');
            insert into orders (id, customer, placed, amount) values
              (10, 1, '2026-06-29', 5), (11, 1, '2026-01-01', 7), (12, 2, '2026-06-01', 1.5), (13, 4, '2026-04-02', 9),
              (14, 4, '2026-04-01', 2), (15, 5, '2026-06-30', 3), (16, 6, '2026-07-01', 4), (17, 2, '2026-05-15', 0.25)
            """)
        return db
    }

    func ids(_ db: Database, _ query: String) throws -> [Int64] {
        try db.query(query).map { row in
            guard case .int(let id) = row[0] else { return -1 }
            return id
        }
    }

    @Test func containsFoldsCaseAsTheGeneralPath() throws {
        let db = try database()
        #expect(try ids(db, #"select customers where name contains "acme" show id"#) == [1, 4, 5])
        #expect(try ids(db, #"select customers where name contains "KELVIN" show id"#) == [4], "the Kelvin sign folds to k")
        #expect(try ids(db, #"select customers where name contains "SS" show id"#) == [2], "ß folds to ss")
        #expect(try ids(db, #"select customers where name contains "ümlaut" show id"#) == [6])
        #expect(try ids(db, #"select customers where name contains "acme" and tier = "silver" show id"#) == [4, 5])
        #expect(try ids(db, #"select customers where tier = "gold" and name contains "CME" show id"#) == [1])
        #expect(try ids(db, #"select customers where name contains "" show id"#) == [1, 2, 4, 5, 6, 7, 8])
        #expect(try ids(db, #"select customers where not (name contains "acme") show id"#) == [2, 6, 7, 8], "null stays unknown")
        #expect(try ids(db, #"select customers where name contains "cme" show id"#) == [1, 4, 5])
        #expect(try ids(db, #"select customers where name contains "acm" || "e" show id"#) == [1, 4, 5])
    }

    @Test func dayRangesUseTheIndexWithTheSameRows() throws {
        let db = try database()
        let query = "select orders where placed in last 7 days show id"
        let plain = try ids(db, query)
        #expect(plain == [10, 15])
        try db.execute("create index on orders(placed)")
        #expect(try ids(db, query) == plain)
        let plan = try db.execute("explain " + query).compactMap { output -> String? in
            if case .text(let text) = output { return text }
            return nil
        }.joined(separator: "\n")
        #expect(plan.contains("USING INDEX placed"), "\(plan)")
        #expect(try ids(db, "select orders where placed in last 90 days show id") == [10, 12, 13, 15, 17])
        #expect(try ids(db, "select orders where placed in last 90 days and placed > 2026-06-01 show id") == [10, 15])
        #expect(try ids(db, "select orders where placed > 2026-04-01 and placed > 2026-06-01 show id") == [10, 15, 16],
                "a second bound on the same side stays a filter")
        #expect(try ids(db, "select orders where placed not in last 90 days show id") == [11, 14, 16])
    }

    @Test func relationAggregateSharedAcrossClauses() throws {
        let db = try database()
        let result = try db.query("select customers where sum(orders.amount) > 2 show id, sum(orders.amount) as spend order by spend desc")
        #expect(result.map { [$0[0], $0[1]] } == [[.int(1), .number(12)], [.int(4), .number(11)], [.int(6), .number(4)], [.int(5), .number(3)]])
        let counted = try db.query("select customers where count(orders) > 1 show id, count(orders), sum(orders.amount) order by id")
        #expect(counted.map { [$0[0], $0[1], $0[2]] } == [[.int(1), .int(2), .number(12)], [.int(2), .int(2), .number(1.75)],
                                                        [.int(4), .int(2), .number(11)]])
    }

    @Test func fieldComparisonsFilterLikeExpressions() throws {
        let db = try database()
        try db.execute("insert into orders (id, customer, placed, amount) values (18, 1, null, null)")
        #expect(try ids(db, "select orders where amount > 3 show id") == [10, 11, 13, 16])
        #expect(try ids(db, "select orders where 3 < amount show id") == [10, 11, 13, 16])
        #expect(try ids(db, "select orders where amount != 3 show id") == [10, 11, 12, 13, 14, 16, 17], "null is never kept")
        #expect(try ids(db, "select orders where amount <= 2 show id") == [12, 14, 17])
        #expect(try ids(db, "select orders where id >= 16 show id") == [16, 17, 18])
        #expect(try ids(db, "select orders where placed < 2026-04-02 show id") == [11, 14])
        #expect(try ids(db, "select orders where 2026-06-29 = placed show id") == [10])
        #expect(try ids(db, "select orders where customer = 2 and amount > 1 show id") == [12])
        #expect(try ids(db, "select orders where amount > 3 and id < 13 show id") == [10, 11])
    }

    @Test func repeatedTextSeesNewData() throws {
        let db = try database()
        let query = #"select count customers where tier = "gold""#
        #expect(try db.query(query)[0][0] == .int(6))
        try db.execute("insert into customers (id, name, tier) values (9, 'new', 'gold')")
        #expect(try db.query(query)[0][0] == .int(7))
        #expect(try db.query(query)[0][0] == .int(7))
    }
}
