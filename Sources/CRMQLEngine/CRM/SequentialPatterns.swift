import CRMQLCore
import CRMQLStorage

/// Sequential patterns: what customers buy on a later day than something
/// else (`sequences(orders, item: product)`).
///
/// A customer's history is its distinct event days in order, each day the
/// set of items of its events. A pattern `A > B > C` is contained in a
/// history when there are days d1 < d2 < d3 with A on d1, B on d2 and C on
/// d3; its count is the number of customers whose history contains it.
///
/// The search is PrefixSpan (Pei et al. 2001) over single-item steps. A
/// prefix is matched at its earliest possible days, which is enough: a
/// history contains `prefix > x` exactly when `x` occurs on a day after the
/// earliest match of the prefix. Each customer's projection is therefore one
/// position, the first event of the day after that match, and every count is
/// exact (no sampling, no candidate pruning by estimates).
public enum SequentialPatterns {
    /// One pattern of two or more items with its figures.
    public struct Pattern: Sendable, Equatable {
        /// The items in order; the last is the consequent.
        public var items: [Int32]
        /// Customers whose history contains the whole pattern.
        public var count: Int
        /// Customers whose history contains every item but the last.
        public var antecedentCount: Int
        /// count / customers.
        public var support: Double
        /// count / antecedentCount.
        public var confidence: Double
        /// confidence / (customers who ever have the consequent / customers).
        public var lift: Double
    }

    /// Why mining stopped without an answer.
    public enum Failure: Error, Equatable {
        case stopped
        case tooMany(Int)

        /// The message shown to the analyst.
        public var message: String {
            switch self {
            case .stopped: return "interrupted"
            case .tooMany(let limit):
                return "sequences would give more than \(limit) patterns; raise support: or lower length:"
            }
        }
    }

    /// TUNING: more patterns than this is not an answer anyone reads, and
    /// would hold gigabytes; the analyst is asked for a higher support.
    public static let maximumPatterns = 2_000_000

    /// Mines every pattern of 2...`maxLength` items whose count passes
    /// `minSupport` of `customers` and whose confidence passes
    /// `minConfidence`, both compared on exact counts.
    ///
    /// - Parameters:
    ///   - customerOfEvent: each event's customer, `0..<customers`.
    ///   - dayOfEvent: each event's day (any increasing day number).
    ///   - itemOfEvent: each event's item, `0..<itemNames.count`.
    ///   - customers: the customers of the source, those without events included.
    ///   - stop: polled now and then; true ends mining with `.stopped`.
    /// - Returns: the patterns by lift descending, then antecedent text, then
    ///   consequent name.
    public static func mine(customerOfEvent: [Int32], dayOfEvent: [Int64], itemOfEvent: [Int32], customers: Int,
                            itemNames: [String], minSupport: AssociationRules.Threshold,
                            minConfidence: AssociationRules.Threshold, maxLength: Int,
                            stop: @escaping () -> Bool) throws(Failure) -> [Pattern] {
        let histories = try Histories(customerOfEvent: customerOfEvent, dayOfEvent: dayOfEvent, itemOfEvent: itemOfEvent,
                                      customers: customers, stop: stop)
        var miner = Miner(histories: histories, itemCount: itemNames.count, customers: customers,
                          minCount: max(minSupport.minimumCount(outOf: customers), 1),
                          minConfidence: minConfidence, maxLength: maxLength, stop: stop)
        try miner.run()
        return try ordered(miner.patterns, itemNames: itemNames, stop: stop)
    }

    /// The antecedent's items joined by ` > `.
    public static func antecedentText(_ items: ArraySlice<Int32>, itemNames: [String]) -> String {
        items.map { itemNames.indices.contains(Int($0)) ? itemNames[Int($0)] : "" }.joined(separator: " > ")
    }

    /// Lift descending, then antecedent text, then consequent name; item
    /// codes break what ties remain, so the order is total.
    static func ordered(_ patterns: [Pattern], itemNames: [String], stop: () -> Bool) throws(Failure) -> [Pattern] {
        var antecedents: [String] = [], consequents: [String] = []
        antecedents.reserveCapacity(patterns.count)
        consequents.reserveCapacity(patterns.count)
        for (index, pattern) in patterns.enumerated() {
            if index & Histories.pollMask == Histories.pollMask, stop() { throw .stopped }
            antecedents.append(antecedentText(pattern.items.dropLast(), itemNames: itemNames))
            consequents.append(itemNames.indices.contains(Int(pattern.items.last ?? -1)) ? itemNames[Int(pattern.items.last!)] : "")
        }
        if stop() { throw .stopped }
        // Two million patterns take seconds to sort: the sort polls.
        var order = Array(patterns.indices)
        do {
            try RunMergeSort.sort(&order, run: 4096, poll: { if stop() { throw Failure.stopped } }) { left, right in
                let a = patterns[left], b = patterns[right]
                if a.lift != b.lift { return a.lift > b.lift }
                if antecedents[left] != antecedents[right] { return antecedents[left] < antecedents[right] }
                if consequents[left] != consequents[right] { return consequents[left] < consequents[right] }
                return a.items.lexicographicallyPrecedes(b.items)
            }
        } catch {
            throw .stopped
        }
        return order.map { patterns[$0] }
    }
}

/// Every customer's events sorted by day then item, one event per
/// (customer, day, item), with the position of each event's next day.
struct Histories {
    /// Events of customer c are `start[c]..<start[c + 1]`.
    var start: [Int32]
    var item: [Int32]
    /// For each event, the first event of the same customer on a later day
    /// (the customer's end when there is none).
    var nextDay: [Int32]

    /// Events between two polls of `stop`.
    /// TUNING: 4,096 events of a pass take well under a millisecond, a few
    /// in a debug build.
    static let pollMask = (1 << 12) - 1

    init(customerOfEvent: [Int32], dayOfEvent: [Int64], itemOfEvent: [Int32], customers: Int,
         stop: () -> Bool) throws(SequentialPatterns.Failure) {
        let count = min(customerOfEvent.count, dayOfEvent.count, itemOfEvent.count)
        // A counting sort by customer keeps the work linear; each customer's
        // few events are then sorted by day and item on their own.
        var offsets = [Int](repeating: 0, count: customers + 1)
        for event in 0..<count {
            if event & Self.pollMask == Self.pollMask, stop() { throw .stopped }
            offsets[Int(customerOfEvent[event]) + 1] += 1
        }
        for c in 0..<customers { offsets[c + 1] += offsets[c] }
        var fill = offsets
        var days = [Int64](repeating: 0, count: count)
        var items = [Int32](repeating: 0, count: count)
        for event in 0..<count {
            if event & Self.pollMask == Self.pollMask, stop() { throw .stopped }
            let c = Int(customerOfEvent[event])
            days[fill[c]] = dayOfEvent[event]
            items[fill[c]] = itemOfEvent[event]
            fill[c] += 1
        }
        var start = [Int32](repeating: 0, count: customers + 1)
        var item: [Int32] = []
        var nextDay: [Int32] = []
        item.reserveCapacity(count)
        nextDay.reserveCapacity(count)
        var pairs: [(Int64, Int32)] = []
        var sincePoll = 0
        for c in 0..<customers {
            start[c] = Int32(item.count)
            pairs.removeAll(keepingCapacity: true)
            for e in offsets[c]..<offsets[c + 1] { pairs.append((days[e], items[e])) }
            sincePoll += 1 + pairs.count
            if sincePoll > Self.pollMask {
                sincePoll = 0
                if stop() { throw .stopped }
            }
            let earlier = { (a: (Int64, Int32), b: (Int64, Int32)) in a.0 != b.0 ? a.0 < b.0 : a.1 < b.1 }
            if pairs.count > Self.pollMask {
                // One customer of very many events: a sort that polls.
                do {
                    try RunMergeSort.sort(&pairs, run: Self.pollMask + 1, poll: { if stop() { throw SequentialPatterns.Failure.stopped } },
                                          by: earlier)
                } catch {
                    throw .stopped
                }
            } else {
                pairs.sort(by: earlier)
            }
            var previous: (Int64, Int32)?
            var dayFirst = item.count
            var dayOfFirst: Int64?
            for pair in pairs {
                if let previous, previous == pair { continue }
                if dayOfFirst != pair.0 {
                    // A new day: the previous day's events learn where it starts.
                    for e in dayFirst..<item.count { nextDay[e] = Int32(item.count) }
                    dayFirst = item.count
                    dayOfFirst = pair.0
                }
                item.append(pair.1)
                nextDay.append(0)
                previous = pair
            }
            for e in dayFirst..<item.count { nextDay[e] = Int32(item.count) }
        }
        start[customers] = Int32(item.count)
        self.start = start
        self.item = item
        self.nextDay = nextDay
    }
}

/// The depth-first PrefixSpan search over `Histories`.
private struct Miner {
    let histories: Histories
    let itemCount: Int
    let customers: Int
    let minCount: Int
    let minConfidence: AssociationRules.Threshold
    let maxLength: Int
    let stop: () -> Bool
    var patterns: [SequentialPatterns.Pattern] = []
    /// Customers who ever have each item: the consequent's share in lift.
    var everCount: [Int]
    private var seen: [Int32]
    private var counts: [Int]
    private var work = 0

    init(histories: Histories, itemCount: Int, customers: Int, minCount: Int, minConfidence: AssociationRules.Threshold,
         maxLength: Int, stop: @escaping () -> Bool) {
        self.histories = histories
        self.itemCount = itemCount
        self.customers = customers
        self.minCount = minCount
        self.minConfidence = minConfidence
        self.maxLength = maxLength
        self.stop = stop
        everCount = [Int](repeating: 0, count: itemCount)
        seen = [Int32](repeating: -1, count: itemCount)
        counts = [Int](repeating: 0, count: itemCount)
    }

    /// A projection: for each customer still in it, where its suffix starts.
    typealias Projection = [(customer: Int32, from: Int32)]

    mutating func run() throws(SequentialPatterns.Failure) {
        var root: Projection = []
        root.reserveCapacity(customers)
        for c in 0..<customers where histories.start[c] < histories.start[c + 1] {
            root.append((Int32(c), histories.start[c]))
        }
        let extensions = try extend(root)
        // everCount needs every item, frequent or not, for lift: the root's
        // counts are exactly "ever", so they are kept for all items.
        for item in 0..<itemCount { everCount[item] = counts[item] }
        guard maxLength >= 2 else { return }
        var prefix: [Int32] = []
        for (item, projection) in extensions {
            prefix = [item]
            try grow(&prefix, count: everCount[Int(item)], projection)
        }
    }

    /// Counts the items of every suffix in `projection` (each once per
    /// customer) into `counts`, and returns the frequent ones with their
    /// projections, in item order.
    private mutating func extend(_ projection: Projection) throws(SequentialPatterns.Failure) -> [(Int32, Projection)] {
        // Each extension clears and scans a slot per item: with many items
        // (a key as the item) that is the work, not the projection.
        try pace(3 * itemCount)
        for item in 0..<itemCount { counts[item] = 0; seen[item] = -1 }
        for (customer, from) in projection {
            let end = histories.start[Int(customer) + 1]
            var e = from
            while e < end {
                let item = Int(histories.item[Int(e)])
                if seen[item] != customer {
                    seen[item] = customer
                    counts[item] += 1
                }
                e += 1
            }
            try pace(Int(end - from))
        }
        var slot = [Int](repeating: -1, count: itemCount)
        var result: [(Int32, Projection)] = []
        for item in 0..<itemCount where counts[item] >= minCount {
            slot[item] = result.count
            result.append((Int32(item), []))
            result[result.count - 1].1.reserveCapacity(counts[item])
        }
        guard !result.isEmpty else { return result }
        for item in 0..<itemCount { seen[item] = -1 }
        for (customer, from) in projection {
            let end = histories.start[Int(customer) + 1]
            var e = from
            while e < end {
                let item = Int(histories.item[Int(e)])
                if seen[item] != customer {
                    seen[item] = customer
                    if slot[item] >= 0 { result[slot[item]].1.append((customer, histories.nextDay[Int(e)])) }
                }
                e += 1
            }
            try pace(Int(end - from))
        }
        return result
    }

    private mutating func grow(_ prefix: inout [Int32], count prefixCount: Int, _ projection: Projection) throws(SequentialPatterns.Failure) {
        let extensions = try extend(projection)
        // `extend` reuses `counts`, so each extension's count is taken now.
        let found = extensions.map { ($0.0, counts[Int($0.0)]) }
        for ((item, count), (_, next)) in zip(found, extensions) {
            prefix.append(item)
            defer { prefix.removeLast() }
            if minConfidence.admits(count, outOf: prefixCount) {
                guard patterns.count < SequentialPatterns.maximumPatterns else {
                    throw .tooMany(SequentialPatterns.maximumPatterns)
                }
                patterns.append(SequentialPatterns.Pattern(
                    items: prefix, count: count, antecedentCount: prefixCount,
                    support: Double(count) / Double(customers),
                    confidence: Double(count) / Double(prefixCount),
                    lift: AssociationRules.lift(count, customers, prefixCount, everCount[Int(item)])))
            }
            if prefix.count < maxLength {
                try grow(&prefix, count: count, next)
            }
        }
    }

    private mutating func pace(_ amount: Int) throws(SequentialPatterns.Failure) {
        work += amount + 1
        // TUNING: the stop check every ~64K events scanned keeps its cost out of sight.
        if work >= 1 << 16 {
            work = 0
            if stop() { throw .stopped }
        }
    }
}
