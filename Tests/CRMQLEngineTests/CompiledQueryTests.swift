import XCTest
import CRMQLCore
import CRMQLStorage
import CRMQLSyntax
@testable import CRMQLEngine

/// A query compiled once and run with other parameter values must answer
/// exactly as the query bound afresh with those values, and must not be
/// bound or planned again.
final class CompiledQueryTests: XCTestCase {
    private func demo() -> Interpreter {
        let interpreter = Interpreter(options: SessionOptions(), interrupt: InterruptFlag())
        interpreter.loadDemo()
        return interpreter
    }

    /// Statements by text, parsed once, as a prepared statement or the
    /// database's parse cache hands the same source back each run.
    private var parsed: [String: (Statement, SourceFile)] = [:]

    private func statement(_ text: String) throws -> (Statement, SourceFile) {
        if let known = parsed[text] { return known }
        let source = SourceFile(name: "<test>", text: text)
        let (script, diagnostics) = Parser.parse(source)
        XCTAssertEqual(diagnostics.count, 0, text)
        let statement = (try XCTUnwrap(script.statements.first), source)
        parsed[text] = statement
        return statement
    }

    /// The answer as text, row by row.
    private func rendered(_ names: [String], _ columns: [Column]) -> [String] {
        let count = columns.first?.count ?? 0
        return [names.joined(separator: ",")] + (0..<count).map { row in
            columns.map { ValueFormatter.plain($0.value(at: row)) }.joined(separator: ",")
        }
    }

    /// Through the plan cache, as hosts run statements.
    private func cached(_ interpreter: Interpreter, _ text: String, _ values: [String: Value]) throws -> [String] {
        let (statement, source) = try statement(text)
        var answer: [String] = []
        try interpreter.execute(statement, source, binding: values) { output in
            if case .rows(let names, let columns) = output { answer = rendered(names, columns) }
        }
        return answer
    }

    /// Bound with the values as constants, planned afresh.
    private func fresh(_ interpreter: Interpreter, _ text: String, _ values: [String: Value]) throws -> [String] {
        let (statement, source) = try statement(text)
        guard case .query(let query) = statement.kind else { XCTFail(text); return [] }
        let saved = interpreter.state.parameters
        defer { interpreter.state.parameters = saved }
        for (name, value) in values { interpreter.state.parameters[name] = value }
        let output = try interpreter.runner(source).run(query)
        return rendered(output.names, output.columns)
    }

    private let cases: [(String, [[String: Value]])] = [
        ("select customers where id = $id show id, name, stage",
         [["id": .int(17)], ["id": .int(9_999)], ["id": .int(123_456)], ["id": .int(-1)]]),
        ("select count customers where points between $low and $high",
         [["low": .int(1000), "high": .int(1100)], ["low": .int(0), "high": .int(50)], ["low": .number(10.5), "high": .int(900)]]),
        ("select customers where stage = $stage and loyalty > $min order by loyalty desc limit 5 show id, loyalty",
         [["stage": .text("mature"), "min": .number(0.8)], ["stage": .text("growth"), "min": .number(0.5)],
          ["stage": .text("no such stage"), "min": .number(0.5)], ["stage": .int(3), "min": .number(0.5)]]),
        ("select customers where region in ($a, $b) group by region, tier show region, tier, count(), avg(points) having count() > $n",
         [["a": .text("north"), "b": .text("south"), "n": .int(50)], ["a": .text("east"), "b": .text("nowhere"), "n": .int(0)]]),
        ("select customers where sum(orders.amount where channel = web and amount > $big) > $total show id, sum(orders.amount) as spend order by spend desc limit $k",
         [["big": .int(100), "total": .int(2000), "k": .int(3)], ["big": .int(900), "total": .int(0), "k": .int(0)]]),
        ("select customers where name contains $part and -points < -$floor show id, name limit 4",
         [["part": .text("acme"), "floor": .int(10)], ["part": .text("ltd"), "floor": .int(100)]]),
        ("select customers where name matches $pattern show id limit 3",
         [["pattern": .text("^A")], ["pattern": .text("[Zz]")]]),
        ("select customers show id, case when points > $p then $label else \"other\" end as band order by id limit 3",
         [["p": .int(100), "label": .text("big")], ["p": .int(5000), "label": .text("huge")]]),
        ("select orders where placed > $since and customer.region = $region group by channel show channel, count()",
         [["since": .date(DemoData.today - 30), "region": .text("north")], ["since": .date(DemoData.today - 400), "region": .text("west")]]),
        ("select count customers where stage = mature and not exists(interactions where kind = complaint and score < $score)",
         [["score": .int(2)], ["score": .int(5)]]),
    ]

    /// The answer, or the error it failed with.
    private func outcome(_ body: () throws -> [String]) -> [String] {
        do { return try body() } catch { return ["error: \(error)"] }
    }

    func testCompiledRunsAnswerAsFreshBinding() throws {
        let interpreter = demo()
        for (text, runs) in cases {
            for values in runs {
                XCTAssertEqual(outcome { try cached(interpreter, text, values) }, outcome { try fresh(interpreter, text, values) },
                               "\(text) with \(values)")
            }
        }
    }

    func testAPreparedQueryIsCompiledOnce() throws {
        let interpreter = demo()
        let text = "select customers where id = $id and stage = $stage show id, name"
        for id in 1...20 {
            _ = try cached(interpreter, text, ["id": .int(Int64(id)), "stage": .text(id.isMultiple(of: 2) ? "mature" : "growth")])
        }
        XCTAssertEqual(interpreter.plans.counts.compiled, 1)
        XCTAssertEqual(interpreter.plans.counts.hits, 19)
    }

    func testAValueOfAnotherTypeCompilesAgain() throws {
        let interpreter = demo()
        let text = "select count customers where points > $min"
        _ = try cached(interpreter, text, ["min": .int(10)])
        _ = try cached(interpreter, text, ["min": .int(20)])
        _ = try cached(interpreter, text, ["min": .number(20.5)])
        XCTAssertEqual(interpreter.plans.counts.compiled, 2)
    }

    func testAChangeOfDataOrIndexesCompilesAgain() throws {
        let interpreter = demo()
        let text = "select count customers where points > 100"
        _ = try cached(interpreter, text, [:])
        let (create, source) = try statement("create index on customers(points)")
        try interpreter.execute(create, source) { _ in }
        _ = try cached(interpreter, text, [:])
        let (insert, insertSource) = try statement("insert into customers (id, name, points) values (100001, \"New\", 500)")
        try interpreter.execute(insert, insertSource) { _ in }
        XCTAssertEqual(try cached(interpreter, text, [:]), try fresh(interpreter, text, [:]))
        XCTAssertEqual(interpreter.plans.counts.compiled, 3)
        XCTAssertEqual(interpreter.plans.counts.hits, 0)
    }

    func testAQueryThatDoesNotBindFailsAsWithoutTheCache() throws {
        let interpreter = demo()
        let (statement, source) = try statement("select customers where stage = $stage and lyalty > 1")
        XCTAssertThrowsError(try interpreter.execute(statement, source, binding: ["stage": .text("mature")]) { _ in }) { error in
            XCTAssertEqual((error as? Diagnostic)?.message, "unknown field 'lyalty'; did you mean 'loyalty'?")
        }
    }
}

extension CompiledQueryTests {
    func testAHostFunctionRegisteredAgainIsBoundAgain() throws {
        let interpreter = demo()
        interpreter.hostFunctions["grade"] = HostFunction(arity: 1, returnType: .int) { _ in .int(1) }
        let text = "select customers where id = 1 show grade(points) as g"
        XCTAssertEqual(try cached(interpreter, text, [:]), ["g", "1"])
        interpreter.hostFunctions["grade"] = HostFunction(arity: 1, returnType: .text) { _ in .text("gold") }
        XCTAssertEqual(try cached(interpreter, text, [:]), ["g", "gold"])
        XCTAssertEqual(interpreter.plans.counts.compiled, 2)
    }
}
