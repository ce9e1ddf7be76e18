import CRMQLCore
import XCTest
@testable import CRMQLStorage

final class CSVReaderTests: XCTestCase {
    private func read(_ text: String, header: Bool = true, delimiter: UInt8 = UInt8(ascii: ",")) throws -> TextTable {
        try CSVReader.read(Array(text.utf8), fileName: "t.csv", delimiter: delimiter, header: header)
    }

    private func cells(_ table: TextTable) -> [[String?]] {
        (0..<table.recordCount).map { record in
            (0..<table.cellCount(ofRecord: record)).map { table.text(record, $0) }
        }
    }

    func testQuotingRFC4180() throws {
        let table = try read("a,b,c\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\nplain,,\"\"\n")
        XCTAssertEqual(table.columnNames, ["a", "b", "c"])
        XCTAssertEqual(cells(table), [["x, y", "say \"hi\"", "two\nlines"], ["plain", nil, ""]])
        XCTAssertEqual(table.line(ofRecord: 0), 2)
        XCTAssertEqual(table.line(ofRecord: 1), 4, "a quoted line break moves the physical line on")
    }

    func testLineEndingsBOMAndBlankLines() throws {
        let crlf = try read("\u{FEFF}id,name\r\n1,Ada\r\n\r\n2,Ben")
        XCTAssertEqual(crlf.columnNames, ["id", "name"], "the BOM is not part of the first name")
        XCTAssertEqual(cells(crlf), [["1", "Ada"], ["2", "Ben"]])
        XCTAssertEqual(crlf.line(ofRecord: 1), 4)
        let lf = try read("id,name\n1,Ada\n")
        XCTAssertEqual(cells(lf), [["1", "Ada"]])
        let cr = try read("id\r1\r2\r")
        XCTAssertEqual(cells(cr), [["1"], ["2"]])
    }

    func testRawBytesAreExact() throws {
        let text = "id,name\r\n1,\"A\"\"da\"\r\n2,Ben"
        let table = try read(text)
        XCTAssertEqual(String(decoding: table.rawBytes(ofRecord: 0), as: UTF8.self), "1,\"A\"\"da\"\r\n")
        XCTAssertEqual(String(decoding: table.rawBytes(ofRecord: 1), as: UTF8.self), "2,Ben")
    }

    func testDelimiterAndNoHeader() throws {
        let table = try read("1;a\n2;\"b;c\"\n3\n", header: false, delimiter: UInt8(ascii: ";"))
        XCTAssertEqual(table.columnNames, ["column1", "column2"])
        XCTAssertEqual(cells(table), [["1", "a"], ["2", "b;c"], ["3"]])
    }

    func testHeaderOnlyAndTrailingDelimiter() throws {
        let table = try read("id,name,\n")
        XCTAssertEqual(table.columnNames, ["id", "name", "column3"])
        XCTAssertEqual(table.recordCount, 0)
        XCTAssertEqual(try read(" id , name ").columnNames, ["id", "name"], "header names are trimmed")
    }

    func testQuoteInsideUnquotedCellIsLiteral() throws {
        XCTAssertEqual(cells(try read("a\n5\"3\n")), [["5\"3"]])
    }

    /// Inputs that fail the whole read, with the message each must give.
    func testBadInputs() {
        let cases: [(String, String, UInt)] = [
            ("", "t.csv: the file is empty", #line),
            ("\u{FEFF}", "t.csv: the file is empty", #line),
            ("\n\r\n", "t.csv: the file is empty", #line),
            ("id,name\n1,\"Ada\n2,Ben\n", "t.csv:2: unclosed quote: the quoted cell that starts on this line never ends", #line),
            ("\"id", "t.csv:1: unclosed quote: the quoted cell that starts on this line never ends", #line),
            ("id,id\n1,2\n", "t.csv:1: the header names column 'id' twice", #line),
            ("i\u{FF}d\n1\n", "t.csv:1:2: invalid UTF-8 (byte 0xFF)", #line),
            ("\"a\"b,c\n", "t.csv:1:4: unexpected text after a closing quote", #line),
        ]
        for (input, expected, line) in cases {
            let message = diagnosticMessage({ try CSVReader.read(rawBytes(input), fileName: "t.csv") })
            XCTAssertEqual(message, expected, "input \(input.debugDescription)", line: line)
        }
    }

    func testRecordProblemsStayWithTheirRecord() throws {
        var bytes = Array("id,name\n1,Ada\n2,B".utf8)
        bytes.append(0xE9)  // Latin-1 é: not UTF-8
        bytes.append(contentsOf: Array("n\n3,\"Cy\"x\n".utf8))
        let table = try CSVReader.read(bytes, fileName: "t.csv")
        XCTAssertEqual(table.recordCount, 3)
        XCTAssertNil(table.problems[0])
        XCTAssertEqual(table.problems[1], RecordProblem(line: 3, column: 4, message: "invalid UTF-8 (byte 0xE9)"))
        XCTAssertEqual(table.problems[2], RecordProblem(line: 4, column: 7, message: "unexpected text after a closing quote"))
    }

    func testInvalidUTF8Sequences() {
        let bad: [[UInt8]] = [[0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80], [0xF8]]
        for sequence in bad {
            XCTAssertNotNil(UTF8Check.firstInvalid(Array("abcdefghij".utf8) + sequence), "\(sequence)")
        }
        XCTAssertNil(UTF8Check.firstInvalid(Array("héllo 客户 🎉 plain ascii text".utf8)))
        XCTAssertEqual(UTF8Check.firstInvalid(Array("0123456789abcdef".utf8) + [0xFF]), 16)
    }

    func testLargeCells() throws {
        let big = String(repeating: "x", count: 50 * 1024 * 1024)
        var bytes = Array("id,blob\n1,\"".utf8)
        bytes.append(contentsOf: big.utf8)
        bytes.append(contentsOf: "\"\n2,".utf8)
        bytes.append(contentsOf: big.prefix(5_000_000).utf8)
        bytes.append(10)
        let table = try CSVReader.read(bytes, fileName: "big.csv")
        XCTAssertEqual(table.recordCount, 2)
        XCTAssertEqual(table.cell(0, 1)?.count, 50 * 1024 * 1024)
        XCTAssertEqual(table.cell(1, 1)?.count, 5_000_000)
        XCTAssertEqual(table.line(ofRecord: 1), 3)
    }

    func testHeaderPeek() {
        XCTAssertEqual(CSVReader.header(of: Array("id,customer,\"a\nb\"\n1,2,3\n".utf8)), ["id", "customer", "a\nb"])
        XCTAssertEqual(CSVReader.header(of: []), [])
    }
}

/// Test inputs spell a raw 0xFF byte (never valid UTF-8) as U+00FF.
private func rawBytes(_ text: String) -> [UInt8] {
    var out: [UInt8] = []
    for scalar in text.unicodeScalars {
        if scalar == "\u{FF}" { out.append(0xFF) } else { out.append(contentsOf: String(scalar).utf8) }
    }
    return out
}
