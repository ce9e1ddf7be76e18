import CRMQL
import Foundation

/// Data for the tests of hostile statements, generated on the spot: enough
/// rows that each family of statement runs for seconds in a debug build if
/// nothing stops it, few enough that generating and loading them takes
/// about a second.
///
/// - `customers`: id, name, city, score and a note of about 450 bytes of
///   words (the text that `matches` and `contains` scan);
/// - `orders`: id, a ref to a customer, one of 300 products, an amount and
///   the day it was placed (in 2024 or 2025), for the model fits and the
///   table functions over time.
final class HostileData: Sendable {
    static let customerCount = 30_000
    static let orderCount = 120_000

    /// A folder of its own, removed by nobody: the system's temporary folder
    /// is cleaned by the system.
    let folder: String
    let customersFile: String
    let ordersFile: String
    /// A snapshot of both entities, for a database that needs its own copy.
    let snapshot: String

    /// Generated once per test process.
    static let shared: HostileData = {
        do { return try HostileData() } catch { fatalError("cannot make the hostile test data: \(error)") }
    }()

    private init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("crmql-hostile-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        customersFile = folder + "/customers.csv"
        ordersFile = folder + "/orders.csv"
        snapshot = folder + "/both.crmqldb"
        var random = SplitMix(seed: 23)
        let words = ["alpha", "beta", "gamma", "delta", "acme", "order", "ship", "late", "call", "email", "north", "south"]
        var customers = Array("id,name,city,score,note\n".utf8)
        customers.reserveCapacity(Self.customerCount * 600)
        for id in 1...Self.customerCount {
            customers += Array("\(id),name \(random.next() % 1_000_000_000),city\(id % 500),\(random.next() % 100_000) ,".utf8)
            for word in 0..<80 {
                if word > 0 { customers.append(UInt8(ascii: " ")) }
                customers += Array(words[Int(random.next() % UInt64(words.count))].utf8)
            }
            customers.append(10)
        }
        var orders = Array("id,customer,product,amount,ordered_on\n".utf8)
        orders.reserveCapacity(Self.orderCount * 40)
        for id in 1...Self.orderCount {
            let customer = random.next() % UInt64(Self.customerCount) + 1
            let day = String(format: "%04d-%02d-%02d", 2024 + Int(random.next() % 2), 1 + Int(random.next() % 12), 1 + Int(random.next() % 28))
            orders += Array("\(id),\(customer),p\(random.next() % 300),\(random.next() % 100_000).\(random.next() % 90 + 10),\(day)\n".utf8)
        }
        try Data(customers).write(to: URL(fileURLWithPath: customersFile))
        try Data(orders).write(to: URL(fileURLWithPath: ordersFile))
        let db = try Database(options: .init(today: "2026-06-30"))
        try db.execute("load customers from \"\(customersFile)\"; load orders from \"\(ordersFile)\"; save \"\(snapshot)\"")
    }

    /// A database with both entities, opened from the snapshot.
    func database() throws -> Database {
        try Database(snapshot: snapshot, options: .init(today: "2026-06-30"))
    }

    /// What a statement that failed must have left as it was: the entities,
    /// the models, their row counts and a sum over every order.
    static func fingerprint(_ db: Database) throws -> String {
        let limits = db.limits
        db.limits = Database.Limits()
        defer { db.limits = limits }
        var text = "\(try db.query("show entities").rows)"
        text += ";" + "\(try db.query("show models").rows)"
        text += ";" + "\(try db.query("select count customers").value(row: 0, column: 0))"
        text += ";" + "\(try db.query("select orders show count(), sum(amount)").rows)"
        return text
    }
}

/// A small deterministic generator, so the data is the same on every run.
struct SplitMix {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
