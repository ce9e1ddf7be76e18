import CRMQLCore
import CRMQLStorage
import XCTest
@testable import CRMQLEngine

/// The morsel kernels against their serial forms: the same bits, rows and
/// totals with one thread or several, over sizes that end mid-morsel and
/// mid-word, and a loop's failures and stops.
final class ParallelKernelTests: XCTestCase {
    private struct Random {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    private let settings = [Parallelism(threads: 2, minimumRows: 64, morselRows: 64),
                            Parallelism(threads: 3, minimumRows: 128, morselRows: 192),
                            Parallelism(threads: 2)]

    func testBitsAndPositionsMatchTheSerialKernels() {
        var random = Random(state: 11)
        for count in [0, 1, 63, 64, 65, 640, 1_000, 70_001, 200_000] {
            for density in [0, 3, 50, 97, 100] {
                let values = (0..<count).map { _ in random.next(100) < density }
                let serial = RowSelection.bits(count: count) { values[$0] }
                let mask = RowSelection.bits(count: count) { _ in random.next(3) > 0 }
                let serialUnder = RowSelection.bits(count: count, under: mask) { values[$0] }
                values.withUnsafeBufferPointer { buffer in
                    let test = ValuesPass(values: buffer, test: Flag())
                    for parallelism in settings {
                        XCTAssertEqual(RowSelection.bits(count: count, parallelism, test), serial, "\(count) \(density)")
                        XCTAssertEqual(RowSelection.bits(count: count, under: mask, parallelism, test), serialUnder)
                        XCTAssertEqual(RowSelection.positions(serial, parallelism), RowSelection.positions(serial), "\(count) \(density)")
                    }
                }
            }
        }
    }

    private struct Flag: ValueTest {
        func callAsFunction(_ value: Bool) -> Bool { value }
    }

    /// The one-comparison range test against the two comparisons it
    /// replaces, at the ends of its type and for empty ranges.
    func testBetweenTestMatchesTwoComparisons() {
        let edges: [Int32] = [.min, .min + 1, -5, -1, 0, 1, 5, .max - 1, .max]
        for low in edges {
            for high in edges {
                for negated in [false, true] {
                    let test = BetweenTest(low: low, high: high, negated: negated)
                    for value in edges + [-6, 4, 6] {
                        XCTAssertEqual(test(value), (value >= low && value <= high) != negated, "\(low) \(high) \(negated) \(value)")
                    }
                }
            }
        }
        let days: [Int64] = [-800_000, -1, 0, 1, 20_000, 2_900_000]
        for low in days {
            for high in days {
                let test = BetweenTest(low: low, high: high, negated: true)
                for value in days { XCTAssertEqual(test(value), !(value >= low && value <= high)) }
            }
        }
    }

    func testCompareTestMatchesTheOperators() {
        let values: [Double] = [-1, 0, 0.5, 1, 2]
        let operators: [(ComparisonOperator, (Double, Double) -> Bool)] = [
            (.equal, { $0 == $1 }), (.notEqual, { $0 != $1 }), (.less, { $0 < $1 }),
            (.lessEqual, { $0 <= $1 }), (.greater, { $0 > $1 }), (.greaterEqual, { $0 >= $1 }),
        ]
        for (op, reference) in operators {
            for x in values {
                let test = CompareTest(op: op, x: x)
                for value in values { XCTAssertEqual(test(value), reference(value, x)) }
            }
        }
    }

    func testRangeAggregatesMatchTheSerialKernels() throws {
        var random = Random(state: 5)
        var offsets: [Int32] = [0]
        while offsets.count < 3_000 { offsets.append(offsets.last! + Int32(random.next(random.next(4) == 0 ? 30 : 4))) }
        let rows = Int(offsets.last!)
        let cents = (0..<rows).map { _ in Int32(random.next(2_000_000)) - 1_000_000 }
        var nulls = NullBitmap()
        for row in 0..<rows where random.next(9) == 0 { nulls.set(row) }
        func numbers(_ withNulls: Bool) -> Column {
            Column(type: .number, data: .number(cents.map { Double($0) / 100 }), nulls: withNulls ? nulls : NullBitmap())
        }
        let ints = Column(type: .int, data: .int(cents.map(Int64.init)), nulls: nulls)
        let cases: [(AggregateFunction, Column, DataType, [Int32]?)] = [
            (.sum, numbers(false), .number, cents), (.avg, numbers(true), .number, cents),
            (.sum, numbers(true), .number, nil), (.avg, numbers(false), .number, nil),
            (.sum, ints, .int, nil), (.count, numbers(true), .int, nil),
        ]
        for (function, values, type, hundredths) in cases {
            let serial = try Aggregation.reduceRanges(function, values: values, offsets: offsets, distinct: false, type: type,
                                                      range: SourceRange(0, 0), hundredths: hundredths)
            for parallelism in settings {
                let split = try Aggregation.reduceRanges(function, values: values, offsets: offsets, distinct: false, type: type,
                                                         range: SourceRange(0, 0), hundredths: hundredths, parallelism: parallelism)
                XCTAssertEqual(split.map(values(of:)), serial.map(values(of:)), "\(function) \(parallelism)")
            }
        }
    }

    private func values(of column: Column) -> [Value] { (0..<column.count).map { column.value(at: $0) } }

    /// The error of the earliest failing morsel, whichever thread met it
    /// first; a stop ends the loop without running every morsel.
    func testFailuresAndStops() {
        struct Failure: Error, Equatable { var morsel: Int }
        for threads in [1, 2, 4] {
            XCTAssertThrowsError(try Parallel.forEach(morsels: 100, threads: threads, stop: nil) { morsel in
                if morsel % 7 == 3 { throw Failure(morsel: morsel) }
            }) { XCTAssertEqual($0 as? Failure, Failure(morsel: 3)) }
            let ran = Locked(0)
            try? Parallel.forEach(morsels: 1_000, threads: threads, stop: BuildStop { true }) { _ in ran.withLock { $0 += 1 } }
            XCTAssertLessThanOrEqual(ran.withLock { $0 }, threads)
            let all = Locked([Bool](repeating: false, count: 257))
            try? Parallel.forEach(morsels: 257, threads: threads, stop: BuildStop { false }) { morsel in all.withLock { $0[morsel] = true } }
            XCTAssertTrue(all.withLock { $0.allSatisfy { $0 } })
        }
    }
}
