import CRMQLCore
import XCTest
@testable import CRMQLStorage

/// Enum codes take a byte a row until a code does not fit, then four; every
/// reader sees the same codes whatever the width.
final class EnumCodesTests: XCTestCase {
    func testCodesThatFitInAByteAreStoredInOne() {
        let codes = EnumCodes([0, 255, 7])
        XCTAssertTrue(codes.isNarrow)
        XCTAssertEqual(Array(codes), [0, 255, 7])
        XCTAssertFalse(EnumCodes([0, 256]).isNarrow)
        XCTAssertFalse(EnumCodes([3, -1]).isNarrow, "a negative code is kept as it is, not wrapped into a byte")
        XCTAssertEqual(Array(EnumCodes([3, -1])), [3, -1])
    }

    func testAppendingALargeCodeWidensOnceAndKeepsEveryRow() {
        var codes = EnumCodes()
        for code in 0..<300 { codes.append(Int32(code % 256)) }
        XCTAssertTrue(codes.isNarrow)
        codes.append(299)
        XCTAssertFalse(codes.isNarrow)
        codes.append(4)
        XCTAssertEqual(codes.count, 302)
        XCTAssertEqual(codes[255], 255)
        XCTAssertEqual(codes[256], 0)
        XCTAssertEqual(codes[300], 299)
        XCTAssertEqual(codes[301], 4)
    }

    func testCodesAreEqualAcrossWidths() {
        var wide = EnumCodes([1, 2, 300])
        XCTAssertFalse(wide.isNarrow)
        wide = wide.gather([0, 1])
        XCTAssertFalse(wide.isNarrow, "a gather keeps the width")
        XCTAssertEqual(wide, EnumCodes([1, 2]))
        XCTAssertNotEqual(wide, EnumCodes([1, 3]))
        XCTAssertNotEqual(wide, EnumCodes([1]))
        XCTAssertEqual(EnumCodes([1]) + EnumCodes([2]), EnumCodes(narrow: [1, 2]))
        XCTAssertEqual(Array(EnumCodes([1]) + EnumCodes([400])), [1, 400])
    }

    func testGatherFollowsThePositions() {
        let codes = EnumCodes((0..<1000).map { Int32($0 % 200) })
        let positions = (0..<600).map { Int32(999 - $0) }
        XCTAssertEqual(Array(codes.gather(positions)), positions.map { Int32($0) % 200 })
    }

    func testAColumnBuiltFromValuesIsNarrowUntilASymbolPastTheFirst256() {
        let type = EnumType((0..<300).map { "s\($0)" })
        var column = Column(empty: .enumeration(type))
        column.append(.symbol(3, type))
        column.append(.null)
        guard case .codes(let narrow) = column.data else { return XCTFail("not codes") }
        XCTAssertTrue(narrow.isNarrow)
        column.append(.symbol(299, type))
        guard case .codes(let wide) = column.data else { return XCTFail("not codes") }
        XCTAssertFalse(wide.isNarrow)
        XCTAssertEqual(column.value(at: 0), .symbol(3, type))
        XCTAssertEqual(column.value(at: 1), .null)
        XCTAssertEqual(column.value(at: 2), .symbol(299, type))
    }

    func testALoadedEnumTakesAByteARow() throws {
        let store = try loadCSV("id,color\n1,red\n2,blue\n3,red\n4,blue\n", as: "things").store
        let column = try XCTUnwrap(store["things"]?.columns[1])
        guard case .codes(let codes) = column.data else { return XCTFail("color should be an enum") }
        XCTAssertTrue(codes.isNarrow)
        XCTAssertEqual(Array(codes), [1, 0, 1, 0])
    }

    func testPostingListsReadEitherWidth() throws {
        let type = EnumType((0..<300).map { "s\($0)" })
        for codes in [EnumCodes([2, 0, 2, 1]), EnumCodes([2, 0, 2, 1, 299])] {
            let column = Column(type: .enumeration(type), data: .codes(codes), nulls: NullBitmap(count: codes.count) { $0 == 1 })
            let postings = try XCTUnwrap(PostingLists(column: column))
            XCTAssertEqual(Array(postings.rows(for: 2)), [0, 2])
            XCTAssertEqual(Array(postings.rows(for: 0)), [], "row 1 is null")
            XCTAssertEqual(postings.nullRows, [1])
            XCTAssertEqual(Array(postings.rows(for: 299)), codes.count == 5 ? [4] : [])
        }
    }
}
