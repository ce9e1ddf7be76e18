// A Swift program that embeds CRMQL: it loads data, registers a function of
// its own, prepares a query once, runs it with different parameter values,
// and decodes the rows into structs. `swift run crmql-host-example`.
import CRMQL
import Foundation

/// One row of the query below; properties read the columns of their names.
struct Customer: Decodable {
    let name: String
    let region: String
    let revenue: Double
    let margin: Double?
}

do {
    // The built-in demo data: a made-up company's customers, orders and contacts.
    let db = try Database.demo()
    // A few rows of the host's own, through a statement with parameters.
    try db.execute("create entity targets (region text key, goal number)")
    for (region, goal) in [("north", 25_000.0), ("south", 20_000.0)] {
        try db.execute("insert into targets (region, goal) values ($region, $goal)", parameters: ["region": region, "goal": goal])
    }

    // A function queries can call: the share of revenue that is value.
    try db.register("margin", arity: 2) { arguments in
        guard let revenue = arguments[0].doubleValue, let value = arguments[1].doubleValue, revenue != 0 else { return .null }
        return .number((value / revenue * 1000).rounded() / 1000)
    }

    // Parsed once, run for each region with its goal.
    let best = try db.prepare("""
        select customers where region = $region and revenue >= $goal
        order by revenue desc limit 3
        show name, region, revenue, margin(revenue, value) as margin
        """)
    for target in try db.query("select targets order by region") {
        let region: String = try target.get("region")
        let goal: Double = try target.get("goal")
        print("\(region): customers with revenue of at least \(Int(goal))")
        for customer in try best.query(parameters: ["region": region, "goal": goal], as: Customer.self) {
            print("  \(customer.name)  \(customer.revenue)  margin \(customer.margin.map { "\($0)" } ?? "-")")
        }
    }
} catch {
    // The error's description names the statement and its position, never the parameter values.
    print(error)
    exit(1)
}
