import CRMQL
import Foundation
import Testing

// MARK: - Queries

/// One CRMQL query and the SQL that must give the same rows in the same order.
struct DifferentialQuery: Sendable {
    let crmql: String
    let sql: String
    /// Turns SQLite's rows into the expected ones, for what SQLite lacks
    /// (median, percentile, stddev); nil when SQLite's rows are the expected ones.
    var expected: (@Sendable ([[Cell]]) -> [[Cell]])? = nil
    /// Why crmql is known to disagree with the contract here; nil when it agrees.
    var knownIssue: String? = nil

    private static let customerFields = "id, name, region, tier, loyalty, points, signup"

    /// The name of a tier from its rank (the `tier_rank` column's inverse).
    private static func tierName(_ rank: String) -> String {
        "CASE \(rank) WHEN 0 THEN 'bronze' WHEN 1 THEN 'silver' WHEN 2 THEN 'gold' WHEN 3 THEN 'platinum' END"
    }

    static let all: [DifferentialQuery] = filters + ordering + grouping + relations + scalars + dates + periods + statistics + windows

    static let filters: [DifferentialQuery] = [
        .init(crmql: "select customers where points > 100 and loyalty >= 0.5",
              sql: "SELECT \(customerFields) FROM customers WHERE points > 100 AND loyalty >= 0.5 ORDER BY rowid"),
        .init(crmql: "select customers where not (points > 0) show id, points",
              sql: "SELECT id, points FROM customers WHERE NOT (points > 0) ORDER BY rowid"),
        .init(crmql: "select customers where points > 500 or loyalty > 0.9 or region = west show id, points, loyalty, region",
              sql: "SELECT id, points, loyalty, region FROM customers WHERE points > 500 OR loyalty > 0.9 OR region = 'west' ORDER BY rowid"),
        .init(crmql: "select customers where not (region = north or tier = gold) show id, region, tier",
              sql: "SELECT id, region, tier FROM customers WHERE NOT (region = 'north' OR tier = 'gold') ORDER BY rowid"),
        .init(crmql: "select customers where points between -50 and 50 show id, points",
              sql: "SELECT id, points FROM customers WHERE points BETWEEN -50 AND 50 ORDER BY rowid"),
        .init(crmql: "select customers where not (loyalty between 0.2 and 0.8) show id, loyalty",
              sql: "SELECT id, loyalty FROM customers WHERE NOT (loyalty BETWEEN 0.2 AND 0.8) ORDER BY rowid"),
        .init(crmql: "select customers where region in (north, east) show id, region",
              sql: "SELECT id, region FROM customers WHERE region IN ('north', 'east') ORDER BY rowid"),
        .init(crmql: "select customers where region not in (north, east) show id, region",
              sql: "SELECT id, region FROM customers WHERE region NOT IN ('north', 'east') ORDER BY rowid"),
        .init(crmql: "select customers where points not in (10, 20, null) show id",
              sql: "SELECT id FROM customers WHERE points NOT IN (10, 20, NULL) ORDER BY rowid"),
        .init(crmql: "select customers where points in (0, 100, null) show id, points",
              sql: "SELECT id, points FROM customers WHERE points IN (0, 100, NULL) ORDER BY rowid"),
        .init(crmql: "select customers where tier is null or signup is null show id, tier, signup",
              sql: "SELECT id, tier, signup FROM customers WHERE tier IS NULL OR signup IS NULL ORDER BY rowid"),
        .init(crmql: "select customers where name is not null and points is null show id, name",
              sql: "SELECT id, name FROM customers WHERE name IS NOT NULL AND points IS NULL ORDER BY rowid"),
        .init(crmql: "select customers where tier >= gold show id, tier",
              sql: "SELECT id, tier FROM customers WHERE tier_rank >= 2 ORDER BY rowid"),
        .init(crmql: "select customers where tier = \"silver\" and region != south show id, region",
              sql: "SELECT id, region FROM customers WHERE tier = 'silver' AND region <> 'south' ORDER BY rowid"),
        .init(crmql: "select count customers where loyalty > 0.5",
              sql: "SELECT count(*) FROM customers WHERE loyalty > 0.5"),
        .init(crmql: "select customers where signup >= 2025-01-01 and signup < 2025-07-01 show id, signup",
              sql: "SELECT id, signup FROM customers WHERE signup >= '2025-01-01' AND signup < '2025-07-01' ORDER BY rowid"),
        .init(crmql: "select customers where name contains \"AN\" show id, name",
              sql: "SELECT id, name FROM customers WHERE instr(lower(name), 'an') > 0 ORDER BY rowid"),
        .init(crmql: "select customers where name starts with \"j\" or name ends with \"E\" show id, name",
              sql: "SELECT id, name FROM customers WHERE lower(name) LIKE 'j%' OR lower(name) LIKE '%e' ORDER BY rowid"),
        .init(crmql: "select customers where points between null and 100 or points between 100 and -50 show id",
              sql: "SELECT id FROM customers WHERE points BETWEEN NULL AND 100 OR points BETWEEN 100 AND -50 ORDER BY rowid"),
        // A quoted symbol compares by declaration order too, on either side.
        .init(crmql: "select customers where tier < \"gold\" or \"platinum\" <= tier show id, tier",
              sql: "SELECT id, tier FROM customers WHERE tier_rank < 2 OR tier_rank >= 3 ORDER BY rowid"),
        .init(crmql: "select customers where name = \"O'Brien, Pat\" or name < \"B\" show id, name",
              sql: "SELECT id, name FROM customers WHERE name = 'O''Brien, Pat' OR name < 'B' ORDER BY rowid"),
        .init(crmql: "select customers where name contains \"'\" or name contains \"\\\"\" show id, name",
              sql: "SELECT id, name FROM customers WHERE instr(name, '''') > 0 OR instr(name, '\"') > 0 ORDER BY rowid"),
        .init(crmql: "select customers where name matches \"^[A-Z].*[ns]$\" show id, name",
              sql: "SELECT id, name FROM customers WHERE substr(name, 1, 1) BETWEEN 'A' AND 'Z' AND substr(name, -1) IN ('n', 's') ORDER BY rowid"),
        .init(crmql: "select customers where points > loyalty * 1000 show id",
              sql: "SELECT id FROM customers WHERE points > loyalty * 1000 ORDER BY rowid"),
        .init(crmql: "select orders where customer in (1, 2, 3) and quantity = 2.0 show id, customer",
              sql: "SELECT id, customer FROM orders WHERE customer IN (1, 2, 3) AND quantity = 2.0 ORDER BY rowid"),
        .init(crmql: "select count orders where customer.region = north",
              sql: "SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer WHERE c.region = 'north'"),
        .init(crmql: "select customers where not points > 0 and loyalty > 0.5 show id",
              sql: "SELECT id FROM customers WHERE (NOT points > 0) AND loyalty > 0.5 ORDER BY rowid"),
        .init(crmql: "select orders where quantity in (1 + 1, 6 / 2) and customer.id between 10 and 40 show id, customer order by id",
              sql: "SELECT id, customer FROM orders WHERE quantity IN (2, 3.0) AND customer BETWEEN 10 AND 40 ORDER BY id"),
        .init(crmql: "select orders where placed + 30 days > today and placed - customer.signup < 365 show id order by id",
              sql: """
                  SELECT o.id FROM orders o LEFT JOIN customers c ON c.id = o.customer
                  WHERE date(o.placed, '+30 days') > '\(DifferentialData.today)' AND julianday(o.placed) - julianday(c.signup) < 365 ORDER BY o.id
                  """),
        .init(crmql: "select orders where customer = null or channel != null show id",
              sql: "SELECT id FROM orders WHERE customer = NULL OR channel <> NULL ORDER BY rowid"),
    ]

    static let ordering: [DifferentialQuery] = [
        .init(crmql: "select customers order by points show id, points",
              sql: "SELECT id, points FROM customers ORDER BY points ASC NULLS LAST, rowid"),
        .init(crmql: "select customers order by loyalty desc show id, loyalty",
              sql: "SELECT id, loyalty FROM customers ORDER BY loyalty DESC NULLS FIRST, rowid"),
        .init(crmql: "select customers order by region nulls first, points desc, id show id, region, points",
              sql: "SELECT id, region, points FROM customers ORDER BY region NULLS FIRST, points DESC NULLS FIRST, id"),
        .init(crmql: "select customers order by tier desc, name show id, tier, name",
              sql: "SELECT id, tier, name FROM customers ORDER BY tier_rank DESC NULLS FIRST, name NULLS LAST, rowid"),
        .init(crmql: "select customers order by signup desc nulls last, id limit 10 offset 5 show id, signup",
              sql: "SELECT id, signup FROM customers ORDER BY signup DESC NULLS LAST, id LIMIT 10 OFFSET 5"),
        .init(crmql: "select customers order by name, id limit 20 show id, name",
              sql: "SELECT id, name FROM customers ORDER BY name NULLS LAST, id LIMIT 20"),
        .init(crmql: "select customers order by id limit 10 offset 295 show id",
              sql: "SELECT id FROM customers ORDER BY id LIMIT 10 OFFSET 295"),
        .init(crmql: "select orders order by amount desc, id limit 5 offset 1995 show id, amount",
              sql: "SELECT id, amount FROM orders ORDER BY amount DESC NULLS FIRST, id LIMIT 5 OFFSET 1995"),
        .init(crmql: "select orders where channel = web order by placed, amount desc show id, placed, amount",
              sql: "SELECT id, placed, amount FROM orders WHERE channel = 'web' ORDER BY placed NULLS LAST, amount DESC NULLS FIRST, rowid"),
        .init(crmql: "select orders order by amount * quantity desc, id limit 15 show id",
              sql: "SELECT id FROM orders ORDER BY amount * quantity DESC NULLS FIRST, id LIMIT 15"),
        .init(crmql: "select orders order by customer.region, customer, id limit 40 show id, customer.region, customer",
              sql: """
                  SELECT o.id, c.region, o.customer FROM orders o LEFT JOIN customers c ON c.id = o.customer
                  ORDER BY c.region NULLS LAST, o.customer NULLS LAST, o.id LIMIT 40
                  """),
        .init(crmql: "select orders show id, amount * quantity as total order by total desc nulls last, id limit 30",
              sql: "SELECT id, amount * quantity AS total FROM orders ORDER BY total DESC NULLS LAST, id LIMIT 30"),
        .init(crmql: "select customers order by length(name) desc, id limit 25 show id, name",
              sql: "SELECT id, name FROM customers ORDER BY length(name) DESC NULLS FIRST, id LIMIT 25"),
        .init(crmql: "select customers order by tier nulls first, region desc, id limit 50 show id, tier, region",
              sql: "SELECT id, tier, region FROM customers ORDER BY tier_rank NULLS FIRST, region DESC NULLS FIRST, id LIMIT 50"),
        .init(crmql: "select orders order by customer.name desc, id limit 30 show id, customer.name",
              sql: "SELECT o.id, c.name FROM orders o LEFT JOIN customers c ON c.id = o.customer ORDER BY c.name DESC NULLS FIRST, o.id LIMIT 30"),
        .init(crmql: "select customers limit 0",
              sql: "SELECT id FROM customers LIMIT 0"),
        .init(crmql: "select customers order by id limit 5 offset 400 show id",
              sql: "SELECT id FROM customers ORDER BY id LIMIT 5 OFFSET 400"),
        .init(crmql: "select customers show *, points * 2 order by id limit 5",
              sql: "SELECT \(customerFields), points * 2 FROM customers ORDER BY id LIMIT 5"),
    ]

    static let grouping: [DifferentialQuery] = [
        .init(crmql: "select customers group by region",
              sql: "SELECT region, count(*) FROM customers GROUP BY region ORDER BY region NULLS LAST"),
        .init(crmql: "select customers group by tier show tier, count(), count(points), count(distinct region), sum(points), avg(loyalty), min(signup), max(name)",
              sql: """
                  SELECT tier, count(*), count(points), count(DISTINCT region), sum(points), avg(loyalty), min(signup), max(name)
                  FROM customers GROUP BY tier_rank, tier ORDER BY tier_rank NULLS LAST
                  """),
        .init(crmql: "select orders group by channel show channel, count(), sum(amount), avg(amount), min(amount), max(amount), sum(quantity)",
              sql: "SELECT channel, count(*), sum(amount), avg(amount), min(amount), max(amount), sum(quantity) FROM orders GROUP BY channel ORDER BY channel NULLS LAST"),
        .init(crmql: "select customers group by region having count() > 50 show region, count() as n, sum(points)",
              sql: "SELECT region, count(*), sum(points) FROM customers GROUP BY region HAVING count(*) > 50 ORDER BY region NULLS LAST"),
        .init(crmql: "select customers group by region, tier show region, tier, count() order by count() desc, region, tier",
              sql: "SELECT region, tier, count(*) FROM customers GROUP BY region, tier_rank, tier ORDER BY count(*) DESC, region NULLS LAST, tier_rank NULLS LAST"),
        .init(crmql: "select orders where amount > 1e9 show count(), count(amount), sum(amount), avg(amount), min(placed), max(placed)",
              sql: "SELECT count(*), count(amount), sum(amount), avg(amount), min(placed), max(placed) FROM orders WHERE amount > 1e9"),
        .init(crmql: "select orders show count(), count(customer), count(distinct customer), count(distinct channel), sum(quantity), avg(quantity), min(amount), max(placed)",
              sql: "SELECT count(*), count(customer), count(DISTINCT customer), count(DISTINCT channel), sum(quantity), avg(quantity), min(amount), max(placed) FROM orders"),
        .init(crmql: "select orders show sum(amount * quantity), avg(amount / quantity), count(distinct quantity % 2)",
              sql: "SELECT sum(amount * quantity), avg(amount / NULLIF(quantity, 0)), count(DISTINCT quantity % 2) FROM orders"),
        .init(crmql: "select orders group by year(placed) as yr show yr, count(), sum(amount) order by yr",
              sql: "SELECT CAST(strftime('%Y', placed) AS INTEGER) AS yr, count(*), sum(amount) FROM orders GROUP BY yr ORDER BY yr NULLS LAST"),
        .init(crmql: "select orders where placed is not null group by quarter(placed) as q, channel show q, channel, count(), avg(quantity)",
              sql: """
                  SELECT (CAST(strftime('%m', placed) AS INTEGER) + 2) / 3 AS q, channel, count(*), avg(quantity) FROM orders
                  WHERE placed IS NOT NULL GROUP BY q, channel ORDER BY q, channel NULLS LAST
                  """),
        .init(crmql: "select orders where amount < 0 group by channel having sum(amount) < -1000 show channel, sum(amount), count(distinct customer)",
              sql: "SELECT channel, sum(amount), count(DISTINCT customer) FROM orders WHERE amount < 0 GROUP BY channel HAVING sum(amount) < -1000 ORDER BY channel NULLS LAST"),
        .init(crmql: "select customers where points > 100000 group by region show region, count()",
              sql: "SELECT region, count(*) FROM customers WHERE points > 100000 GROUP BY region"),
        .init(crmql: "select orders group by customer having max(amount) > 1500 show customer, max(amount), count()",
              sql: "SELECT customer, max(amount), count(*) FROM orders GROUP BY customer HAVING max(amount) > 1500 ORDER BY customer NULLS LAST"),
        .init(crmql: "select customers group by case when loyalty >= 0.5 then \"loyal\" else \"other\" end as seg show seg, count(), avg(points)",
              sql: "SELECT CASE WHEN loyalty >= 0.5 THEN 'loyal' ELSE 'other' END AS seg, count(*), avg(points) FROM customers GROUP BY seg ORDER BY seg"),
        .init(crmql: "let big_orders = select orders where amount > 500\nselect big_orders group by channel show channel, count(), max(amount)",
              sql: "SELECT channel, count(*), max(amount) FROM orders WHERE amount > 500 GROUP BY channel ORDER BY channel NULLS LAST"),
        .init(crmql: "select orders where amount is null group by channel show channel, count(), count(amount), sum(amount), avg(amount), min(amount), max(amount)",
              sql: "SELECT channel, count(*), count(amount), sum(amount), avg(amount), min(amount), max(amount) FROM orders WHERE amount IS NULL GROUP BY channel ORDER BY channel NULLS LAST"),
        .init(crmql: "select customers group by region show region, min(tier), max(tier), count(distinct tier)",
              sql: """
                  SELECT region, \(tierName("min(tier_rank)")), \(tierName("max(tier_rank)")), count(DISTINCT tier)
                  FROM customers GROUP BY region ORDER BY region NULLS LAST
                  """),
        .init(crmql: "select customers show count(distinct name), count(name), min(name), max(name), min(tier), max(tier), min(region)",
              sql: "SELECT count(DISTINCT name), count(name), min(name), max(name), \(tierName("min(tier_rank)")), \(tierName("max(tier_rank)")), min(region) FROM customers"),
        .init(crmql: "select customers group by tier show tier, avg(count(orders)) as lines, sum(sum(orders.amount)) as spend",
              sql: """
                  SELECT tier, avg(lines), sum(spend) FROM (SELECT c.tier, c.tier_rank, count(o.id) AS lines, sum(o.amount) AS spend
                  FROM customers c LEFT JOIN orders o ON o.customer = c.id GROUP BY c.id) GROUP BY tier_rank, tier ORDER BY tier_rank NULLS LAST
                  """),
        .init(crmql: "select customers group by region having region != north and avg(loyalty) > 0.4 show region, count()",
              sql: "SELECT region, count(*) FROM customers GROUP BY region HAVING region <> 'north' AND avg(loyalty) > 0.4 ORDER BY region NULLS LAST"),
        .init(crmql: "select orders group by channel order by sum(amount) desc limit 3 show channel, sum(amount) as total",
              sql: "SELECT channel, sum(amount) AS total FROM orders GROUP BY channel ORDER BY total DESC NULLS FIRST LIMIT 3"),
        .init(crmql: "select orders where placed is not null group by weekday(placed) as wd show wd, count(), sum(amount)",
              sql: """
                  SELECT (CAST(strftime('%w', placed) AS INTEGER) + 6) % 7 + 1 AS wd, count(*), sum(amount) FROM orders
                  WHERE placed IS NOT NULL GROUP BY wd ORDER BY wd
                  """),
        .init(crmql: "let northern = select customers where region = north\nselect northern where points > 100 order by points desc, id show id, points",
              sql: "SELECT id, points FROM customers WHERE region = 'north' AND points > 100 ORDER BY points DESC, id"),
        .init(crmql: "select customers group by name having count() > 1 show name, count()",
              sql: "SELECT name, count(*) FROM customers GROUP BY name HAVING count(*) > 1 ORDER BY name NULLS LAST"),
        .init(crmql: "select customers group by loyalty having count() >= 5 show loyalty, count(), min(id)",
              sql: "SELECT loyalty, count(*), min(id) FROM customers GROUP BY loyalty HAVING count(*) >= 5 ORDER BY loyalty NULLS LAST"),
        .init(crmql: "select orders group by placed having count() >= 5 show placed, count(), sum(amount)",
              sql: "SELECT placed, count(*), sum(amount) FROM orders GROUP BY placed HAVING count(*) >= 5 ORDER BY placed NULLS LAST"),
        .init(crmql: "select customers show count(points > 0), sum(if(points > 0, 1, 0)), avg(if(loyalty > 0.5, 1.0, 0.0))",
              sql: "SELECT count(points > 0), sum(CASE WHEN points > 0 THEN 1 ELSE 0 END), avg(CASE WHEN loyalty > 0.5 THEN 1.0 ELSE 0.0 END) FROM customers"),
        .init(crmql: "select customers group by region having sum(orders.amount) > 40000 and avg(orders.amount) > 0 show region, count()",
              sql: """
                  SELECT region, count(*) FROM customers c GROUP BY region
                  HAVING (SELECT sum(o.amount) FROM orders o JOIN customers x ON x.id = o.customer WHERE x.region IS c.region) > 40000
                  AND (SELECT avg(o.amount) FROM orders o JOIN customers x ON x.id = o.customer WHERE x.region IS c.region) > 0
                  ORDER BY region NULLS LAST
                  """),
        .init(crmql: "let per_channel = select orders group by channel show channel, sum(amount) as total\nselect per_channel where total > 0 order by total desc",
              sql: "SELECT channel, sum(amount) AS total FROM orders GROUP BY channel HAVING total > 0 ORDER BY total DESC"),
        .init(crmql: "select orders group by channel order by count() desc, channel show channel",
              sql: "SELECT channel FROM orders GROUP BY channel ORDER BY count(*) DESC, channel NULLS LAST"),
        .init(crmql: "select orders show count(), sum(amount) where channel = web",
              sql: "SELECT count(*), sum(amount) FROM orders WHERE channel = 'web'"),
        .init(crmql: "SELECT customers WHERE points > 0 ORDER BY id LIMIT 3 SHOW id",
              sql: "SELECT id FROM customers WHERE points > 0 ORDER BY id LIMIT 3"),
        .init(crmql: "select customers where avg(orders.amount) > 500 show id, avg(orders.amount) order by id",
              sql: "SELECT c.id, avg(o.amount) FROM customers c JOIN orders o ON o.customer = c.id GROUP BY c.id HAVING avg(o.amount) > 500 ORDER BY c.id"),
    ]

    static let relations: [DifferentialQuery] = [
        .init(crmql: "select customers show id, count(orders), sum(orders.amount), max(orders.placed) order by id",
              sql: "SELECT c.id, count(o.id), sum(o.amount), max(o.placed) FROM customers c LEFT JOIN orders o ON o.customer = c.id GROUP BY c.id ORDER BY c.id"),
        .init(crmql: "select customers show id, count(orders where channel = web) as web, avg(orders.amount where quantity > 2) as big order by id",
              sql: """
                  SELECT c.id, (SELECT count(*) FROM orders o WHERE o.customer = c.id AND o.channel = 'web'),
                  (SELECT avg(o.amount) FROM orders o WHERE o.customer = c.id AND o.quantity > 2) FROM customers c ORDER BY c.id
                  """),
        .init(crmql: "select customers show id, count(distinct orders.channel), min(orders.amount), count(orders.amount) order by id",
              sql: "SELECT c.id, count(DISTINCT o.channel), min(o.amount), count(o.amount) FROM customers c LEFT JOIN orders o ON o.customer = c.id GROUP BY c.id ORDER BY c.id"),
        .init(crmql: "select customers where exists(orders where amount < 0) show id, name order by id",
              sql: "SELECT c.id, c.name FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer = c.id AND o.amount < 0) ORDER BY c.id"),
        .init(crmql: "select customers where not exists(orders) show id",
              sql: "SELECT c.id FROM customers c WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer = c.id) ORDER BY c.rowid"),
        .init(crmql: "select customers where sum(orders.amount) > 2000 show id, sum(orders.amount) as spend order by spend desc, id",
              sql: "SELECT c.id, sum(o.amount) AS spend FROM customers c JOIN orders o ON o.customer = c.id GROUP BY c.id HAVING spend > 2000 ORDER BY spend DESC, c.id"),
        .init(crmql: "select customers group by region show region, sum(orders.amount) as spend, count(orders) as lines",
              sql: "SELECT c.region, sum(o.amount), count(o.id) FROM customers c LEFT JOIN orders o ON o.customer = c.id GROUP BY c.region ORDER BY c.region NULLS LAST"),
        .init(crmql: "select orders where customer.region = north and amount > 100 show id, customer, amount order by id",
              sql: "SELECT o.id, o.customer, o.amount FROM orders o JOIN customers c ON c.id = o.customer WHERE c.region = 'north' AND o.amount > 100 ORDER BY o.id"),
        .init(crmql: "select orders where customer.tier = gold group by channel show channel, count(), sum(amount)",
              sql: "SELECT o.channel, count(*), sum(o.amount) FROM orders o JOIN customers c ON c.id = o.customer WHERE c.tier = 'gold' GROUP BY o.channel ORDER BY o.channel NULLS LAST"),
        .init(crmql: "select orders where customer.region is null show id, customer order by id",
              sql: "SELECT o.id, o.customer FROM orders o LEFT JOIN customers c ON c.id = o.customer WHERE c.region IS NULL ORDER BY o.id"),
        .init(crmql: "select orders show id, customer.name, customer.points * quantity order by id limit 50",
              sql: "SELECT o.id, c.name, c.points * o.quantity FROM orders o LEFT JOIN customers c ON c.id = o.customer ORDER BY o.id LIMIT 50"),
        .init(crmql: "select orders group by customer.region show customer.region, count(), sum(amount)",
              sql: "SELECT c.region, count(*), sum(o.amount) FROM orders o LEFT JOIN customers c ON c.id = o.customer GROUP BY c.region ORDER BY c.region NULLS LAST"),
        .init(crmql: "select customers where count(orders) = 0 or max(orders.placed) < 2025-01-01 show id order by id",
              sql: """
                  SELECT c.id FROM customers c WHERE (SELECT count(*) FROM orders o WHERE o.customer = c.id) = 0
                  OR (SELECT max(o.placed) FROM orders o WHERE o.customer = c.id) < '2025-01-01' ORDER BY c.id
                  """),
        .init(crmql: "select customers where exists(orders where channel = web and amount > 1000) and not exists(orders where amount < 0) show id order by id",
              sql: """
                  SELECT c.id FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer = c.id AND o.channel = 'web' AND o.amount > 1000)
                  AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer = c.id AND o.amount < 0) ORDER BY c.id
                  """),
        .init(crmql: "select customers show id, sum(orders.amount where placed in last 90 days) as recent order by id",
              sql: """
                  SELECT c.id, (SELECT sum(o.amount) FROM orders o WHERE o.customer = c.id
                  AND o.placed BETWEEN date('\(DifferentialData.today)', '-89 days') AND '\(DifferentialData.today)') FROM customers c ORDER BY c.id
                  """),
        .init(crmql: "select customers show id, today - max(orders.placed) as days order by days, id limit 40",
              sql: """
                  SELECT c.id, CAST(julianday('\(DifferentialData.today)') - julianday(max(o.placed)) AS INTEGER) AS days
                  FROM customers c LEFT JOIN orders o ON o.customer = c.id GROUP BY c.id ORDER BY days NULLS LAST, c.id LIMIT 40
                  """),
        // The prelude's measures, against the formulas of Grammar/REFERENCE.md (section 2).
        .init(crmql: "select customers show id, revenue, first_order, last_order, recency order by id",
              sql: """
                  SELECT c.id, coalesce(sum(o.amount), 0), min(o.placed), max(o.placed),
                  CAST(julianday('\(DifferentialData.today)') - julianday(max(o.placed)) AS INTEGER)
                  FROM customers c LEFT JOIN orders o ON o.customer = c.id GROUP BY c.id ORDER BY c.id
                  """),
        .init(crmql: "select orders show id, today - customer.signup as tenure order by id",
              sql: "SELECT o.id, CAST(julianday('\(DifferentialData.today)') - julianday(c.signup) AS INTEGER) FROM orders o LEFT JOIN customers c ON c.id = o.customer ORDER BY o.id"),
    ]

    static let scalars: [DifferentialQuery] = [
        .init(crmql: "select orders show id, amount / quantity, amount * 2 - 1, -amount, quantity / 2, quantity % 3 order by id",
              sql: "SELECT id, amount / NULLIF(quantity, 0), amount * 2 - 1, -amount, quantity / 2.0, quantity % 3 FROM orders ORDER BY id"),
        .init(crmql: "select customers show id, points / 0, points * 1.5, points + loyalty, points - points * 2 order by id",
              sql: "SELECT id, points * 1.0 / 0, points * 1.5, points + loyalty, points - points * 2 FROM customers ORDER BY id"),
        .init(crmql: "select customers show id, round(loyalty * 100, 1), abs(points), floor(loyalty * 10), ceil(points / 7) order by id",
              sql: "SELECT id, round(loyalty * 100, 1), abs(points), floor(loyalty * 10), ceil(points / 7.0) FROM customers ORDER BY id"),
        .init(crmql: "select customers show id, lower(name), upper(name), length(name), substr(name, 2, 3), substr(name, 4), trim(name) order by id",
              sql: "SELECT id, lower(name), upper(name), length(name), substr(name, 2, 3), substr(name, 4), trim(name) FROM customers ORDER BY id"),
        .init(crmql: "select customers show id, name || \"!\", region || \"-\" || tier, \"#\" || id order by id",
              sql: "SELECT id, name || '!', region || '-' || tier, '#' || id FROM customers ORDER BY id"),
        .init(crmql: "select customers where length(trim(name)) > 12 show id, trim(name) order by id",
              sql: "SELECT id, trim(name) FROM customers WHERE length(trim(name)) > 12 ORDER BY id"),
        .init(crmql: """
                  select customers show id, case when points > 100 then "high" when points > 0 then "low" else "none" end as band, \
                  coalesce(points, 0) + 1, coalesce(name, region, "?") order by id
                  """,
              sql: """
                  SELECT id, CASE WHEN points > 100 THEN 'high' WHEN points > 0 THEN 'low' ELSE 'none' END,
                  coalesce(points, 0) + 1, coalesce(name, region, '?') FROM customers ORDER BY id
                  """),
        .init(crmql: "select orders show id, case when channel = web then amount end, if(quantity > 0, amount / quantity, null), coalesce(amount, quantity, 0) order by id",
              sql: """
                  SELECT id, CASE WHEN channel = 'web' THEN amount END, CASE WHEN quantity > 0 THEN amount / quantity ELSE NULL END,
                  coalesce(amount, quantity, 0) FROM orders ORDER BY id
                  """),
        // Scalar min and max skip nulls (a README decision); SQLite's return null.
        .init(crmql: "select customers show id, min(points, 0), max(loyalty, 0.5), min(points, loyalty * 100, 50), max(points, loyalty) order by id",
              sql: """
                  SELECT id, min(coalesce(points, 0), coalesce(0, points)), max(coalesce(loyalty, 0.5), coalesce(0.5, loyalty)),
                  (SELECT min(v) FROM (SELECT points AS v UNION ALL SELECT loyalty * 100 UNION ALL SELECT 50)),
                  max(coalesce(points, loyalty), coalesce(loyalty, points)) FROM customers ORDER BY id
                  """),
        // SQLite's `%` truncates reals to integers; its `mod` keeps them, as the contract's `%` does.
        .init(crmql: "select orders show id, amount % 7, quantity % 0, quantity % -4, -quantity order by id",
              sql: "SELECT id, mod(amount, 7), quantity % 0, quantity % -4, -quantity FROM orders ORDER BY id"),
        .init(crmql: "select customers show id, round(loyalty * 10), round(points / 7, 2), sqrt(points), ln(loyalty), exp(loyalty), pow(loyalty, 3) order by id",
              sql: "SELECT id, round(loyalty * 10), round(points / 7.0, 2), sqrt(points), ln(loyalty), exp(loyalty), pow(loyalty, 3) FROM customers ORDER BY id"),
        .init(crmql: "select customers show id, lower(region) || upper(tier), length(region), substr(tier, 1, 1) order by id",
              sql: "SELECT id, lower(region) || upper(tier), length(region), substr(tier, 1, 1) FROM customers ORDER BY id"),
        .init(crmql: "select orders show id, case when amount is null then \"none\" when amount < 0 then \"refund\" when quantity > 5 then \"bulk\" end order by id",
              sql: "SELECT id, CASE WHEN amount IS NULL THEN 'none' WHEN amount < 0 THEN 'refund' WHEN quantity > 5 THEN 'bulk' END FROM orders ORDER BY id"),
        .init(crmql: "select customers show id, coalesce(null, points, loyalty), coalesce(signup, 2020-01-01), -points order by id",
              sql: "SELECT id, coalesce(NULL, points, loyalty), coalesce(signup, '2020-01-01'), -points FROM customers ORDER BY id"),
        // `||` binds more loosely than `+` in CRMQL, more tightly in SQLite.
        .init(crmql: "select customers show id, \"n\" || points + 1, points - id - 5, points * 2 % 7, points / 10 order by id",
              sql: "SELECT id, 'n' || (points + 1), points - id - 5, points * 2 % 7, points / 10.0 FROM customers ORDER BY id"),
        .init(crmql: "select customers show id, exists(orders where amount > 2000), not exists(orders) order by id",
              sql: """
                  SELECT c.id, EXISTS (SELECT 1 FROM orders o WHERE o.customer = c.id AND o.amount > 2000),
                  NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer = c.id) FROM customers c ORDER BY c.id
                  """),
    ]

    static let dates: [DifferentialQuery] = [
        .init(crmql: "select orders show id, placed, placed + 30 days, placed - 2 weeks, today - placed order by id",
              sql: """
                  SELECT id, placed, date(placed, '+30 days'), date(placed, '-14 days'),
                  CAST(julianday('\(DifferentialData.today)') - julianday(placed) AS INTEGER) FROM orders ORDER BY id
                  """),
        // SQLite lets a month overflow (Jan 31 + 1 month = Mar 3); the contract clamps to the month's last day.
        .init(crmql: "select orders show id, placed + 1 month, placed - 1 month, placed + 1 year order by id",
              sql: """
                  SELECT id,
                  CASE WHEN strftime('%d', date(placed, '+1 month')) <> strftime('%d', placed)
                    THEN date(placed, 'start of month', '+2 months', '-1 day') ELSE date(placed, '+1 month') END,
                  CASE WHEN strftime('%d', date(placed, '-1 month')) <> strftime('%d', placed)
                    THEN date(placed, 'start of month', '-1 day') ELSE date(placed, '-1 month') END,
                  CASE WHEN strftime('%d', date(placed, '+1 year')) <> strftime('%d', placed)
                    THEN date(placed, 'start of month', '+1 year', '+1 month', '-1 day') ELSE date(placed, '+1 year') END
                  FROM orders ORDER BY id
                  """),
        .init(crmql: "select orders show id, year(placed), quarter(placed), month(placed), day(placed), weekday(placed) order by id",
              sql: """
                  SELECT id, CAST(strftime('%Y', placed) AS INTEGER), (CAST(strftime('%m', placed) AS INTEGER) + 2) / 3,
                  CAST(strftime('%m', placed) AS INTEGER), CAST(strftime('%d', placed) AS INTEGER),
                  (CAST(strftime('%w', placed) AS INTEGER) + 6) % 7 + 1 FROM orders ORDER BY id
                  """),
        .init(crmql: "select orders show id, days_between(customer.signup, placed) order by id",
              sql: "SELECT o.id, CAST(julianday(o.placed) - julianday(c.signup) AS INTEGER) FROM orders o LEFT JOIN customers c ON c.id = o.customer ORDER BY o.id"),
        .init(crmql: "select orders where placed in last 90 days show id, placed order by id",
              sql: "SELECT id, placed FROM orders WHERE placed BETWEEN date('\(DifferentialData.today)', '-89 days') AND '\(DifferentialData.today)' ORDER BY id"),
        .init(crmql: "select count orders where placed in this month",
              sql: "SELECT count(*) FROM orders WHERE placed BETWEEN '2026-06-01' AND '2026-06-30'"),
        .init(crmql: "select orders where placed in last quarter group by channel show channel, count()",
              sql: "SELECT channel, count(*) FROM orders WHERE placed BETWEEN '2026-01-01' AND '2026-03-31' GROUP BY channel ORDER BY channel NULLS LAST"),
        .init(crmql: "select orders where placed in last year show count(), min(placed), max(placed)",
              sql: "SELECT count(*), min(placed), max(placed) FROM orders WHERE placed BETWEEN '2025-01-01' AND '2025-12-31'"),
        .init(crmql: "select orders where placed in last 2 quarters show count(), sum(amount)",
              sql: "SELECT count(*), sum(amount) FROM orders WHERE placed BETWEEN '2025-10-01' AND '2026-03-31'"),
        // Today is Tuesday 2026-06-30: this week is Monday 06-29 .. Sunday 07-05; next 7 days is 06-30 .. 07-06.
        .init(crmql: "select orders where placed in this week or placed in next 7 days show id, placed order by placed, id",
              sql: "SELECT id, placed FROM orders WHERE placed BETWEEN '2026-06-29' AND '2026-07-06' ORDER BY placed, id"),
        .init(crmql: "select orders where placed > today show id, placed order by id",
              sql: "SELECT id, placed FROM orders WHERE placed > '\(DifferentialData.today)' ORDER BY id"),
        .init(crmql: "select customers where signup in this year show id, signup order by signup, id",
              sql: "SELECT id, signup FROM customers WHERE strftime('%Y', signup) = '2026' ORDER BY signup, id"),
        .init(crmql: "select orders group by channel show channel, min(placed), max(placed), max(today - placed)",
              sql: """
                  SELECT channel, min(placed), max(placed), max(CAST(julianday('\(DifferentialData.today)') - julianday(placed) AS INTEGER))
                  FROM orders GROUP BY channel ORDER BY channel NULLS LAST
                  """),
        // Calendar periods around Tuesday 2026-06-30, by the rules of Grammar/REFERENCE.md (dates).
        .init(crmql: """
                  select orders show id, placed in this quarter, placed in last 3 months, placed in last week, placed in next month, \
                  placed in this year, placed in last 12 months, placed in next 2 weeks order by id
                  """,
              sql: """
                  SELECT id, placed BETWEEN '2026-04-01' AND '2026-06-30', placed BETWEEN '2026-03-01' AND '2026-05-31',
                  placed BETWEEN '2026-06-22' AND '2026-06-28', placed BETWEEN '2026-07-01' AND '2026-07-31',
                  placed BETWEEN '2026-01-01' AND '2026-12-31', placed BETWEEN '2025-06-01' AND '2026-05-31',
                  placed BETWEEN '2026-07-06' AND '2026-07-19' FROM orders ORDER BY id
                  """),
        // Fiscal years from April: fiscal 2027 is 2026-04-01 .. 2027-03-31.
        .init(crmql: """
                  set fiscal_year_start = 4
                  select orders show id, fiscal_year(placed), fiscal_quarter(placed), placed in this fiscal year, \
                  placed in last fiscal quarter, placed in last 2 fiscal quarters order by id
                  set fiscal_year_start = 1
                  """,
              sql: """
                  SELECT id, CAST(strftime('%Y', placed) AS INTEGER) + (CAST(strftime('%m', placed) AS INTEGER) >= 4),
                  (CAST(strftime('%m', placed) AS INTEGER) + 8) % 12 / 3 + 1, placed BETWEEN '2026-04-01' AND '2027-03-31',
                  placed BETWEEN '2026-01-01' AND '2026-03-31', placed BETWEEN '2025-10-01' AND '2026-03-31' FROM orders ORDER BY id
                  """),
        .init(crmql: "select orders where placed between 2025-02-01 and 2025-02-28 order by placed desc, id show id, placed",
              sql: "SELECT id, placed FROM orders WHERE placed BETWEEN '2025-02-01' AND '2025-02-28' ORDER BY placed DESC, id"),
        .init(crmql: "select orders show id, date(placed), days_between(placed, today) order by id",
              sql: "SELECT id, date(placed), CAST(julianday('\(DifferentialData.today)') - julianday(placed) AS INTEGER) FROM orders ORDER BY id"),
        .init(crmql: "select orders show id, placed + 1 quarter, placed - 1 quarter, placed + 1 week order by id",
              sql: """
                  SELECT id,
                  CASE WHEN strftime('%d', date(placed, '+3 months')) <> strftime('%d', placed)
                    THEN date(placed, 'start of month', '+4 months', '-1 day') ELSE date(placed, '+3 months') END,
                  CASE WHEN strftime('%d', date(placed, '-3 months')) <> strftime('%d', placed)
                    THEN date(placed, 'start of month', '-2 months', '-1 day') ELSE date(placed, '-3 months') END,
                  date(placed, '+7 days') FROM orders ORDER BY id
                  """),
    ]

    /// `trunc`, `format` and `including this`, against SQLite's date functions.
    static let periods: [DifferentialQuery] = [
        // `weekday 0` moves to the next Sunday (or stays on one); six days before it is the week's Monday.
        .init(crmql: "select orders show id, trunc(placed, week), trunc(placed, month), trunc(placed, quarter), trunc(placed, year) order by id",
              sql: """
                  SELECT id, date(placed, 'weekday 0', '-6 days'), date(placed, 'start of month'),
                  date(placed, 'start of month', '-' || ((CAST(strftime('%m', placed) AS INTEGER) - 1) % 3) || ' months'),
                  date(placed, 'start of year') FROM orders ORDER BY id
                  """),
        .init(crmql: "select orders group by trunc(placed, month) as month show month, count(), sum(quantity) order by month desc",
              sql: """
                  SELECT date(placed, 'start of month') AS month, count(*), sum(quantity) FROM orders
                  GROUP BY month ORDER BY month DESC NULLS FIRST
                  """),
        // Fiscal years from April: a fiscal quarter starts in April, July, October or January.
        .init(crmql: """
                  set fiscal_year_start = 4
                  select orders show id, trunc(placed, fiscal quarter), trunc(placed, fiscal year) order by id
                  set fiscal_year_start = 1
                  """,
              sql: """
                  SELECT id, date(placed, 'start of month', '-' || ((CAST(strftime('%m', placed) AS INTEGER) + 8) % 3) || ' months'),
                  date(placed, 'start of month', '-' || ((CAST(strftime('%m', placed) AS INTEGER) + 8) % 12) || ' months')
                  FROM orders ORDER BY id
                  """),
        .init(crmql: "select orders show id, format(placed, \"YYYY-MM\"), format(placed, \"DD.MM.YY\"), format(placed, \"YYYY-'Q'Q\") order by id",
              sql: """
                  SELECT id, strftime('%Y-%m', placed), strftime('%d.%m.', placed) || substr(strftime('%Y', placed), 3),
                  strftime('%Y', placed) || '-Q' || ((CAST(strftime('%m', placed) AS INTEGER) - 1) / 3 + 1) FROM orders ORDER BY id
                  """),
        // Today is 2026-06-30: the 12 months including this one start on 2025-07-01.
        .init(crmql: """
                  select orders show id, placed in last 12 months including this, placed in last 2 quarters including this, \
                  placed in next 3 months including this, placed in last 2 fiscal years including this order by id
                  """,
              sql: """
                  SELECT id, placed BETWEEN '2025-07-01' AND '2026-06-30', placed BETWEEN '2026-01-01' AND '2026-06-30',
                  placed BETWEEN '2026-06-01' AND '2026-08-31', placed BETWEEN '2025-01-01' AND '2026-12-31' FROM orders ORDER BY id
                  """),
    ]

    /// Population functions within groups and running aggregates, against
    /// SQLite's window functions. A population leaves out rows whose value is
    /// null, so the SQL partitions by `x IS NULL` as well and drops the
    /// answer of the null rows; ties in a running order fall to the key.
    static let windows: [DifferentialQuery] = [
        .init(crmql: """
                  select customers where tier != gold show id, rank(points, by: region), percent_rank(loyalty, by: region), \
                  ntile(points, 3, by: tier), quintile(loyalty, by: tier), share(points, by: region) order by id
                  """,
              sql: """
                  SELECT id, rank_points, pr_loyalty, ntile_points, quintile_loyalty, share_points FROM (SELECT id, tier_rank,
                  CASE WHEN points IS NOT NULL THEN RANK() OVER (PARTITION BY region, points IS NULL ORDER BY points DESC) END AS rank_points,
                  CASE WHEN loyalty IS NOT NULL THEN PERCENT_RANK() OVER (PARTITION BY region, loyalty IS NULL ORDER BY loyalty) END AS pr_loyalty,
                  CASE WHEN points IS NOT NULL THEN 1 + 3 * (RANK() OVER (PARTITION BY tier, points IS NULL ORDER BY points) - 1)
                    / COUNT(*) OVER (PARTITION BY tier, points IS NULL) END AS ntile_points,
                  CASE WHEN loyalty IS NOT NULL THEN 1 + 5 * (RANK() OVER (PARTITION BY tier, loyalty IS NULL ORDER BY loyalty) - 1)
                    / COUNT(*) OVER (PARTITION BY tier, loyalty IS NULL) END AS quintile_loyalty,
                  points * 1.0 / SUM(points) OVER (PARTITION BY region) AS share_points
                  FROM customers) WHERE tier_rank != 2 ORDER BY id
                  """),
        // Top three per region, population before `where`.
        .init(crmql: "select customers where rank(points, by: region) <= 3 order by region, points desc, id show region, id, points",
              sql: """
                  SELECT region, id, points FROM (SELECT region, id, points,
                  RANK() OVER (PARTITION BY region, points IS NULL ORDER BY points DESC) AS r FROM customers)
                  WHERE points IS NOT NULL AND r <= 3 ORDER BY region NULLS LAST, points DESC, id
                  """),
        .init(crmql: """
                  select orders show id, running_sum(amount, order: placed, by: customer), running_count(amount, order: placed, by: customer), \
                  running_avg(quantity, order: placed, by: customer), running_count(order: placed) order by id
                  """,
              sql: """
                  SELECT id,
                  SUM(amount) OVER (PARTITION BY customer ORDER BY placed NULLS LAST, id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
                  COUNT(amount) OVER (PARTITION BY customer ORDER BY placed NULLS LAST, id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
                  AVG(quantity) OVER (PARTITION BY customer ORDER BY placed NULLS LAST, id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
                  COUNT(*) OVER (ORDER BY placed NULLS LAST, id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
                  FROM orders ORDER BY id
                  """),
        .init(crmql: "select orders where running_sum(quantity, order: amount, by: channel) > 500 and channel = web show id, running_sum(quantity, order: amount, by: channel) order by id",
              sql: """
                  SELECT id, rs FROM (SELECT id, channel, SUM(quantity) OVER (PARTITION BY channel ORDER BY amount NULLS LAST, id
                    ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS rs FROM orders) WHERE rs > 500 AND channel = 'web' ORDER BY id
                  """),
    ]

    static let statistics: [DifferentialQuery] = [
        .init(crmql: "select orders group by channel show channel, median(amount), percentile(amount, 0.9), stddev(amount), percentile(amount, 0)",
              sql: "SELECT channel, amount FROM orders ORDER BY channel NULLS LAST",
              expected: { rows in
                  Statistics.groups(rows).map { key, members in
                      let amounts = members.compactMap { $0[1].number }
                      return [key, Statistics.percentile(amounts, 0.5), Statistics.percentile(amounts, 0.9),
                              Statistics.stddev(amounts), Statistics.percentile(amounts, 0)]
                  }
              }),
        .init(crmql: "select customers show median(points), percentile(loyalty, 0.25), stddev(loyalty), stddev(points)",
              sql: "SELECT points, loyalty FROM customers",
              expected: { rows in
                  let points = rows.compactMap { $0[0].number }, loyalty = rows.compactMap { $0[1].number }
                  return [[Statistics.percentile(points, 0.5), Statistics.percentile(loyalty, 0.25),
                           Statistics.stddev(loyalty), Statistics.stddev(points)]]
              }),
        .init(crmql: "select customers where id < 0 show median(points), stddev(points), count()",
              sql: "SELECT points FROM customers WHERE id < 0",
              expected: { rows in [[Statistics.percentile([], 0.5), Statistics.stddev([]), .int(Int64(rows.count))]] }),
        // Population functions range over every row with a value, before `where`.
        .init(crmql: "select customers where region = north show id, rank(points), percent_rank(points), quintile(loyalty), ntile(points, 3), share(points) order by id",
              sql: """
                  SELECT c.id,
                  CASE WHEN c.points IS NOT NULL THEN 1 + (SELECT count(*) FROM customers x WHERE x.points > c.points) END,
                  CASE WHEN c.points IS NOT NULL THEN (SELECT count(*) FROM customers x WHERE x.points < c.points) * 1.0
                    / ((SELECT count(points) FROM customers) - 1) END,
                  CASE WHEN c.loyalty IS NOT NULL THEN 1 + 5 * (SELECT count(*) FROM customers x WHERE x.loyalty < c.loyalty)
                    / (SELECT count(loyalty) FROM customers) END,
                  CASE WHEN c.points IS NOT NULL THEN 1 + 3 * (SELECT count(*) FROM customers x WHERE x.points < c.points)
                    / (SELECT count(points) FROM customers) END,
                  c.points * 1.0 / (SELECT sum(points) FROM customers)
                  FROM customers c WHERE c.region = 'north' ORDER BY c.id
                  """),
        .init(crmql: "select customers group by region show region, median(loyalty), percentile(points, 0.75), stddev(points), percentile(loyalty, 1)",
              sql: "SELECT region, loyalty, points FROM customers ORDER BY region NULLS LAST",
              expected: { rows in
                  Statistics.groups(rows).map { key, members in
                      let loyalty = members.compactMap { $0[1].number }, points = members.compactMap { $0[2].number }
                      return [key, Statistics.percentile(loyalty, 0.5), Statistics.percentile(points, 0.75),
                              Statistics.stddev(points), Statistics.percentile(loyalty, 1)]
                  }
              }),
        .init(crmql: "select orders where id = 17 show stddev(amount), median(amount), percentile(amount, 0.3)",
              sql: "SELECT amount FROM orders WHERE id = 17",
              expected: { rows in
                  let amounts = rows.compactMap { $0[0].number }
                  return [[Statistics.stddev(amounts), Statistics.percentile(amounts, 0.5), Statistics.percentile(amounts, 0.3)]]
              }),
        .init(crmql: "select customers show id, median(orders.amount), stddev(orders.quantity), percentile(orders.amount, 0.1) order by id",
              sql: "SELECT c.id, o.amount, o.quantity FROM customers c LEFT JOIN orders o ON o.customer = c.id ORDER BY c.id",
              expected: { rows in
                  Statistics.groups(rows).map { key, members in
                      let amounts = members.compactMap { $0[1].number }, quantities = members.compactMap { $0[2].number }
                      return [key, Statistics.percentile(amounts, 0.5), Statistics.stddev(quantities), Statistics.percentile(amounts, 0.1)]
                  }
              }),
    ]
}
