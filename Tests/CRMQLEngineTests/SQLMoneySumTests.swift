import XCTest
import CRMQLCore
import CRMQLStorage
import CRMQLSyntax
@testable import CRMQLEngine

/// Money (a number field of whole hundredths) is summed in SQL as crmql
/// sums it: hundredths added as integers, one division at the end, so two
/// customers with the same total tie on every engine whatever the order of
/// their orders. Other numbers are summed as doubles.
final class SQLMoneySumTests: XCTestCase {
    private func explain(_ text: String) throws -> String {
        let interpreter = Interpreter(options: SessionOptions(today: 20_600), interrupt: InterruptFlag())
        interpreter.loadDemo()
        let source = SourceFile(name: "<test>", text: text)
        let (script, diagnostics) = Parser.parse(source)
        XCTAssertTrue(diagnostics.isEmpty, text)
        var sql: String?
        try interpreter.execute(script.statements[0], source) { output in
            if case .document(_, let text) = output { sql = text }
        }
        return try XCTUnwrap(sql)
    }

    func testMoneySumsAreWholeHundredths() throws {
        let sql = try explain("explain sql select customers show id, sum(orders.amount), avg(orders.amount where channel = web)")
        XCTAssertTrue(sql.contains("(CAST(sum(CAST(round(o.\"amount\" * 100) AS BIGINT)) AS DOUBLE PRECISION) / 100)"), sql)
        XCTAssertTrue(sql.contains("(CAST(sum(CAST(round(CASE WHEN (o.\"channel\" = 'web') THEN o.\"amount\" END * 100) AS BIGINT)) AS DOUBLE PRECISION) / (100 * CAST(NULLIF(count(CASE WHEN (o.\"channel\" = 'web') THEN o.\"amount\" END), 0) AS DOUBLE PRECISION)))"), sql)
    }

    func testGroupSumsOfMoneyToo() throws {
        let sql = try explain("explain sql spark select orders group by channel show channel, sum(amount)")
        XCTAssertTrue(sql.contains("(CAST(sum(CAST(round(o.`amount` * 100) AS BIGINT)) AS DOUBLE) / 100)"), sql)
    }

    func testOtherNumbersStayDoubles() throws {
        let sql = try explain("explain sql select customers group by region show region, sum(loyalty), sum(distinct loyalty)")
        XCTAssertTrue(sql.contains("CAST(sum(c.\"loyalty\") AS DOUBLE PRECISION)"), sql)
        XCTAssertTrue(sql.contains("CAST(sum(DISTINCT c.\"loyalty\") AS DOUBLE PRECISION)"), sql)
        XCTAssertFalse(sql.contains("* 100"), sql)
    }
}
