import CRMQLCore
import XCTest
@testable import CRMQLStorage

/// The log's record reader: whole records in order, and everything from the
/// first torn, damaged or out-of-sequence record on is a tail to drop.
final class WriteAheadLogTests: XCTestCase {
    private func log(_ records: [(UInt64, LogRecord)]) -> [UInt8] {
        WriteAheadLog.header + records.flatMap { WriteAheadLog.frame($0.1.encoded(), sequence: $0.0) }
    }

    private let first = LogRecord(text: "insert into items (id) values (1)", today: 20_000, parameters: ["p": .int(3), "s": .text("x")])
    private let second = LogRecord(text: "load items from \"a.csv\"", today: 20_001, parameters: [:], loadedBytes: Array("id\n2\n".utf8))

    func testRecordsRoundTrip() throws {
        let bytes = log([(7, first), (8, second)])
        let contents = WriteAheadLog.scan(bytes)
        XCTAssertEqual(contents.records.map(\.sequence), [7, 8])
        XCTAssertEqual(try contents.records.map { try LogRecord.decode($0.payload) }, [first, second])
        XCTAssertEqual(contents.droppedBytes, 0)
        XCTAssertNil(contents.reason)
    }

    func testEveryCutOfTheLastRecordDropsExactlyIt() {
        let whole = log([(1, first)])
        let bytes = log([(1, first), (2, second)])
        for cut in whole.count..<bytes.count {
            let contents = WriteAheadLog.scan(Array(bytes.prefix(cut)))
            XCTAssertEqual(contents.records.map(\.sequence), [1], "cut at \(cut)")
            XCTAssertEqual(contents.validEnd, whole.count)
            XCTAssertEqual(contents.droppedBytes, cut - whole.count)
        }
    }

    func testEveryFlippedBitEndsTheLogAtItsRecord() {
        let whole = log([(1, first)])
        let bytes = log([(1, first), (2, second)])
        for index in whole.count..<bytes.count {
            var damaged = bytes
            damaged[index] ^= 0x10
            let contents = WriteAheadLog.scan(damaged)
            XCTAssertEqual(contents.records.map(\.sequence), [1], "byte \(index)")
            XCTAssertEqual(contents.validEnd, whole.count, "byte \(index)")
        }
    }

    func testARecordOutOfSequenceEndsTheLog() {
        let contents = WriteAheadLog.scan(log([(1, first), (3, second)]))
        XCTAssertEqual(contents.records.map(\.sequence), [1])
        XCTAssertEqual(contents.reason, "a record is out of sequence")
    }

    func testAForeignOrNewerLogIsNeitherReadNorCut() {
        var newer = log([(1, first)])
        newer[8] = 2
        XCTAssertTrue(WriteAheadLog.scan(newer).isForeign)
        XCTAssertTrue(WriteAheadLog.scan(Array("CRMQLSNP and more bytes".utf8)).isForeign)
        let torn = WriteAheadLog.scan(Array(WriteAheadLog.header.prefix(5)))
        XCTAssertFalse(torn.isForeign, "a header cut short is a crash while the log was made")
        XCTAssertEqual(torn.droppedBytes, 5)
    }

    func testAPayloadThatDoesNotDecodeIsAnError() {
        XCTAssertThrowsError(try LogRecord.decode([9, 1, 2]))
        XCTAssertThrowsError(try LogRecord.decode(first.encoded() + [0]))
        XCTAssertThrowsError(try LogRecord.decode(Array(first.encoded().dropLast())))
    }
}
