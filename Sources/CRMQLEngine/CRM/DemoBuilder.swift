import CRMQLCore
import CRMQLStorage

/// Generates the demo data straight into column arrays: one pass over the
/// customers draws each one's profile, orders and interactions, then orders
/// and interactions are put in date order and numbered.
///
/// TUNING: every rate and weight below is a guess chosen to make the demo's
/// analyses tell a clear story (see `DemoData`); none is a law.
struct DemoBuilder {
    /// Lifecycle stages, as codes of `DemoTypes.stage`.
    enum Stage: Int {
        case prospect, growth, mature, decline, churned
    }

    /// The customers' columns, in the order of their ids.
    struct CustomerColumns {
        var ids: [Int64] = []
        var names: [String] = []
        var emails: [String] = []
        var emailNulls = NullBitmap()
        var regions: [Int32] = []
        var industries: [Int32] = []
        var industryNulls = NullBitmap()
        var kinds: [Int32] = []
        var stages: [Int32] = []
        var tiers: [Int32] = []
        var loyalty: [Double] = []
        var expected: [Double] = []
        var perceived: [Double] = []
        var perceivedNulls = NullBitmap()
        var signups: [Int64] = []
        var owners: [Int32] = []
        var points: [Int64] = []
        var serviceCosts: [Double] = []
        var serviceCostNulls = NullBitmap()

        mutating func reserve(_ count: Int) {
            ids.reserveCapacity(count)
            names.reserveCapacity(count)
            emails.reserveCapacity(count)
            regions.reserveCapacity(count)
            industries.reserveCapacity(count)
            kinds.reserveCapacity(count)
            stages.reserveCapacity(count)
            tiers.reserveCapacity(count)
            loyalty.reserveCapacity(count)
            expected.reserveCapacity(count)
            perceived.reserveCapacity(count)
            signups.reserveCapacity(count)
            owners.reserveCapacity(count)
            points.reserveCapacity(count)
            serviceCosts.reserveCapacity(count)
        }
    }

    /// One purchase: its lines are `lines[firstLine ..< firstLine + lineCount]`.
    struct Basket {
        var day: Int64
        var customer: Int64
        var firstLine: Int32
        var lineCount: Int32
        var channel: Int32
    }

    struct Line {
        var product: Int32
        var quantity: Int64
        var amount: Double
        var cost: Double
    }

    /// One interaction before it is numbered; `score` 0 means none.
    struct Touch {
        var day: Int64
        var customer: Int64
        var kind: Int32
        var outcome: Int32
        var score: Int64
        var agent: Int32
    }

    /// What a customer's interactions cost to serve, in counts.
    struct ContactLoad {
        var complaints = 0
        var others = 0
    }

    var random: DemoRandom
    let today: Int64
    var customers = CustomerColumns()
    /// The index of the customer in `customers`' first row: more than zero
    /// once `generate(customerCount:chunk:flush:)` has handed rows out.
    var customerBase = 0
    var baskets: [Basket] = []
    var lines: [Line] = []
    var touches: [Touch] = []

    // Cumulative weights for `DemoRandom.pick`, computed once.
    let stageWeights = DemoRandom.cumulative(DemoCatalogue.stageWeights)
    let regionWeights = DemoRandom.cumulative(DemoCatalogue.regionWeights)
    let industryWeights = DemoRandom.cumulative(DemoCatalogue.industryWeights)
    let productWeights = DemoRandom.cumulative(DemoCatalogue.products.map(\.popularity))
    let individualChannels = DemoRandom.cumulative(DemoCatalogue.individualChannelWeights)
    let businessChannels = DemoRandom.cumulative(DemoCatalogue.businessChannelWeights)
    let kindWeightsByStage = DemoCatalogue.interactionKindWeights.map(DemoRandom.cumulative)
    /// `DemoCatalogue.companions` by product code.
    let companionCodes: [[(product: Int32, probability: Double)]]
    /// The category code of each product code.
    let categoryOfProduct: [Int32]

    init(seed: UInt64, today: Int64) {
        random = DemoRandom(seed: seed)
        self.today = today
        let productCodes = DemoCatalogue.positions(DemoCatalogue.products.map(\.name))
        let categoryCodes = DemoCatalogue.positions(DemoCatalogue.categories)
        companionCodes = DemoCatalogue.products.map { product in
            (DemoCatalogue.companions[product.name] ?? []).compactMap { companion in
                productCodes[companion.name].map { (product: $0, probability: companion.probability) }
            }
        }
        categoryOfProduct = DemoCatalogue.products.map { categoryCodes[$0.category] ?? 0 }
    }

    mutating func generate(customerCount: Int) {
        customers.reserve(customerCount)
        baskets.reserveCapacity(customerCount * 5)
        lines.reserveCapacity(customerCount * 9)
        touches.reserveCapacity(customerCount * 4)
        for index in 0..<customerCount {
            addCustomer(index: index)
        }
    }

    /// Generates the same customers as `generate(customerCount:)`, but hands
    /// their columns to `flush` every `chunk` customers and then forgets
    /// them, so that the customers of a large data set are never all held at
    /// once. Orders and interactions are kept: they are written in date
    /// order, which only the last customer completes.
    mutating func generate(
        customerCount: Int, chunk: Int, flush: (CustomerColumns) throws -> Void
    ) rethrows {
        let chunk = max(chunk, 1)
        customers.reserve(min(chunk, customerCount))
        baskets.reserveCapacity(customerCount * 5)
        lines.reserveCapacity(customerCount * 9)
        touches.reserveCapacity(customerCount * 4)
        for index in 0..<customerCount {
            addCustomer(index: index)
            if customers.ids.count == chunk || index == customerCount - 1 {
                try flush(customers)
                customers = CustomerColumns()
                customers.reserve(min(chunk, customerCount - index - 1))
                customerBase = index + 1
            }
        }
    }

    // MARK: Customers

    private mutating func addCustomer(index: Int) {
        let id = Int64(index) + 1
        let row = index - customerBase
        let stage = Stage(rawValue: random.pick(stageWeights)) ?? .mature
        var isBusiness = random.chance(0.3)
        let name: DemoCatalogue.Name
        if index < DemoCatalogue.fixedNames.count {
            name = DemoCatalogue.fixedNames[index].name
            isBusiness = DemoCatalogue.fixedNames[index].isBusiness
        } else {
            name = isBusiness ? companyName() : personName()
        }
        customers.ids.append(id)
        customers.names.append(name.shown)
        if random.chance(0.05) {
            customers.emailNulls.set(row)
            customers.emails.append("")
        } else {
            let domain = isBusiness ? "example.org" : "example.com"
            customers.emails.append("\(name.ascii)\(id)@\(domain)")
        }
        let region = random.pick(regionWeights)
        customers.regions.append(Int32(region))
        let industry = Int32(random.pick(industryWeights))
        if random.chance(0.03) { customers.industryNulls.set(row) }
        customers.industries.append(industry)
        customers.kinds.append(isBusiness ? 1 : 0)
        customers.stages.append(Int32(stage.rawValue))

        let signup = today - signupAge(stage)
        customers.signups.append(signup)

        // Loyalty and the gap between perceived and expected quality follow
        // the stage, so that both separate the stages in the demo's analyses.
        let loyaltyMean: [Double] = [0.25, 0.55, 0.78, 0.42, 0.18]
        let loyalty = Self.rounded(Self.clamp(loyaltyMean[stage.rawValue] + 0.12 * random.normal(), 0, 1), 3)
        customers.loyalty.append(loyalty)
        let expected = Self.rounded(4 + 6 * random.unit(), 1)
        customers.expected.append(expected)
        // Overseas customers wait longest for deliveries and rate accordingly.
        let stageShift: [Double] = [0, 0.3, 0.8, -1.0, -1.6]
        let regionShift: [Double] = [0.1, 0, 0.2, -0.7, -0.2, 0.1]
        let shift = stageShift[stage.rawValue] + regionShift[region]
        let perceived = Self.rounded(Self.clamp(expected + shift + 1.3 * random.normal(), 1, 10), 1)
        let perceivedIsNull = random.chance(0.03)
        if perceivedIsNull { customers.perceivedNulls.set(row) }
        customers.perceived.append(perceived)
        let tier = Int32(Self.clamp((loyalty * 4 - 0.3 + 0.6 * random.normal()).rounded(.down), 0, 3))
        customers.tiers.append(tier)
        customers.owners.append(Int32(random.below(DemoCatalogue.owners.count)))

        // A heavy-tailed spending power (a truncated Pareto of index 1, from
        // 1 to 20): a minority of customers brings most of the value, as the
        // 80/20 rule expects.
        let wallet = 1 / (1 - 0.95 * random.unit())
        let revenue = addOrders(customer: id, stage: stage, isBusiness: isBusiness, wallet: wallet, signup: signup)
        let load = addInteractions(
            customer: id, stage: stage, signup: signup,
            satisfaction: perceivedIsNull ? nil : perceived / expected)

        let welcome = stage == .prospect ? 0 : random.between(0, 200)
        customers.points.append(welcome + Int64(revenue / 10 * (1 + 0.5 * Double(tier))))
        var serviceCost = 15 + 90 * random.unit() * random.unit()
        serviceCost += 40 * Double(load.complaints) + 6 * Double(load.others)
        if isBusiness { serviceCost *= 1.4 }
        if random.chance(0.02) { customers.serviceCostNulls.set(row) }
        customers.serviceCosts.append(Self.rounded(serviceCost, 2))
    }

    /// Days between signing up and today: prospects are recent, growing
    /// customers fairly recent, the others old enough to have a history.
    private mutating func signupAge(_ stage: Stage) -> Int64 {
        switch stage {
        case .prospect: return random.between(7, 540)
        case .growth: return random.between(120, 1100)
        case .mature: return random.between(900, 3050)
        case .decline: return random.between(700, 3050)
        case .churned: return random.between(900, 3050)
        }
    }

    private mutating func personName() -> DemoCatalogue.Name {
        if random.chance(0.15) {
            return DemoCatalogue.cjkNames[random.below(DemoCatalogue.cjkNames.count)]
        }
        let first = DemoCatalogue.firstNames[random.below(DemoCatalogue.firstNames.count)]
        let last = DemoCatalogue.lastNames[random.below(DemoCatalogue.lastNames.count)]
        return DemoCatalogue.Name(first.shown + " " + last.shown, first.ascii + "." + last.ascii)
    }

    private mutating func companyName() -> DemoCatalogue.Name {
        let draw = random.unit()
        if draw < 0.12 {
            return DemoCatalogue.cjkCompanies[random.below(DemoCatalogue.cjkCompanies.count)]
        }
        let word = DemoCatalogue.companyWords[random.below(DemoCatalogue.companyWords.count)]
        let last = DemoCatalogue.lastNames[random.below(DemoCatalogue.lastNames.count)]
        let suffix = DemoCatalogue.companySuffixes[random.below(DemoCatalogue.companySuffixes.count)]
        if draw < 0.14 {
            let quoted = DemoCatalogue.quotedWords[random.below(DemoCatalogue.quotedWords.count)]
            return DemoCatalogue.Name("\(word.shown) \"\(quoted)\" Co", word.ascii)
        }
        if draw < 0.17 {
            return DemoCatalogue.Name("\(last.shown), \(suffix)", last.ascii)
        }
        return DemoCatalogue.Name("\(word.shown) \(last.shown), \(suffix)", word.ascii)
    }
}

extension DemoBuilder {
    static func clamp(_ value: Double, _ lower: Double, _ upper: Double) -> Double {
        min(max(value, lower), upper)
    }

    /// `value` rounded half away from zero to `digits` decimals (0...3).
    static func rounded(_ value: Double, _ digits: Int) -> Double {
        let scale: Double = [1, 10, 100, 1000][min(max(digits, 0), 3)]
        return (value * scale).rounded() / scale
    }
}
