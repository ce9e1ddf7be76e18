import CRMQLCore
import CRMQLStorage
import CRMQLSyntax
import Foundation
@testable import CRMQLEngine

/// The repository's scripts (golden tests, examples) and the benchmark's
/// queries, run statement by statement in an engine-level session: what the
/// plan tests run both ways.
enum ScriptCorpus {
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The benchmark's queries (`Benchmarks/bench.py` and the broad
    /// workload's `Benchmarks/broad.py`), over the demo data.
    static let benchmarkQueries = [
        "select count customers where loyalty > 0.8 and stage = mature",
        "select customers where id = 4242 show id, name, stage",
        "select count customers where points between 1000 and 1100",
        "select customers group by region, stage show region, stage, count(), avg(loyalty)",
        "select customers order by points desc limit 10 show id, name, points",
        "select count customers where name contains \"acme\"",
        "select orders where placed in last 90 days group by category show category, count(), sum(amount)",
        "select customers where sum(orders.amount) > 5000 show id, name, sum(orders.amount) as spend order by spend desc limit 20",
        "select count customers where stage = mature and not exists(interactions where kind = complaint and outcome = open)",
        "select orders where customer.region = north and amount > 500 group by channel show channel, count()",
        // The broad workload (Benchmarks/broad.py): its queries, not its statements.
        "select customers group by tier show tier, sum(revenue), avg(revenue)",
        "select customers group by stage show stage, avg(order_count), max(order_count)",
        "select customers where first_order >= 2026-01-01 group by region show region, count()",
        "select customers group by year(last_order) as y show y, count()",
        "select count customers where recency <= 30",
        "select customers group by region show region, avg(satisfaction)",
        "select customers order by value desc limit 10 show id, value",
        "select customers group by r_score show r_score, count()",
        "select customers group by f_score show f_score, count()",
        "select customers group by m_score show m_score, count()",
        "select customers group by rfm show rfm, count() as n order by n desc, rfm limit 10",
        "select customers group by rfm_segment show rfm_segment, count()",
        "select customers group by value_class show value_class, count(), sum(value)",
        "select count customers where complaints_open > 0",
        "select customers where churn_risk is not null group by stage show stage, count(), avg(churn_risk)",
        "select count customers where ntile(points, 10) = 10",
        "select customers where rank(points, by: region) <= 3 show region, id, points order by region, points desc",
        "select customers group by region show region, sum(share(points))",
        "select customers where percent_rank(service_cost) >= 0.9 group by kind show kind, count()",
        "select orders where customer <= 20 show id, customer, placed, amount, running_sum(amount, order: placed, by: customer)",
        "select orders group by category show category, count(distinct customer)",
        "select orders show count(distinct product), count(distinct basket), count(distinct customer)",
        "select customers order by service_cost desc nulls last limit 10 show id, name, service_cost",
        "select orders order by amount desc limit 100 show id, customer, amount",
        "select orders where category = laptops and placed >= 2026-01-01 order by amount desc limit 100 show id, amount",
        "select customers order by expected desc, loyalty limit 20 show id, expected, loyalty",
        "select customers where kind = business order by name limit 20 offset 100 show id, name",
        "select count customers where name starts with \"acme\"",
        "select customers where email ends with \".org\" group by region show region, count()",
        "select count customers where email contains \"garcia\"",
        "select count customers where name matches \"^[A-Z][a-z]+ (Smith|Lee)$\"",
        "select orders where product contains \"phone\" group by product show product, count()",
        "select count customers where count(orders where channel = web and amount > 100) >= 3",
        "select customers where stage = mature show id, sum(orders.amount where category = phones) as phones order by phones desc nulls last limit 10",
        "select customers where max(interactions.score) = 5 group by tier show tier, count()",
        "select count customers where exists(orders where category = laptops and placed in last 365 days)",
        "select customers where region = overseas and kind = business show id, count(orders), max(orders.placed), avg(interactions.score) order by id limit 50",
        "select orders where customer.stage = churned and customer.kind = business group by category show category, count(), sum(amount)",
        "select interactions where customer.tier = platinum and kind = complaint group by customer.region as region show region, count()",
        "select orders where customer.value_class = \"key\" group by channel show channel, count(), sum(amount)",
        "select rules(orders, item: product, by: basket, support: 0.02, confidence: 0.3)",
        "let big = select customers where revenue > 2000; let big_north = select big where region = north; select big_north group by tier show tier, count(), avg(loyalty)",
        "let spend = select orders group by customer show customer, sum(amount) as spend; select spend where spend > 10000 show count(), avg(spend)",
        "select orders where placed >= 2024-01-01 group by year(placed) as y, quarter(placed) as q show y, q, count(), sum(amount)",
        "select orders where placed in last quarter group by category show category, sum(amount), avg(quantity)",
        "select orders group by weekday(placed) as wd show wd, count()",
        "select orders group by channel show channel, median(amount), percentile(amount, 0.9)",
        "select customers group by stage show stage, stddev(loyalty), avg(loyalty)",
        "select orders group by customer show customer, count() as lines having count() > 40 order by lines desc limit 20",
        "select customers group by case when points >= 5000 then \"high\" when points >= 1000 then \"mid\" else \"low\" end as band show band, count(), avg(loyalty)",
        "select count orders where channel in (web, store) and placed between 2025-01-01 and 2025-06-30 and quantity >= 2",
        "select interactions where at in last 30 days group by kind, outcome show kind, outcome, count()",
        "select orders group by product show product, sum(amount - cost) as margin, avg(quantity) order by margin desc limit 10",
    ]

    /// Every `.crmql` script of the golden tests and the examples, by path
    /// relative to the repository, with whether it runs on the demo data.
    static func scripts() -> [(path: String, demo: Bool)] {
        var found: [(String, Bool)] = []
        for folder in ["Tests/CRMQLTests/Golden", "Examples"] {
            let directory = repositoryRoot.appendingPathComponent(folder)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            for name in names.sorted() where name.hasSuffix(".crmql") {
                let path = folder + "/" + name
                let text = (try? String(contentsOf: repositoryRoot.appendingPathComponent(path), encoding: .utf8)) ?? ""
                found.append((path, folder == "Examples" || text.hasPrefix("-- setup: demo")))
            }
        }
        return found
    }

    static func session(demo: Bool, fastPaths: Bool = true) -> Interpreter {
        let interpreter = Interpreter(options: SessionOptions(today: DateParsing.parseDate("2026-06-30")), interrupt: InterruptFlag())
        if demo { interpreter.loadDemo() }
        if !fastPaths { run(interpreter, SourceFile(name: "<setting>", text: "set fast_paths = off")) }
        return interpreter
    }

    /// Runs each statement of `source`, going on after failures; calls
    /// `visit` with each statement before it runs and what it printed or
    /// the error it gave after.
    @discardableResult
    static func run(_ interpreter: Interpreter, _ source: SourceFile,
                    before: (Statement) -> Void = { _ in }) -> [String] {
        let (script, _) = Parser.parse(source)
        var outputs: [String] = []
        for statement in script.statements {
            before(statement)
            var text = ""
            do {
                try interpreter.execute(statement, source) { output in
                    switch output {
                    case .rows(let names, let columns):
                        text += names.joined(separator: "|") + "\n"
                        let count = columns.first?.count ?? 0
                        for row in 0..<count {
                            text += columns.map { ValueFormatter.plain($0.value(at: row)) }.joined(separator: "|") + "\n"
                        }
                    case .message(let message), .text(let message), .document(_, let message):
                        text += message + "\n"
                    }
                }
            } catch {
                text += "error: \(error)"
            }
            outputs.append(text)
        }
        return outputs
    }

    /// Runs a script from its own folder, so its relative file names resolve.
    @discardableResult
    static func inFolder<T>(of path: String, _ body: () throws -> T) rethrows -> T {
        let previous = FileManager.default.currentDirectoryPath
        _ = FileManager.default.changeCurrentDirectoryPath(repositoryRoot.appendingPathComponent(path).deletingLastPathComponent().path)
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
        return try body()
    }

    static func source(_ path: String) throws -> SourceFile {
        SourceFile(name: (path as NSString).lastPathComponent,
                   text: try String(contentsOf: repositoryRoot.appendingPathComponent(path), encoding: .utf8))
    }
}
