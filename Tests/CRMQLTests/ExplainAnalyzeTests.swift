import CRMQL
import Foundation
import Testing

/// `explain analyze` runs the where clause as the query runs it, one
/// pipeline that may keep the rows as a bitmap between conjuncts, and each
/// step's "actual" rows must be what the conjuncts up to it keep.
@Suite struct ExplainAnalyzeTests {
    private func explain(_ db: Database, _ query: String) throws -> [String] {
        var text = ""
        for output in try db.execute("explain analyze \(query)") {
            if case .text(let message) = output { text += message }
        }
        return text.split(separator: "\n").map(String.init)
    }

    private func count(_ db: Database, _ entity: String, _ condition: String) throws -> Int {
        let result = try db.query("select count \(entity) where \(condition)")
        return try #require(result.rows.first?.first.flatMap { if case .int(let n) = $0 { return Int(n) } else { return nil } })
    }

    /// The FILTER steps from the bottom (first run) up, with their actual rows.
    private func steps(_ lines: [String]) -> [(condition: String, rows: Int)] {
        lines.reversed().compactMap { line in
            guard let filter = line.range(of: "FILTER "), let estimate = line.range(of: " ["),
                  let actual = line.range(of: "[actual ") else { return nil }
            var condition = String(line[filter.upperBound..<estimate.lowerBound])
            if let through = condition.range(of: " THROUGH ") { condition = String(condition[..<through.lowerBound]) }
            let digits = line[actual.upperBound...].prefix { $0.isNumber }
            return (condition, Int(digits) ?? -1)
        }
    }

    @Test func eachStepReportsTheRowsItsConjunctsKeep() throws {
        let db = try Database(options: Database.Options(today: "2026-06-30"))
        try db.loadDemo()
        let values = (1...3000).map { id in
            let color = id % 7 == 0 ? "null" : ["red", "green", "blue"][id % 3]
            let size = id % 11 == 0 ? "null" : String(id % 13)
            return "(\(id), \(color), \(size), \(Double(id % 97) / 4))"
        }
        try db.execute("""
            create entity things (id int key, color enum(red, green, blue), size int, weight number)
            insert into things (id, color, size, weight) values \(values.joined(separator: ", "))
            """)
        let cases: [(String, String)] = [
            ("things", "size >= 1 and weight > 2 and id > 100"),
            ("things", "weight > 1 and size between 2 and 11 and color != blue"),
            ("things", "id > 10 and weight < 0"),
            ("orders", "customer.region = north and amount > 500 and quantity >= 1"),
            ("customers", "points between 1000 and 1100 and loyalty > 0.5 and name contains \"a\""),
        ]
        for (entity, condition) in cases {
            let lines = try explain(db, "select \(entity) where \(condition) show id")
            let found = steps(lines)
            #expect(!found.isEmpty, "\(lines)")
            var prefix: [String] = []
            for step in found {
                prefix.append("(\(step.condition))")
                let expected = try count(db, entity, prefix.joined(separator: " and "))
                #expect(step.rows == expected, "\(entity) where \(condition): after \(prefix): \(lines.joined(separator: "\n"))")
            }
            #expect(found.last?.rows == (try count(db, entity, condition)), "\(condition)")
        }
    }
}
