import CRMQL
import Foundation
import Testing

/// Money without float noise, and one number format in tables: what an
/// analyst reported seeing (`4124.5199999999995`, `6,904,074.9799999995`,
/// `99098.93000000001`, `8500` beside `25,000`, ids as `82,885`, money as
/// `12,000.5`) and what they see now.
@Suite(.serialized) struct MoneyFormatTests {
    private static let demo: Database = {
        // swiftlint:disable:next force_try
        try! Database.demo(options: Database.Options(today: "2026-06-30"))
    }()

    private func render(_ query: String, _ format: OutputFormat, numberFormat: NumberFormat = .readable, db: Database = demo) throws -> String {
        ResultRenderer.render(try db.query(query), options: RenderOptions(format: format, numberFormat: numberFormat))
    }

    /// Every cell of a column as CSV writes it.
    private func csvCells(_ query: String, db: Database = demo) throws -> [String] {
        try render(query, .csv, db: db).split(separator: "\n").dropFirst().map(String.init)
    }

    @Test func derivedMoneyIsAnExactDecimalInEveryFormat() throws {
        // `value` and `revenue` are sums and differences of money.
        for cell in try csvCells("select customers show value") + csvCells("select customers show revenue") where !cell.isEmpty {
            #expect(cell.range(of: #"^-?\d+(\.\d{1,2})?$"#, options: .regularExpression) != nil, "\(cell)")
        }
        let table = try render("select customers where id = 3 show name, value", .table)
        #expect(table.contains("4,124.52"), "\(table)")
        #expect(!table.contains("4124.5199999999995"))
        let json = try render("select customers order by value desc limit 50 show name, value, revenue", .json)
        #expect(json.range(of: #"\.\d{3,}"#, options: .regularExpression) == nil, "\(json)")
    }

    @Test func aSumOfAMeasureEqualsTheSumOfItsParts() throws {
        let result = try Self.demo.query("select customers show sum(revenue), sum(orders.amount)")
        #expect(result.value(row: 0, column: 0) == result.value(row: 0, column: 1))
        let table = try render("select customers show sum(revenue), sum(orders.amount)", .table)
        let cells = table.split(separator: "\n")[3].split(separator: "│").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(cells[0] == cells[1], "\(table)")
        #expect(cells[0].hasSuffix(".93") && cells[0].contains(","), "\(table)")
    }

    @Test func arithmeticOnMoneyStaysExact() throws {
        let db = try Database(options: Database.Options(today: "2026-06-30"))
        try db.execute("""
            create entity t (id int key, a number, b number, q int)
            insert into t (id, a, b, q) values (1, 0.1, 0.2, 3), (2, 4124.52, 0.01, 7), (3, 12000.5, 1.1, 2)
            """)
        #expect(try csvCells("select t order by id show a + b", db: db) == ["0.3", "4124.53", "12001.6"])
        #expect(try csvCells("select t order by id show a - b - b", db: db) == ["-0.3", "4124.5", "11998.3"])
        #expect(try csvCells("select t order by id show a * q", db: db) == ["0.3", "28871.64", "24001"])
        #expect(try csvCells("select t show sum(a * q + b)", db: db) == ["52874.25"])
        // The product of two money fields has four places, still exact.
        #expect(try csvCells("select t order by id show a * b", db: db) == ["0.02", "41.2452", "13200.55"])
        let table = try render("select t order by id show a + b, a * q, a / q", .table, db: db)
        #expect(table.contains("12,001.60"), "\(table)")
        #expect(table.contains("24,001.00"), "\(table)")
        // A ratio is not money: six significant digits.
        #expect(table.contains("6,000.25"), "\(table)")
        #expect(table.contains("0.0333333"), "\(table)")
    }

    @Test func tablesGroupFromFourDigitsButNotKeysRefsOrYears() throws {
        let db = try Database(options: Database.Options(today: "2026-06-30"))
        try db.execute("""
            create entity customers (id int key, name text, points int, price number)
            create entity orders (id int key, customer ref customers, placed date)
            insert into customers (id, name, points, price) values (82885, "Ada", 8500, 12000.5), (3, "Ben", 25000, 7)
            insert into orders (id, customer, placed) values (10001, 82885, 2026-03-01)
            """)
        let table = try render("select customers order by id desc show id, points, price", .table, db: db)
        #expect(table.contains("│ 82885 │"), "\(table)")
        #expect(table.contains("8,500"), "\(table)")
        #expect(table.contains("25,000"), "\(table)")
        #expect(table.contains("12,000.50"), "\(table)")
        #expect(table.contains("7.00"), "\(table)")
        let orders = try render("select orders show id, customer, year(placed), customer.points", .table, db: db)
        #expect(orders.contains("│ 10001 │    82885 │         2026 │           8,500 │"), "\(orders)")
        // Numbers line up on their last digit.
        #expect(table.contains("│  8,500 │"), "\(table)")
        // `plain` writes every digit, as CSV does.
        let plain = try render("select customers order by id desc show id, points, price", .table, numberFormat: .plain, db: db)
        #expect(plain.contains("12000.5") && !plain.contains("12,000"), "\(plain)")
    }

    @Test func rulesRatiosAreRoundedInTablesAndExactInCSV() throws {
        let query = "select rules(orders, item: product, by: basket, support: 0.001) order by lift desc limit 5"
        let table = try render(query, .table)
        // No cell of the table has more than six significant digits.
        for line in table.split(separator: "\n") {
            for cell in line.split(separator: "│") {
                let text = cell.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: "")
                guard Double(text) != nil else { continue }
                let digits = text.filter(\.isNumber).drop { $0 == "0" }
                #expect(digits.count <= 6, "\(text) in\n\(table)")
            }
        }
        let csv = try render(query, .csv)
        let result = try Self.demo.query(query)
        let lift = result.value(row: 0, column: try #require(result.columnIndex(named: "lift")))
        guard case .number(let exact) = lift else { Issue.record("lift is not a number"); return }
        #expect(csv.contains("\(exact)"), "\(csv)")
    }

    @Test func theSessionSettingChoosesTheFormat() throws {
        let db = try Database(options: Database.Options(today: "2026-06-30"))
        #expect(db.numberFormat == .readable)
        try db.execute("set number_format = plain")
        #expect(db.numberFormat == .plain)
        try db.execute("set number_format = \"readable\"")
        #expect(db.numberFormat == .readable)
        #expect(throws: CRMQLError.self) { try db.execute("set number_format = pretty") }
    }
}
