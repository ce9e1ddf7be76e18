import CRMQLCore
import CRMQLStorage

/// Orders and interactions: when a customer buys and gets in touch follows
/// their lifecycle stage, which is what recency, RFM and churn risk detect.
extension DemoBuilder {
    // MARK: Orders

    /// Adds a customer's baskets and returns their revenue.
    mutating func addOrders(customer: Int64, stage: Stage, isBusiness: Bool, wallet: Double, signup: Int64) -> Double {
        let meanBaskets: [Double] = [0, 5, 7, 5, 4]
        let mean = meanBaskets[stage.rawValue] * (isBusiness ? 1.3 : 1) * min(0.7 + 0.1 * wallet, 2)
        guard mean > 0 else { return 0 }
        let count = max(1, Int((mean * (0.35 + 1.3 * random.unit())).rounded()))
        var revenue = 0.0
        for day in basketDays(count: count, stage: stage, signup: signup) {
            revenue += addBasket(customer: customer, day: day, isBusiness: isBusiness, wallet: wallet)
        }
        return revenue
    }

    /// The days of a customer's purchases, between signup and today.
    private mutating func basketDays(count: Int, stage: Stage, signup: Int64) -> [Int64] {
        let span = Double(today - signup)
        var days: [Int64] = []
        days.reserveCapacity(count)
        switch stage {
        case .prospect:
            return []
        case .growth:
            // Density rising towards today (the square root of a uniform),
            // and always one purchase in the last weeks.
            for _ in 1..<count { days.append(signup + Int64(span * random.unit().squareRoot())) }
            days.append(today - random.between(0, 45))
        case .mature:
            // One purchase per equal slice of the tenure: a steady rhythm.
            for slice in 0..<count {
                days.append(signup + Int64(span * (Double(slice) + random.unit()) / Double(count)))
            }
        case .decline:
            // Density falling towards a last purchase two to ten months ago:
            // one minus the largest of three uniforms has density 3(1 - x)².
            let end = max(signup + 30, today - random.between(60, 300))
            let length = Double(end - signup)
            for _ in 0..<count {
                let largest = max(random.unit(), random.unit(), random.unit())
                days.append(signup + Int64(length * (1 - largest)))
            }
        case .churned:
            // A steady rhythm that stopped eight months to three years ago.
            let end = max(signup + 10, today - random.between(240, 1000))
            let length = Double(end - signup)
            for slice in 0..<count {
                days.append(signup + Int64(length * (Double(slice) + random.unit()) / Double(count)))
            }
        }
        return days.map { min(max($0, signup), today) }
    }

    /// Adds one basket: an anchor product, its usual companions, sometimes
    /// an unrelated extra. Returns the basket's amount.
    private mutating func addBasket(customer: Int64, day: Int64, isBusiness: Bool, wallet: Double) -> Double {
        let channel = Int32(random.pick(isBusiness ? businessChannels : individualChannels))
        let anchor = Int32(random.pick(productWeights))
        var items: [Int32] = [anchor]
        for companion in companionCodes[Int(anchor)] where random.chance(companion.probability) {
            items.append(companion.product)
        }
        if random.chance(0.2) {
            let extra = Int32(random.pick(productWeights))
            if !items.contains(extra) { items.append(extra) }
        }
        let firstLine = Int32(lines.count)
        var total = 0.0
        for product in items {
            let quantity: Int64
            if isBusiness {
                quantity = random.between(1, 1 + Int64(3 * wallet))
            } else {
                quantity = random.chance(0.88) ? 1 : random.between(2, 3)
            }
            let price = DemoCatalogue.products[Int(product)].price
            let amount = Self.rounded(price * Double(quantity) * (0.85 + 0.15 * random.unit()), 2)
            let cost = Self.rounded(amount * (0.45 + 0.35 * random.unit()), 2)
            lines.append(Line(product: product, quantity: quantity, amount: amount, cost: cost))
            total += amount
        }
        baskets.append(Basket(
            day: day, customer: customer, firstLine: firstLine,
            lineCount: Int32(items.count), channel: channel))
        return total
    }

    /// The orders entity's columns: baskets in date order (ties in the
    /// order they were drawn, which is by customer), so that order ids and
    /// basket ids both grow with time.
    func orderTable() -> OrderTable {
        var table: OrderTable?
        forEachOrderSlice(maximumLines: Int.max) { table = $0 }
        return table ?? OrderTable()
    }

    /// The rows of `orderTable()` handed to `body` a slice of at most
    /// `maximumLines` lines at a time (whole baskets; a basket larger than
    /// the limit is a slice of its own), so that a large data set can be
    /// written without its order columns all held at once.
    func forEachOrderSlice(maximumLines: Int, _ body: (OrderTable) throws -> Void) rethrows {
        let order = Self.dateOrder(baskets.map(\.day))
        let room = min(maximumLines, lines.count)
        var slice = OrderTable(reserving: room)
        var nextLineID: Int64 = 1
        for (number, basketIndex) in order.enumerated() {
            let basket = baskets[basketIndex]
            if !slice.ids.isEmpty && slice.ids.count + Int(basket.lineCount) > maximumLines {
                try body(slice)
                slice = OrderTable(reserving: room)
            }
            for lineIndex in Int(basket.firstLine)..<Int(basket.firstLine + basket.lineCount) {
                let line = lines[lineIndex]
                slice.ids.append(nextLineID)
                nextLineID += 1
                slice.customers.append(basket.customer)
                slice.placed.append(basket.day)
                slice.baskets.append(Int64(number) + 1)
                slice.products.append(line.product)
                slice.categories.append(categoryOfProduct[Int(line.product)])
                slice.quantities.append(line.quantity)
                slice.amounts.append(line.amount)
                slice.costs.append(line.cost)
                slice.channels.append(basket.channel)
            }
        }
        if !slice.ids.isEmpty || order.isEmpty { try body(slice) }
    }

    /// The positions of `days` sorted by day, ties kept in position order:
    /// one integer sort of (day, position) packed in 64 bits.
    static func dateOrder(_ days: [Int64]) -> [Int] {
        guard let first = days.min() else { return [] }
        var keys = days.enumerated().map { position, day in
            UInt64(truncatingIfNeeded: day - first) << 32 | UInt64(truncatingIfNeeded: position)
        }
        keys.sort()
        return keys.map { Int($0 & 0xFFFF_FFFF) }
    }

    struct OrderTable {
        var ids: [Int64] = []
        var customers: [Int64] = []
        var placed: [Int64] = []
        var baskets: [Int64] = []
        var products: [Int32] = []
        var categories: [Int32] = []
        var quantities: [Int64] = []
        var amounts: [Double] = []
        var costs: [Double] = []
        var channels: [Int32] = []

        init() {}

        /// An empty table with room for `count` rows, so that filling it never reallocates.
        init(reserving count: Int) {
            ids.reserveCapacity(count)
            customers.reserveCapacity(count)
            placed.reserveCapacity(count)
            baskets.reserveCapacity(count)
            products.reserveCapacity(count)
            categories.reserveCapacity(count)
            quantities.reserveCapacity(count)
            amounts.reserveCapacity(count)
            costs.reserveCapacity(count)
            channels.reserveCapacity(count)
        }
    }

    // MARK: Interactions

    /// Adds a customer's interactions and returns how many there were.
    mutating func addInteractions(
        customer: Int64, stage: Stage, signup: Int64, satisfaction: Double?
    ) -> ContactLoad {
        let meanTouches: [Double] = [2, 3, 3, 4, 3.5]
        let count = Int((meanTouches[stage.rawValue] * (0.3 + 1.4 * random.unit())).rounded())
        let kinds = kindWeightsByStage[stage.rawValue]
        let slipping = stage == .decline || stage == .churned
        var load = ContactLoad()
        for _ in 0..<count {
            let kind = Int32(random.pick(kinds))
            let isComplaint = kind == Interaction.complaint
            var day = random.between(signup, today)
            if isComplaint && slipping {
                // Complaints come late in a relationship that is going sour.
                day = random.between(max(signup, today - 540), today)
            }
            let outcome = self.outcome(isComplaint: isComplaint, slipping: slipping, age: today - day)
            var score: Int64 = 0
            if kind == Interaction.survey {
                if let satisfaction {
                    let raw = 3 + (satisfaction - 1) * 4 + 0.7 * random.normal()
                    score = Int64(Self.clamp(raw.rounded(), 1, 5))
                } else {
                    score = random.between(1, 5)
                }
            }
            let agent = Int32(random.below(DemoCatalogue.agents.count))
            touches.append(Touch(
                day: day, customer: customer, kind: kind, outcome: outcome, score: score, agent: agent))
            if isComplaint { load.complaints += 1 } else { load.others += 1 }
        }
        return load
    }

    /// Most interactions end resolved; complaints stay open more often when
    /// recent, and most often with customers who are slipping away.
    private mutating func outcome(isComplaint: Bool, slipping: Bool, age: Int64) -> Int32 {
        let openChance: Double
        let escalatedChance: Double
        if isComplaint {
            let recent = age < 180
            openChance = recent ? (slipping ? 0.45 : 0.2) : (slipping ? 0.1 : 0.04)
            escalatedChance = 0.12
        } else {
            openChance = 0.06
            escalatedChance = 0.03
        }
        let draw = random.unit()
        if draw < openChance { return Interaction.open }
        if draw < openChance + escalatedChance { return Interaction.escalated }
        return Interaction.resolved
    }

    /// Codes of `DemoTypes.interactionKind` and `DemoTypes.outcome`.
    enum Interaction {
        static let complaint: Int32 = 4
        static let survey: Int32 = 5
        static let open: Int32 = 0
        static let resolved: Int32 = 1
        static let escalated: Int32 = 2
    }

    /// The interactions entity's columns, in date order (ties by customer).
    func interactionTable() -> InteractionTable {
        var table: InteractionTable?
        forEachInteractionSlice(maximumRows: Int.max) { table = $0 }
        return table ?? InteractionTable()
    }

    /// The rows of `interactionTable()` handed to `body` at most
    /// `maximumRows` at a time, ids continuing from slice to slice.
    func forEachInteractionSlice(maximumRows: Int, _ body: (InteractionTable) throws -> Void) rethrows {
        let order = Self.dateOrder(touches.map(\.day))
        var start = 0
        repeat {
            let end = min(order.count, start + max(maximumRows, 1))
            var slice = InteractionTable(reserving: end - start)
            for (offset, touchIndex) in order[start..<end].enumerated() {
                let touch = touches[touchIndex]
                slice.ids.append(Int64(start + offset) + 1)
                slice.customers.append(touch.customer)
                slice.days.append(touch.day)
                slice.kinds.append(touch.kind)
                slice.outcomes.append(touch.outcome)
                slice.scores.append(touch.score)
                if touch.score == 0 { slice.scoreNulls.set(offset) }
                slice.agents.append(touch.agent)
            }
            try body(slice)
            start = end
        } while start < order.count
    }

    struct InteractionTable {
        var ids: [Int64] = []
        var customers: [Int64] = []
        var days: [Int64] = []
        var kinds: [Int32] = []
        var outcomes: [Int32] = []
        var scores: [Int64] = []
        var scoreNulls = NullBitmap()
        var agents: [Int32] = []

        init() {}

        /// An empty table with room for `count` rows.
        init(reserving count: Int) {
            ids.reserveCapacity(count)
            customers.reserveCapacity(count)
            days.reserveCapacity(count)
            kinds.reserveCapacity(count)
            outcomes.reserveCapacity(count)
            scores.reserveCapacity(count)
            agents.reserveCapacity(count)
        }
    }
}
