import CRMQLCore
import CRMQLStorage

/// The built-in demo data (`crmql --demo`, `.demo`): a fictional electronics
/// retailer with about 10,000 customers, 80,000 order lines and 30,000
/// interactions in the three standard entities `customers`, `orders` and
/// `interactions`, with exactly the standard fields and types.
///
/// The data are synthetic but behave like a CRM export: customers' activity
/// matches their lifecycle stage (prospects never ordered, growing customers
/// buy more and more often, churned ones stopped long ago), complaints gather
/// among declining and churned customers, loyalty and satisfaction follow the
/// stage, some products sell as bundles, some values are missing, and names
/// include CJK script, accents, commas and quotes.
///
/// Everything comes from one seeded generator, so every call, on every
/// machine, builds the same store; all dates lie on or before `today`.
public enum DemoData {
    /// The demo's "today", 2026-06-30, as days since 1970-01-01. No order or
    /// interaction is later; `crmql --demo` uses it as `today`
    /// so that recency, RFM and churn risk read as intended.
    public static let today: Int64 = CivilDate(year: 2026, month: 6, day: 30).days

    /// How many customers `makeStore()` creates.
    public static let standardCustomerCount = 10_000

    /// The seed of `makeStore()`.
    public static let standardSeed: UInt64 = 20_260_630

    /// The demo store: `customers`, `orders`, `interactions`, in that order.
    ///
    /// - Complexity: O(rows); about 0.1 s in a release build.
    public static func makeStore() -> Store {
        makeStore(customerCount: standardCustomerCount, seed: standardSeed)
    }

    /// A store shaped like the demo with another size or seed (for tests and
    /// benchmarks). `customerCount` is clamped to 0...1,000,000; order lines
    /// and interactions scale with it.
    public static func makeStore(customerCount: Int, seed: UInt64) -> Store {
        var builder = DemoBuilder(seed: seed, today: today)
        builder.generate(customerCount: min(max(customerCount, 0), 1_000_000))
        var store = Store()
        store["customers"] = DemoBuilder.customersEntity(builder.customers)
        store["orders"] = DemoBuilder.ordersEntity(builder.orderTable())
        store["interactions"] = DemoBuilder.interactionsEntity(builder.interactionTable())
        return store
    }
}

/// The enum types of the demo's columns, shared by every store it builds.
enum DemoTypes {
    static let region = EnumType(DemoCatalogue.regions)
    static let industry = EnumType(DemoCatalogue.industries)
    static let customerKind = EnumType(DemoCatalogue.kinds)
    static let stage = EnumType(DemoCatalogue.stages)
    static let tier = EnumType(DemoCatalogue.tiers)
    static let owner = EnumType(DemoCatalogue.owners)
    static let product = EnumType(DemoCatalogue.products.map(\.name))
    static let category = EnumType(DemoCatalogue.categories)
    static let channel = EnumType(DemoCatalogue.channels)
    static let interactionKind = EnumType(DemoCatalogue.interactionKinds)
    static let outcome = EnumType(DemoCatalogue.outcomes)
    static let agent = EnumType(DemoCatalogue.agents)
}

extension DemoBuilder {
    static func customersEntity(_ customers: CustomerColumns) -> Entity {
        let fields: [Field] = [
            Field(name: "id", type: .int, isKey: true),
            Field(name: "name", type: .text),
            Field(name: "email", type: .text),
            Field(name: "region", type: .enumeration(DemoTypes.region)),
            Field(name: "industry", type: .enumeration(DemoTypes.industry)),
            Field(name: "kind", type: .enumeration(DemoTypes.customerKind)),
            Field(name: "stage", type: .enumeration(DemoTypes.stage)),
            Field(name: "tier", type: .enumeration(DemoTypes.tier)),
            Field(name: "loyalty", type: .number),
            Field(name: "expected", type: .number),
            Field(name: "perceived", type: .number),
            Field(name: "signup", type: .date),
            Field(name: "owner", type: .enumeration(DemoTypes.owner)),
            Field(name: "points", type: .int),
            Field(name: "service_cost", type: .number),
        ]
        let columns: [ColumnData] = [
            .int(customers.ids), .text(customers.names), .text(customers.emails),
            .codes(EnumCodes(customers.regions)), .codes(EnumCodes(customers.industries)), .codes(EnumCodes(customers.kinds)),
            .codes(EnumCodes(customers.stages)), .codes(EnumCodes(customers.tiers)), .number(customers.loyalty),
            .number(customers.expected), .number(customers.perceived), .temporal(customers.signups),
            .codes(EnumCodes(customers.owners)), .int(customers.points), .number(customers.serviceCosts),
        ]
        let nulls: [String: NullBitmap] = [
            "email": customers.emailNulls, "industry": customers.industryNulls,
            "perceived": customers.perceivedNulls, "service_cost": customers.serviceCostNulls,
        ]
        return entity("customers", fields, columns, nulls)
    }

    static func ordersEntity(_ orders: OrderTable) -> Entity {
        let fields: [Field] = [
            Field(name: "id", type: .int, isKey: true),
            Field(name: "customer", type: .ref("customers")),
            Field(name: "placed", type: .date),
            Field(name: "basket", type: .int),
            Field(name: "product", type: .enumeration(DemoTypes.product)),
            Field(name: "category", type: .enumeration(DemoTypes.category)),
            Field(name: "quantity", type: .int),
            Field(name: "amount", type: .number),
            Field(name: "cost", type: .number),
            Field(name: "channel", type: .enumeration(DemoTypes.channel)),
        ]
        let columns: [ColumnData] = [
            .int(orders.ids), .int(orders.customers), .temporal(orders.placed), .int(orders.baskets),
            .codes(EnumCodes(orders.products)), .codes(EnumCodes(orders.categories)), .int(orders.quantities),
            .number(orders.amounts), .number(orders.costs), .codes(EnumCodes(orders.channels)),
        ]
        return entity("orders", fields, columns, [:])
    }

    static func interactionsEntity(_ interactions: InteractionTable) -> Entity {
        let fields: [Field] = [
            Field(name: "id", type: .int, isKey: true),
            Field(name: "customer", type: .ref("customers")),
            Field(name: "at", type: .date),
            Field(name: "kind", type: .enumeration(DemoTypes.interactionKind)),
            Field(name: "outcome", type: .enumeration(DemoTypes.outcome)),
            Field(name: "score", type: .int),
            Field(name: "agent", type: .enumeration(DemoTypes.agent)),
        ]
        let columns: [ColumnData] = [
            .int(interactions.ids), .int(interactions.customers), .temporal(interactions.days),
            .codes(EnumCodes(interactions.kinds)), .codes(EnumCodes(interactions.outcomes)), .int(interactions.scores),
            .codes(EnumCodes(interactions.agents)),
        ]
        return entity("interactions", fields, columns, ["score": interactions.scoreNulls])
    }

    private static func entity(
        _ name: String, _ fields: [Field], _ data: [ColumnData], _ nulls: [String: NullBitmap]
    ) -> Entity {
        var columns: [Column] = []
        for (field, data) in zip(fields, data) {
            columns.append(Column(type: field.type, data: data, nulls: nulls[field.name] ?? NullBitmap()))
        }
        return Entity(name: name, fields: fields, columns: columns)
    }
}
