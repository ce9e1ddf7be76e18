import CRMQL
import Foundation
import XCTest

/// `load` and `open` read regular files only, and never block or read
/// forever: devices, FIFOs and folders are refused before a byte is read,
/// and a load too large for the memory limit is refused before reading.
final class SpecialFileTests: XCTestCase {
    private var folder: String!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("crmql-special-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Runs `statement`, which must fail with `phase` and a message holding
    /// `fragment`, within two seconds, leaving no entity behind.
    private func expectRefusal(_ statement: String, _ phase: Phase, _ fragment: String, limits: Database.Limits = .init(),
                               file: StaticString = #filePath, line: UInt = #line) throws {
        let db = try Database(options: .init(today: "2026-06-30", limits: limits))
        let started = ContinuousClock.now
        XCTAssertThrowsError(try db.execute(statement), file: file, line: line) { error in
            let error = error as? CRMQLError
            XCTAssertEqual(error?.phase, phase, error?.description ?? "", file: file, line: line)
            XCTAssertTrue(error?.message.contains(fragment) == true, error?.message ?? "", file: file, line: line)
        }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(2), statement, file: file, line: line)
        XCTAssertEqual(try db.query("show entities").rowCount, 0, file: file, line: line)
    }

    func testDevicesAreRefused() throws {
        try expectRefusal("load t from \"/dev/urandom\"", .io, "cannot read '/dev/urandom': it is a device, not a regular file")
        try expectRefusal("load t from \"/dev/zero\"", .io, "it is a device")
        try expectRefusal("open \"/dev/urandom\"", .io, "it is a device")
    }

    func testAFIFOIsRefusedWithoutWaitingForAWriter() throws {
        let fifo = folder + "/pipe.csv"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        try expectRefusal("load t from \"\(fifo)\"", .io, "it is a pipe (FIFO), not a regular file")
        try expectRefusal("open \"\(fifo)\"", .io, "it is a pipe (FIFO)")
    }

    func testAFolderIsRefused() throws {
        try expectRefusal("load t from \"\(folder!)\"", .io, "it is a folder, not a regular file")
    }

    func testALoadPastTheMemoryLimitIsRefusedBeforeReading() throws {
        let path = folder + "/big.csv"
        var csv = "id,name\n"
        for row in 1...20_000 { csv += "\(row),name \(row)\n" }
        try csv.write(toFile: path, atomically: true, encoding: .utf8)
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        try expectRefusal("load t from \"\(path)\"", .limit, "than the memory limit of 64 KB allows",
                          limits: .init(maxMemoryBytes: 64 << 10))
        // Under a limit it fits, the same file loads.
        let db = try Database(options: .init(limits: .init(maxMemoryBytes: size * 4)))
        try db.execute("load t from \"\(path)\"")
        XCTAssertEqual(try db.query("select count t").value(row: 0, column: 0), .int(20_000))
    }
}
