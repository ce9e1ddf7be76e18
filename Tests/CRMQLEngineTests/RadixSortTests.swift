import XCTest
import CRMQLCore
import CRMQLStorage
@testable import CRMQLEngine

/// `RadixSort` and `RadixGroup` must give exactly what the comparison
/// sort gives: the same stable order (ties by row), the same top rows, and
/// the same groups numbered in the same order with the same first rows,
/// for every kind of key, both directions, nulls first or last, and keys
/// that pack into one code or do not.
final class RadixSortTests: XCTestCase {
    private func columns(count: Int, seed: UInt64) -> [Column] {
        var random = SeededRandom(state: seed)
        func nulls(_ every: Int) -> NullBitmap { NullBitmap(count: count) { _ in Int.random(in: 0..<every, using: &random) == 0 } }
        let enumType = EnumType(["lead", "new", "mature", "churned"])
        // Long texts equal in content but held in separate storage, and
        // canonically equal texts of different bytes, must share a code.
        let texts = ["Zoë", "zoe", "Émile", "E\u{301}mile", "", "a", "ab", "b", "王芳", "Ab",
                     "a customer name longer than sixteen bytes", String(repeating: "a customer name longer ", count: 1) + "than sixteen bytes",
                     "Émile of a name longer than sixteen bytes", "E\u{301}mile of a name longer than sixteen bytes"]
        return [
            Column(type: .int, data: .int((0..<count).map { _ in Int64.random(in: -5...5, using: &random) }), nulls: nulls(7)),
            Column(type: .int, data: .int((0..<count).map { _ in Int64.random(in: Int64.min...Int64.max, using: &random) })),
            Column(type: .int, data: .int((0..<count).map { $0 % 3 == 0 ? Int64.min : ($0 % 3 == 1 ? Int64.max : 0) })),
            Column(type: .number, data: .number((0..<count).map { _ in
                [0.0, -0.0, 1.5, -1.5, .infinity, -.infinity, 1e-300, -2e300, 0.1][Int.random(in: 0..<9, using: &random)]
            }), nulls: nulls(5)),
            Column(type: .number, data: .number((0..<count).map { _ in Double.random(in: -1e3...1e3, using: &random) })),
            Column(type: .date, data: .temporal((0..<count).map { _ in Int64.random(in: 19_000...19_400, using: &random) }), nulls: nulls(11)),
            Column(type: .enumeration(enumType), data: .codes(EnumCodes((0..<count).map { _ in Int32.random(in: 0..<4, using: &random) })), nulls: nulls(6)),
            Column(type: .bool, data: .bool((0..<count).map { _ in Bool.random(using: &random) }), nulls: nulls(4)),
            Column(type: .text, data: .text((0..<count).map { _ in texts.randomElement(using: &random)! }), nulls: nulls(8)),
            Column(type: .int, data: .int([Int64](repeating: 42, count: 1))),
        ]
    }

    func testRadixOrderIsTheComparisonOrder() throws {
        let count = 3_000
        let pool = columns(count: count, seed: 7)
        var random = SeededRandom(state: 11)
        for trial in 0..<60 {
            let width = Int.random(in: 1...3, using: &random)
            let keys = (0..<width).map { _ in
                SortKey(column: pool.randomElement(using: &random)!, descending: Bool.random(using: &random),
                        nullsFirst: Bool.random(using: &random))
            }
            let general = Sorting.permutation(keys, count: count, poll: {})
            XCTAssertEqual(Sorting.permutation(keys, count: count, radix: true, poll: {}), general, "trial \(trial)")
            for limit in [1, 7, 100, 2_000] {
                XCTAssertEqual(Sorting.top(keys, count: count, limit: limit, radix: true, poll: {}), Array(general.prefix(limit)),
                               "trial \(trial), limit \(limit)")
            }
        }
    }

    func testRadixGroupsAreTheSortedGroups() throws {
        let count = 3_000
        let pool = columns(count: count, seed: 3).filter { $0.count == count }
        var random = SeededRandom(state: 5)
        for trial in 0..<60 {
            let width = Int.random(in: 1...3, using: &random)
            let keys = (0..<width).map { _ in pool.randomElement(using: &random)! }
            let general = Sorting.groups(keys, count: count, dense: false, poll: {})
            let radix = Sorting.groups(keys, count: count, dense: false, radix: true, poll: {})
            XCTAssertEqual(radix.groupCount, general.groupCount, "trial \(trial)")
            XCTAssertEqual(radix.groupOf, general.groupOf, "trial \(trial)")
            XCTAssertEqual(radix.firstRows, general.firstRows, "trial \(trial)")
        }
    }

    /// A NaN ties with anything in the comparator, which no code can keep:
    /// such a key goes the comparison way.
    func testANaNKeyIsNotCoded() {
        let column = Column(type: .number, data: .number([1, .nan, 0, 2]))
        XCTAssertNil(KeyCodes.encode(SortKey(column: column, descending: false, nullsFirst: false), count: 4, poll: {}))
        let placeholder = Column(type: .number, data: .number([1, .nan, 0, 2]), nulls: NullBitmap(count: 4) { $0 == 1 })
        XCTAssertNotNil(KeyCodes.encode(SortKey(column: placeholder, descending: false, nullsFirst: false), count: 4, poll: {}))
    }

    /// Codes take only the bits their values' span needs, so small keys
    /// pack into one code and group by a slot per code.
    func testCodesAreNarrow() throws {
        let years = Column(type: .int, data: .int((0..<1_000).map { 2_020 + Int64($0 % 7) }))
        let code = try XCTUnwrap(KeyCodes.encode(SortKey(column: years, descending: false, nullsFirst: false), count: 1_000, poll: {}))
        XCTAssertEqual(code.bits, 3)
        XCTAssertEqual(code.codes.prefix(8), [0, 1, 2, 3, 4, 5, 6, 0])
    }

    /// `count(distinct …)` by codes counts what a set of values counts, per
    /// segment, for a bit set (narrow pairs) and for sorted pairs (wide).
    func testCountDistinctByCodesIsTheCountOfDistinctValues() throws {
        let count = 3_000
        var random = SeededRandom(state: 17)
        for column in columns(count: count, seed: 23) where column.count == count {
            for segmentCount in [1, 3, 700] {
                let segments = (0..<count).map { _ in Int32.random(in: 0..<Int32(segmentCount), using: &random) }
                guard let counted = Aggregation.countDistinctByCodes(column, segments, segmentCount: segmentCount, poll: {}) else {
                    // Only pairs wider than 62 bits go the way of values.
                    let code = try XCTUnwrap(KeyCodes.encode(SortKey(column: column, descending: false, nullsFirst: false), count: count, poll: {}))
                    XCTAssertGreaterThan(code.bits, 52, "\(column.type)")
                    continue
                }
                var sets = [Set<Value>](repeating: [], count: segmentCount)
                for row in 0..<count where !column.isNull(row) { sets[Int(segments[row])].insert(column.value(at: row)) }
                XCTAssertEqual(counted.ints, sets.map { Int64($0.count) }, "\(column.type), \(segmentCount) segments")
            }
        }
    }

    /// The rows of the partitions a few rows fall in, found through a bit
    /// per value, are the rows whose value one of them has.
    func testPartitionRowsOfWholeNumbers() throws {
        var random = SeededRandom(state: 29)
        let values = (0..<5_000).map { _ in Int64.random(in: -300...300, using: &random) }
        let asked: [Int32] = [17, 4_000, 3, 17, 999]
        let expected = values.indices.filter { row in asked.contains { values[Int($0)] == values[row] } }.map { Int32($0) }
        XCTAssertEqual(Evaluator.rows(of: values, sharingValuesWith: asked, limit: 5_000), expected)
        XCTAssertNil(Evaluator.rows(of: values, sharingValuesWith: asked, limit: 2), "past the limit")
        XCTAssertNil(Evaluator.rows(of: [0, .max, .min], sharingValuesWith: [1, 2], limit: 3), "a span too wide for bits")
    }
}
