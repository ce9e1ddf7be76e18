import XCTest
import CRMQLEngine
@testable import CRMQL

/// The reader kept between reads: taken only for the generation it reads,
/// never kept across a write (it would make the write copy the columns it
/// shares), and never put back by a read that a write overtook.
final class IdleReaderTests: XCTestCase {
    private func reader() -> IdleReader {
        IdleReader(Interpreter(options: SessionOptions(), interrupt: InterruptFlag()))
    }

    func testAReaderIsTakenOnlyForItsGeneration() {
        let slot = IdleReaderSlot()
        let kept = reader()
        slot.put(kept, generation: 3)
        XCTAssertNil(slot.take(generation: 4))
        XCTAssertTrue(slot.take(generation: 3) === kept)
        XCTAssertNil(slot.take(generation: 3), "a taken reader is out of the slot until put back")
    }

    func testAWriteDropsTheReaderAndRefusesOlderOnes() {
        let slot = IdleReaderSlot()
        slot.put(reader(), generation: 1)
        slot.drop()
        XCTAssertFalse(slot.isHoldingReader)
        slot.refuse(olderThan: 5)
        slot.put(reader(), generation: 1)
        XCTAssertFalse(slot.isHoldingReader, "a read that began before the write is not kept")
        let current = reader()
        slot.put(current, generation: 5)
        XCTAssertTrue(slot.take(generation: 5) === current)
    }

    func testADatabaseLetsItsReaderGoWhenItWrites() throws {
        let db = try Database()
        try db.execute("create entity items (id int key, size int)")
        try db.execute("insert into items (id, size) values (1, 5), (2, 7)")
        _ = try db.query("select count items")
        XCTAssertTrue(db.idleReader.isHoldingReader)
        try db.execute("insert into items (id, size) values (3, 9)")
        XCTAssertFalse(db.idleReader.isHoldingReader)
        XCTAssertEqual(try db.query("select count items").value(row: 0, column: 0), .int(3))
        XCTAssertTrue(db.idleReader.isHoldingReader)
        XCTAssertThrowsError(try db.execute("insert into items (id, size) values (3, 1)"))
        XCTAssertFalse(db.idleReader.isHoldingReader, "a failed write lets it go too")
    }
}
