import CRMQLCore
import XCTest
@testable import CRMQLStorage

final class LoaderTests: XCTestCase {
    func testInferenceOrder() throws {
        let csv = """
        i,n,b,d,t,mixed,zip,txt,empty
        1,1.5,true,2026-03-31,2026-03-31T14:30:00,2026-01-01,02134,hello,
        -7,2,FALSE,2024-02-29,2026-03-31,2026-01-02T08:00:00Z,10001,world,
        ,1e3,,,,,,,
        """
        let store = try loadCSV(csv, as: "things").store
        XCTAssertEqual(type(store, "things", "i"), .int)
        XCTAssertEqual(type(store, "things", "n"), .number)
        XCTAssertEqual(type(store, "things", "b"), .bool)
        XCTAssertEqual(type(store, "things", "d"), .date)
        XCTAssertEqual(type(store, "things", "t"), .datetime, "a date among datetimes is its midnight")
        XCTAssertEqual(type(store, "things", "mixed"), .datetime)
        XCTAssertEqual(type(store, "things", "zip"), .text, "a leading zero keeps codes as text")
        XCTAssertEqual(type(store, "things", "txt"), .text)
        XCTAssertEqual(type(store, "things", "empty"), .text)
        XCTAssertEqual(values(store, "things", "i"), [.int(1), .int(-7), .null])
        XCTAssertEqual(values(store, "things", "n"), [.number(1.5), .number(2), .number(1000)])
        XCTAssertEqual(values(store, "things", "b"), [.bool(true), .bool(false), .null])
        let day = DateParsing.parseDate("2026-03-31")!
        XCTAssertEqual(values(store, "things", "d")[0], .date(day))
        XCTAssertEqual(values(store, "things", "t"), [.datetime(day * 86_400 + 14 * 3600 + 30 * 60), .datetime(day * 86_400), .null])
        XCTAssertEqual(values(store, "things", "zip")[0], .text("02134"))
    }

    func testIntOverflowFallsBackToNumber() throws {
        let store = try loadCSV("a,b\n9223372036854775807,9223372036854775808\n-9223372036854775808,1\n", as: "big").store
        XCTAssertEqual(type(store, "big", "a"), .int)
        XCTAssertEqual(values(store, "big", "a"), [.int(.max), .int(.min)])
        XCTAssertEqual(type(store, "big", "b"), .number)
    }

    func testEnumInference() throws {
        let repeated = "region\nnorth\nsouth\nnorth\neast\nsouth\nnorth\n"
        let store = try loadCSV(repeated, as: "places").store
        guard case .enumeration(let symbols)? = type(store, "places", "region") else { return XCTFail("not an enum") }
        XCTAssertEqual(symbols.symbols, ["east", "north", "south"], "symbols are sorted as text")
        XCTAssertEqual(values(store, "places", "region").first, .symbol(1, symbols))

        let distinct = "name\nAda\nBen\nCy\nAda\n"
        XCTAssertEqual(type(try loadCSV(distinct, as: "people").store, "people", "name"), .text, "3 distinct of 4 is not repeated")

        let many = "code\n" + (0..<300).map { "c\($0)\nc\($0)\n" }.joined()
        XCTAssertEqual(type(try loadCSV(many, as: "codes").store, "codes", "code"), .text, "more than 256 symbols")
    }

    func testStandardModel() throws {
        let csv = """
        id,name,email,stage,tier,kind,points,loyalty,signup,region,extra
        1,Ada,a@x,mature,gold,business,10,1,2025-01-02,north,x
        2,Ada,a@x,churned,bronze,individual,,0.5,2025-01-03,north,x
        """
        let store = try loadCSV(csv, as: "customers").store
        XCTAssertEqual(type(store, "customers", "stage"), .enumeration(StandardModel.stage))
        XCTAssertEqual(type(store, "customers", "tier"), .enumeration(StandardModel.tier))
        XCTAssertEqual(type(store, "customers", "kind"), .enumeration(StandardModel.customerKind))
        XCTAssertEqual(type(store, "customers", "name"), .text, "name is text even when it repeats")
        XCTAssertEqual(type(store, "customers", "email"), .text)
        XCTAssertEqual(type(store, "customers", "points"), .int)
        XCTAssertEqual(type(store, "customers", "loyalty"), .number, "standard number even when all values are whole")
        XCTAssertEqual(type(store, "customers", "signup"), .date)
        XCTAssertEqual(type(store, "customers", "region"), .enumeration(EnumType(["north"])), "non-typed standard fields are inferred")
        XCTAssertEqual(type(store, "customers", "extra"), .enumeration(EnumType(["x"])))
        XCTAssertEqual(values(store, "customers", "stage"), [.symbol(2, StandardModel.stage), .symbol(4, StandardModel.stage)])
        XCTAssertEqual(store["customers"]?.keyFieldIndex, 0)

        let bad = "id,stage\n1,mature\n2,asleep\n"
        XCTAssertEqual(diagnosticMessage { try loadCSV(bad, as: "customers") },
                       "customers.csv:3: stage: 'asleep' is not one of prospect, growth, mature, decline, churned")
        let badPoints = "id,points\n1,12.5\n"
        XCTAssertEqual(diagnosticMessage { try loadCSV(badPoints, as: "customers") }, "customers.csv:2: points: '12.5' is not an int")
    }

    func testInteractionsAtIsDateOrDateTime() throws {
        let dates = try loadCSV("id,at,kind\n1,2026-01-01,call\n", as: "interactions").store
        XCTAssertEqual(type(dates, "interactions", "at"), .date)
        XCTAssertEqual(type(dates, "interactions", "kind"), .enumeration(StandardModel.interactionKind))
        let times = try loadCSV("id,at\n1,2026-01-01\n2,2026-01-01T10:00:00\n", as: "interactions").store
        XCTAssertEqual(type(times, "interactions", "at"), .datetime)
        XCTAssertEqual(diagnosticMessage { try loadCSV("id,at\n1,2026-01-01T10:00\n2,soon\n", as: "interactions") },
                       "interactions.csv:3: at: 'soon' is not a datetime (ISO 8601)")
    }

    func testKeysAndRefs() throws {
        let customers = try loadCSV("id,name\n1,Ada\n2,Ben\n", as: "customers").store
        let orders = try loadCSV("id,customer,amount\n10,1,5\n11,2,7\n12,,1\n", as: "orders", into: customers).store
        XCTAssertEqual(type(orders, "orders", "customer"), .ref("customers"))
        XCTAssertEqual(values(orders, "orders", "customer"), [.int(1), .int(2), .null])

        XCTAssertEqual(diagnosticMessage { try loadCSV("id,customer\n10,1\n11,3\n", as: "orders", into: customers) },
                       "orders.csv:3: customer: no customers row has the key '3'")
        XCTAssertEqual(diagnosticMessage { try loadCSV("id,name\n1,a\n1,b\n", as: "people") },
                       "people.csv:3: duplicate key: another row has id '1'")
        XCTAssertEqual(diagnosticMessage { try loadCSV("id,name\n,a\n", as: "people") },
                       "people.csv:2: id is empty, but every row needs its key")
        XCTAssertEqual(diagnosticMessage { try loadCSV("id,name\n1,a\n", as: "customers", into: customers) },
                       "customers.csv:2: duplicate key: another row has id '1'", "keys are unique across loads")

        // Text keys, and a ref without the parent loaded is just a field.
        let accounts = try loadCSV("id,owner\nA-1,x\nB-2,y\n", as: "accounts").store
        XCTAssertEqual(type(accounts, "accounts", "id"), .text)
        let deals = try loadCSV("id,account\n1,B-2\n", as: "deals", into: accounts).store
        XCTAssertEqual(type(deals, "deals", "account"), .ref("accounts"))
        XCTAssertEqual(values(deals, "deals", "account"), [.text("B-2")])
        XCTAssertEqual(type(try loadCSV("id,account\n1,B-2\n", as: "deals").store, "deals", "account"), .text)
    }

    func testSingularForms() {
        XCTAssertEqual(Naming.singulars(of: "customers"), ["customer"])
        XCTAssertEqual(Naming.singulars(of: "categories"), ["categorie", "category"])
        XCTAssertEqual(Naming.singulars(of: "addresses"), ["addresse", "address"])
        XCTAssertEqual(Naming.singulars(of: "staff"), [])
        XCTAssertEqual(Naming.referencedEntity(column: "category", among: ["orders", "categories"]), "categories")
        XCTAssertNil(Naming.referencedEntity(column: "customer_id", among: ["customers"]))
    }

    func testSkipBadKeepsRawLinesExactly() throws {
        let customers = try loadCSV("id,name\n1,Ada\n", as: "customers").store
        let csv = "id,customer,amount\r\n10,1,5\r\n11,9,7\r\n12,1\r\n\"13\",1,\"x\"\r\n14,1,8"
        let result = try loadCSV(csv, as: "orders", into: customers, options: LoadOptions(skipBad: true))
        // amount is a standard number, so "x" is a bad cell.
        XCTAssertEqual(result.rowsLoaded, 2)
        XCTAssertEqual(result.rejected.map(\.line), [3, 4, 5])
        XCTAssertEqual(result.rejected.map { String(decoding: $0.raw, as: UTF8.self) },
                       ["11,9,7\r\n", "12,1\r\n", "\"13\",1,\"x\"\r\n"])
        XCTAssertEqual(result.rejected.map(\.message), [
            "orders.csv:3: customer: no customers row has the key '9'",
            "orders.csv:4: expected 3 cells, found 2",
            "orders.csv:5: amount: 'x' is not a number",
        ])
        XCTAssertEqual(String(decoding: result.rejectedFileBytes, as: UTF8.self), "11,9,7\r\n12,1\r\n\"13\",1,\"x\"\r\n")
        XCTAssertEqual(values(result.store, "orders", "id"), [.int(10), .int(14)])

        // Without skip_bad the first bad row fails the load and nothing changes.
        XCTAssertEqual(diagnosticMessage { try loadCSV(csv, as: "orders", into: customers) },
                       "orders.csv:3: customer: no customers row has the key '9'")
        XCTAssertNil(customers["orders"])
    }

    func testSkipBadWritesRejectedFile() throws {
        let folder = try temporaryFolder(self)
        let path = folder + "/people.csv"
        let result = try loadCSV("id,n\n1,2\n2\n", as: "people", options: LoadOptions(skipBad: true))
        XCTAssertEqual(try result.writeRejected(besides: path), path + ".rejected")
        XCTAssertEqual(try FileIO.read(path + ".rejected"), Array("2\n".utf8))
        let clean = try loadCSV("id,n\n1,2\n", as: "people", options: LoadOptions(skipBad: true))
        XCTAssertNil(try clean.writeRejected(besides: folder + "/clean.csv"))
    }

    func testLoadIntoExistingEntityUsesDeclaredTypes() throws {
        var store = Store()
        let level = EnumType(["low", "high"])
        store["tickets"] = Entity(name: "tickets", fields: [
            Field(name: "id", type: .int, isKey: true),
            Field(name: "level", type: .enumeration(level)),
            Field(name: "opened", type: .datetime),
            Field(name: "note", type: .text),
        ])
        let first = try loadCSV("level,id,opened\nhigh,1,2026-01-01\nlow,2,2026-01-02T03:04:05Z\n", as: "tickets", into: store)
        XCTAssertFalse(first.created)
        XCTAssertEqual(values(first.store, "tickets", "level"), [.symbol(1, level), .symbol(0, level)])
        XCTAssertEqual(values(first.store, "tickets", "note"), [.null, .null], "fields missing from the file are null")
        XCTAssertNotEqual(first.store["tickets"]?.version, store["tickets"]?.version)

        let second = try loadCSV("3,low,,hi\n", as: "tickets", into: first.store, options: LoadOptions(header: false))
        XCTAssertEqual(values(second.store, "tickets", "id"), [.int(1), .int(2), .int(3)])
        XCTAssertEqual(values(second.store, "tickets", "note"), [.null, .null, .text("hi")])

        XCTAssertEqual(diagnosticMessage { try loadCSV("id,level\n4,medium\n", as: "tickets", into: store) },
                       "tickets.csv:2: level: 'medium' is not one of low, high")
        XCTAssertEqual(diagnosticMessage { try loadCSV("id,levl\n4,low\n", as: "tickets", into: store) },
                       "tickets.csv:1: tickets has no field 'levl'; did you mean 'level'?")
        XCTAssertEqual(diagnosticMessage { try loadCSV("level\nlow\n", as: "tickets", into: store) },
                       "tickets.csv: the file has no column 'id', the key of tickets")
        XCTAssertEqual(diagnosticMessage { try loadCSV("4,low\n", as: "tickets", into: store, options: LoadOptions(header: false)) },
                       "tickets.csv:1: expected 4 cells, found 2")
    }

    func testSelfReferenceMustPointBackwards() throws {
        var store = Store()
        store["staff"] = Entity(name: "staff", fields: [
            Field(name: "id", type: .int, isKey: true), Field(name: "manager", type: .ref("staff")),
        ])
        let loaded = try loadCSV("id,manager\n1,\n2,1\n3,3\n", as: "staff", into: store)
        XCTAssertEqual(values(loaded.store, "staff", "manager"), [.null, .int(1), .int(3)])
        XCTAssertEqual(diagnosticMessage { try loadCSV("id,manager\n1,2\n2,\n", as: "staff", into: store) },
                       "staff.csv:2: manager: no staff row before this one has the key '2'")
    }

    func testHeaderOnlyAndEmptyFiles() throws {
        let store = try loadCSV("id,stage,notes\n", as: "customers").store
        XCTAssertEqual(store["customers"]?.rowCount, 0)
        XCTAssertEqual(type(store, "customers", "stage"), .enumeration(StandardModel.stage))
        XCTAssertEqual(type(store, "customers", "notes"), .text)
        XCTAssertEqual(diagnosticMessage { try loadCSV("", as: "x") }, "x.csv: the file is empty")
        XCTAssertEqual(diagnosticMessage { try loadJSON("[]", as: "x") }, "x.json: the file has no columns to load")
    }

    func testInputStoreIsNeverModified() throws {
        let before = try loadCSV("id\n1\n", as: "a").store
        let version = before["a"]?.version
        _ = try loadCSV("id\n2\n", as: "a", into: before)
        XCTAssertEqual(before["a"]?.rowCount, 1)
        XCTAssertEqual(before["a"]?.version, version)
    }

    func testJSONLoads() throws {
        let array = """
        [
          {"id": 1, "name": "Ada", "tags": ["a", "b"], "score": 4.5, "vip": true},
          {"id": 2, "name": "Bé\\n\\u00e9", "score": null, "vip": false, "extra": ""}
        ]
        """
        let store = try loadJSON(array, as: "people").store
        XCTAssertEqual(store["people"]?.fields.map(\.name), ["id", "name", "tags", "score", "vip", "extra"])
        XCTAssertEqual(values(store, "people", "name"), [.text("Ada"), .text("Bé\né")])
        XCTAssertEqual(values(store, "people", "tags"), [.text("[\"a\", \"b\"]"), .null])
        XCTAssertEqual(values(store, "people", "score"), [.number(4.5), .null])
        XCTAssertEqual(values(store, "people", "vip"), [.bool(true), .bool(false)])
        XCTAssertEqual(values(store, "people", "extra"), [.null, .text("")])

        let lines = "{\"id\": 1, \"n\": 2}\n{\"id\": 2}\n\n{\"id\": 2, \"n\": 3}\n"
        let result = try loadJSON(lines, as: "rows", options: LoadOptions(skipBad: true))
        XCTAssertEqual(result.rowsLoaded, 2)
        XCTAssertEqual(result.rejected.map(\.line), [4])
        XCTAssertEqual(result.rejected.map { String(decoding: $0.raw, as: UTF8.self) }, ["{\"id\": 2, \"n\": 3}\n"])
    }

    func testJSONErrors() {
        let cases: [(String, String, UInt)] = [
            ("", "j.json: the file is empty", #line),
            ("nope", "j.json:1:1: expected '[' or '{' at the start of a JSON file", #line),
            ("[{\"a\": 1,}]", "j.json:1:10: expected a field name in quotes", #line),
            ("[{\"a\": 1}\n{\"a\": 2}]", "j.json:2:1: expected ',' or ']' after an array element", #line),
            ("{\"a\": \"x}", "j.json:1:7: unclosed string", #line),
            ("{\"a\": \"x}\n", "j.json:1:10: control character in a string (escape it)", #line),
            ("{\"a\": 01}", "j.json:1:8: expected ',' or '}' after a field", #line),
            ("{\"a\": \"\\ud800\"}", "j.json:1:8: unpaired surrogate in \\u escape", #line),
            ("[{\"a\": 1}] x", "j.json:1:12: unexpected text after the closing ']'", #line),
            ("{\"a\": " + String(repeating: "[", count: 300) + "}", "j.json:1:263: values nested more than 256 deep", #line),
        ]
        for (input, expected, line) in cases {
            XCTAssertEqual(diagnosticMessage({ try JSONReader.read(Array(input.utf8), fileName: "j.json") }), expected, line: line)
        }
        var latin1 = Array("{\"a\": \"".utf8)
        latin1.append(0xE9)
        latin1.append(contentsOf: Array("\"}".utf8))
        XCTAssertEqual(diagnosticMessage { try JSONReader.read(latin1, fileName: "j.json") }, "j.json:1:8: invalid UTF-8 (byte 0xE9)")
    }

    func testNonObjectElementIsABadRow() throws {
        let result = try loadJSON("[{\"id\": 1}, 5, {\"id\": 2}]", as: "rows", options: LoadOptions(skipBad: true))
        XCTAssertEqual(result.rowsLoaded, 2)
        XCTAssertEqual(result.rejected.map(\.message), ["rows.json:1: expected an object, found a number"])
        XCTAssertEqual(result.rejected.map { String(decoding: $0.raw, as: UTF8.self) }, ["5"])
    }

    func testDependencyOrder() {
        let columns = ["orders": ["id", "customer"], "customers": ["id"], "interactions": ["id", "customer", "order"], "notes": ["x"]]
        XCTAssertEqual(Loader.dependencyOrder(of: ["interactions", "notes", "orders", "customers"], columnsByEntity: columns),
                       ["customers", "orders", "interactions", "notes"])
        let cycle = ["as": ["b"], "bs": ["a"]]
        XCTAssertEqual(Loader.dependencyOrder(of: ["as", "bs"], columnsByEntity: cycle), ["bs", "as"])
    }

    func testGeneratedStandardData() throws {
        // A slice of what the data generator writes, names with commas and quotes included.
        let customers = #"""
        id,name,email,region,industry,kind,stage,tier,loyalty,expected,perceived,signup,owner,points,service_cost
        1,Ada Novák,c1@example.com,east,government,individual,growth,bronze,0.336,8.8,10.0,2025-05-24,rep11,468,123.46
        2,"Acme Kim, Ltd",,east,tech,business,mature,platinum,,9.4,9.5,2026-05-21,rep39,2062,128.33
        3,"""Globex"" Holdings",c3@example.com,west,tech,business,mature,gold,0.5,7,8,2024-01-01,rep11,10,5.0
        4,王芳,c4@example.com,north,retail,individual,churned,silver,0.1,5,5,2023-03-03,rep02,0,1.25
        """#
        let store = try loadCSV(customers, as: "customers").store
        XCTAssertEqual(values(store, "customers", "name"), [.text("Ada Novák"), .text("Acme Kim, Ltd"), .text("\"Globex\" Holdings"), .text("王芳")])
        XCTAssertEqual(values(store, "customers", "email")[1], .null)
        XCTAssertEqual(type(store, "customers", "region"), .text, "3 distinct values in 4 rows do not repeat enough")
        let orders = "id,customer,placed,basket,product,category,quantity,amount,cost,channel\n1,1,2025-07-05,1,monitor 27,peripherals,2,160.19,74.29,web\n"
        let withOrders = try loadCSV(orders, as: "orders", into: store).store
        XCTAssertEqual(type(withOrders, "orders", "customer"), .ref("customers"))
        XCTAssertEqual(type(withOrders, "orders", "quantity"), .int)
        XCTAssertEqual(type(withOrders, "orders", "placed"), .date)
    }
}
