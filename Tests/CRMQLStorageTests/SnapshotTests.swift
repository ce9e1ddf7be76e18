import CRMQLCore
import XCTest
@testable import CRMQLStorage

final class SnapshotTests: XCTestCase {
    private func sampleStore() throws -> Store {
        let customers = #"""
        id,name,stage,loyalty,signup,vip,note
        1,Ada,mature,0.5,2025-01-02,true,"multi
        line"
        2,王芳,churned,,2024-12-31,false,
        3,"Q ""uote""",growth,1e-7,,,""
        """#
        var store = try loadCSV(customers, as: "customers").store
        store = try loadCSV("id,customer,at\n1,1,2026-01-01T10:00:00Z\n2,,2026-01-02T00:00:00+08:00\n", as: "orders", into: store).store
        store = try loadCSV("id,parent\nA,x\nB,y\n", as: "accounts", into: store).store
        store = try loadCSV("id,account\n1,B\n", as: "deals", into: store).store
        store["empty"] = Entity(name: "empty", fields: [Field(name: "x", type: .int)])
        store.explicitIndexes = [IndexName(entity: "customers", field: "loyalty")]
        return store
    }

    private func assertSameContents(_ a: Store, _ b: Store, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.entityNames, b.entityNames, file: file, line: line)
        XCTAssertEqual(a.explicitIndexes, b.explicitIndexes, file: file, line: line)
        for name in a.entityNames {
            XCTAssertEqual(a[name]?.fields, b[name]?.fields, name, file: file, line: line)
            XCTAssertEqual(a[name]?.rowCount, b[name]?.rowCount, name, file: file, line: line)
            for field in a[name]?.fields ?? [] {
                XCTAssertEqual(values(a, name, field.name), values(b, name, field.name), "\(name).\(field.name)", file: file, line: line)
            }
        }
    }

    func testRoundTrip() throws {
        let store = try sampleStore()
        let folder = try temporaryFolder(self)
        let path = folder + "/crm.snapshot"
        let extra = Array("define customers.value = 1".utf8) + [0, 255]
        try Snapshot.save(store, extra: extra, to: path)
        let (opened, openedExtra) = try Snapshot.open(path: path)
        assertSameContents(store, opened)
        XCTAssertEqual(openedExtra, extra)
        XCTAssertEqual(values(opened, "customers", "note")[0], .text("multi\nline"))
        XCTAssertEqual(values(opened, "customers", "note")[2], .text(""))
        XCTAssertEqual(values(opened, "customers", "note")[1], .null)

        // Saving again replaces the file, leaving no temporary behind.
        try Snapshot.save(Store(), extra: [], to: path)
        XCTAssertEqual(try Snapshot.open(path: path).0.entityNames, [])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["crm.snapshot"])
    }

    func testCorruptionIsDetected() throws {
        let bytes = Snapshot.encode(try sampleStore(), extra: [1, 2, 3])
        func message(_ damaged: [UInt8]) -> String? {
            diagnosticMessage { try Snapshot.decode(damaged, name: "s.snap") }
        }
        XCTAssertEqual(message(Array(bytes.prefix(bytes.count - 1))), "cannot open 's.snap': the file is truncated (it ends inside section 8)")
        XCTAssertEqual(message(Array(bytes.prefix(200))), "cannot open 's.snap': the file is truncated (it ends inside section 2)")
        XCTAssertEqual(message(Array(bytes.prefix(12))), "cannot open 's.snap': the file is truncated (its end marker is missing)")
        XCTAssertEqual(message(Array(bytes.prefix(5))), "cannot open 's.snap': not a crmql snapshot")
        XCTAssertEqual(message(Array("id,name\n1,Ada\n".utf8)), "cannot open 's.snap': not a crmql snapshot")
        var newer = bytes
        newer[8] = 2
        XCTAssertEqual(message(newer), "cannot open 's.snap': written by a newer version of crmql (snapshot format 2; this version reads format 1)")
        var extended = bytes
        extended.append(0)
        XCTAssertEqual(message(extended), "cannot open 's.snap': the file is damaged (bytes after the end marker)")

        // Every single flipped bit after the header is caught by a checksum.
        for offset in stride(from: 12, to: bytes.count, by: 7) {
            var flipped = bytes
            flipped[offset] ^= 0x10
            XCTAssertNotNil(message(flipped), "flip at \(offset)")
        }
    }

    func testMissingFile() {
        XCTAssertEqual(diagnosticMessage { try Snapshot.open(path: "/nonexistent/x.snap") },
                       "cannot read '/nonexistent/x.snap': No such file or directory")
        XCTAssertNotNil(diagnosticMessage { try Snapshot.save(Store(), extra: [], to: "/nonexistent/x.snap") })
    }

    func testManyRowsInBulk() throws {
        let count = 1_000_000
        let ids = (0..<count).map { Int64($0) }
        let amounts = (0..<count).map { Double($0) * 0.25 }
        let days = (0..<count).map { Int64($0 % 20_000) }
        let stage = EnumType(["a", "b", "c"])
        let codes = (0..<count).map { Int32($0 % 3) }
        let names = (0..<count).map { "n\($0 % 1000)" }
        let entity = Entity(name: "big", fields: [
            Field(name: "id", type: .int, isKey: true), Field(name: "amount", type: .number),
            Field(name: "day", type: .date), Field(name: "stage", type: .enumeration(stage)), Field(name: "name", type: .text),
        ], columns: [
            Column(type: .int, data: .int(ids)), Column(type: .number, data: .number(amounts)),
            Column(type: .date, data: .temporal(days), nulls: NullBitmap(count: count) { $0 % 10 == 0 }),
            Column(type: .enumeration(stage), data: .codes(EnumCodes(codes))), Column(type: .text, data: .text(names)),
        ])
        var store = Store()
        store["big"] = entity
        let path = try temporaryFolder(self) + "/big.snapshot"
        let start = Date()
        try Snapshot.save(store, extra: [], to: path)
        let (opened, _) = try Snapshot.open(path: path)
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertLessThan(elapsed, 30, "debug builds are slow; release takes well under a second")
        let big = try XCTUnwrap(opened["big"])
        XCTAssertEqual(big.rowCount, count)
        XCTAssertEqual(big.columns[1].value(at: 999_999), .number(249_999.75))
        XCTAssertEqual(big.columns[2].nulls.nullCount, count / 10)
        XCTAssertEqual(big.columns[4].value(at: 123_456), .text("n456"))
    }
}
