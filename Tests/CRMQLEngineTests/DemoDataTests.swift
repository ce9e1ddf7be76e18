import XCTest
import CRMQLCore
import CRMQLStorage
@testable import CRMQLEngine

final class DemoDataTests: XCTestCase {
    /// Built once: the demo is deterministic, so every test may share it.
    static let store = DemoData.makeStore()

    private func entity(_ name: String) throws -> Entity {
        try XCTUnwrap(Self.store[name], "missing entity \(name)")
    }

    // MARK: Shape

    func testTodayIsTheEndOfJune2026() {
        XCTAssertEqual(CivilDate(days: DemoData.today).iso, "2026-06-30")
    }

    func testEntitiesAndSizes() throws {
        XCTAssertEqual(Self.store.entityNames, ["customers", "orders", "interactions"])
        XCTAssertEqual(try entity("customers").rowCount, 10_000)
        let orders = try entity("orders").rowCount
        let interactions = try entity("interactions").rowCount
        XCTAssertTrue((70_000...95_000).contains(orders), "orders: \(orders)")
        XCTAssertTrue((25_000...35_000).contains(interactions), "interactions: \(interactions)")
        for entity in Self.store.allEntities {
            for column in entity.columns { XCTAssertEqual(column.count, entity.rowCount, entity.name) }
        }
    }

    func testCustomerSchema() throws {
        assertSchema(try entity("customers"), [
            ("id", "int"), ("name", "text"), ("email", "text"),
            ("region", "enum(central, east, north, overseas, south, west)"),
            ("industry", "enum(education, finance, government, health, hospitality, manufacturing, retail, tech)"),
            ("kind", "enum(individual, business)"),
            ("stage", "enum(prospect, growth, mature, decline, churned)"),
            ("tier", "enum(bronze, silver, gold, platinum)"),
            ("loyalty", "number"), ("expected", "number"), ("perceived", "number"), ("signup", "date"),
            ("owner", nil), ("points", "int"), ("service_cost", "number"),
        ])
    }

    func testOrderSchema() throws {
        let orders = try entity("orders")
        assertSchema(orders, [
            ("id", "int"), ("customer", "ref customers"), ("placed", "date"), ("basket", "int"),
            ("product", nil), ("category", nil), ("quantity", "int"), ("amount", "number"), ("cost", "number"),
            ("channel", "enum(partner, phone, store, web)"),
        ])
        guard case .int = orders.columns[1].data else { return XCTFail("a ref stores its parent's int keys") }
    }

    func testInteractionSchema() throws {
        let interactions = try entity("interactions")
        assertSchema(interactions, [
            ("id", "int"), ("customer", "ref customers"), ("at", "date"),
            ("kind", "enum(call, email, visit, chat, complaint, survey)"),
            ("outcome", "enum(open, resolved, escalated)"), ("score", "int"), ("agent", nil),
        ])
        guard case .int = interactions.columns[1].data else { return XCTFail("a ref stores its parent's int keys") }
    }

    /// Low-cardinality text fields are enums in text order, as `load` infers them.
    func testTextLikeEnumsAreSortedAsText() throws {
        let fields = [
            ("customers", "region"), ("customers", "industry"), ("customers", "owner"), ("orders", "product"),
            ("orders", "category"), ("orders", "channel"), ("interactions", "agent"),
        ]
        for (entityName, fieldName) in fields {
            let entity = try entity(entityName)
            let field = try XCTUnwrap(entity.fields.first { $0.name == fieldName })
            guard case .enumeration(let type) = field.type else { return XCTFail("\(fieldName) is not an enum") }
            XCTAssertEqual(type.symbols, type.symbols.sorted(), fieldName)
            XCTAssertEqual(Set(type.symbols).count, type.symbols.count, fieldName)
            XCTAssertLessThanOrEqual(type.symbols.count, 256, fieldName)
        }
    }

    func testKeysAreOneToN() throws {
        for entity in Self.store.allEntities {
            XCTAssertEqual(entity.keyFieldIndex, 0)
            XCTAssertEqual(ints(entity, "id"), Array(1...Int64(entity.rowCount)), entity.name)
        }
    }

    func testDeterministic() {
        let again = DemoData.makeStore()
        XCTAssertEqual(again.entityNames, Self.store.entityNames)
        for name in again.entityNames {
            guard let first = Self.store[name], let second = again[name] else { return XCTFail(name) }
            XCTAssertEqual(first.fields, second.fields)
            for (left, right) in zip(first.columns, second.columns) {
                XCTAssertTrue(sameData(left, right), name)
                XCTAssertEqual(left.nulls, right.nulls, name)
            }
        }
        let other = DemoData.makeStore(customerCount: 200, seed: 7)
        XCTAssertEqual(other["customers"]?.rowCount, 200)
        XCTAssertFalse(sameData(other["customers"]!.columns[1], Self.store["customers"]!.columns[1]))
    }

    func testTinyAndEmptyStores() {
        let empty = DemoData.makeStore(customerCount: 0, seed: 1)
        XCTAssertEqual(empty.allEntities.map(\.rowCount), [0, 0, 0])
        let negative = DemoData.makeStore(customerCount: -5, seed: 1)
        XCTAssertEqual(negative["customers"]?.rowCount, 0)
        let one = DemoData.makeStore(customerCount: 1, seed: 1)
        XCTAssertEqual(one["customers"]?.rowCount, 1)
    }

    // MARK: Content

    func testHardNamesAndMissingValues() throws {
        let customers = try entity("customers")
        let names = texts(customers, "name")
        XCTAssertEqual(Array(names.prefix(4)), ["王芳", "Chloé Müller", "O'Brien, Ltd", "Acme \"Best\" Co"])
        XCTAssertTrue(names.contains { $0.contains(",") && !$0.hasPrefix("O'Brien") })
        XCTAssertTrue(names.contains { $0.unicodeScalars.contains { $0.value >= 0x4E00 && $0.value <= 0x9FFF } })
        for field in ["email", "industry", "perceived", "service_cost"] {
            let nulls = column(customers, field).nulls.nullCount
            XCTAssertTrue((20...1_000).contains(nulls), "\(field): \(nulls) nulls")
        }
        for field in ["id", "name", "region", "stage", "tier", "loyalty", "expected", "signup", "points"] {
            XCTAssertEqual(column(customers, field).nulls.nullCount, 0, field)
        }
    }

    func testRangesOfScores() throws {
        let customers = try entity("customers")
        XCTAssertTrue(numbers(customers, "loyalty").allSatisfy { (0...1).contains($0) })
        let perceived = column(customers, "perceived")
        for (row, value) in numbers(customers, "expected").enumerated() {
            XCTAssertTrue((1...10).contains(value))
            if !perceived.isNull(row), case .number(let values) = perceived.data {
                XCTAssertTrue((1...10).contains(values[row]))
            }
        }
        let interactions = try entity("interactions")
        let kinds = codes(interactions, "kind")
        let score = column(interactions, "score")
        for (row, value) in ints(interactions, "score").enumerated() {
            if kinds[row] == 5 {
                XCTAssertFalse(score.isNull(row), "a survey has a score")
                XCTAssertTrue((1...5).contains(value))
            } else {
                XCTAssertTrue(score.isNull(row), "only surveys have scores")
            }
        }
    }

    func testOrdersBelongToExistingCustomersAndRespectTime() throws {
        let customers = try entity("customers"), orders = try entity("orders")
        let signup = temporals(customers, "signup")
        let placed = temporals(orders, "placed"), baskets = ints(orders, "basket")
        var unknownCustomer = 0, beforeSignup = 0, afterToday = 0, basketsSplit = 0
        var basketDay: [Int64: Int64] = [:]
        for (row, customer) in ints(orders, "customer").enumerated() {
            guard (1...Int64(customers.rowCount)).contains(customer) else {
                unknownCustomer += 1
                continue
            }
            if placed[row] > DemoData.today { afterToday += 1 }
            if placed[row] < signup[Int(customer) - 1] { beforeSignup += 1 }
            if let known = basketDay[baskets[row]], known != placed[row] { basketsSplit += 1 }
            basketDay[baskets[row]] = placed[row]
        }
        XCTAssertEqual([unknownCustomer, beforeSignup, afterToday, basketsSplit], [0, 0, 0, 0])
        XCTAssertEqual(placed, placed.sorted(), "orders come in date order")
        XCTAssertEqual(baskets, baskets.sorted(), "basket ids grow with time")
        let interactions = try entity("interactions")
        XCTAssertTrue(ints(interactions, "customer").allSatisfy { (1...Int64(customers.rowCount)).contains($0) })
        XCTAssertTrue(temporals(interactions, "at").allSatisfy { $0 <= DemoData.today })
    }

    func testCategoriesAndAmountsAgreeWithProducts() throws {
        let orders = try entity("orders")
        let products = codes(orders, "product"), categories = codes(orders, "category")
        var categoryOf: [Int32: Int32] = [:]
        for (product, category) in zip(products, categories) {
            if let known = categoryOf[product] { XCTAssertEqual(known, category) }
            categoryOf[product] = category
        }
        let amounts = numbers(orders, "amount"), costs = numbers(orders, "cost")
        for (amount, cost) in zip(amounts, costs) {
            XCTAssertGreaterThan(amount, 0)
            XCTAssertTrue(cost > 0 && cost < amount)
        }
        XCTAssertTrue(ints(orders, "quantity").allSatisfy { $0 >= 1 })
    }

    /// Activity follows the lifecycle stage.
    func testActivityMatchesStage() throws {
        let facts = try StageFacts(store: Self.store)
        let today = DemoData.today
        var violations: [String: Int] = [:]
        for customer in facts.customers {
            let last = customer.orderDays.max()
            let broken: String?
            switch customer.stage {
            case 0: broken = last == nil ? nil : "prospect with orders"
            case 1: broken = (last ?? 0) >= today - 60 ? nil : "growth without a recent order"
            case 2: broken = last != nil ? nil : "mature without orders"
            case 3: broken = (last ?? today) <= today - 60 ? nil : "decline with a recent order"
            default: broken = (last ?? today) <= today - 180 ? nil : "churned with a recent order"
            }
            if let broken { violations[broken, default: 0] += 1 }
        }
        XCTAssertEqual(violations, [:])
        // Growing customers buy more and more often, declining ones less
        // and less: the gaps between purchases shrink, or widen.
        XCTAssertLessThan(facts.shareWithWideningGaps(stage: 1), 0.35)
        XCTAssertGreaterThan(facts.shareWithWideningGaps(stage: 3), 0.65)
        // Loyalty and satisfaction: mature > growth > decline > churned.
        for measure: (StageFacts.Customer) -> Double? in [{ $0.loyalty }, { $0.satisfaction }] {
            let byStage = (0...4).map { facts.mean(stage: Int32($0), measure) }
            XCTAssertGreaterThan(byStage[2], byStage[1])
            XCTAssertGreaterThan(byStage[1], byStage[3])
            XCTAssertGreaterThan(byStage[3], byStage[4])
        }
        // Complaints, and open ones, gather in decline and churned.
        let complaints = (0...4).map { facts.mean(stage: Int32($0)) { $0.complaints } }
        let open = (0...4).map { facts.mean(stage: Int32($0)) { $0.openComplaints } }
        for slipping in [3, 4] {
            for healthy in [1, 2] {
                XCTAssertGreaterThan(complaints[slipping], 2 * complaints[healthy])
                XCTAssertGreaterThan(open[slipping], 2 * open[healthy])
            }
        }
    }

    func testBundlesGiveRules() throws {
        let orders = try entity("orders")
        guard case .enumeration(let products) = orders.fields[4].type else { return XCTFail() }
        let rules = try AssociationRules.mine(
            groupOfRow: ints(orders, "basket"), itemOfRow: codes(orders, "product"), itemNames: products.symbols)
        let texts = rules.map {
            AssociationRules.antecedentText($0.antecedent, itemNames: products.symbols) + " → "
                + products.symbols[Int($0.consequent)]
        }
        XCTAssertTrue(texts.contains("phone case, screen protector → phone pro"), "\(texts)")
        XCTAssertTrue(texts.contains("smartwatch → watch strap"))
        XCTAssertTrue(texts.contains("laptop bag, mouse → laptop 13"))
        XCTAssertTrue(rules.allSatisfy { $0.lift > 1 })
    }

    func testTiming() {
        let clock = ContinuousClock()
        var store = Store()
        let elapsed = clock.measure { store = DemoData.makeStore() }
        print("DemoData.makeStore: \(elapsed) for \(store.allEntities.map(\.rowCount)) rows")
    }

    // MARK: Utilities

    private func assertSchema(
        _ entity: Entity, _ expected: [(String, String?)], file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(entity.fields.map(\.name), expected.map(\.0), file: file, line: line)
        for (field, (name, type)) in zip(entity.fields, expected) {
            if let type { XCTAssertEqual(field.type.description, type, name, file: file, line: line) }
            XCTAssertEqual(field.isKey, name == "id", name, file: file, line: line)
        }
    }

    private func sameData(_ left: Column, _ right: Column) -> Bool {
        switch (left.data, right.data) {
        case (.int(let a), .int(let b)), (.temporal(let a), .temporal(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.text(let a), .text(let b)): return a == b
        case (.bool(let a), .bool(let b)): return a == b
        case (.codes(let a), .codes(let b)): return a == b
        default: return false
        }
    }
}

// MARK: Column access for tests

private func column(_ entity: Entity, _ field: String) -> Column {
    guard let index = entity.fieldIndex(field) else { return Column(empty: .int) }
    return entity.columns[index]
}

private func ints(_ entity: Entity, _ field: String) -> [Int64] {
    if case .int(let values) = column(entity, field).data { return values }
    return []
}

private func numbers(_ entity: Entity, _ field: String) -> [Double] {
    if case .number(let values) = column(entity, field).data { return values }
    return []
}

private func texts(_ entity: Entity, _ field: String) -> [String] {
    if case .text(let values) = column(entity, field).data { return values }
    return []
}

private func temporals(_ entity: Entity, _ field: String) -> [Int64] {
    if case .temporal(let values) = column(entity, field).data { return values }
    return []
}

private func codes(_ entity: Entity, _ field: String) -> [Int32] {
    if case .codes(let values) = column(entity, field).data { return values.wide }
    return []
}

/// Per-customer facts gathered from the three entities.
private struct StageFacts {
    struct Customer {
        var stage: Int32
        var signup: Int64
        var loyalty: Double
        var satisfaction: Double?
        var orderDays: [Int64] = []
        var complaints: Double = 0
        var openComplaints: Double = 0
    }

    var customers: [Customer] = []

    init(store: Store) throws {
        let customers = try XCTUnwrap(store["customers"])
        let orders = try XCTUnwrap(store["orders"])
        let interactions = try XCTUnwrap(store["interactions"])
        let stages = codes(customers, "stage"), signups = temporals(customers, "signup")
        let loyalty = numbers(customers, "loyalty")
        let expected = numbers(customers, "expected"), perceived = numbers(customers, "perceived")
        let perceivedColumn = column(customers, "perceived")
        for row in 0..<customers.rowCount {
            let satisfaction = perceivedColumn.isNull(row) ? nil : perceived[row] / expected[row]
            self.customers.append(Customer(
                stage: stages[row], signup: signups[row], loyalty: loyalty[row], satisfaction: satisfaction))
        }
        for (customer, day) in zip(ints(orders, "customer"), temporals(orders, "placed")) {
            self.customers[Int(customer) - 1].orderDays.append(day)
        }
        let kinds = codes(interactions, "kind"), outcomes = codes(interactions, "outcome")
        for (row, customer) in ints(interactions, "customer").enumerated() where kinds[row] == 4 {
            self.customers[Int(customer) - 1].complaints += 1
            if outcomes[row] == 0 { self.customers[Int(customer) - 1].openComplaints += 1 }
        }
    }

    /// The mean of a measure over the customers of a stage (nulls skipped).
    func mean(stage: Int32, _ measure: (Customer) -> Double?) -> Double {
        let values = customers.filter { $0.stage == stage }.compactMap(measure)
        return values.reduce(0, +) / Double(max(values.count, 1))
    }

    /// Among a stage's customers with four or more purchase days, the share
    /// whose later gaps between purchases are longer than their earlier ones.
    func shareWithWideningGaps(stage: Int32) -> Double {
        var widening = 0, all = 0
        for customer in customers where customer.stage == stage {
            let days = Array(Set(customer.orderDays)).sorted()
            guard days.count >= 4 else { continue }
            let gaps = zip(days.dropFirst(), days).map { $0 - $1 }
            let half = gaps.count / 2
            let earlier = gaps.prefix(half).reduce(0, +) * Int64(gaps.count - half)
            let later = gaps.suffix(gaps.count - half).reduce(0, +) * Int64(half)
            all += 1
            if later > earlier { widening += 1 }
        }
        return Double(widening) / Double(max(all, 1))
    }
}
