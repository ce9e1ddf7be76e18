import CRMQL
import Foundation
import Testing

/// `sum` and `avg` of a number field whose values are all whole hundredths
/// (money) are exact, and the same whichever plan computes them: the dense
/// grouping, the general grouping, a whole-query aggregate, a relation
/// aggregate over children stored in their parents' order or not.
@Suite struct ExactSumTests {
    /// Customers and their orders, the orders stored by customer (so a
    /// relation aggregate reads ranges) or shuffled (so it gathers).
    private func database(clustered: Bool, amounts: [Int64], extra: String? = nil) throws -> Database {
        let db = try Database(options: Database.Options(today: "2026-06-30"))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("exact-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var customers = "id,region\n"
        for id in 1...50 { customers += "\(id),\(["north", "south", "east"][id % 3])\n" }
        var lines: [String] = []
        for (index, cents) in amounts.enumerated() {
            let customer = index * 50 / amounts.count + 1
            let amount = index % 17 == 0 ? "" : String(format: "%@%lld.%02lld", cents < 0 ? "-" : "", abs(cents) / 100, abs(cents) % 100)
            lines.append("\(index + 1),\(customer),\(["web", "store"][index % 2]),\(amount)")
        }
        if let extra { lines.append(extra) }
        if !clustered { lines.reverse() }
        try customers.write(to: directory.appendingPathComponent("customers.csv"), atomically: true, encoding: .utf8)
        try ("id,customer,channel,amount\n" + lines.joined(separator: "\n") + "\n")
            .write(to: directory.appendingPathComponent("orders.csv"), atomically: true, encoding: .utf8)
        try db.execute("""
            create entity customers (id int key, region enum(north, south, east))
            create entity orders (id int key, customer ref customers, channel enum(web, store), amount number)
            load customers from "\(directory.appendingPathComponent("customers.csv").path)"
            load orders from "\(directory.appendingPathComponent("orders.csv").path)"
            """)
        return db
    }

    private func number(_ value: Value) -> Double? {
        if case .number(let x) = value { return x }
        return nil
    }

    @Test func moneySumsAreExactInEveryPlan() throws {
        var state: UInt64 = 7
        let amounts: [Int64] = (0..<3_000).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            // Many amounts that doubles cannot hold exactly, some large.
            return Int64((state >> 20) % 2_000_000) - 300_000
        }
        let present = amounts.indices.filter { $0 % 17 != 0 }
        let total = present.reduce(Int64(0)) { $0 + amounts[$1] }
        for clustered in [true, false] {
            let db = try database(clustered: clustered, amounts: amounts)
            let whole = try db.query("select orders show sum(amount), avg(amount)")
            #expect(number(whole.value(row: 0, column: 0)) == Double(total) / 100)
            #expect(number(whole.value(row: 0, column: 1)) == Double(total) / (100 * Double(present.count)))

            // Per channel: the dense grouping, and the general one.
            let dense = try db.query("select orders group by channel show channel, sum(amount), avg(amount)").rows
            let general = try db.query("select orders group by channel having true show channel, sum(amount), avg(amount)").rows
            #expect(dense == general)
            for (position, channel) in ["web", "store"].enumerated() {
                let rows = present.filter { $0 % 2 == position }
                let cents = rows.reduce(Int64(0)) { $0 + amounts[$1] }
                #expect(dense[position][0] == .text(channel) || "\(dense[position][0])".contains(channel))
                #expect(number(dense[position][1]) == Double(cents) / 100, "\(channel)")
                #expect(number(dense[position][2]) == Double(cents) / (100 * Double(rows.count)), "\(channel)")
            }

            // Per customer, as a relation aggregate over every customer
            // (ranges when clustered), over some (gathered), and grouped.
            let perCustomer = try db.query("select customers order by id show id, sum(orders.amount), avg(orders.amount)").rows
            let some = try db.query("select customers where region = north order by id show id, sum(orders.amount)").rows
            let grouped = try db.query("select orders group by customer.id show customer.id, sum(amount) order by customer.id").rows
            for row in perCustomer {
                guard case .int(let id) = row[0] else { Issue.record("id \(row[0])"); continue }
                let rows = present.filter { $0 * 50 / amounts.count + 1 == Int(id) }
                let cents = rows.reduce(Int64(0)) { $0 + amounts[$1] }
                #expect(number(row[1]) == (rows.isEmpty ? nil : Double(cents) / 100), "customer \(id), clustered \(clustered)")
                #expect(number(row[2]) == (rows.isEmpty ? nil : Double(cents) / (100 * Double(rows.count))))
                if let match = some.first(where: { $0[0] == row[0] }) { #expect(match[1] == row[1]) }
                if let match = grouped.first(where: { $0[0] == row[0] }) { #expect(match[1] == row[1]) }
            }
        }
    }

    /// Five amounts whose compensated sum in doubles is 7336008.630000001:
    /// added as cents, they give the cents back.
    @Test func centsComeBackWhereDoublesDrift() throws {
        let db = try Database(options: Database.Options(today: "2026-06-30"))
        try db.execute("""
            create entity payments (id int key, kind enum(card, cash), amount number)
            insert into payments (id, kind, amount) values (1, card, -1847825.17), (2, card, -8.08), (3, card, 9183837.31), (4, card, -1.14), (5, card, 5.71)
            """)
        for text in ["select payments show sum(amount)", "select payments group by kind show sum(amount)",
                     "select payments group by kind having true show sum(amount)"] {
            let result = try db.query(text)
            #expect(number(result.value(row: 0, column: 0)) == 7336008.63, "\(text)")
        }
    }

    @Test func aFieldWithAValueFinerThanACentSumsAsBefore() throws {
        // One amount of an eighth of a unit: the field is not money, and its
        // sums are compensated; the plans still agree. (The first order's
        // amount is null.)
        let db = try database(clustered: true, amounts: [100, 250, 399], extra: "999,1,web,0.125")
        let whole = try db.query("select orders show sum(amount)")
        #expect(number(whole.value(row: 0, column: 0)) == 6.615)
        let dense = try db.query("select orders group by channel show channel, sum(amount)").rows
        let general = try db.query("select orders group by channel having true show channel, sum(amount)").rows
        #expect(dense == general)
    }
}
