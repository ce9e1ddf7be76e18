import CRMQLCore
import XCTest
@testable import CRMQLStorage

final class TabularWriterTests: XCTestCase {
    private let stage = EnumType(["prospect", "mature"])

    private func sample() -> (names: [String], columns: [Column]) {
        let day = DateParsing.parseDate("2026-03-31")!
        return (["num", "name", "amount", "vip", "day", "at", "stage", "ref"], [
            Column.make(type: .int, values: [.int(1), .int(-20), .null]),
            Column.make(type: .text, values: [.text("Ada, \"the\" first"), .text(""), .text("line\nbreak\ttab\u{1}\u{2028}")]),
            Column.make(type: .number, values: [.number(0.1), .number(1e20), .number(.nan)]),
            Column.make(type: .bool, values: [.bool(true), .bool(false), .null]),
            Column.make(type: .date, values: [.date(day), .null, .date(-1)]),
            Column.make(type: .datetime, values: [.datetime(day * 86_400 + 3661), .null, .null]),
            Column.make(type: .enumeration(stage), values: [.symbol(1, stage), .null, .symbol(0, stage)]),
            Column.make(type: .ref("accounts"), values: [.text("A-1"), .null, .text("x")], keyType: .text),
        ])
    }

    func testCSV() {
        let (names, columns) = sample()
        let csv = String(decoding: TabularWriter.write(.csv, names: names, columns: columns), as: UTF8.self)
        XCTAssertEqual(csv, """
        num,name,amount,vip,day,at,stage,ref
        1,"Ada, ""the"" first",0.1,true,2026-03-31,2026-03-31T01:01:01,mature,A-1
        -20,"",1e20,false,,,,
        ,"line
        break\ttab\u{1}\u{2028}",,,1969-12-31,,prospect,x

        """)
        var crlf: [UInt8] = []
        TabularWriter.appendCSV(names: ["a b"], columns: [Column.make(type: .int, values: [.int(1)])], crlf: true, to: &crlf)
        XCTAssertEqual(String(decoding: crlf, as: UTF8.self), "a b\r\n1\r\n")
    }

    func testCSVReadsBackThroughTheLoader() throws {
        let (names, columns) = sample()
        let csv = TabularWriter.write(.csv, names: names, columns: columns)
        let store = try Loader.load(bytes: csv, fileName: "out.csv", format: .csv, entityName: "back", into: Store()).store
        XCTAssertEqual(values(store, "back", "name"), [.text("Ada, \"the\" first"), .text(""), .text("line\nbreak\ttab\u{1}\u{2028}")])
        XCTAssertEqual(values(store, "back", "amount"), [.number(0.1), .number(1e20), .null])
    }

    func testJSONAndNDJSON() throws {
        let (names, columns) = sample()
        let json = String(decoding: TabularWriter.write(.json, names: names, columns: columns), as: UTF8.self)
        XCTAssertEqual(json, #"""
        [
        {"num":1,"name":"Ada, \"the\" first","amount":0.1,"vip":true,"day":"2026-03-31","at":"2026-03-31T01:01:01","stage":"mature","ref":"A-1"},
        {"num":-20,"name":"","amount":1e20,"vip":false,"day":null,"at":null,"stage":null,"ref":null},
        {"num":null,"name":"line\nbreak\ttab\u0001\u2028","amount":null,"vip":null,"day":"1969-12-31","at":null,"stage":"prospect","ref":"x"}
        ]

        """#)
        // What we write, a standard parser reads.
        let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]]
        XCTAssertEqual(parsed?.count, 3)
        XCTAssertEqual(parsed?[2]["name"] as? String, "line\nbreak\ttab\u{1}\u{2028}")

        let ndjson = String(decoding: TabularWriter.write(.ndjson, names: ["a"], columns: [Column.make(type: .int, values: [.int(1), .int(2)])]), as: UTF8.self)
        XCTAssertEqual(ndjson, "{\"a\":1}\n{\"a\":2}\n")
        XCTAssertEqual(String(decoding: TabularWriter.write(.json, names: ["a"], columns: [Column(empty: .int)]), as: UTF8.self), "[]\n")
        XCTAssertEqual(TabularWriter.write(.ndjson, names: ["a"], columns: [Column(empty: .int)]), [])
    }

    func testJSONRoundTripThroughTheLoader() throws {
        let (names, columns) = sample()
        let json = TabularWriter.write(.ndjson, names: names, columns: columns)
        let store = try Loader.load(bytes: json, fileName: "out.ndjson", format: .json, entityName: "back", into: Store()).store
        XCTAssertEqual(values(store, "back", "name"), [.text("Ada, \"the\" first"), .text(""), .text("line\nbreak\ttab\u{1}\u{2028}")])
        XCTAssertEqual(values(store, "back", "num"), [.int(1), .int(-20), .null])
    }

    func testIntFormatting() {
        for value: Int64 in [0, 7, -7, 10, 1_000_000, .max, .min] {
            var out: [UInt8] = []
            CellFormatter.appendInt(value, to: &out)
            XCTAssertEqual(String(decoding: out, as: UTF8.self), String(value))
        }
    }

    /// The writer's byte-level number formatting must print what the shared
    /// formatter prints.
    func testNumbersMatchValueFormatter() {
        var numbers: [Double] = [0, -0.0, 1, -1, 0.1, 1e15, 1e16, 9_999_999_999_999_998, 1e20, 1e-7, 123.456, -2.5e-300,
                                 .greatestFiniteMagnitude, .leastNonzeroMagnitude, .infinity, -.infinity, .nan]
        var state: UInt64 = 1
        for _ in 0..<5000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            numbers.append(Double(bitPattern: state))
            numbers.append(Double(Int64(bitPattern: state) >> 20) / 100)
        }
        for value in numbers {
            var out: [UInt8] = []
            CellFormatter.appendNumber(value, json: false, to: &out)
            XCTAssertEqual(String(decoding: out, as: UTF8.self), ValueFormatter.number(value), "\(value)")
        }
    }

    func testDatesMatchValueFormatter() {
        for days: Int64 in [-1_000_000, -719_529, -719_528, -1, 0, 20_000, 2_932_896, 2_932_897, 10_000_000] {
            var date: [UInt8] = []
            CellFormatter.appendTemporal(days, dateTime: false, to: &date)
            XCTAssertEqual(String(decoding: date, as: UTF8.self), ValueFormatter.plain(.date(days)))
            let seconds = days * 86_400 + 3_723
            var dateTime: [UInt8] = []
            CellFormatter.appendTemporal(seconds, dateTime: true, to: &dateTime)
            XCTAssertEqual(String(decoding: dateTime, as: UTF8.self), ValueFormatter.plain(.datetime(seconds)))
        }
    }

    func testFormatFromFileName() {
        XCTAssertEqual(TabularFormat(fileName: "a.CSV"), .csv)
        XCTAssertEqual(TabularFormat(fileName: "a.json"), .json)
        XCTAssertEqual(TabularFormat(fileName: "a.jsonl"), .ndjson)
        XCTAssertNil(TabularFormat(fileName: "a.txt"))
        XCTAssertEqual(LoadFormat(fileName: "x.ndjson"), .json)
        XCTAssertEqual(LoadFormat(fileName: "x.tsv"), .csv)
        XCTAssertEqual(LoadOptions.delimiter(from: ";"), UInt8(ascii: ";"))
        XCTAssertEqual(LoadOptions.delimiter(from: "\t"), 9)
        XCTAssertNil(LoadOptions.delimiter(from: "\""))
        XCTAssertNil(LoadOptions.delimiter(from: "ab"))
    }
}
