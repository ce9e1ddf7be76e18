import CRMQL
import Foundation
import Testing

/// The code in the DocC catalog cannot rot: every Swift block of an article
/// appears, line for line, in one of the tests below, which the compiler
/// checks and the suite runs; every C block appears in a fixture program
/// that is compiled and run. Edit an article and its copy here together.
@Suite struct DocumentationSnippetTests {
    // MARK: The articles' blocks are copies of this file's code

    @Test func everySwiftBlockOfTheCatalogIsCompiledHere() throws {
        let here = Self.normalizedLines(try String(contentsOfFile: #filePath, encoding: .utf8))
        let blocks = try Self.catalogBlocks(language: "swift")
        #expect(blocks.count >= 10)
        for block in blocks where !Self.isManifest(block.code) {
            let found = Self.contains(here, Self.normalizedLines(block.code))
            #expect(found, "a Swift block of \(block.article) is not in DocumentationSnippetTests.swift:\n\(block.code)")
        }
    }

    @Test func everyCBlockOfTheCatalogIsCompiledInAFixture() throws {
        let fixture = Paths.repositoryRoot.appendingPathComponent("Tests/EmbeddingTests/Fixtures/getting_started.c")
        let program = Self.normalizedLines(try String(contentsOf: fixture, encoding: .utf8))
        let blocks = try Self.catalogBlocks(language: "c")
        #expect(!blocks.isEmpty)
        for block in blocks {
            let found = Self.contains(program, Self.normalizedLines(block.code))
            #expect(found, "a C block of \(block.article) is not in Fixtures/getting_started.c:\n\(block.code)")
        }
    }

    /// The README's Swift and C blocks are the catalog's, so they are run too.
    @Test func theReadmesSwiftAndCBlocksAreTheCatalogs() throws {
        let readme = try String(contentsOf: Paths.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let catalog = try Self.catalogBlocks(language: "swift") + Self.catalogBlocks(language: "c")
        let known = Set(catalog.map { Self.normalizedLines($0.code) })
        let blocks = Self.blocks(in: readme, language: "swift", article: "README.md") + Self.blocks(in: readme, language: "c", article: "README.md")
        #expect(blocks.count >= 2)
        for block in blocks {
            let found = known.contains(Self.normalizedLines(block.code))
            #expect(found, "a block of the README is not one of the catalog's:\n\(block.code)")
        }
    }

    // MARK: The articles' code, run

    @Test func overview() throws {
        struct Customer: Decodable {
            let name: String
            let revenue: Double
        }

        let db = try Database.demo()
        let best = try db.prepare("select customers where region = $region order by revenue desc limit 5 show name, revenue")
        for customer in try best.query(parameters: ["region": "north"], as: Customer.self) {
            print(customer.name, customer.revenue)
        }
        #expect(try best.query(parameters: ["region": "north"], as: Customer.self).count == 5)
    }

    @Test func gettingStartedQueriesInTenLines() throws {
        struct Customer: Decodable {
            let name: String
            let points: Int
        }

        let db = try Database.demo()
        let top = try db.query("select customers order by points desc limit 3 show name, points", as: Customer.self)
        for customer in top { print(customer.name, customer.points) }
        #expect(top.count == 3)
        #expect(top[0].points >= top[1].points)
    }

    @Test func gettingStartedWithYourOwnData() throws {
        let folder = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("data"), withIntermediateDirectories: true)
        try "id,name,region\n1,Ada,north\n2,Ben,south\n".write(to: folder.appendingPathComponent("data/customers.csv"), atomically: true, encoding: .utf8)
        try "id,customer,amount,placed\n1,1,10.5,2026-05-01\n2,2,3,2026-06-01\n".write(to: folder.appendingPathComponent("data/orders.csv"), atomically: true, encoding: .utf8)
        let previous = FileManager.default.currentDirectoryPath
        // The article's paths are relative to where the host runs.
        #expect(FileManager.default.changeCurrentDirectoryPath(folder.path))
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }

        let db = try Database(options: .init(today: "2026-06-30"))
        try db.execute("""
            load customers from "data/customers.csv"
            load orders from "data/orders.csv"
            """)
        try db.execute("save \"crm.crmqlsnap\"")

        let later = try Database(snapshot: "crm.crmqlsnap")
        let spend = try later.query("select customers where name = 'Ada' show sum(orders.amount)")
        #expect(try spend[0].get(0, as: Double.self) == 10.5)
    }

    @Test func preparedStatements() throws {
        let db = try Database.demo()
        let webOrders = try db.query("select orders where placed >= $since and channel = $channel",
                                     parameters: ["since": Value.date(iso: "2026-01-01"), "channel": "web"])
        #expect(webOrders.rowCount > 0)

        let byTier = try db.prepare("select count customers where tier = $tier and points >= $min")
        for tier in ["bronze", "silver", "gold", "platinum"] {
            let count: Int = try byTier.query(parameters: ["tier": tier, "min": 1000])[0].get(0)
            print(tier, count)
        }

        try db.execute("create entity targets (region text, goal int)")
        let goals = [("north", 100), ("south", 80)]
        let add = try db.prepare("insert into targets (region, goal) values ($region, $goal)")
        for (region, goal) in goals { try add.execute(parameters: ["region": region, "goal": goal]) }
        #expect(try db.query("select count targets")[0].get(0, as: Int.self) == 2)
    }

    @Test func readingRows() throws {
        let db = try Database.demo()
        for row in try db.query("select customers limit 3 show name, points, signup") {
            let name: String = try row.get("name")
            let points = try row.get("points", as: Int?.self)    // nil for null
            let signup = try row.get(2, as: Date.self)
            print(name, points ?? 0, signup)
        }
    }

    @Test func decodingRows() throws {
        let db = try Database.demo()
        struct Customer: Decodable {
            enum Tier: String, Decodable { case bronze, silver, gold, platinum }
            let name: String
            let tier: Tier
            let orderCount: Int
            let churnRisk: Double?
        }
        let customers = try db.query("select customers show name, tier, order_count, churn_risk", as: Customer.self)
        #expect(customers.count == 10_000)
    }

    @Test func streamingRows() async throws {
        let db = try Database.demo()
        struct Order: Decodable { let id: Int; let amount: Double }
        struct Ledger {
            var count = 0
            mutating func add(_ order: Order) { count += 1 }
        }
        var ledger = Ledger()

        var stream = try db.stream("select orders", as: Order.self)
        while let order = try stream.next() { ledger.add(order) }

        for try await order in try db.stream("select orders", as: Order.self) { ledger.add(order) }
        #expect(ledger.count == 2 * (try db.query("select count orders")[0].get(0, as: Int.self)))
    }

    @Test func runningStatements() throws {
        let db = try Database.demo()
        try db.execute("param $min = 5000")
        let north = try db.query("select customers where region = $region and points >= $min", parameters: ["region": "north"])

        let byRegion = try db.prepare("select customers where region = $region and points >= $min")
        let south = try byRegion.query(parameters: ["region": "south", "min": 1000])
        print(north.rowCount, south.rowCount)
        #expect(south.rowCount > north.rowCount)
    }

    @Test func runningAScriptStatementByStatement() throws {
        let db = try Database.demo()
        let script = "select count customers\nupdate customers set points = 0 where id = 1"
        var statements = try db.statements(script, sourceName: "report.crmql")
        if let syntaxError = statements.syntaxError { throw syntaxError }
        while let statement = try statements.next() {
            for output in statement.outputs { print(output) }
            print("took", statement.duration)
        }
        #expect(try db.query("select customers where id = 1 show points")[0].get(0, as: Int.self) == 0)
    }

    @Test func anInteractiveHost() throws {
        let db = try Database.demo()
        var lastQuery = ""
        var typed = "select customers where stage = mature"
        if !InteractiveInput.needsMoreInput(typed) {
            let result = try db.query(typed)
            if InteractiveInput.isSingleQuery(typed) { lastQuery = typed }
            print(result)
        }
        typed = "show name, points"
        if let refined = InteractiveInput.refine(lastQuery, with: typed) {
            print(try db.query(refined))
        }
        let words = Completion(schema: db.schema).candidates(for: "select customers where re", cursor: 25)
        #expect(lastQuery == "select customers where stage = mature")
        #expect(InteractiveInput.refine(lastQuery, with: typed) == "select customers where stage = mature show name, points")
        #expect(words.contains("region"))
        #expect(InteractiveInput.needsMoreInput("select customers where ("))
    }

    @Test func hostFunctions() throws {
        let db = try Database.demo()
        try db.register("margin", arity: 2) { arguments in
            guard let revenue = arguments[0].doubleValue, let value = arguments[1].doubleValue,
                  revenue != 0 else { return .null }
            return .number(value / revenue)
        }
        let thin = try db.query("select customers where margin(revenue, value) < 0.1 show name, margin(revenue, value)")
        #expect(thin.columnNames.count == 2)
    }

    @Test func sandboxing() async throws {
        let db = try Database(options: .init(safe: true, limits: .init(
            timeLimit: .seconds(2), maxResultRows: 10_000, maxNestingDepth: 64, maxMemoryBytes: 512 << 20)))
        try db.loadDemo()
        let userText = "select count customers"
        struct Button { func onTap(_ action: () -> Void) { action() } }
        let cancelButton = Button()

        let running = Task.detached { try db.query(userText) }
        cancelButton.onTap { db.interrupt() }
        // Either the query finished first or the interrupt stopped it.
        do {
            _ = try await running.value
        } catch let error as CRMQLError {
            #expect(error.phase == .interrupted)
        }
    }

    // MARK: Reading the catalog

    struct Block {
        var article: String
        var code: String
    }

    static func catalogBlocks(language: String) throws -> [Block] {
        let catalog = Paths.repositoryRoot.appendingPathComponent("Sources/CRMQL/CRMQL.docc")
        var blocks: [Block] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: catalog.path).sorted() where name.hasSuffix(".md") {
            let text = try String(contentsOf: catalog.appendingPathComponent(name), encoding: .utf8)
            blocks += Self.blocks(in: text, language: language, article: name)
        }
        return blocks
    }

    static func blocks(in text: String, language: String, article: String) -> [Block] {
        var blocks: [Block] = []
        var current: [String]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line == "```" + language {
                current = []
            } else if let lines = current, line.hasPrefix("```") {
                blocks.append(Block(article: article, code: lines.joined(separator: "\n")))
                current = nil
            } else {
                current?.append(String(line))
            }
        }
        return blocks
    }

    /// A package manifest fragment: checked by every build of a host, not here.
    static func isManifest(_ code: String) -> Bool { code.contains(".package(") }

    /// Lines without indentation, blank lines or imports: an article shows
    /// top-level code that a test holds inside a function.
    static func normalizedLines(_ text: String) -> [String] {
        text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("import ") && !$0.hasPrefix("#include") }
    }

    static func contains(_ haystack: [String], _ needle: [String]) -> Bool {
        guard !needle.isEmpty, needle.count <= haystack.count else { return needle.isEmpty }
        return (0...(haystack.count - needle.count)).contains { start in
            haystack[start..<(start + needle.count)].elementsEqual(needle)
        }
    }
}
