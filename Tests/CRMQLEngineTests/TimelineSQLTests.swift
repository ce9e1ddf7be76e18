import XCTest
import CRMQLCore
import CRMQLStorage
import CRMQLSyntax
@testable import CRMQLEngine

/// `retention(…)` and `cohorts(…)` compiled to SQL: the series of periods
/// each dialect spells its own way, the answer's columns named and typed
/// as in memory, clauses after the call compiled over the answer, and the
/// in-memory errors with their places.
final class TimelineSQLTests: XCTestCase {
    private func demo() -> Interpreter {
        let interpreter = Interpreter(options: SessionOptions(today: 20_600), interrupt: InterruptFlag())
        interpreter.loadDemo()
        return interpreter
    }

    private func statement(_ text: String) -> (Statement, SourceFile) {
        let source = SourceFile(name: "<test>", text: text)
        let (script, diagnostics) = Parser.parse(source)
        XCTAssertTrue(diagnostics.isEmpty, text)
        return (script.statements[0], source)
    }

    /// The text `explain sql` gives for `text`.
    private func explain(_ interpreter: Interpreter, _ text: String) throws -> String {
        let (statement, source) = statement(text)
        var sql: String?
        try interpreter.execute(statement, source) { output in
            if case .document(_, let text) = output { sql = text }
        }
        return try XCTUnwrap(sql)
    }

    private func server(_ interpreter: Interpreter, _ text: String, _ values: [String: Value] = [:]) throws -> ServerStatement {
        let (statement, source) = statement(text)
        return try XCTUnwrap(interpreter.serverStatement(statement, source, binding: values))
    }

    func testEachDialectWritesItsSeries() throws {
        let interpreter = demo()
        let query = "select retention(orders, every: quarter, from: 2025-01-01)"
        let postgres = try explain(interpreter, "explain sql postgresql " + query)
        XCTAssertTrue(postgres.contains("SELECT generate_series(\"low\", \"high\") AS \"p\""), postgres)
        XCTAssertTrue(postgres.contains("make_date("), postgres)
        // from: 2025-01-01 is quarter 2025 * 4 + 0 from year 0.
        XCTAssertTrue(postgres.contains("SELECT 8100 AS \"low\", max(\"p\") AS \"high\" FROM events"), postgres)
        XCTAssertTrue(postgres.hasSuffix("FROM retention AS r\nORDER BY r.\"period\" ASC NULLS LAST"), postgres)
        let duckdb = try explain(interpreter, "explain sql duckdb " + query)
        XCTAssertTrue(duckdb.contains("unnest(generate_series("), duckdb)
        let spark = try explain(interpreter, "explain sql spark " + query)
        XCTAssertTrue(spark.contains("explode(sequence(`low`, `high`))"), spark)
    }

    func testWeeksCountDaysFromAMonday() throws {
        let sql = try explain(demo(), "explain sql select cohorts(orders, every: week, from: 2026-05-01, to: 2026-06-30)")
        XCTAssertTrue(sql.contains("(o.\"placed\" - DATE '1970-01-01') + 3"), sql)
        XCTAssertTrue(sql.contains("(DATE '1970-01-01' + CAST(c.\"p\" * 7 - 3 AS INTEGER))"), sql)
        // Both ends given: the series needs no event.
        XCTAssertTrue(sql.contains("FROM (SELECT 2939 AS \"low\", 2948 AS \"high\") AS b"), sql)
    }

    func testFiscalPeriodsShiftByTheYearsStart() throws {
        let interpreter = demo()
        let (set, source) = statement("set fiscal_year_start = 4")
        try interpreter.execute(set, source) { _ in }
        let sql = try explain(interpreter, "explain sql select retention(orders, every: fiscal year)")
        XCTAssertTrue(sql.contains("EXTRACT(MONTH FROM o.\"placed\") - 4 AS DOUBLE PRECISION) / 12"), sql)
        XCTAssertTrue(sql.contains("c.\"p\" * 12 + 3"), sql)
    }

    func testClausesAfterTheCallReadTheAnswer() throws {
        let sql = try explain(demo(), "explain sql select cohorts(orders where channel = web, every: quarter) where period <= 2 order by rate desc limit 3 show cohort, rate")
        XCTAssertTrue(sql.contains("WHERE (o.\"channel\" = 'web') AND o.\"customer\" IS NOT NULL AND o.\"placed\" IS NOT NULL"), sql)
        XCTAssertTrue(sql.contains("FROM cohorts AS c\nWHERE (c.\"period\" <= 2)"), sql)
        // Ties keep the answer's order: by cohort, then period.
        XCTAssertTrue(sql.contains("ORDER BY c.\"rate\" DESC NULLS FIRST, c.\"cohort\" ASC NULLS LAST, c.\"period\" ASC NULLS LAST\nLIMIT 3"), sql)
    }

    func testAsOfKeepsTheEventsUpToTheDate() throws {
        let sql = try explain(demo(), "explain sql select retention(orders) as of 2025-12-31")
        XCTAssertTrue(sql.contains("FROM (SELECT * FROM \"orders\" WHERE \"placed\" <= DATE '2025-12-31' OR \"placed\" IS NULL) AS o"), sql)
    }

    func testServerStatementNamesTypesAndSlots() throws {
        let interpreter = demo()
        let retention = try server(interpreter, "select retention(orders where amount > $min, every: month)", ["min": .int(500)])
        XCTAssertEqual(retention.columnNames, TimelineSource.retentionNames)
        XCTAssertEqual(retention.columnTypes, TimelineSource.retentionTypes)
        XCTAssertEqual(retention.entities, ["orders"])
        XCTAssertEqual(retention.parameters, [.int(500)])
        XCTAssertFalse(retention.sql.contains("500"), retention.sql)

        let cohorts = try server(interpreter, "select cohorts(orders, every: year) where customers > 0 show cohort, period, rate")
        XCTAssertEqual(cohorts.columnNames, ["cohort", "period", "rate"])
        XCTAssertEqual(cohorts.columnTypes, [.date, .int, .number])

        // A parameter among the dates is a constant the call needs now.
        let dated = try server(interpreter, "select retention(orders, every: quarter, from: $start) where active > $least",
                               ["start": .date(20_089), "least": .int(10)])
        XCTAssertTrue(dated.sql.contains("SELECT 8100 AS \"low\""), dated.sql)
        XCTAssertEqual(dated.parameters, [.int(10)])

        let count = try server(interpreter, "select count cohorts(orders, every: year)")
        XCTAssertEqual(count.columnNames, ["count()"])
    }

    func testErrorsAreTheInMemoryOnesInPlace() throws {
        let interpreter = demo()
        let cases: [(String, String, Int)] = [
            ("explain sql select retention(orders, every: fortnight)", "every: takes one of", 44),
            ("explain sql select cohorts(orders, from: 2026-01-01, to: 2025-01-01)", "is after to:", 41),
            ("explain sql select retention(ordrs)", "did you mean 'orders'", 29),
            ("explain sql select retention(orders, at: amount)", "at: needs a date or datetime field", 41),
            ("explain sql select retention(orders) where churn > 0", "churn", 43),
        ]
        for (text, needle, column) in cases {
            let (statement, source) = statement(text)
            XCTAssertThrowsError(try interpreter.execute(statement, source) { _ in }, text) { error in
                let diagnostic = (error as? Diagnostic) ?? (error as? DiagnosticList)?.diagnostics.first
                XCTAssertTrue(diagnostic?.message.contains(needle) ?? false, "\(text): \(error)")
                XCTAssertEqual(diagnostic?.range?.start, column, "\(text): \(error)")
            }
        }
    }
}
