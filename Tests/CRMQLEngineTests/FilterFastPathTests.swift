import XCTest
import CRMQLCore
import CRMQLStorage
import CRMQLSyntax
@testable import CRMQLEngine

/// Each filter that runs straight from a column (or through the parent
/// entity) must keep exactly the rows the general evaluation keeps:
/// `general` runs the same query with fast paths off.
final class FilterFastPathTests: XCTestCase {
    /// `body` with `set fast_paths = off`: every plan of general operators.
    private func general<T>(_ interpreter: Interpreter, _ body: () throws -> T) throws -> T {
        func set(_ value: String) throws {
            let source = SourceFile(name: "<test>", text: "set fast_paths = \(value)")
            try interpreter.execute(try XCTUnwrap(Parser.parse(source).0.statements.first), source) { _ in }
        }
        try set("off")
        defer { try? set("on") }
        return try body()
    }

    private func ids(_ interpreter: Interpreter, _ entity: String, _ condition: String) throws -> [String] {
        let source = SourceFile(name: "<test>", text: "select \(entity) where \(condition) show id")
        let (script, diagnostics) = Parser.parse(source)
        XCTAssertEqual(diagnostics.count, 0, source.text)
        var ids: [String] = []
        try interpreter.execute(try XCTUnwrap(script.statements.first), source) { output in
            guard case .rows(_, let columns) = output, let column = columns.first else { return }
            ids = (0..<column.count).map { ValueFormatter.plain(column.value(at: $0)) }
        }
        return ids
    }

    func testFastFiltersKeepWhatTheGeneralPathKeeps() throws {
        let interpreter = Interpreter(options: SessionOptions(), interrupt: InterruptFlag())
        interpreter.loadDemo()
        let cases: [(String, String)] = [
            ("orders", "placed in last 90 days"),
            ("orders", "placed not in last 30 days"),
            ("orders", "placed in last 2 quarters"),
            ("interactions", "at in this year"),
            ("orders", "amount > 500"),
            ("orders", "amount <= 12"),
            ("customers", "stage = mature"),
            ("customers", "stage >= decline"),
            ("customers", "tier != gold"),
            ("orders", "customer.region = north"),
            ("orders", "customer.loyalty > 0.7"),
            ("orders", "amount > 900 and customer.stage = churned"),
            // An enum equality over every row beside another column test:
            // both run over every row and their bits are combined.
            ("interactions", "kind = complaint and outcome = open"),
            ("interactions", "outcome != resolved and at in this year"),
            ("customers", "loyalty > 0.5 and stage = mature"),
            ("customers", "stage = mature and tier != gold"),
            ("orders", "channel = web and customer.region = north"),
            ("customers", "not exists(interactions where kind = complaint)"),
            ("customers", "exists(orders where amount > 900)"),
        ]
        for (entity, condition) in cases {
            let fast = try ids(interpreter, entity, condition)
            XCTAssertEqual(fast, try general(interpreter) { try ids(interpreter, entity, condition) }, "\(entity) where \(condition)")
            XCTAssertFalse(fast.isEmpty, "\(entity) where \(condition) should keep some rows")
        }
    }

    /// Combining two sides' bits over every row (an `and` inside a
    /// condition), or keeping the rows of a `where`'s first conjuncts as a
    /// bitmap and testing the next only in its words, drops a row that is
    /// null on either side, as filtering one side after the other does.
    func testCombinedBitsDropNullsOnEitherSide() throws {
        let interpreter = Interpreter(options: SessionOptions(), interrupt: InterruptFlag())
        let values = (1...300).map { id in
            let color = id % 7 == 0 ? "null" : ["red", "green", "blue"][id % 3]
            let size = id % 11 == 0 ? "null" : String(id % 13)
            let weight = id % 5 == 0 ? "null" : String(Double(id % 17) / 4)
            let day = id % 13 == 0 ? "null" : "2026-0\(1 + id % 6)-1\(id % 10)"
            return "(\(id), \(color), \(size), \(weight), \(day))"
        }
        let setup = SourceFile(name: "<test>", text: """
            create entity things (id int key, color enum(red, green, blue), size int, weight number, day date)
            insert into things (id, color, size, weight, day) values \(values.joined(separator: ", "))
            """)
        try interpreter.run(setup) { _ in }
        for condition in ["color = red and size > 4", "size > 4 and color != red", "color = green and color != blue",
                          "color = blue and size = 99", "color != green and size <= 12",
                          "size >= 0 and weight > 1.5", "weight >= 0 and size > 2 and day >= 2026-03-01",
                          "id > 0 and weight < 3 and (size > 3 or id < 20)", "weight >= 0 and id % 2 = 0 and size < 9",
                          "id > 10 and id < 290 and weight != 2 and color = red"] {
            let fast = try ids(interpreter, "things", condition)
            XCTAssertEqual(fast, try general(interpreter) { try ids(interpreter, "things", condition) }, condition)
        }
    }

    /// A large field of whole hundredths is compared, from the second query
    /// on, through its counts of hundredths: every operator and constant
    /// must keep the rows the doubles keep.
    func testMoneyComparedAsHundredthsKeepsTheSameRows() throws {
        let interpreter = Interpreter(options: SessionOptions(), interrupt: InterruptFlag())
        interpreter.loadDemo()
        for x in ["500", "12.5", "12.345", "-1", "0", "99.99", "1e9", "140.24", "0.005"] {
            for op in [">", ">=", "<", "<=", "=", "!="] {
                let condition = "amount \(op) \(x)"
                let first = try ids(interpreter, "orders", condition)
                let again = try ids(interpreter, "orders", condition)
                let general = try general(interpreter) { try ids(interpreter, "orders", condition) }
                XCTAssertEqual(first, general, condition)
                XCTAssertEqual(again, general, condition)
            }
        }
        XCTAssertEqual(try ids(interpreter, "orders", "customer.region = north and amount > 500"),
                       try general(interpreter) { try ids(interpreter, "orders", "customer.region = north and amount > 500") })
    }

    /// `exists(...)` over many rows marks the parents of the children that
    /// pass instead of visiting each row's children; over few rows it
    /// visits them. Either way it must agree with counting the children.
    func testExistsAgreesWithCountingChildren() throws {
        let interpreter = Interpreter(options: SessionOptions(), interrupt: InterruptFlag())
        interpreter.loadDemo()
        let cases: [(rows: String, children: String)] = [
            ("true", "orders"),
            ("true", "interactions where kind = complaint and outcome = open"),
            ("stage = mature", "interactions where kind = complaint and outcome = open"),
            ("tier = gold", "orders where amount > 900"),
            ("id <= 3", "orders where amount > 100"),
            ("id <= 3", "orders"),
            ("region = north", "orders where customer.stage = churned"),
        ]
        for (rows, children) in cases {
            let relation = children.split(separator: " ").first.map(String.init) ?? children
            let filter = children.dropFirst(relation.count).trimmingCharacters(in: .whitespaces)
            let counted = filter.isEmpty ? "count(\(relation)) > 0" : "count(\(relation) \(filter)) > 0"
            for negated in [false, true] {
                let test = negated ? "not exists(\(children))" : "exists(\(children))"
                let other = negated ? "not (\(counted))" : counted
                let found = try ids(interpreter, "customers", "(\(rows)) and \(test)")
                XCTAssertEqual(found, try ids(interpreter, "customers", "(\(rows)) and \(other)"), "\(rows) and \(test)")
            }
        }
    }

    /// Children stored grouped by parent or in any other order, with or
    /// without a null ref: the parent filter keeps what the general path keeps.
    func testParentFiltersOverClusteredAndScatteredChildren() throws {
        for order in [[1, 2, 3, 4, 5, 6], [4, 1, 6, 2, 5, 3]] {
            for nullRef in [false, true] {
                let interpreter = Interpreter(options: SessionOptions(), interrupt: InterruptFlag())
                let kids = order.map { id in "(\(id), \(nullRef && id == 6 ? "null" : String((id + 1) / 2)), \(id * 10))" }
                let setup = SourceFile(name: "<test>", text: """
                    create entity parents (id int key, size int)
                    create entity kids (id int key, parent ref parents, size int)
                    insert into parents (id, size) values (1, 5), (2, 9), (3, 7)
                    insert into kids (id, parent, size) values \(kids.joined(separator: ", "))
                    """)
                try interpreter.run(setup) { _ in }
                for condition in ["parent.size > 6", "parent.size = 5", "parent.size > 6 and size > 25", "size > 25 and parent.size < 9"] {
                    let fast = try ids(interpreter, "kids", condition)
                    XCTAssertEqual(fast, try general(interpreter) { try ids(interpreter, "kids", condition) }, "\(order) \(condition)")
                }
            }
        }
    }

    /// A relation aggregate over every parent whose children are stored in
    /// parent order reads ranges of the child's column (`reduceRanges`);
    /// over some of the parents it gathers their children. Both must give
    /// each parent the same value, nulls, empty parents and overflow included.
    func testRelationAggregatesOverClusteredChildrenMatchTheGatheringPath() throws {
        func rows(_ interpreter: Interpreter, _ text: String) throws -> [String] {
            let source = SourceFile(name: "<test>", text: text)
            let (script, diagnostics) = Parser.parse(source)
            XCTAssertEqual(diagnostics.count, 0, text)
            var lines: [String] = []
            try interpreter.execute(try XCTUnwrap(script.statements.first), source) { output in
                guard case .rows(_, let columns) = output, let first = columns.first else { return }
                lines = (0..<first.count).map { row in columns.map { ValueFormatter.plain($0.value(at: row)) }.joined(separator: "|") }
            }
            return lines
        }
        // Children in parent order (clustered) and the same children shuffled.
        var kids: [String] = []
        var id = 0
        for parent in 1...40 where parent % 7 != 0 {
            for k in 0..<(parent % 5 + 1) {
                id += 1
                let size = (parent * 13 + k * 7) % 50 - 10
                let amount = k == 2 ? "null" : String(format: "%d.%02d", (parent * 31 + k * 17) % 900, (parent * 7 + k) % 100)
                kids.append("(\(id), \(parent), \(size), \(amount))")
            }
        }
        let shuffled = kids.enumerated().sorted { ($0.offset * 37) % kids.count < ($1.offset * 37) % kids.count }.map(\.element)
        let items = "id, count(kids), count(kids.amount), sum(kids.size), sum(kids.amount), avg(kids.amount), avg(kids.size)"
        for (order, list) in [("clustered", kids), ("shuffled", shuffled)] {
            let interpreter = Interpreter(options: SessionOptions(), interrupt: InterruptFlag())
            let setup = SourceFile(name: "<test>", text: """
                create entity parents (id int key)
                create entity kids (id int key, parent ref parents, size int, amount number)
                insert into parents (id) values \((1...40).map { "(\($0))" }.joined(separator: ", "))
                insert into kids (id, parent, size, amount) values \(list.joined(separator: ", "))
                """)
            try interpreter.run(setup) { _ in }
            let every = try rows(interpreter, "select parents show \(items)")
            XCTAssertEqual(every.count, 40)
            let some = try rows(interpreter, "select parents where id != 3 show \(items)")
            XCTAssertEqual(every.filter { !$0.hasPrefix("3|") }, some, order)
            XCTAssertEqual(every[6], "7|0|0||||", "a parent without children")
            let filtered = try rows(interpreter, "select parents where sum(kids.amount) > 1000 show id")
            XCTAssertEqual(filtered, try general(interpreter) { try rows(interpreter, "select parents where sum(kids.amount) > 1000 show id") }, order)
        }
        // An int sum that overflows fails over every parent as over some.
        let interpreter = Interpreter(options: SessionOptions(), interrupt: InterruptFlag())
        let setup = SourceFile(name: "<test>", text: """
            create entity parents (id int key)
            create entity kids (id int key, parent ref parents, size int)
            insert into parents (id) values (1), (2)
            insert into kids (id, parent, size) values (1, 1, 1), (2, 2, 9223372036854775807), (3, 2, 1)
            """)
        try interpreter.run(setup) { _ in }
        XCTAssertThrowsError(try rows(interpreter, "select parents show sum(kids.size)"))
        XCTAssertThrowsError(try rows(interpreter, "select parents where id > 1 show sum(kids.size)"))
    }

    /// `contains` as a filter over every row takes its rows straight from
    /// the folded buffer; over some rows, or with fast paths off, it evaluates
    /// flags. Nulls, case, non-ASCII text and the empty row before a match
    /// must come out the same every way.
    func testContainsFiltersKeepWhatTheGeneralPathKeeps() throws {
        let interpreter = Interpreter(options: SessionOptions(), interrupt: InterruptFlag())
        let setup = SourceFile(name: "<test>", text: """
            create entity things (id int key, name text)
            insert into things (id, name) values (1, "Acme Corp"), (2, null), (3, "ACME"), (4, "Straße"), (5, "ac"), (6, "me acme"), (7, ""), (8, "ÉCOLE acmé"), (9, "Résumé")
            """)
        try interpreter.run(setup) { _ in }
        for needle in ["acme", "ACME", "ss", "é", "cme", "acm", "e", "xyz", "sumé", "ac"] {
            let condition = "name contains \"\(needle)\""
            let fast = try ids(interpreter, "things", condition)
            XCTAssertEqual(fast, try general(interpreter) { try ids(interpreter, "things", condition) }, condition)
            XCTAssertEqual(try ids(interpreter, "things", "id > 1 and \(condition)"), fast.filter { $0 != "1" }, condition)
        }
        XCTAssertEqual(try ids(interpreter, "things", "name contains \"acme\""), ["1", "3", "6"])
    }

    /// A filter that could fail on a row sees only the children of the rows
    /// asked about, however many they are: a child of another row must not
    /// fail the query.
    func testExistsWithAFilterThatCanFailReadsOnlyTheRowsChildren() throws {
        let interpreter = Interpreter(options: SessionOptions(), interrupt: InterruptFlag())
        let setup = SourceFile(name: "<test>", text: """
            create entity parents (id int key)
            create entity kids (id int key, parent ref parents, size int)
            insert into parents (id) values (1), (2)
            insert into kids (id, parent, size) values (1, 1, 3), (2, 2, 9223372036854775807)
            """)
        try interpreter.run(setup) { _ in }
        XCTAssertEqual(try ids(interpreter, "parents", "id = 1 and exists(kids where size * 2 > 0)"), ["1"])
        XCTAssertThrowsError(try ids(interpreter, "parents", "exists(kids where size * 2 > 0)"), "the overflow itself is an error")
    }
}
