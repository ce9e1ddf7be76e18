import CCRMQL
import CRMQL
import CRMQLC
import Foundation
import XCTest

/// `crmql_chart`: the chart of a result handed to C as a string, SVG or
/// text, and each way of asking wrongly answered with a code and a message.
final class ChartCAPITests: XCTestCase {
    private var handle: OpaquePointer?

    override func setUpWithError() throws {
        XCTAssertEqual(crmqlOpenV2(nil, CRMQL_OPEN_DEMO | CRMQL_OPEN_SAFE, "2026-06-30", &handle), CRMQL_OK)
    }

    override func tearDown() {
        _ = crmqlClose(handle)
        handle = nil
    }

    private func chart(_ text: String, kind: String?, title: String? = nil, width: Int32 = 0, flags: Int32 = 0) -> (Int32, String?) {
        var out: UnsafeMutablePointer<CChar>?
        let code = crmqlChart(handle, text, kind, title, width, flags, &out)
        defer { crmql_free(out) }
        return (code, out.map { String(cString: $0) })
    }

    private var message: String { crmqlErrmsg(handle).map { String(cString: $0) } ?? "" }

    func testSVGOfTheLastResultEvenInSafeMode() throws {
        let (code, svg) = chart("select count customers; select customers group by region", kind: nil, title: "customers by region")
        XCTAssertEqual(code, CRMQL_OK, message)
        let document = try XCTUnwrap(svg)
        XCTAssertTrue(document.hasPrefix("<?xml"), document)
        XCTAssertTrue(document.contains(">customers by region</text>"), document)
        let database = try Database(options: Database.Options(today: "2026-06-30"))
        try database.loadDemo()
        XCTAssertEqual(document, try database.query("select customers group by region").svg(title: "customers by region"))
    }

    func testTextChartWithinTheWidth() throws {
        let (code, text) = chart("select customers group by stage", kind: "funnel", width: 50, flags: CRMQL_CHART_TEXT)
        XCTAssertEqual(code, CRMQL_OK, message)
        let lines = try XCTUnwrap(text).split(separator: "\n")
        XCTAssertEqual(lines.first, "count() by stage, % of the first")
        XCTAssertTrue(lines.allSatisfy { $0.count <= 50 && $0.unicodeScalars.allSatisfy(\.isASCII) }, text ?? "")
        let (_, unicode) = chart("select customers group by stage", kind: "bar", width: 50, flags: CRMQL_CHART_TEXT | CRMQL_CHART_UNICODE)
        XCTAssertTrue(unicode?.contains("█") == true, unicode ?? "")
    }

    func testWrongRequestsAreCodesWithMessages() {
        var (code, out) = chart("select customers group by region", kind: "line")
        XCTAssertEqual(code, CRMQL_ERROR)
        XCTAssertNil(out)
        XCTAssertTrue(message.contains("a line chart runs along a date or number column"), message)
        (code, out) = chart("select customers group by region", kind: "pei")
        XCTAssertEqual(code, CRMQL_ERROR)
        XCTAssertEqual(message, "unknown chart kind 'pei'; expected one of bar, line, funnel, heat")
        (code, out) = chart("set today = 2026-06-30", kind: nil)
        XCTAssertEqual(code, CRMQL_ERROR)
        XCTAssertEqual(message, "nothing to draw: the text returned no result")
        (code, out) = chart("select nothing", kind: nil)
        XCTAssertEqual(code, CRMQL_ERROR)
        XCTAssertTrue(message.contains("nothing"), message)
        (code, out) = chart("select customers", kind: nil, flags: 0x100)
        XCTAssertEqual(code, CRMQL_MISUSE)
        var none: UnsafeMutablePointer<CChar>?
        XCTAssertEqual(crmqlChart(nil, "select customers", nil, nil, 0, 0, &none), CRMQL_MISUSE)
        XCTAssertNil(none)
    }
}
