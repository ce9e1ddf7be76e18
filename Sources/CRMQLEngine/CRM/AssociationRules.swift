/// Association rules between items found together in the same group, the
/// table behind `rules(<entity>, item: <field>, by: <field>, ...)`.
///
/// A transaction is the set of distinct items of one group (one basket).
/// For an itemset `S`, `count(S)` is the number of groups containing all of
/// it and `support(S) = count(S) / groups`. A rule `A → c` has one or more
/// items on the left and one on the right, with
/// - `support = support(A ∪ {c})`, `count = count(A ∪ {c})`,
/// - `confidence = support(A ∪ {c}) / support(A)`,
/// - `lift = confidence / support({c})`.
///
/// Only itemsets with `support >= minSupport` and rules with
/// `confidence >= minConfidence` appear; both tests are made on exact group
/// counts (see `Threshold`). Rules come by lift descending, then by the text
/// of the antecedent, then by the consequent's name.
public enum AssociationRules {
    /// One rule `antecedent → consequent`.
    public struct Rule: Sendable, Hashable {
        /// The items on the left, as ascending item codes.
        public var antecedent: [Int32]
        /// The item on the right.
        public var consequent: Int32
        /// Groups containing both sides.
        public var count: Int
        /// Share of groups containing both sides.
        public var support: Double
        /// `support / support(antecedent)`.
        public var confidence: Double
        /// `confidence / support(consequent)`.
        public var lift: Double

        /// A rule with its measures, as `mine` computes them.
        public init(
            antecedent: [Int32], consequent: Int32, count: Int, support: Double, confidence: Double, lift: Double
        ) {
            self.antecedent = antecedent
            self.consequent = consequent
            self.count = count
            self.support = support
            self.confidence = confidence
            self.lift = lift
        }
    }

    /// Why mining stopped: the input asks for more work than is sensible.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// What went wrong, as a user reads it.
        public var message: String

        /// A failure that says `message`.
        public init(message: String) {
            self.message = message
        }

        /// The message.
        public var description: String { message }

        static func tooManyItemsets(_ limit: Int) -> Failure {
            Failure(message: "more than \(limit) frequent itemsets; raise support")
        }

        static let tooLarge = Failure(
            message: "the groups hold too many items to pair up; raise support or group by a finer field")

        /// Mining was stopped because `stop` asked it to.
        public static let stopped = Failure(message: "stopped")
    }

    /// The itemset limit `mine` uses unless told otherwise.
    public static let defaultMaxItemsets = 1_000_000

    /// Mines the rules of the transactions given row by row.
    ///
    /// - Parameters:
    ///   - groupOfRow: each row's group key (the `by` field; any encoding
    ///     that maps equal values to equal keys).
    ///   - itemOfRow: each row's item code, an index into `itemNames`. Rows
    ///     with a code outside `itemNames.indices` (such as -1 for a null
    ///     item) are skipped, and a group with no other rows is not counted.
    ///   - itemNames: the text of each item, for ordering antecedents.
    ///   - minSupport: the least share of groups an itemset needs. Itemsets
    ///     must occur at least once even with support 0.
    ///   - minConfidence: the least confidence a rule needs.
    ///   - maxLength: the most items a rule may hold, both sides together.
    ///   - maxItemsets: a bound on the frequent itemsets; beyond it mining
    ///     stops with a `Failure` rather than exhausting memory.
    ///   - stop: asked every few milliseconds of work; when it answers
    ///     true, mining ends with `Failure.stopped` (an interrupt, a time
    ///     limit).
    /// - Returns: the rules, by lift descending, then antecedent text, then
    ///   consequent name.
    /// - Complexity: O(rows + pairs of frequent items within groups +
    ///   frequent itemsets × their group lists).
    public static func mine(
        groupOfRow: [Int64],
        itemOfRow: [Int32],
        itemNames: [String],
        minSupport: Threshold = .defaultSupport,
        minConfidence: Threshold = .defaultConfidence,
        maxLength: Int = .max,
        maxItemsets: Int = defaultMaxItemsets,
        stop: @escaping () -> Bool = { false }
    ) throws(Failure) -> [Rule] {
        var pacer = StopCheck(stop: stop)
        let transactions = try Transactions(groupOfRow: groupOfRow, itemOfRow: itemOfRow, itemCount: itemNames.count, &pacer)
        let groupCount = transactions.groupCount
        guard groupCount > 0 else { return [] }
        var miner = ItemsetMiner(
            minCount: minSupport.minimumCount(outOf: groupCount), maxLength: maxLength, maxItemsets: maxItemsets)
        try miner.mine(transactions, &pacer)
        let rules = try makeRules(
            from: miner.table, itemCounts: transactions.itemCounts, groupCount: groupCount,
            minConfidence: minConfidence, &pacer)
        return try ordered(rules, itemNames: itemNames, &pacer)
    }

    /// Asks `stop` once per `stride` units of work (pair increments, list
    /// elements intersected, rules made): a unit takes nanoseconds, so a
    /// stride takes well under a millisecond (a few in a debug build).
    struct StopCheck: ~Copyable {
        let stop: () -> Bool
        private var work = 0
        /// TUNING: 16,384 units.
        static let stride = 1 << 14

        init(stop: @escaping () -> Bool) {
            self.stop = stop
        }

        mutating func add(_ units: Int) throws(Failure) {
            work += units
            if work >= Self.stride {
                work = 0
                try check()
            }
        }

        func check() throws(Failure) {
            if stop() { throw Failure.stopped }
        }
    }

    /// The antecedent as the `antecedent` column shows it: item names in
    /// ascending text order, joined by ", ". Codes without a name are skipped.
    public static func antecedentText(_ antecedent: [Int32], itemNames: [String]) -> String {
        antecedent.compactMap { code in itemNames.indices.contains(Int(code)) ? itemNames[Int(code)] : nil }
            .sorted()
            .joined(separator: ", ")
    }

    // MARK: Rules from itemsets

    /// Every rule `S \ {c} → c` of every frequent itemset `S` that reaches
    /// the confidence threshold. Every subset of a frequent itemset is
    /// frequent, so each antecedent's count is in the table.
    static func makeRules(
        from table: ItemsetTable, itemCounts: [Int], groupCount: Int, minConfidence: Threshold, _ pacer: inout StopCheck
    ) throws(Failure) -> [Rule] {
        var countOf: [[Int32]: Int] = [:]
        countOf.reserveCapacity(table.count)
        for index in 0..<table.count {
            countOf[Array(table.itemset(index))] = table.counts[index]
            try pacer.add(16)
        }

        var rules: [Rule] = []
        for index in 0..<table.count {
            let itemset = Array(table.itemset(index))
            try pacer.add(16 * itemset.count)
            let count = table.counts[index]
            for position in itemset.indices {
                let consequent = itemset[position]
                var antecedent = itemset
                antecedent.remove(at: position)
                let antecedentCount = antecedent.count == 1 ? itemCounts[Int(antecedent[0])] : countOf[antecedent]
                guard let antecedentCount, antecedentCount > 0,
                      minConfidence.admits(count, outOf: antecedentCount)
                else { continue }
                let consequentCount = itemCounts[Int(consequent)]
                rules.append(Rule(
                    antecedent: antecedent, consequent: consequent, count: count,
                    support: Double(count) / Double(groupCount),
                    confidence: Double(count) / Double(antecedentCount),
                    lift: lift(count, groupCount, antecedentCount, consequentCount)))
            }
        }
        return rules
    }

    /// `count × groups / (count(A) × count(c))`, rounded once when the
    /// products are exact in a double, so that equal lifts compare equal.
    static func lift(_ count: Int, _ groupCount: Int, _ antecedentCount: Int, _ consequentCount: Int) -> Double {
        let exact = 1 << 53
        let (numerator, overflow1) = count.multipliedReportingOverflow(by: groupCount)
        let (denominator, overflow2) = antecedentCount.multipliedReportingOverflow(by: consequentCount)
        if !overflow1 && !overflow2 && numerator <= exact && denominator <= exact && denominator > 0 {
            return Double(numerator) / Double(denominator)
        }
        let confidence = Double(count) / Double(antecedentCount)
        return confidence / (Double(consequentCount) / Double(groupCount))
    }

    // MARK: Ordering

    /// Lift descending, then antecedent text, then consequent name (item
    /// codes break the remaining ties, so the order is total).
    static func ordered(_ rules: [Rule], itemNames: [String], _ pacer: inout StopCheck) throws(Failure) -> [Rule] {
        var names: [(antecedent: String, consequent: String)] = []
        names.reserveCapacity(rules.count)
        for rule in rules {
            names.append((antecedent: antecedentText(rule.antecedent, itemNames: itemNames),
                          consequent: itemNames.indices.contains(Int(rule.consequent)) ? itemNames[Int(rule.consequent)] : ""))
            try pacer.add(64)
        }
        var order = Array(rules.indices)
        let stop = pacer.stop
        do {
            try Sorting.sortPolling(&order, poll: { if stop() { throw Failure.stopped } }, by: precedes)
        } catch {
            throw Failure.stopped
        }
        return order.map { rules[$0] }

        func precedes(_ left: Int, _ right: Int) -> Bool {
            let a = rules[left], b = rules[right]
            if a.lift != b.lift { return a.lift > b.lift }
            if names[left].antecedent != names[right].antecedent {
                return names[left].antecedent < names[right].antecedent
            }
            if names[left].consequent != names[right].consequent {
                return names[left].consequent < names[right].consequent
            }
            if a.antecedent != b.antecedent { return a.antecedent.lexicographicallyPrecedes(b.antecedent) }
            return a.consequent < b.consequent
        }
    }
}
