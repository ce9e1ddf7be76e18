import CRMQL
import Foundation
import Testing

/// The BG/NBD and Gamma-Gamma fit sums its likelihood in chunks on the
/// session's threads, and `clv` runs over the customers in chunks: on data
/// of several chunks, one thread and two give the same parameters and the
/// same values to the last bit, and `clv`, `expected_orders` and `p_alive`
/// over every customer at once the same as row by row.
@Suite(.serialized) struct LifetimeModelThreadsTests {
    /// Orders of `customers` customers over two years, from a fixed
    /// sequence: enough distinct histories for several chunks.
    static func orders(customers: Int) throws -> String {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        var lines = ["id,customer,day,amount"]
        var id = 0
        for customer in 1...customers {
            // Each customer spends around a mean of its own, as the spend model assumes.
            let start = next(700), count = 1 + next(8), mean = 3 * (1 + next(20)) * (1 + next(20))
            for _ in 0..<count {
                id += 1
                let day = Calendar(identifier: .gregorian).date(byAdding: .day, value: start + next(730 - start),
                                                                 to: Date(timeIntervalSince1970: 1_640_995_200))!
                let text = ISO8601DateFormatter.string(from: day, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
                lines.append("\(id),\(customer),\(text),\(mean / 2 + next(mean)).\(10 + next(90))")
            }
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crmql-threads-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("orders.csv").path
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func fitted(_ path: String, threads: Int) throws -> (parameters: [String: Double], clv: [Double], rowByRow: [Double]) {
        func values(_ db: Database, _ query: String) throws -> [Double] {
            try db.query(query).rows.flatMap { $0.map { $0.doubleValue ?? .nan } }
        }
        let db = try Database()
        try db.execute("""
            set threads = \(threads)
            load orders from "\(path)"
            set today = 2024-01-15
            model m = bgnbd(orders, who: customer, at: day, spend: amount)
            """)
        var parameters: [String: Double] = [:]
        for row in try db.query("describe model m").rows {
            if case .text(let name) = row[0], let value = row[1].doubleValue { parameters[name] = value }
        }
        let clv = try values(db, "select m order by id show clv(m, id, 12), expected_orders(m, id, 13), p_alive(m, id)")
        // Arguments that differ by row (here only in form) take the path
        // row by row; the table's p_alive is computed customer by customer.
        let rowByRow = try values(db, "select m order by id show clv(m, id, 12 + 0 * frequency), expected_orders(m, id, 13 + 0 * frequency), p_alive")
        return (parameters, clv, rowByRow)
    }

    @Test func oneThreadAndTwoFitAndPredictTheSame() throws {
        let path = try Self.orders(customers: 12_000)
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let one = try fitted(path, threads: 1), two = try fitted(path, threads: 2)
        #expect((one.parameters["customers"] ?? 0) > 10_000)
        #expect(one.parameters == two.parameters)
        #expect(one.clv.count == two.clv.count)
        #expect(one.clv.map(\.bitPattern) == two.clv.map(\.bitPattern))
        #expect(one.clv.contains { $0 > 0 })
        #expect(one.clv.map(\.bitPattern) == one.rowByRow.map(\.bitPattern))
    }
}
