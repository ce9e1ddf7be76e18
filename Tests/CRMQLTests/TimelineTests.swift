import CRMQL
import Foundation
import Testing

/// Customers over time on the generated demo data: a query `as of` a date
/// answers what a session holding only the events up to that date answers,
/// and `retention`/`cohorts` agree with a direct count of each customer's
/// active periods.
@Suite(.serialized) struct TimelineTests {
    private static let measures = """
        id, revenue, order_count, first_order, last_order, recency, r_score, f_score, m_score, rfm, rfm_segment,
        value, value_class, complaints_open, churn_risk, count(orders) as orders, count(interactions) as interactions
        """

    private func demo() throws -> Database {
        let db = try Database(options: Database.Options(today: "2026-06-30"))
        try db.loadDemo()
        return db
    }

    @Test(arguments: ["2019-06-30", "2025-12-31", "2026-03-15"])
    func asOfEqualsASessionHoldingOnlyTheEventsUpToTheDate(_ date: String) throws {
        let viewed = try demo().query("select customers as of \(date) order by id show \(Self.measures)")

        let truncated = try demo()
        try truncated.execute("""
            delete orders where placed > \(date)
            delete interactions where at > \(date)
            set today = \(date)
            """)
        let fresh = try truncated.query("select customers order by id show \(Self.measures)")
        #expect(viewed.columnNames == fresh.columnNames)
        #expect(viewed.rowCount == fresh.rowCount)
        #expect(viewed.rowCount == 10_000)
        var differing = 0
        let viewedRows = viewed.rows, freshRows = fresh.rows
        for row in 0..<min(viewedRows.count, freshRows.count) where viewedRows[row] != freshRows[row] {
            differing += 1
            if differing <= 3 { Issue.record("customer row \(row): as of \(viewedRows[row]) but fresh \(freshRows[row])") }
        }
        #expect(differing == 0)

        // The session itself is untouched: its measures are today's again.
        let db = try demo()
        let before = try db.query("select customers group by rfm_segment show rfm_segment, count() order by rfm_segment").rows
        _ = try db.query("select customers as of \(date) group by rfm_segment show count()")
        let after = try db.query("select customers group by rfm_segment show rfm_segment, count() order by rfm_segment").rows
        #expect(before == after)
    }

    @Test func transitionsCountEachCustomersStatesOnBothDates() throws {
        let db = try demo()
        let matrix = try db.query("select transitions(customers, of: rfm_segment, from: 2025-12-31, to: 2026-06-30)")
        let before = try db.query("select customers as of 2025-12-31 order by id show rfm_segment").rows.map { $0[0] }
        let after = try db.query("select customers as of 2026-06-30 order by id show rfm_segment").rows.map { $0[0] }
        var expected: [String: Int] = [:]
        for (a, b) in zip(before, after) { expected["\(a)→\(b)", default: 0] += 1 }
        var got: [String: Int] = [:]
        var shareByState: [String: Double] = [:]
        for row in matrix.rows {
            guard case .int(let count) = row[2], case .number(let share) = row[3] else { Issue.record("bad row \(row)"); continue }
            got["\(row[0])→\(row[1])"] = Int(count)
            shareByState["\(row[0])", default: 0] += share
        }
        #expect(got == expected)
        for (state, total) in shareByState { #expect(abs(total - 1) < 1e-9, "row \(state) sums to \(total)") }
    }

    /// Each customer's active periods, counted directly with sets.
    private func directCounts(_ db: Database, _ filter: String, period: (Int64) -> Int64) throws
        -> (active: [Int64: Int], new: [Int64: Int], retained: [Int64: Int], cohort: [Int64: Set<Int64>], periods: [Int64: Set<Int64>]) {
        let rows = try db.query("select orders \(filter) show customer, placed").rows
        var periods: [Int64: Set<Int64>] = [:]
        for row in rows {
            guard case .int(let customer) = row[0], case .date(let day) = row[1] else { continue }
            periods[customer, default: []].insert(period(day))
        }
        var active: [Int64: Int] = [:], new: [Int64: Int] = [:], retained: [Int64: Int] = [:], cohort: [Int64: Set<Int64>] = [:]
        for (customer, set) in periods {
            let first = set.min()!
            new[first, default: 0] += 1
            cohort[first, default: []].insert(customer)
            for p in set {
                active[p, default: 0] += 1
                if set.contains(p - 1) { retained[p, default: 0] += 1 }
            }
        }
        return (active, new, retained, cohort, periods)
    }

    /// A month as a number that the month before is one less than.
    private static func month(_ day: Int64) -> Int64 {
        var components = DateComponents()
        let date = Date(timeIntervalSince1970: TimeInterval(day) * 86_400)
        components = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        return Int64(components.year!) * 12 + Int64(components.month! - 1)
    }

    @Test(arguments: ["", "where channel = web"])
    func retentionAndCohortsAgreeWithADirectCount(_ filter: String) throws {
        let db = try demo()
        let direct = try directCounts(db, filter, period: Self.month)
        let source = filter.isEmpty ? "orders" : "orders \(filter)"
        let retention = try db.query("select retention(\(source), every: month) show period, active, new, retained, lost, returning")
        #expect(retention.rowCount > 12)
        for row in retention.rows {
            guard case .date(let start) = row[0], case .int(let active) = row[1], case .int(let new) = row[2],
                  case .int(let retained) = row[3], case .int(let lost) = row[4], case .int(let returning) = row[5] else {
                Issue.record("bad row \(row)")
                continue
            }
            let p = Self.month(start)
            #expect(Int(active) == direct.active[p, default: 0], "active in \(row[0])")
            #expect(Int(new) == direct.new[p, default: 0], "new in \(row[0])")
            #expect(Int(retained) == direct.retained[p, default: 0], "retained in \(row[0])")
            #expect(Int(lost) == direct.active[p - 1, default: 0] - direct.retained[p, default: 0], "lost in \(row[0])")
            #expect(Int(returning) == Int(active) - Int(new) - Int(retained), "returning in \(row[0])")
        }

        let cohorts = try db.query("select cohorts(\(source), every: month) where customers > 0 and period <= 6")
        #expect(cohorts.rowCount > 0)
        for row in cohorts.rows {
            guard case .date(let start) = row[0], case .int(let k) = row[1], case .int(let size) = row[2],
                  case .int(let active) = row[3] else {
                Issue.record("bad row \(row)")
                continue
            }
            let first = Self.month(start)
            let members = direct.cohort[first, default: []]
            #expect(Int(size) == members.count)
            let expected = members.filter { direct.periods[$0]!.contains(first + k) }.count
            #expect(Int(active) == expected, "cohort \(row[0]) + \(k)")
        }
    }
}
