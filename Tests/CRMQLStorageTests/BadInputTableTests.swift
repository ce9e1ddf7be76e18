import CRMQLCore
import XCTest
@testable import CRMQLStorage

/// Every kind of bad input a load meets, with what it must do: fail with a
/// message naming the file, the line and the column (by position or by
/// field name) and leave the store as it was; or, with `skip_bad`, load the
/// sound rows and keep each refused one byte for byte. Inputs that are
/// unusual but sound (a byte-order mark, CRLF, a 50 MB cell, a header only)
/// must load.
final class BadInputTableTests: XCTestCase {
    /// What a load of one input must do.
    private enum Outcome {
        /// The whole file is refused, with or without `skip_bad`.
        case fails(String)
        /// Refused without `skip_bad`; with it, `loaded` rows load and these
        /// raw lines are rejected, each with its message.
        case rejects(String, loaded: Int, rejected: [(raw: String, message: String)])
        /// Loads without complaint.
        case loads(rows: Int)
    }

    private struct Case {
        var name: String
        var entity: String
        var format: LoadFormat
        var bytes: [UInt8]
        var outcome: Outcome
        var line: UInt
    }

    /// customers 1 and 2; orders refer to them.
    private func baseStore() throws -> Store {
        try loadCSV("id,name,stage\n1,Ada,mature\n2,Ben,growth\n", as: "customers").store
    }

    private var cases: [Case] {
        let latin1E: UInt8 = 0xE9
        let bigCell = String(repeating: "x", count: 50 * 1024 * 1024)
        return [
            // CSV: refused files and rows.
            Case(name: "unclosed quote", entity: "orders", format: .csv,
                 bytes: Array("id,customer,amount\n1,1,\"5\n2,1,6\n".utf8),
                 outcome: .fails("orders.csv:2: unclosed quote: the quoted cell that starts on this line never ends"), line: #line),
            Case(name: "too few cells", entity: "orders", format: .csv,
                 bytes: Array("id,customer,amount\n1,1\n2,1,6\n".utf8),
                 outcome: .rejects("orders.csv:2: expected 3 cells, found 2", loaded: 1,
                                   rejected: [("1,1\n", "orders.csv:2: expected 3 cells, found 2")]), line: #line),
            Case(name: "too many cells", entity: "orders", format: .csv,
                 bytes: Array("id,customer,amount\n1,1,5,7\n2,1,6\n".utf8),
                 outcome: .rejects("orders.csv:2: expected 3 cells, found 4", loaded: 1,
                                   rejected: [("1,1,5,7\n", "orders.csv:2: expected 3 cells, found 4")]), line: #line),
            Case(name: "invalid UTF-8", entity: "orders", format: .csv,
                 bytes: Array("id,customer,note\n1,1,caf".utf8) + [latin1E] + Array("\n2,1,ok\n".utf8),
                 outcome: .rejects("orders.csv:2:8: invalid UTF-8 (byte 0xE9)", loaded: 1,
                                   rejected: [("1,1,caf\u{FFFD}\n", "orders.csv:2:8: invalid UTF-8 (byte 0xE9)")]), line: #line),
            Case(name: "text after a closing quote", entity: "orders", format: .csv,
                 bytes: Array("id,customer,amount\n1,1,\"5\"x\n2,2,3\n".utf8),
                 outcome: .rejects("orders.csv:2:8: unexpected text after a closing quote", loaded: 1,
                                   rejected: [("1,1,\"5\"x\n", "orders.csv:2:8: unexpected text after a closing quote")]), line: #line),
            Case(name: "duplicate key", entity: "orders", format: .csv,
                 bytes: Array("id,customer,amount\n1,1,5\n1,2,6\n".utf8),
                 outcome: .rejects("orders.csv:3: duplicate key: another row has id '1'", loaded: 1,
                                   rejected: [("1,2,6\n", "orders.csv:3: duplicate key: another row has id '1'")]), line: #line),
            Case(name: "key of an existing row", entity: "customers", format: .csv,
                 bytes: Array("id,name,stage\n2,Bo,growth\n3,Cy,mature\n".utf8),
                 outcome: .rejects("customers.csv:2: duplicate key: another row has id '2'", loaded: 1,
                                   rejected: [("2,Bo,growth\n", "customers.csv:2: duplicate key: another row has id '2'")]), line: #line),
            Case(name: "dangling ref", entity: "orders", format: .csv,
                 bytes: Array("id,customer,amount\n1,9,5\n2,2,5\n".utf8),
                 outcome: .rejects("orders.csv:2: customer: no customers row has the key '9'", loaded: 1,
                                   rejected: [("1,9,5\n", "orders.csv:2: customer: no customers row has the key '9'")]), line: #line),
            Case(name: "value outside the enum", entity: "customers", format: .csv,
                 bytes: Array("id,name,stage\n3,Cy,asleep\n4,Di,mature\n".utf8),
                 outcome: .rejects("customers.csv:2: stage: 'asleep' is not one of prospect, growth, mature, decline, churned", loaded: 1,
                                   rejected: [("3,Cy,asleep\n", "customers.csv:2: stage: 'asleep' is not one of prospect, growth, mature, decline, churned")]),
                 line: #line),
            Case(name: "CRLF rows are rejected with their CRLF", entity: "orders", format: .csv,
                 bytes: Array("id,customer,amount\r\n1,1,5\r\n2,7,5\r\n3,1\r\n".utf8),
                 outcome: .rejects("orders.csv:3: customer: no customers row has the key '7'", loaded: 1,
                                   rejected: [("2,7,5\r\n", "orders.csv:3: customer: no customers row has the key '7'"),
                                              ("3,1\r\n", "orders.csv:4: expected 3 cells, found 2")]), line: #line),
            Case(name: "empty file", entity: "orders", format: .csv, bytes: [],
                 outcome: .fails("orders.csv: the file is empty"), line: #line),
            Case(name: "only a byte-order mark", entity: "orders", format: .csv, bytes: [0xEF, 0xBB, 0xBF],
                 outcome: .fails("orders.csv: the file is empty"), line: #line),
            Case(name: "header names a column twice", entity: "orders", format: .csv,
                 bytes: Array("id,id\n1,2\n".utf8),
                 outcome: .fails("orders.csv:1: the header names column 'id' twice"), line: #line),

            // CSV: unusual but sound.
            Case(name: "byte-order mark", entity: "orders", format: .csv,
                 bytes: [0xEF, 0xBB, 0xBF] + Array("id,customer,amount\n1,1,5\n".utf8), outcome: .loads(rows: 1), line: #line),
            Case(name: "CRLF line ends", entity: "orders", format: .csv,
                 bytes: Array("id,customer,amount\r\n1,1,5\r\n2,2,6\r\n".utf8), outcome: .loads(rows: 2), line: #line),
            Case(name: "header only", entity: "orders", format: .csv,
                 bytes: Array("id,customer,amount\n".utf8), outcome: .loads(rows: 0), line: #line),
            Case(name: "a 50 MB cell", entity: "notes", format: .csv,
                 bytes: Array("id,text\n1,\"".utf8) + Array(bigCell.utf8) + Array("\"\n2,short\n".utf8), outcome: .loads(rows: 2), line: #line),

            // JSON.
            Case(name: "JSON trailing comma", entity: "orders", format: .json,
                 bytes: Array("[{\"id\": 1, \"customer\": 1,}]".utf8),
                 outcome: .fails("orders.json:1:26: expected a field name in quotes"), line: #line),
            Case(name: "JSON unclosed string", entity: "orders", format: .json,
                 bytes: Array("[{\"id\": 1, \"customer\": \"1}]".utf8),
                 outcome: .fails("orders.json:1:24: unclosed string"), line: #line),
            Case(name: "JSON invalid UTF-8", entity: "orders", format: .json,
                 bytes: Array("[{\"id\": 1, \"customer\": \"caf".utf8) + [latin1E] + Array("\"}]".utf8),
                 outcome: .fails("orders.json:1:28: invalid UTF-8 (byte 0xE9)"), line: #line),
            Case(name: "JSON not JSON", entity: "orders", format: .json, bytes: Array("id,customer\n".utf8),
                 outcome: .fails("orders.json:1:1: expected '[' or '{' at the start of a JSON file"), line: #line),
            Case(name: "JSON broken line among NDJSON lines", entity: "orders", format: .json,
                 bytes: Array("{\"id\": 1, \"customer\": 1}\n{\"id\": 2, \"customer\": 1\n{\"id\": 3, \"customer\": 1}\n".utf8),
                 outcome: .fails("orders.json:3:1: expected ',' or '}' after a field"), line: #line),
            Case(name: "JSON nested too deep", entity: "orders", format: .json,
                 bytes: Array(("{\"id\": " + String(repeating: "[", count: 300) + "}").utf8),
                 outcome: .fails("orders.json:1:264: values nested more than 256 deep"), line: #line),
            Case(name: "JSON element not an object", entity: "orders", format: .json,
                 bytes: Array("[{\"id\": 1, \"customer\": 1}, 5]".utf8),
                 outcome: .rejects("orders.json:1: expected an object, found a number", loaded: 1,
                                   rejected: [("5", "orders.json:1: expected an object, found a number")]), line: #line),
            Case(name: "JSON dangling ref", entity: "orders", format: .json,
                 bytes: Array("{\"id\": 1, \"customer\": 9}\n{\"id\": 2, \"customer\": 2}\n".utf8),
                 outcome: .rejects("orders.json:1: customer: no customers row has the key '9'", loaded: 1,
                                   rejected: [("{\"id\": 1, \"customer\": 9}\n", "orders.json:1: customer: no customers row has the key '9'")]),
                 line: #line),
            Case(name: "JSON duplicate key", entity: "orders", format: .json,
                 bytes: Array("{\"id\": 1, \"customer\": 1}\n{\"id\": 1, \"customer\": 2}\n".utf8),
                 outcome: .rejects("orders.json:2: duplicate key: another row has id '1'", loaded: 1,
                                   rejected: [("{\"id\": 1, \"customer\": 2}\n", "orders.json:2: duplicate key: another row has id '1'")]),
                 line: #line),
            Case(name: "JSON value outside the enum", entity: "customers", format: .json,
                 bytes: Array("{\"id\": 3, \"stage\": \"asleep\"}\n{\"id\": 4, \"stage\": \"mature\"}\n".utf8),
                 outcome: .rejects("customers.json:1: stage: 'asleep' is not one of prospect, growth, mature, decline, churned", loaded: 1,
                                   rejected: [("{\"id\": 3, \"stage\": \"asleep\"}\n",
                                               "customers.json:1: stage: 'asleep' is not one of prospect, growth, mature, decline, churned")]),
                 line: #line),
            Case(name: "JSON empty file", entity: "orders", format: .json, bytes: [],
                 outcome: .fails("orders.json: the file is empty"), line: #line),
        ]
    }

    func testEveryBadInputHasItsOutcome() throws {
        let store = try baseStore()
        let before = Snapshot.encode(store, extra: [])
        for item in cases {
            let fileName = item.entity + (item.format == .csv ? ".csv" : ".json")
            func load(skipBad: Bool) throws -> LoadResult {
                try Loader.load(bytes: item.bytes, fileName: fileName, format: item.format, entityName: item.entity,
                                into: store, options: LoadOptions(skipBad: skipBad))
            }
            switch item.outcome {
            case .fails(let message):
                for skipBad in [false, true] {
                    XCTAssertEqual(diagnosticMessage({ try load(skipBad: skipBad) }, line: item.line), message,
                                   "\(item.name), skip_bad = \(skipBad)", line: item.line)
                }
                checkNamesItsPlace(message, fileName, item)
            case .rejects(let message, let loaded, let rejected):
                XCTAssertEqual(diagnosticMessage({ try load(skipBad: false) }, line: item.line), message, item.name, line: item.line)
                checkNamesItsPlace(message, fileName, item)
                let result = try load(skipBad: true)
                XCTAssertEqual(result.rowsLoaded, loaded, item.name, line: item.line)
                XCTAssertEqual(result.rejected.map(\.message), rejected.map(\.message), item.name, line: item.line)
                let expectedBytes = rejected.map { rawBytes($0.raw, from: item.bytes) }
                XCTAssertEqual(result.rejected.map(\.raw), expectedBytes, "\(item.name): rejected lines byte for byte", line: item.line)
                XCTAssertEqual(result.rejectedFileBytes, expectedBytes.flatMap { $0 } + (expectedBytes.last?.last == 10 ? [] : [10]),
                               item.name, line: item.line)
            case .loads(let rows):
                let result = try load(skipBad: false)
                XCTAssertEqual(result.rowsLoaded, rows, item.name, line: item.line)
                XCTAssertEqual(result.store[item.entity]?.rowCount, (store[item.entity]?.rowCount ?? 0) + rows, item.name, line: item.line)
                XCTAssertTrue(result.rejected.isEmpty, item.name, line: item.line)
            }
        }
        XCTAssertEqual(Snapshot.encode(store, extra: []), before, "no load changed the store it was given")
    }

    func testSoundOddInputsLoadTheirValues() throws {
        let store = try baseStore()
        let bom = try Loader.load(bytes: [0xEF, 0xBB, 0xBF] + Array("id,customer,amount\n1,1,5\n".utf8), fileName: "orders.csv",
                                  format: .csv, entityName: "orders", into: store, options: LoadOptions())
        XCTAssertEqual(bom.store["orders"]?.fields.map(\.name), ["id", "customer", "amount"], "the mark is not part of the first name")
        let crlf = try Loader.load(bytes: Array("id,customer,note\r\n1,1,\"a\r\nb\"\r\n2,2,c\r\n".utf8), fileName: "orders.csv",
                                   format: .csv, entityName: "orders", into: store, options: LoadOptions())
        XCTAssertEqual(values(crlf.store, "orders", "note"), [.text("a\r\nb"), .text("c")], "CR stays only inside quotes")
        let big = String(repeating: "y", count: 50 * 1024 * 1024)
        let cell = try Loader.load(bytes: Array("id,text\n1,\(big)\n".utf8), fileName: "notes.csv", format: .csv,
                                   entityName: "notes", into: store, options: LoadOptions())
        XCTAssertEqual(values(cell.store, "notes", "text").first, .text(big))
        let headerOnly = try loadCSV("id,customer,amount\n", as: "orders", into: store)
        XCTAssertEqual(headerOnly.store["orders"]?.fields.count, 3, "a header alone declares the fields")
        XCTAssertEqual(headerOnly.store["orders"]?.rowCount, 0)
    }

    /// A message about a place in a file starts with `file:line`; the column
    /// follows as a number (`:8:`) or is the field the message names.
    private func checkNamesItsPlace(_ message: String, _ fileName: String, _ item: Case) {
        XCTAssertTrue(message.hasPrefix(fileName + ":") || message.hasPrefix(fileName + ": the file"),
                      "\(item.name): the message names the file", line: item.line)
    }

    /// The bytes of `text` as they appear in `input`: the expected raw lines
    /// are written as text, with U+FFFD standing for the invalid byte.
    private func rawBytes(_ text: String, from input: [UInt8]) -> [UInt8] {
        let parts = text.components(separatedBy: "\u{FFFD}")
        guard parts.count == 2 else { return Array(text.utf8) }
        let prefix = Array(parts[0].utf8)
        guard let start = input.firstRange(of: prefix)?.lowerBound else { return Array(text.utf8) }
        let length = prefix.count + 1 + parts[1].utf8.count
        return Array(input[start..<min(input.count, start + length)])
    }
}
