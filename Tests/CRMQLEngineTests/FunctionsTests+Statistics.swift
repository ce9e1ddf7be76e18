import CRMQLStorage
import XCTest
@testable import CRMQLEngine

final class FunctionsStatisticsTests: XCTestCase {
    /// Expected values below are numpy 2.4's `percentile` (method "linear")
    /// and `std(ddof=1)` of the same data.
    private let sample = [3.5, 1.0, 7.25, 2.0, 9.0, 4.0, 4.0, 12.5, 0.5, 6.0]

    func testPercentileMatchesNumpy() throws {
        let expected: [(Double, Double)] = [
            (0, 0.5), (0.1, 0.95), (0.25, 2.375), (0.5, 4.0), (0.75, 6.9375),
            (0.9, 9.349999999999998), (0.95, 10.924999999999997), (0.99, 12.185), (1, 12.5),
        ]
        for (p, value) in expected {
            XCTAssertEqual(try XCTUnwrap(Statistics.percentile(sample, p)), value, accuracy: 1e-12, "p = \(p)")
        }
        XCTAssertEqual(Statistics.percentile([2, 4, 4, 4, 5, 5, 7, 9], 0.1)!, 3.4000000000000004, accuracy: 1e-12)
        XCTAssertEqual(Statistics.percentile([2, 4, 4, 4, 5, 5, 7, 9], 0.33)!, 4.0, accuracy: 1e-12)
    }

    func testMedian() {
        XCTAssertEqual(Statistics.median(sample), 4.0)
        XCTAssertEqual(Statistics.median([5, 1, 3]), 3)
        XCTAssertEqual(Statistics.median([5, 1, 3, 2]), 2.5)
        XCTAssertEqual(Statistics.median([42]), 42)
        XCTAssertNil(Statistics.median([]))
    }

    func testPercentileEdges() {
        XCTAssertNil(Statistics.percentile([], 0.5))
        XCTAssertNil(Statistics.percentile([1, 2], -0.1))
        XCTAssertNil(Statistics.percentile([1, 2], 1.1))
        XCTAssertNil(Statistics.percentile([1, 2], .nan))
        XCTAssertEqual(Statistics.percentile([1, .nan, 3], 0.5), 2, "NaN has no rank")
        XCTAssertNil(Statistics.percentile([.nan], 0.5))
        XCTAssertEqual(Statistics.percentile([7, 7, 7, 7], 0.3), 7)
        XCTAssertEqual(Statistics.percentile([-1e308, 1e308], 0.5), 0)
    }

    /// Selection agrees with sorting on many shapes of input.
    func testPercentileAgreesWithSortingOnRandomData() {
        var generator = FunctionsTestRandom(seed: 7)
        for trial in 0..<300 {
            let count = 1 + Int(generator.next() % 200)
            let distinct = 1 + Int(generator.next() % 50)
            var values = (0..<count).map { _ in Double(generator.next() % UInt64(distinct)) - 10 }
            if trial % 3 == 0 { values.sort() }
            if trial % 5 == 0 { values.sort(by: >) }
            let sorted = values.sorted()
            for p in [0, 0.01, 0.25, 0.5, 0.77, 0.99, 1] {
                let rank = p * Double(count - 1)
                let low = Int(rank.rounded(.down))
                let high = min(low + 1, count - 1)
                let expected = sorted[low] + (sorted[high] - sorted[low]) * (rank - Double(low))
                XCTAssertEqual(Statistics.percentile(values, p)!, expected, accuracy: 1e-9)
            }
        }
    }

    func testStddevMatchesNumpy() throws {
        XCTAssertEqual(try XCTUnwrap(Statistics.stddev(sample)), 3.7683808783673185, accuracy: 1e-13)
        XCTAssertEqual(try XCTUnwrap(Statistics.stddev([2, 4, 4, 4, 5, 5, 7, 9])), 2.138089935299395, accuracy: 1e-13)
        // Large values close together defeat the one-pass textbook formula.
        XCTAssertEqual(try XCTUnwrap(Statistics.stddev([1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4])), 1.2909944487358056, accuracy: 1e-9)
        XCTAssertEqual(Statistics.stddev([5, 5, 5]), 0)
        XCTAssertNil(Statistics.stddev([5]))
        XCTAssertNil(Statistics.stddev([]))
        XCTAssertNil(Statistics.stddev([1e308, -1e308]), "overflows to infinity")
    }

    func testRunningMomentsAgreeWithTwoPasses() throws {
        var moments = RunningMoments()
        XCTAssertNil(moments.mean)
        for value in sample { moments.add(value) }
        XCTAssertEqual(moments.count, sample.count)
        XCTAssertEqual(try XCTUnwrap(moments.mean), 4.975, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(moments.stddev), 3.7683808783673185, accuracy: 1e-12)
    }

    func testSumAndAverage() throws {
        XCTAssertEqual(Statistics.sum(sample), 49.75)
        XCTAssertEqual(Statistics.avg(sample), 4.975)
        XCTAssertNil(Statistics.sum([Double]()))
        XCTAssertNil(Statistics.avg([Double]()))
        // Compensated: a million cents add up to exactly 10 000.
        XCTAssertEqual(Statistics.sum([Double](repeating: 0.01, count: 1_000_000)), 10_000)
        XCTAssertEqual(Statistics.sum([1e100, 1.0, -1e100]), 1)
        XCTAssertEqual(try Statistics.sum([Int64(1), 2, 3]), 6)
        XCTAssertNil(try Statistics.sum([Int64]()))
        XCTAssertThrowsError(try Statistics.sum([Int64.max, 1]))
        XCTAssertEqual(try Statistics.sum([Int64.max, 1, -1]), .max, "only the total must fit")
        XCTAssertEqual(try Statistics.sum([Int64.min, -1, 1]), .min)
        XCTAssertThrowsError(try Statistics.sum([Int64.min, -1]))
        XCTAssertEqual(Statistics.avg([Int64.max, Int64.max]), 9.223372036854775807e18)
        XCTAssertEqual(Statistics.avg([Int64.min, Int64.min, Int64.min]), -9.223372036854775808e18)
        XCTAssertEqual(Statistics.avg([Int64(-3), 4]), 0.5)
        XCTAssertEqual(Statistics.avg([Int64(-3)]), -3)
        XCTAssertEqual(Statistics.avg([Int64.min, -5]), (-9.223372036854775808e18 - 5) / 2)
    }

    // MARK: - Population functions

    private let column: [Double?] = [10, 20, 20, 30, nil, 40]

    func testNtileAndQuintileWithTiesAndNulls() {
        // n = 5; below: 10 → 0, 20 → 1, 30 → 3, 40 → 4.
        XCTAssertEqual(PopulationStatistics.ntile(column, k: 5), [1, 2, 2, 4, nil, 5])
        XCTAssertEqual(PopulationStatistics.ntile(column, k: 2), [1, 1, 1, 2, nil, 2])
        XCTAssertEqual(PopulationStatistics.ntile(column, k: 1), [1, 1, 1, 1, nil, 1])
        XCTAssertEqual(PopulationStatistics.ntile(column, k: 100), [1, 21, 21, 61, nil, 81])
        XCTAssertEqual(PopulationStatistics.ntile(column, k: 0), [nil, nil, nil, nil, nil, nil])
        XCTAssertEqual(PopulationStatistics.ntile([7, 7, 7], k: 5), [1, 1, 1], "all tied: all lowest")
        XCTAssertEqual(PopulationStatistics.ntile([nil, nil], k: 5), [nil, nil])
        XCTAssertEqual(PopulationStatistics.ntile([], k: 5), [])
    }

    func testPercentRank() {
        XCTAssertEqual(PopulationStatistics.percentRank(column), [0, 0.25, 0.25, 0.75, nil, 1])
        XCTAssertEqual(PopulationStatistics.percentRank([nil, 3]), [nil, 0], "0 when n = 1")
    }

    func testRankCountsGreaterValues() {
        XCTAssertEqual(PopulationStatistics.rank(column), [5, 3, 3, 2, nil, 1])
        XCTAssertEqual(PopulationStatistics.rank([1, .nan, 2]), [2, nil, 1], "NaN counts as null")
    }

    func testShare() {
        let shares = PopulationStatistics.share(column)
        let expected: [Double?] = [1.0 / 12, 1.0 / 6, 1.0 / 6, 0.25, nil, 1.0 / 3]
        XCTAssertEqual(shares, expected)
        XCTAssertEqual(PopulationStatistics.share([-1, 1, nil]), [nil, nil, nil], "a zero total gives null")
        XCTAssertEqual(PopulationStatistics.share([-1, 3]), [-0.5, 1.5])
    }

    func testColumnLayoutWithNullBitmapAndOtherKeys() {
        let values: [Int64] = [10, 20, 20, 30, 0, 40]
        let nulls = NullBitmap(count: values.count) { $0 == 4 }
        let ntile = PopulationStatistics.ntile(values, nulls: nulls, k: 5)
        XCTAssertEqual(ntile.values, [1, 2, 2, 4, 0, 5])
        XCTAssertEqual((0..<6).map { ntile.nulls.isNull($0) }, [false, false, false, false, true, false])
        XCTAssertEqual(PopulationStatistics.rank(values, nulls: nulls).values, [5, 3, 3, 2, 0, 1])
        XCTAssertEqual(PopulationStatistics.percentRank(values, nulls: nulls).values, [0, 0.25, 0.25, 0.75, 0, 1])
        XCTAssertEqual(PopulationStatistics.share(values, nulls: nulls).values[5], 40.0 / 120)
        let zero = PopulationStatistics.share([Int64(0), 0], nulls: NullBitmap())
        XCTAssertTrue(zero.nulls.isNull(0) && zero.nulls.isNull(1))
        XCTAssertTrue(PopulationStatistics.ntile(values, nulls: nulls, k: -1).nulls.isNull(0))
        // Enum codes order like their symbols.
        let codes: [Int32] = [2, 0, 1, 2]
        XCTAssertEqual(PopulationStatistics.rank(codes, nulls: NullBitmap()).values, [1, 4, 3, 1])
        // NaN rows become null in the result even when the input marked them present.
        let withNaN = PopulationStatistics.ntile([1.0, .nan, 3.0], nulls: NullBitmap(), k: 2)
        XCTAssertEqual(withNaN.values, [1, 0, 2])
        XCTAssertTrue(withNaN.nulls.isNull(1))
    }

    func testPopulationLookupsForValuesOutsideIt() {
        let population = Population([Int64(10), 20, 20, 30])
        XCTAssertEqual(population.below(5), 0)
        XCTAssertEqual(population.below(25), 3)
        XCTAssertEqual(population.below(99), 4)
        XCTAssertEqual(population.above(20), 1)
        XCTAssertEqual(population.rank(99), 1)
        XCTAssertEqual(population.ntile(99, k: 5), 6, "below = n gives k + 1, only past the population")
        XCTAssertEqual(population.ntile(30, k: Int.max), 1 + Int64(Int.max / 4 * 3 + (Int.max % 4) * 3 / 4))
        XCTAssertNil(Population([Int64]()).ntile(1, k: 5))
        XCTAssertNil(Population([Int64]()).percentRank(1))
    }

    /// The population functions agree with counting by brute force.
    func testAgreesWithBruteForceOnRandomColumns() {
        var generator = FunctionsTestRandom(seed: 99)
        for _ in 0..<100 {
            let count = Int(generator.next() % 60)
            let column: [Double?] = (0..<count).map { _ in
                generator.next() % 5 == 0 ? nil : Double(generator.next() % 12)
            }
            let present = column.compactMap { $0 }
            let n = present.count
            let k = 1 + Int(generator.next() % 10)
            let ntile = PopulationStatistics.ntile(column, k: k)
            let percentRank = PopulationStatistics.percentRank(column)
            let rank = PopulationStatistics.rank(column)
            for (row, value) in column.enumerated() {
                guard let value else {
                    XCTAssertNil(ntile[row])
                    XCTAssertNil(rank[row])
                    continue
                }
                let below = present.filter { $0 < value }.count
                let above = present.filter { $0 > value }.count
                XCTAssertEqual(ntile[row], Double(1 + k * below / n))
                XCTAssertEqual(percentRank[row], n == 1 ? 0 : Double(below) / Double(n - 1))
                XCTAssertEqual(rank[row], Double(1 + above))
            }
        }
    }

    func testLargeColumnsAreFast() {
        var generator = FunctionsTestRandom(seed: 1)
        let values = (0..<300_000).map { _ in Double(generator.next() % 1_000_000) / 100 }
        let start = ContinuousClock.now
        let result = PopulationStatistics.ntile(values, nulls: NullBitmap(), k: 5)
        XCTAssertEqual(result.values.count, values.count)
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(20), "n log n, even unoptimised")
        let fifths = (1...5).map { quintile in result.values.filter { $0 == quintile }.count }
        for count in fifths { XCTAssertEqual(Double(count), 60_000, accuracy: 1_000) }
    }
}
