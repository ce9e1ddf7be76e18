import XCTest
import CRMQLCore
import CRMQLStorage
@testable import CRMQLEngine

/// `Sorting.top` keeps a bounded heap and, for one number key without
/// nulls, skips rows that cannot beat the heap's worst on the value alone.
/// It must give exactly the first rows of the stable full sort: ties keep
/// row order. (A NaN, which the comparator ties with anything, cannot be
/// stored: arithmetic that would make one gives null.)
final class SortingTests: XCTestCase {
    func testTopIsThePrefixOfTheFullSort() {
        var generator = SystemRandomNumberGenerator()
        let pools: [[Double]] = [
            (0..<2000).map { Double($0 % 37) },                       // many ties
            (0..<2000).map { _ in Double.random(in: -1e6...1e6, using: &generator).rounded() / 100 },
            (0..<2000).map { Double(($0 * 7919) % 1000) },
            (0..<2000).map { $0 % 5 == 0 ? -0.0 : ($0 % 3 == 0 ? 0.0 : Double.infinity) },
            (0..<2000).map { Double(2000 - $0) },                     // every row beats the last
        ]
        for (index, values) in pools.enumerated() {
            let column = Column(type: .number, data: .number(values))
            for descending in [false, true] {
                for limit in [1, 3, 20, 200] {
                    let keys = [SortKey(column: column, descending: descending, nullsFirst: descending)]
                    let top = Sorting.top(keys, count: values.count, limit: limit, poll: {})
                    let full = Array(Sorting.permutation(keys, count: values.count, poll: {}).prefix(limit))
                    XCTAssertEqual(top, full, "pool \(index), descending \(descending), limit \(limit)")
                }
            }
        }
    }

    func testTopWithNullsOrTwoKeysTakesTheGeneralPathToTheSameRows() {
        let count = 1000
        let values = Column(type: .number, data: .number((0..<count).map { Double(($0 * 31) % 50) }),
                            nulls: NullBitmap(count: count) { $0 % 9 == 0 })
        let second = Column(type: .int, data: .int((0..<count).map { Int64(($0 * 17) % 7) }))
        for keys in [[SortKey(column: values, descending: true, nullsFirst: false)],
                     [SortKey(column: values, descending: false, nullsFirst: true), SortKey(column: second, descending: true, nullsFirst: false)]] {
            XCTAssertEqual(Sorting.top(keys, count: count, limit: 15, poll: {}), Array(Sorting.permutation(keys, count: count, poll: {}).prefix(15)))
        }
    }

    /// Sorting in runs merged pairwise gives the standard library's order
    /// (stable, ties by row), and polls often enough to be stopped.
    func testSortingInRunsAgreesWithTheStandardSortAndPolls() throws {
        let count = Sorting.pollingRun * 3 + 123
        let values = (0..<count).map { Double(($0 &* 7919) % 1000) }
        let keys = [SortKey(column: Column(type: .number, data: .number(values)), descending: true, nullsFirst: false)]
        var polls = 0
        let sorted = try Sorting.permutation(keys, count: count) { polls += 1 }
        let expected = (0..<count).sorted { values[$0] != values[$1] ? values[$0] > values[$1] : $0 < $1 }
        XCTAssertEqual(sorted, expected)
        XCTAssertGreaterThanOrEqual(polls, count / Sorting.pollingRun * 2, "a poll after each run and each run's worth merged")

        struct Stop: Error {}
        var calls = 0
        XCTAssertThrowsError(try Sorting.permutation(keys, count: count) {
            calls += 1
            if calls == 3 { throw Stop() }
        })
        XCTAssertEqual(calls, 3, "the first poll that throws stops the sort")
    }
}
