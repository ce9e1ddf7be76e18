import XCTest
@testable import CRMQL
import CRMQLCore

/// Exact renderings of results in every output format.
final class RenderingTests: XCTestCase {
    private func render(_ result: ResultSet, _ options: RenderOptions = RenderOptions()) -> String {
        ResultRenderer.render(result, options: options)
    }

    private func table(_ result: ResultSet, width: Int? = nil, maxRows: Int? = nil) -> String {
        render(result, RenderOptions(format: .table, terminalWidth: width, maxRows: maxRows))
    }

    private let customers = ResultSet(
        columnNames: ["id", "name", "revenue"],
        types: [.int, .text, .number],
        rows: [
            [.int(1), .text("Alice"), .number(1234.5)],
            [.int(2), .text("王芳"), .null],
            [.int(10), .text(""), .number(-7)],
        ])

    /// `count` rows of an id, a name and a note long enough to need cutting.
    private func notes(_ count: Int) -> ResultSet {
        ResultSet(
            columnNames: ["id", "name", "note"],
            types: [.int, .text, .text],
            rows: (1...count).map { index in
                [.int(Int64(index)), .text("Customer \(index)"), .text("called about the renewal, wants a discount")]
            })
    }

    // MARK: - Table

    func testSmallTable() {
        XCTAssertEqual(table(customers), """
            ┌────┬───────┬─────────┐
            │ id │ name  │ revenue │
            ├────┼───────┼─────────┤
            │  1 │ Alice │ 1,234.5 │
            │  2 │ 王芳  │       ∅ │
            │ 10 │       │      -7 │
            └────┴───────┴─────────┘
            (3 rows)

            """)
    }

    func testNumbersRightAlignedTextLeftAligned() {
        let result = ResultSet(
            columnNames: ["n", "label"], types: [.int, .text],
            rows: [[.int(5), .text("a")], [.int(12345678), .text("bcd")]])
        XCTAssertEqual(table(result), """
            ┌────────────┬───────┐
            │          n │ label │
            ├────────────┼───────┤
            │          5 │ a     │
            │ 12,345,678 │ bcd   │
            └────────────┴───────┘
            (2 rows)

            """)
    }

    func testNullIsDistinctFromEmptyTextAndOtherTypesShowPlainly() {
        let stage = EnumType(["lead", "active", "mature"])
        let result = ResultSet(
            columnNames: ["note", "stage", "since", "vip", "seen"],
            types: [.text, .enumeration(stage), .date, .bool, .datetime],
            rows: [
                [.text(""), .symbol(2, stage), .date(20_000), .bool(true), .datetime(86_399)],
                [.null, .null, .null, .null, .null],
            ])
        XCTAssertEqual(table(result), """
            ┌──────┬────────┬────────────┬──────┬─────────────────────┐
            │ note │ stage  │ since      │ vip  │ seen                │
            ├──────┼────────┼────────────┼──────┼─────────────────────┤
            │      │ mature │ 2024-10-04 │ true │ 1970-01-01T23:59:59 │
            │ ∅    │ ∅      │ ∅          │ ∅    │ ∅                   │
            └──────┴────────┴────────────┴──────┴─────────────────────┘
            (2 rows)

            """)
    }

    func testEastAsianWideCharactersTakeTwoColumns() {
        let result = ResultSet(
            columnNames: ["name", "city"], types: [.text, .text],
            rows: [[.text("王芳"), .text("北京")], [.text("Bob"), .text("Oslo")], [.text("Zoë"), .text("東京都")]])
        XCTAssertEqual(table(result), """
            ┌──────┬────────┐
            │ name │ city   │
            ├──────┼────────┤
            │ 王芳 │ 北京   │
            │ Bob  │ Oslo   │
            │ Zoë  │ 東京都 │
            └──────┴────────┘
            (3 rows)

            """)
    }

    func testControlCharactersAreEscapedSoTheGridHolds() {
        let result = ResultSet(
            columnNames: ["line\nname"], types: [.text],
            rows: [[.text("a\nb\tc\r\u{1B}[31m")]])
        XCTAssertEqual(table(result), """
            ┌─────────────────────┐
            │ line\\nname          │
            ├─────────────────────┤
            │ a\\nb\\tc\\r\\u{1b}[31m │
            └─────────────────────┘
            (1 row)

            """)
    }

    func testZeroRowsShowTheHeader() {
        let result = ResultSet(columnNames: ["id", "name"], types: [.int, .text], rows: [])
        XCTAssertEqual(table(result), """
            ┌────┬──────┐
            │ id │ name │
            └────┴──────┘
            (0 rows)

            """)
    }

    func testFooterReportsTheTime() {
        let result = ResultSet(columnNames: ["n"], types: [.int], rows: [[.int(1)]])
        var options = RenderOptions(elapsedMilliseconds: 3.24)
        XCTAssertTrue(render(result, options).hasSuffix("└───┘\n(1 row in 3.2 ms)\n"))
        options.elapsedMilliseconds = 1234.5
        XCTAssertTrue(render(result, options).hasSuffix("(1 row in 1.23 s)\n"))
        options.elapsedMilliseconds = .nan
        XCTAssertTrue(render(result, options).hasSuffix("(1 row)\n"))
    }

    func testWidthFittingNarrowsTheWidestColumnAndWrapsTheLast() {
        // 12 rows: too many for the vertical layout. The last column's long
        // text goes on over more lines, broken between words.
        let rendered = table(notes(12), width: 40)
        let lines = rendered.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.prefix(7).joined(separator: "\n"), """
            ┌────┬─────────────┬───────────────────┐
            │ id │ name        │ note              │
            ├────┼─────────────┼───────────────────┤
            │  1 │ Customer 1  │ called about the  │
            │    │             │ renewal, wants a  │
            │    │             │ discount          │
            │  2 │ Customer 2  │ called about the  │
            """)
        for line in lines.dropLast(3) { XCTAssertEqual(DisplayWidth.of(line), 40, "\(line)") }
        XCTAssertTrue(rendered.hasSuffix("└────┴─────────────┴───────────────────┘\n(12 rows)\n"))
    }

    func testCutsNeverSplitAWideCharacter() {
        let result = ResultSet(
            columnNames: ["id", "name"], types: [.int, .text],
            rows: (1...11).map { [.int(Int64($0)), .text("王芳王芳王芳王芳")] })
        // Six columns for the name: `王芳` and `…` take five, and a third
        // character would not fit, so the cut leaves a column of padding.
        let lines = table(result, width: 15).split(separator: "\n")
        XCTAssertEqual(lines[0], "┌────┬────────┐")
        XCTAssertEqual(lines[3], "│  1 │ 王芳…  │")
    }

    func testMiddleColumnsAreElided() {
        let names = (1...8).map { "field\($0)" }
        let result = ResultSet(
            columnNames: names, types: Array(repeating: .text, count: 8),
            rows: (1...12).map { row in (1...8).map { .text("r\(row)c\($0)") } })
        let lines = table(result, width: 42).split(separator: "\n")
        XCTAssertEqual(lines.prefix(4).joined(separator: "\n"), """
            ┌────────┬────────┬───┬────────┬────────┐
            │ field1 │ field2 │ … │ field7 │ field8 │
            ├────────┼────────┼───┼────────┼────────┤
            │ r1c1   │ r1c2   │ … │ r1c7   │ r1c8   │
            """)
        // The footer names what it hides, as DuckDB does.
        XCTAssertEqual(lines.last, "(12 rows, 4 columns hidden: field3, field4, field5, field6)")
    }

    func testFewWideRowsSwitchToVerticalLayout() {
        let result = ResultSet(
            columnNames: ["id", "name", "email", "revenue", "note"],
            types: [.int, .text, .text, .number, .text],
            rows: [
                [.int(1), .text("Alice"), .text("alice@example.com"), .number(98_765.25), .text("")],
                [.int(2), .text("王芳"), .null, .number(12), .text("line\nbreak")],
            ])
        XCTAssertEqual(table(result, width: 30), """
            ─[ row 1 ]─────────────────
            id      │ 1
            name    │ Alice
            email   │ alice@example.com
            revenue │ 98,765.25
            note    │
            ─[ row 2 ]─────────────────
            id      │ 2
            name    │ 王芳
            email   │ ∅
            revenue │ 12
            note    │ line\\nbreak
            (2 rows)

            """)
    }

    func testVerticalLayoutCutsLongValues() {
        let result = ResultSet(
            columnNames: ["id", "a", "b", "c", "d", "e", "f"], types: Array(repeating: .text, count: 7),
            rows: [Array(repeating: .text("abcdefghijklmnopqrstuvwxyz"), count: 7)])
        let lines = table(result, width: 16).split(separator: "\n")
        XCTAssertEqual(lines[0], "─[ row 1 ]──────")
        XCTAssertEqual(lines[1], "id │ abcdefghij…")
        for line in lines.dropLast() { XCTAssertLessThanOrEqual(DisplayWidth.of(line), 16) }
    }

    func testRowsBeyondMaxRowsAreElidedInTheMiddle() {
        let result = ResultSet(
            columnNames: ["n"], types: [.int], rows: (1...10).map { [.int(Int64($0))] })
        var options = RenderOptions(format: .table, maxRows: 4)
        options.moreRowsHint = "use .last to see all rows"
        XCTAssertEqual(render(result, options), """
            ┌─────────────────┐
            │               n │
            ├─────────────────┤
            │               1 │
            │               2 │
            │ … 6 more rows … │
            │               9 │
            │              10 │
            └─────────────────┘
            (10 rows)
            (use .last to see all rows)

            """)
    }

    func testElidedRowsInVerticalLayoutKeepTheirNumbers() {
        let result = ResultSet(
            columnNames: ["id", "description", "owner", "region"], types: [.int, .text, .text, .text],
            rows: (1...5).map { [.int(Int64($0)), .text(String(repeating: "x", count: 40)), .text("Dana"), .text("north")] })
        let rendered = render(result, RenderOptions(terminalWidth: 20, maxRows: 2))
        XCTAssertTrue(rendered.hasPrefix("─[ row 1 ]──────────\nid       │ 1\ndescrip… │ xxxxxxxx…\n"), rendered)
        XCTAssertTrue(rendered.contains("\n… 3 more rows …\n─[ row 5 ]"), rendered)
        XCTAssertTrue(rendered.hasSuffix("(5 rows)\n"), rendered)
    }

    func testThousandsSeparatorsOnlyInTableMode() {
        let result = ResultSet(
            columnNames: ["total", "count", "year"], types: [.number, .int, .int],
            rows: [[.number(1_234_567.5), .int(-98_765), .int(2026)]])
        // From four digits; a year from `year(x)` is never grouped (see MoneyFormatTests).
        XCTAssertTrue(table(result).contains("│ 1,234,567.5 │ -98,765 │ 2,026 │"), table(result))
        var options = RenderOptions()
        options.thousandsSeparators = false
        XCTAssertTrue(render(result, options).contains("│ 1234567.5 │ -98765 │ 2026 │"))
        XCTAssertTrue(render(result, RenderOptions(numberFormat: .plain)).contains("│ 1234567.5 │ -98765 │ 2026 │"))
        XCTAssertEqual(render(result, RenderOptions(format: .csv)), "total,count,year\n1234567.5,-98765,2026\n")
        XCTAssertEqual(render(result, RenderOptions(format: .ndjson)), #"{"total":1234567.5,"count":-98765,"year":2026}"# + "\n")
        XCTAssertTrue(render(result, RenderOptions(format: .markdown)).contains("| 1234567.5 | -98765 | 2026 |"))
    }

    func testColorDimsOnlyMarks() {
        let colored = render(customers, RenderOptions(color: true))
        XCTAssertTrue(colored.contains("\u{1B}[2m∅\u{1B}[22m"))
        XCTAssertTrue(colored.contains("\u{1B}[1mname \u{1B}[22m"))
        XCTAssertTrue(colored.contains("│ Alice │"))
        XCTAssertFalse(table(customers).contains("\u{1B}"))
    }

    func testDegenerateOptionsDoNotTrap() {
        for width in [Int.min, -1, 0, 1, 3, 7] {
            for maxRows in [nil, Int.min, 0, 1, Int.max] as [Int?] {
                for result in [customers, notes(12), ResultSet(columnNames: [], types: [], rows: [])] {
                    let rendered = render(result, RenderOptions(terminalWidth: width, maxRows: maxRows))
                    XCTAssertTrue(rendered.hasSuffix(")\n"), "width \(width), maxRows \(String(describing: maxRows)): \(rendered)")
                }
            }
        }
        XCTAssertEqual(table(customers, maxRows: 0), """
            ┌────┬──────┬─────────┐
            │ id │ name │ revenue │
            ├────┼──────┼─────────┤
            │   … 3 more rows …   │
            └────┴──────┴─────────┘
            (3 rows)

            """)
        XCTAssertTrue(table(customers, maxRows: 1).contains("│  1 │ Alice │ 1,234.5 │\n│   … 2 more rows …    │\n└"), table(customers, maxRows: 1))
    }

    func testEveryGridLineHasTheSameWidth() {
        // At 24 columns the names would have to be cut: the rows go vertical.
        XCTAssertTrue(table(notes(12), width: 24, maxRows: 6).hasPrefix("─[ row 1 ]"))
        for width in [30, 45, 60, 200] {
            let lines = table(notes(12), width: width, maxRows: 6).split(separator: "\n").filter { $0.hasPrefix("│") || $0.hasPrefix("┌") }
            let widths = Set(lines.map { DisplayWidth.of($0) })
            XCTAssertEqual(widths.count, 1, "width \(width): \(lines)")
            XCTAssertLessThanOrEqual(widths.first ?? 0, width)
        }
    }

    // MARK: - Markdown

    func testMarkdown() {
        let result = ResultSet(
            columnNames: ["id", "name", "revenue"], types: [.int, .text, .number],
            rows: [[.int(1), .text("a|b"), .number(12_345.5)], [.int(22), .text("王芳"), .null]])
        XCTAssertEqual(render(result, RenderOptions(format: .markdown)), """
            |  id | name | revenue |
            |----:|------|--------:|
            |   1 | a\\|b | 12345.5 |
            |  22 | 王芳 |         |

            """)
    }

    // MARK: - CSV, JSON, NDJSON

    func testCSVQuotesWhatItMust() {
        let result = ResultSet(
            columnNames: ["name", "note, first", "n"], types: [.text, .text, .number],
            rows: [
                [.text("O'Brien, Ltd"), .text("said \"hi\""), .number(0.1)],
                [.text("two\nlines"), .text(""), .null],
                [.null, .text("王芳"), .number(1e20)],
            ])
        XCTAssertEqual(render(result, RenderOptions(format: .csv)), #"""
            name,"note, first",n
            "O'Brien, Ltd","said ""hi""",0.1
            "two
            lines","",
            ,王芳,1e20

            """#)
    }

    func testJSONEscapesAndTypes() {
        let stage = EnumType(["lead", "mature"])
        let result = ResultSet(
            columnNames: ["text", "n", "ok", "day", "stage", "missing"],
            types: [.text, .number, .bool, .date, .enumeration(stage), .int],
            rows: [
                [.text("q\"b\\s\n\t\u{01}王芳"), .number(2.5), .bool(true), .date(0), .symbol(1, stage), .null],
                [.text(""), .number(.infinity), .bool(false), .null, .null, .int(-3)],
            ])
        XCTAssertEqual(render(result, RenderOptions(format: .json)), #"""
            [
            {"text":"q\"b\\s\n\t\u0001王芳","n":2.5,"ok":true,"day":"1970-01-01","stage":"mature","missing":null},
            {"text":"","n":null,"ok":false,"day":null,"stage":null,"missing":-3}
            ]

            """#)
        XCTAssertEqual(render(result, RenderOptions(format: .ndjson)), #"""
            {"text":"q\"b\\s\n\t\u0001王芳","n":2.5,"ok":true,"day":"1970-01-01","stage":"mature","missing":null}
            {"text":"","n":null,"ok":false,"day":null,"stage":null,"missing":-3}

            """#)
    }

    func testEmptyResultsInMachineFormats() {
        let result = ResultSet(columnNames: ["a", "b"], types: [.int, .text], rows: [])
        XCTAssertEqual(render(result, RenderOptions(format: .json)), "[]\n")
        XCTAssertEqual(render(result, RenderOptions(format: .ndjson)), "")
        XCTAssertEqual(render(result, RenderOptions(format: .csv)), "a,b\n")
    }

    // MARK: - Helpers for hosts

    func testColorFollowsTheTerminalAndNoColor() {
        XCTAssertTrue(ResultRenderer.shouldUseColor(isTerminal: true, environment: [:]))
        XCTAssertTrue(ResultRenderer.shouldUseColor(isTerminal: true, environment: ["NO_COLOR": ""]))
        XCTAssertFalse(ResultRenderer.shouldUseColor(isTerminal: true, environment: ["NO_COLOR": "1"]))
        XCTAssertFalse(ResultRenderer.shouldUseColor(isTerminal: false, environment: [:]))
    }

    func testNumberGrouping() {
        XCTAssertEqual(NumberGrouping.grouped("1234567.5"), "1,234,567.5")
        XCTAssertEqual(NumberGrouping.grouped("-12345"), "-12,345")
        XCTAssertEqual(NumberGrouping.grouped("123456"), "123,456")
        XCTAssertEqual(NumberGrouping.grouped("9999"), "9,999")
        XCTAssertEqual(NumberGrouping.grouped("999.125"), "999.125")
        XCTAssertEqual(NumberGrouping.grouped("1e20"), "1e20")
        XCTAssertEqual(NumberGrouping.grouped("-inf"), "-inf")
    }
}
