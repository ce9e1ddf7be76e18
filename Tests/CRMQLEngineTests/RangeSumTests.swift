import XCTest
@testable import CRMQLEngine

/// `Aggregation.rangeSums`, the exact per-parent totals of a clustered
/// child's money: ranges across its blocks of running totals, empty ranges
/// anywhere, and no rows at all.
final class RangeSumTests: XCTestCase {
    private func check(_ values: [Int32], _ offsets: [Int32], file: StaticString = #filePath, line: UInt = #line) {
        let expected = (0..<(offsets.count - 1)).map { s in
            values[Int(offsets[s])..<Int(offsets[s + 1])].reduce(Int64(0)) { $0 + Int64($1) }
        }
        var sums = [Int64](repeating: -1, count: offsets.count - 1)
        values.withUnsafeBufferPointer { values in
            offsets.withUnsafeBufferPointer { offsets in
                sums.withUnsafeMutableBufferPointer { Aggregation.rangeSums(values, offsets: offsets, into: $0) }
            }
        }
        XCTAssertEqual(sums, expected, file: file, line: line)
    }

    func testRangesOfEveryLengthAcrossBlocks() {
        var state: UInt64 = 3
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        for longest in [1, 12, 5_000, 20_000] {
            var offsets: [Int32] = [0]
            while offsets.count < (longest > 100 ? 40 : 2_000) { offsets.append(offsets.last! + Int32(next(longest + 1))) }
            let values = (0..<Int(offsets.last!)).map { _ in Int32(next(4_000_000)) - 2_000_000 }
            check(values, offsets)
        }
        check([], [0])
        check([], [0, 0, 0])
        check([5, -7, Int32.max, Int32.min], [0, 0, 2, 2, 4, 4])
        let many = [Int32](repeating: Int32.max, count: 10_000)
        check(many, [0, 4_096, 4_097, 8_192, 10_000])
    }
}
