import CRMQL
import Foundation
import Testing

/// A query grouped by stored enum or bool fields, showing those keys and
/// count, sum or avg of stored fields, runs in one pass per aggregate
/// (`DenseAggregation`). `having true` keeps every group but sends the same
/// query down the general path, so the two must print the same.
@Suite struct DenseAggregationTests {
    private func render(_ db: Database, _ text: String) -> String {
        do {
            return ResultRenderer.render(try db.query(text), options: RenderOptions(format: .csv))
        } catch {
            return "error: \(error.message)"
        }
    }

    private func assertSameBothWays(_ db: Database, entity: String, where condition: String = "", groupBy: String,
                                    show: String, tail: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
        let head = "select \(entity)\(condition.isEmpty ? "" : " where \(condition)") group by \(groupBy)"
        let dense = render(db, "\(head) show \(show) \(tail)")
        let general = render(db, "\(head) having true show \(show) \(tail)")
        #expect(dense == general, "\(head) show \(show) \(tail)", sourceLocation: sourceLocation)
        #expect(!dense.hasPrefix("error"), "\(dense)", sourceLocation: sourceLocation)
    }

    @Test func theDemoGroupsTheSameEitherWay() throws {
        let db = try Database(options: Database.Options(today: "2026-06-30"))
        try db.loadDemo()
        assertSameBothWays(db, entity: "orders", where: "placed in last 90 days", groupBy: "category",
                           show: "category, count(), sum(amount)")
        assertSameBothWays(db, entity: "orders", where: "customer.region = north and amount > 500", groupBy: "channel",
                           show: "channel, count()")
        assertSameBothWays(db, entity: "customers", groupBy: "region, stage",
                           show: "region, stage, count(), avg(loyalty), count(loyalty), sum(points), avg(points)")
        assertSameBothWays(db, entity: "customers", groupBy: "stage, region",
                           show: "count(), stage, sum(service_cost)", tail: "order by count() desc, stage limit 4 offset 1")
        assertSameBothWays(db, entity: "orders", groupBy: "product", show: "product, sum(quantity), avg(cost)",
                           tail: "order by sum(quantity) desc limit 5")
        assertSameBothWays(db, entity: "interactions", groupBy: "kind, outcome", show: "kind, outcome, count(score), avg(score)")
        assertSameBothWays(db, entity: "orders", where: "amount > 1e12", groupBy: "category", show: "category, count(), sum(amount)")
    }

    @Test func nullKeysBoolKeysAndWideEnumsGroupTheSameEitherWay() throws {
        let db = try Database(options: Database.Options(today: "2026-06-30"))
        let symbols = (0..<300).map { "s\($0)" }.joined(separator: ", ")
        try db.execute("""
            create entity things (id int key, color enum(red, green, blue), big enum(\(symbols)), ok bool, n int, x number)
            insert into things (id, color, big, ok, n, x) values (1, red, s299, true, 5, 1.5), (2, null, s1, null, null, 2.25), (3, blue, s299, false, 7, null), (4, red, null, true, -2, 0.1), (5, null, s1, false, 1, 0.2), (6, green, s3, true, null, null)
            """)
        assertSameBothWays(db, entity: "things", groupBy: "color", show: "color, count(), count(n), sum(n), avg(n), sum(x), avg(x)")
        assertSameBothWays(db, entity: "things", groupBy: "ok, color", show: "ok, color, count(), sum(x)")
        assertSameBothWays(db, entity: "things", groupBy: "big", show: "big, count(), sum(n)", tail: "order by big desc")
        assertSameBothWays(db, entity: "things", where: "id > 2", groupBy: "color, ok", show: "color, ok, count()")
        #expect(render(db, "select things group by color show color, count(), sum(n)") == "color,count(),sum(n)\nred,2,3\ngreen,1,\nblue,1,7\n,2,1\n")
    }

    /// A where clause of column tests keeps its rows as a bitmap, which the
    /// dense grouping reads 2,048 rows at a time: many chunks, nulls in
    /// keys and aggregated fields, and sums that run across chunk edges.
    @Test func aBitmapOfManyChunksGroupsTheSameEitherWay() throws {
        let db = try Database(options: Database.Options(today: "2026-06-30"))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("dense-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: file) }
        var csv = "id,color,ok,n,x\n"
        for row in 0..<20_000 {
            let color = ["red", "green", "blue", ""][row * 7 % 4]
            let ok = ["true", "false", ""][row % 3]
            let n = row % 11 == 0 ? "" : String(row % 1000 - 300)
            let x = row % 13 == 0 ? "" : String(Double(row % 977) / 8 + 0.01)
            csv += "\(row),\(color),\(ok),\(n),\(x)\n"
        }
        try csv.write(to: file, atomically: true, encoding: .utf8)
        try db.execute("load things from \"\(file.path)\"")
        assertSameBothWays(db, entity: "things", where: "x > 3 and color != blue", groupBy: "color",
                           show: "color, count(), count(n), sum(n), avg(n), count(x), sum(x), avg(x)")
        assertSameBothWays(db, entity: "things", where: "n >= 0", groupBy: "ok, color", show: "ok, color, count(), sum(x), avg(x)")
        assertSameBothWays(db, entity: "things", where: "id >= 0", groupBy: "color", show: "color, count(), sum(n), sum(x)")
    }

    @Test func aMemoryLimitStopsADenseGroupingAsItStopsTheGeneralOne() throws {
        let db = try Database(options: Database.Options(today: "2026-06-30"))
        try db.loadDemo()
        db.limits = Database.Limits(maxMemoryBytes: 8 << 10)
        for text in ["select orders group by category show category, sum(amount)",
                     "select orders group by category having true show category, sum(amount)"] {
            let error = #expect(throws: CRMQLError.self) { try db.query(text) }
            #expect(error?.phase == .limit, "\(text): \(error?.description ?? "")")
        }
    }

    @Test func anIntSumThatOverflowsFailsTheSameEitherWay() throws {
        let db = try Database(options: Database.Options(today: "2026-06-30"))
        try db.execute("""
            create entity big (id int key, color enum(red, blue), n int)
            insert into big (id, color, n) values (1, red, 9223372036854775807), (2, red, 1), (3, blue, 1)
            """)
        let dense = render(db, "select big group by color show color, sum(n)")
        #expect(dense.contains("integer overflow in sum"))
        #expect(dense == render(db, "select big group by color having true show color, sum(n)"))
    }
}
