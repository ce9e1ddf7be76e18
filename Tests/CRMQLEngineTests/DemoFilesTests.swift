import Foundation
import XCTest
import CRMQLCore
import CRMQLStorage
@testable import CRMQLEngine

/// `DemoFiles`: the demo data of any size as CSV, written a slice at a time,
/// is exactly the CSV of the store `DemoData.makeStore` builds in one piece.
final class DemoFilesTests: XCTestCase {
    private var folder = ""

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("crmql-demofiles-\(UUID().uuidString)").path
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: folder)
    }

    private func bytes(_ name: String, in directory: String) throws -> [UInt8] {
        try FileIO.read(directory + "/" + name + ".csv")
    }

    /// The CSV of a whole entity, as `export` writes it.
    private func csv(_ entity: Entity) -> [UInt8] {
        TabularWriter.write(.csv, names: entity.fields.map(\.name), columns: entity.columns)
    }

    /// Slices of 97 rows cross customer chunks, order baskets and
    /// interaction slices dozens of times, nulls included.
    func testSlicedFilesEqualTheStoreWrittenWhole() throws {
        let summary = try DemoFiles.write(customerCount: 700, seed: 11, to: folder, sliceRows: 97)
        let store = DemoData.makeStore(customerCount: 700, seed: 11)
        for name in ["customers", "orders", "interactions"] {
            let entity = try XCTUnwrap(store[name])
            XCTAssertEqual(try bytes(name, in: folder), csv(entity), name)
        }
        XCTAssertEqual(summary.customers, 700)
        XCTAssertEqual(summary.orders, store["orders"]?.rowCount)
        XCTAssertEqual(summary.interactions, store["interactions"]?.rowCount)
        XCTAssertGreaterThan(summary.orders, 5 * 700)
        let total = try ["customers", "orders", "interactions"].reduce(0) { $0 + (try bytes($1, in: folder)).count }
        XCTAssertEqual(summary.bytes, total)
    }

    func testTheDefaultSliceGivesTheSameBytes() throws {
        let small = folder + "/small"
        let large = folder + "/large"
        _ = try DemoFiles.write(customerCount: 300, seed: 5, to: small, sliceRows: 13)
        _ = try DemoFiles.write(customerCount: 300, seed: 5, to: large)
        for name in ["customers", "orders", "interactions"] {
            XCTAssertEqual(try bytes(name, in: small), try bytes(name, in: large), name)
        }
    }

    func testTheSeedDecides() throws {
        _ = try DemoFiles.write(customerCount: 200, seed: 1, to: folder + "/a")
        _ = try DemoFiles.write(customerCount: 200, seed: 1, to: folder + "/b")
        _ = try DemoFiles.write(customerCount: 200, seed: 2, to: folder + "/c")
        for name in ["customers", "orders", "interactions"] {
            XCTAssertEqual(try bytes(name, in: folder + "/a"), try bytes(name, in: folder + "/b"), name)
            XCTAssertNotEqual(try bytes(name, in: folder + "/a"), try bytes(name, in: folder + "/c"), name)
        }
    }

    func testNoCustomersGivesHeadersOnly() throws {
        let summary = try DemoFiles.write(customerCount: 0, seed: 1, to: folder)
        XCTAssertEqual(summary, DemoFiles.Summary(customers: 0, orders: 0, interactions: 0, bytes: summary.bytes))
        XCTAssertEqual(String(decoding: try bytes("interactions", in: folder), as: UTF8.self),
                       "id,customer,at,kind,outcome,score,agent\n")
    }

    func testBadCountsAndFoldersFailWithoutFiles() throws {
        XCTAssertThrowsError(try DemoFiles.write(customerCount: -1, seed: 1, to: folder)) { error in
            XCTAssertEqual((error as? Diagnostic)?.phase, .runtime)
        }
        XCTAssertThrowsError(try DemoFiles.write(customerCount: DemoFiles.maximumCustomerCount + 1, seed: 1, to: folder))
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder))
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let file = folder + "/plain"
        XCTAssertTrue(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
        XCTAssertThrowsError(try DemoFiles.write(customerCount: 5, seed: 1, to: file + "/inside")) { error in
            XCTAssertEqual((error as? Diagnostic)?.phase, .io)
            XCTAssertTrue((error as? Diagnostic)?.message.contains("plain") ?? false)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["plain"])
    }
}
