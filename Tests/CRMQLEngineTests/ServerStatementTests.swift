import XCTest
import CRMQLCore
import CRMQLStorage
import CRMQLSyntax
@testable import CRMQLEngine

/// A query compiled for a server keeps its parameters out of the text:
/// each is a `$n` slot whose value travels beside the statement, while
/// `explain sql` still writes the value in. Columns are named and typed as
/// the in-memory answer's.
final class ServerStatementTests: XCTestCase {
    private func demo() -> Interpreter {
        let interpreter = Interpreter(options: SessionOptions(today: 20_600), interrupt: InterruptFlag())
        interpreter.loadDemo()
        return interpreter
    }

    private func compile(_ interpreter: Interpreter, _ text: String, _ values: [String: Value] = [:]) throws -> ServerStatement? {
        let source = SourceFile(name: "<test>", text: text)
        let (script, diagnostics) = Parser.parse(source)
        XCTAssertTrue(diagnostics.isEmpty, text)
        return try interpreter.serverStatement(try XCTUnwrap(script.statements.first), source, binding: values)
    }

    func testParametersAreSlotsNotText() throws {
        let interpreter = demo()
        let secret = "O'Brien; DROP TABLE customers"
        let compiled = try XCTUnwrap(compile(interpreter, "select customers where name = $who and points > $min show id, name",
                                             ["who": .text(secret), "min": .int(4321)]))
        XCTAssertFalse(compiled.sql.contains("O'Brien"), compiled.sql)
        XCTAssertFalse(compiled.sql.contains("4321"), compiled.sql)
        XCTAssertTrue(compiled.sql.contains("CAST($1 AS TEXT)"), compiled.sql)
        XCTAssertTrue(compiled.sql.contains("CAST($2 AS BIGINT)"), compiled.sql)
        XCTAssertEqual(compiled.parameters, [.text(secret), .int(4321)])
        XCTAssertEqual(compiled.columnNames, ["id", "name"])
        XCTAssertEqual(compiled.columnTypes, [.int, .text])
        XCTAssertEqual(compiled.entities, ["customers"])
    }

    func testRefColumnsTravelAsTheirParentsKeys() throws {
        let compiled = try XCTUnwrap(compile(demo(), "select orders limit 3 show id, customer, customer.region"))
        XCTAssertEqual(compiled.columnTypes.first, .int)
        XCTAssertEqual(compiled.columnTypes[1], .ref("customers"))
        XCTAssertEqual(compiled.valueTypes[1], .int)
        XCTAssertEqual(Set(compiled.entities), ["customers", "orders"])
    }

    func testCountIsOneIntColumn() throws {
        let compiled = try XCTUnwrap(compile(demo(), "select count customers where stage = mature"))
        XCTAssertEqual(compiled.columnNames, ["count()"])
        XCTAssertEqual(compiled.columnTypes, [.int])
    }

    func testNotAQueryIsNil() throws {
        XCTAssertNil(try compile(demo(), "set fiscal_year_start = 4"))
    }

    func testErrorsKeepTheirPlace() throws {
        XCTAssertThrowsError(try compile(demo(), "select customers show nmae")) { error in
            let diagnostic = error as? Diagnostic
            XCTAssertEqual(diagnostic?.range?.start, 22)
            XCTAssertTrue(diagnostic?.message.contains("did you mean 'name'") ?? false, "\(error)")
        }
    }
}
