import XCTest
import CRMQLCore
@testable import CRMQLEngine

/// The period grid numbers periods so that "the one before" is one less, and
/// agrees with `trunc`'s periods; the timeline's counts agree with sets.
final class CustomerTimelineTests: XCTestCase {
    private let periods: [DatePeriod] = [.week, .month, .quarter, .year, .fiscalQuarter(start: 4), .fiscalYear(start: 7)]

    func testGridAgreesWithTruncAndIsConsecutive() {
        for period in periods {
            let grid = PeriodGrid(period)
            // Across leap years, year ends and day 0, before and after 1970.
            for day in stride(from: Int64(-800_000), through: 800_000, by: 97) {
                let ordinal = grid.ordinal(day)
                XCTAssertEqual(grid.start(ordinal), period.start(of: day), "\(period) \(day)")
                XCTAssertEqual(grid.ordinal(grid.start(ordinal + 1)), ordinal + 1, "\(period) \(day)")
                XCTAssertEqual(grid.ordinal(grid.start(ordinal) - 1), ordinal - 1, "\(period) \(day)")
            }
            let table = grid.table(low: -1000, high: 1000, base: grid.ordinal(-1000))
            for day in Int64(-1000)...1000 {
                XCTAssertEqual(Int64(table![Int(day + 1000)]), grid.ordinal(day) - grid.ordinal(-1000))
            }
        }
    }

    func testCountsAgreeWithSets() throws {
        var random = DemoRandom(seed: 7)
        for _ in 0..<20 {
            let customers = 1 + random.below(41)
            let periodCount = 1 + random.below(13)
            let events = random.below(301)
            var customer: [Int32] = [], period: [Int32] = []
            var sets = [Set<Int>](repeating: [], count: customers)
            for _ in 0..<events {
                let c = random.below(customers), p = random.below(periodCount)
                customer.append(Int32(c))
                period.append(Int32(p))
                sets[c].insert(p)
            }
            let cohorts = 0...(periodCount - 1)
            let timeline = try CustomerTimeline(customer: customer, period: period, customers: customers,
                                                periodCount: periodCount, cohorts: cohorts, check: {})
            for p in 0..<periodCount {
                XCTAssertEqual(timeline.active[p], sets.filter { $0.contains(p) }.count)
                XCTAssertEqual(timeline.new[p], sets.filter { $0.min() == p }.count)
                XCTAssertEqual(timeline.retained[p], sets.filter { $0.contains(p) && $0.contains(p - 1) }.count)
            }
            for first in cohorts {
                for k in 0...(periodCount - 1 - first) {
                    let expected = sets.filter { $0.min() == first && $0.contains(first + k) }.count
                    XCTAssertEqual(timeline.cohortActive[timeline.cohortRow[first] + k], expected)
                }
            }
        }
    }
}
