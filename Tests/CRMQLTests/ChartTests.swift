import CRMQL
import CRMQLCore
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

/// Charts drawn from results: exact text renderings, the choice of kind,
/// the messages when a kind does not fit, and SVG that parses as XML.
final class ChartTests: XCTestCase {
    private let regions = ResultSet(
        columnNames: ["region", "revenue"],
        types: [.text, .int],
        rows: [[.text("north"), .int(400)], [.text("east"), .int(100)], [.text("overseas"), .int(250)]])

    private let stages = ResultSet(
        columnNames: ["stage", "customers"],
        types: [.text, .int],
        rows: [[.text("lead"), .int(1000)], [.text("trial"), .int(500)], [.text("paid"), .int(100)]])

    private func month(_ m: Int64) -> Value { .date(CivilDate(year: 2026, month: m, day: 1).days) }

    // MARK: Text

    func testBarChartInPlainCharacters() throws {
        XCTAssertEqual(try regions.chart(kind: .bar, width: 40, unicode: false), """
            revenue by region
            north    ########################### 400
            east     ####### 100
            overseas ################# 250

            """)
    }

    func testBarChartDrawsEighthsOfABlock() throws {
        let text = try regions.chart(kind: .bar, width: 40)
        let lines = text.split(separator: "\n")
        // 100 of 400 over 27 columns is 6.75 columns: six blocks and six eighths.
        XCTAssertEqual(lines[2], "east     ██████▊ 100")
        XCTAssertTrue(lines[1].hasPrefix("north    ███████████████████████████ 400"), text)
    }

    func testFunnelIsCentredWithEachStepsShare() throws {
        XCTAssertEqual(try stages.chart(kind: .funnel, width: 40, unicode: false), """
            customers by stage, % of the first
            lead  ####################### 1,000 100%
            trial      ############         500  50%
            paid            ##              100  10%

            """)
    }

    func testLineChartAlongDates() throws {
        let result = ResultSet(
            columnNames: ["period", "active"], types: [.date, .int],
            rows: [[month(1), .int(10)], [month(2), .int(30)], [month(3), .int(20)], [month(4), .int(40)]])
        XCTAssertEqual(result.defaultChartKind, .line)
        let text = try result.chart(width: 40)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(lines[0], "active by period")
        XCTAssertEqual(lines[1], "40 ┤                                  ▄▀", text)
        XCTAssertEqual(lines[12], " 0 ┤", text)
        XCTAssertEqual(lines[13], "   └" + String(repeating: "─", count: 36))
        // The middle label would crowd the last one: only the ends are named.
        XCTAssertEqual(lines[14], "    2026-01-01                2026-04-01")
        // Quadrant blocks draw the line: the plot holds nothing else.
        let plot = lines[1...12].map { $0.dropFirst(4) }.joined()
        XCTAssertTrue(plot.unicodeScalars.allSatisfy { $0 == " " || (0x2580...0x259F).contains($0.value) }, text)
    }

    func testLineChartWithoutUnicodeMarksEachSeries() throws {
        let result = ResultSet(
            columnNames: ["period", "active", "new"], types: [.date, .int, .int],
            rows: [[month(1), .int(10), .int(5)], [month(2), .int(30), .int(8)], [month(3), .int(20), .int(2)]])
        let text = try result.chart(kind: .line, width: 50, unicode: false)
        XCTAssertTrue(text.hasPrefix("* active  + new  by period\n"), text)
        XCTAssertTrue(text.contains("*") && text.contains("+"), text)
        XCTAssertFalse(text.unicodeScalars.contains { $0.value > 0x7F }, text)
    }

    func testHeatMapOfCohorts() throws {
        let result = ResultSet(
            columnNames: ["cohort", "period", "customers", "active", "rate"],
            types: [.date, .int, .int, .int, .number],
            rows: [
                [month(1), .int(0), .int(10), .int(10), .number(1)],
                [month(1), .int(1), .int(10), .int(4), .number(0.4)],
                [month(2), .int(0), .int(5), .int(5), .number(1)],
            ])
        XCTAssertEqual(result.defaultChartKind, .heat)
        XCTAssertEqual(try result.chart(width: 60, unicode: false), """
            rate by cohort (rows) and period (columns)
                           0      1
            2026-01-01  100%#   40%+
            2026-02-01  100%#
            scale: 0% .:+*# 100%

            """)
    }

    func testColoursOnlyWhenAskedFor() throws {
        XCTAssertTrue(try regions.chart(colors: true).contains("\u{1B}[38;5;33m"))
        XCTAssertFalse(try regions.chart(colors: false).contains("\u{1B}"))
    }

    func testEveryLineFitsTheWidth() throws {
        let long = ResultSet(
            columnNames: ["name", "amount"], types: [.text, .number],
            rows: (1...30).map { [.text(String(repeating: "customer \($0) ", count: 5)), .number(Double($0) * 1234.5)] })
        for width in [24, 40, 80, 133] {
            for kind in [ChartKind.bar, .funnel] {
                let text = try long.chart(kind: kind, width: width)
                for line in text.split(separator: "\n") {
                    XCTAssertLessThanOrEqual(DisplayWidth.of(line), width, "\(kind) at \(width):\n\(text)")
                }
            }
        }
    }

    // MARK: Kinds and bad input

    func testDefaultKinds() {
        XCTAssertEqual(regions.defaultChartKind, .bar)
        let transitions = ResultSet(
            columnNames: ["from_state", "to_state", "count", "share"], types: [.text, .text, .int, .number],
            rows: [[.text("a"), .text("b"), .int(3), .number(0.75)]])
        XCTAssertEqual(transitions.defaultChartKind, .heat)
    }

    func testALineOverTextLabelsSaysWhy() {
        XCTAssertThrowsError(try regions.chart(kind: .line)) { error in
            let error = error as! CRMQLError
            XCTAssertEqual(error.phase, .semantic)
            XCTAssertEqual(error.message, "cannot draw this result as a line chart: a line chart runs along a date or number column, "
                + "and 'region' (text) is neither; try a bar chart")
        }
    }

    func testKindsThatDoNotFit() {
        let names = ResultSet(columnNames: ["name", "email"], types: [.text, .text], rows: [[.text("a"), .text("b")]])
        XCTAssertThrowsError(try names.chart(kind: .bar)) { error in
            XCTAssertTrue((error as! CRMQLError).message.contains("needs a number column"), "\(error)")
        }
        XCTAssertThrowsError(try regions.svg(kind: .heat)) { error in
            XCTAssertTrue((error as! CRMQLError).message.contains("a heat map needs two columns"), "\(error)")
        }
        let negative = ResultSet(columnNames: ["step", "n"], types: [.text, .int], rows: [[.text("a"), .int(5)], [.text("b"), .int(-1)]])
        XCTAssertThrowsError(try negative.chart(kind: .funnel)) { error in
            XCTAssertTrue((error as! CRMQLError).message.contains("'n' is negative in row 2 (b)"), "\(error)")
        }
        let empty = ResultSet(columnNames: ["region", "revenue"], types: [.text, .int], rows: [])
        XCTAssertThrowsError(try empty.chart()) { error in
            XCTAssertTrue((error as! CRMQLError).message.contains("the result has no rows"), "\(error)")
        }
        let repeated = ResultSet(
            columnNames: ["a", "b", "n"], types: [.text, .text, .int],
            rows: [[.text("x"), .text("y"), .int(1)], [.text("x"), .text("y"), .int(2)]])
        XCTAssertThrowsError(try repeated.chart(kind: .heat)) { error in
            XCTAssertTrue((error as! CRMQLError).message.contains("(x, y) comes more than once"), "\(error)")
        }
    }

    /// Odd values never trap: nulls, infinities, NaN, huge and tiny numbers,
    /// one row, control characters in labels.
    func testOddValuesAreDrawnOrRefused() throws {
        let odd: [Value] = [.null, .number(.infinity), .number(.nan), .number(-.infinity), .number(1e308), .number(-1e308),
                            .number(5e-324), .int(.max), .int(.min), .int(0)]
        for (index, value) in odd.enumerated() {
            for other in odd {
                let result = ResultSet(
                    columnNames: ["label", "v"], types: [.text, .number],
                    rows: [[.text("a\u{1B}[2J\n\(index)"), value], [.null, other]])
                for kind in ChartKind.allCases {
                    if let text = try? result.chart(kind: kind, width: 30, colors: true) {
                        XCTAssertFalse(text.contains("\u{1B}[2J"), "a label moved the cursor")
                    }
                    if let svg = try? result.svg(kind: kind) { try assertWellFormed(svg) }
                }
            }
        }
    }

    // MARK: SVG

    func testSVGHasTitleAxisLabelsAndEscapesText() throws {
        let result = ResultSet(
            columnNames: ["name", "amount"], types: [.text, .int],
            rows: [[.text("<b>Smith & \"Sons\"</b>"), .int(1500)], [.text("Ann"), .int(300)]])
        let svg = try result.svg(kind: .bar, title: "top <customers>")
        try assertWellFormed(svg)
        XCTAssertTrue(svg.contains(">top &lt;customers&gt;</text>"), svg)
        XCTAssertTrue(svg.contains(">&lt;b&gt;Smith &amp; &quot;Sons&quot;&lt;/b&gt;</text>"), svg)
        XCTAssertTrue(svg.contains(">1,500</text>"), svg)
        // The axis: round ticks from zero.
        XCTAssertTrue(svg.contains(">0</text>") && svg.contains(">1,500</text>"), svg)
        XCTAssertEqual(svg.components(separatedBy: "<rect").count - 1, 3, "the page and two bars")
    }

    func testEveryKindIsWellFormedSVG() throws {
        let database = try Database(options: Database.Options(today: "2026-06-30"))
        try database.loadDemo()
        let queries: [(ChartKind, String)] = [
            (.bar, "select customers group by region"),
            (.funnel, "select customers group by stage"),
            (.line, "select retention(orders, every: quarter) show period, retention_rate, churn_rate"),
            (.heat, "select cohorts(orders, every: year)"),
            (.heat, "select transitions(customers, of: stage, from: 2025-06-30, to: 2026-06-30)"),
        ]
        for (kind, query) in queries {
            let result = try database.query(query)
            let svg = try result.svg(kind: kind, title: query)
            try assertWellFormed(svg)
            XCTAssertTrue(svg.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""), query)
        }
    }

    func testExportChartWritesTheSVGTitledWithTheQuery() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("charts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try Database(options: Database.Options(today: "2026-06-30"))
        try database.loadDemo()
        let path = directory.appendingPathComponent("regions.svg").path
        let outputs = try database.execute("export chart bar select customers group by region to \"\(path)\"")
        XCTAssertEqual(outputs.map(\.description), ["exported a bar chart of 6 rows to regions.svg"])
        let svg = try String(contentsOfFile: path, encoding: .utf8)
        try assertWellFormed(svg)
        XCTAssertTrue(svg.contains(">select customers group by region</text>"), svg)
        XCTAssertEqual(svg, try database.query("select customers group by region").svg(kind: .bar, title: "select customers group by region"))
    }

    func testExportChartIsRefusedInSafeMode() throws {
        let database = try Database(options: Database.Options(safe: true))
        try database.loadDemo()
        XCTAssertThrowsError(try database.execute("export chart bar select customers group by region to \"x.svg\"")) { error in
            XCTAssertEqual((error as! CRMQLError).phase, .io)
            XCTAssertTrue((error as! CRMQLError).message.contains("not allowed in safe mode"), "\(error)")
        }
    }

    private func assertWellFormed(_ svg: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let parser = XMLParser(data: Data(svg.utf8))
        XCTAssertTrue(parser.parse(), "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "")\n\(svg)", file: file, line: line)
    }
}
