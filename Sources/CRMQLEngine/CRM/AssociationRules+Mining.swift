extension AssociationRules {
    /// The transactions: the distinct items of each group, ascending, in
    /// compressed rows (`items[starts[g] ..< starts[g + 1]]` for group `g`).
    struct Transactions {
        var starts: [Int] = [0]
        var items: [Int32] = []
        /// Groups containing each item.
        var itemCounts: [Int]

        var groupCount: Int { starts.count - 1 }

        /// Groups rows by key and keeps each group's distinct items. Rows
        /// whose item is outside 0..<itemCount are skipped.
        ///
        /// - Complexity: O(rows), plus sorting each group's items.
        init(groupOfRow: [Int64], itemOfRow: [Int32], itemCount: Int, _ pacer: inout StopCheck) throws(Failure) {
            let rowCount = min(groupOfRow.count, itemOfRow.count)
            itemCounts = Array(repeating: 0, count: max(itemCount, 0))
            // Dense group numbers in order of first appearance. Rows usually
            // come grouped (lines of one basket together), so the previous
            // row's group is tried before the dictionary.
            var groupNumbers: [Int64: Int32] = [:]
            var groupOfKeptRow: [Int32] = []
            var keptItems: [Int32] = []
            groupOfKeptRow.reserveCapacity(rowCount)
            keptItems.reserveCapacity(rowCount)
            var sizes: [Int] = []
            var previousKey: Int64 = 0
            var previousGroup: Int32 = -1
            for row in 0..<rowCount {
                if row & (StopCheck.stride - 1) == 0 { try pacer.check() }
                let item = itemOfRow[row]
                guard item >= 0, Int(item) < itemCount else { continue }
                let key = groupOfRow[row]
                var group = previousGroup
                if group < 0 || key != previousKey {
                    if let known = groupNumbers[key] {
                        group = known
                    } else {
                        guard sizes.count < Int(Int32.max) else {
                            throw Failure(message: "too many groups to find rules in")
                        }
                        group = Int32(sizes.count)
                        groupNumbers[key] = group
                        sizes.append(0)
                    }
                    previousKey = key
                    previousGroup = group
                }
                sizes[Int(group)] += 1
                groupOfKeptRow.append(group)
                keptItems.append(item)
            }

            // Scatter the items into their groups' rows.
            var rowStarts = [Int](repeating: 0, count: sizes.count + 1)
            for (group, size) in sizes.enumerated() { rowStarts[group + 1] = rowStarts[group] + size }
            var cursor = rowStarts
            var scattered = [Int32](repeating: 0, count: keptItems.count)
            for (row, group) in groupOfKeptRow.enumerated() {
                scattered[cursor[Int(group)]] = keptItems[row]
                cursor[Int(group)] += 1
            }

            // Sort each group's items and drop repeats: a transaction is a set.
            starts.reserveCapacity(sizes.count + 1)
            items.reserveCapacity(scattered.count)
            for group in 0..<sizes.count {
                let begin = rowStarts[group], end = rowStarts[group + 1]
                try pacer.add(1 + end - begin)
                if end - begin > 1 { scattered[begin..<end].sort() }
                var last: Int32 = -1
                for position in begin..<end where scattered[position] != last {
                    last = scattered[position]
                    items.append(last)
                    itemCounts[Int(last)] += 1
                }
                starts.append(items.count)
            }
        }
    }

    /// Frequent itemsets of two or more items, as original item codes.
    struct ItemsetTable {
        var items: [Int32] = []
        var starts: [Int] = [0]
        var counts: [Int] = []

        var count: Int { counts.count }

        func itemset(_ index: Int) -> ArraySlice<Int32> {
            items[starts[index]..<starts[index + 1]]
        }

        mutating func append(_ itemset: [Int32], count: Int) {
            items.append(contentsOf: itemset)
            starts.append(items.count)
            counts.append(count)
        }
    }

    /// Finds every itemset of at least two items whose group count reaches
    /// `minCount`, with up to `maxLength` items.
    ///
    /// Pairs are counted per first item with a dense counter over the groups
    /// that hold it (no hashing); larger itemsets grow depth first by
    /// intersecting the sorted group lists of itemsets sharing a prefix
    /// (Eclat, Zaki 2000), with an explicit stack rather than recursion.
    struct ItemsetMiner {
        let minCount: Int
        let maxLength: Int
        let maxItemsets: Int
        /// TUNING: the number of pair increments allowed before giving up
        /// (a second or so); huge groups make pair counting explode.
        static let pairWorkLimit = 300_000_000

        private(set) var table = ItemsetTable()
        /// Original item code of each frequent item, by rank.
        private var codeOfRank: [Int32] = []

        init(minCount: Int, maxLength: Int, maxItemsets: Int) {
            self.minCount = max(minCount, 1)
            self.maxLength = maxLength
            self.maxItemsets = maxItemsets
        }

        mutating func mine(_ transactions: Transactions, _ pacer: inout StopCheck) throws(Failure) {
            guard maxLength >= 2 else { return }
            // Rank the frequent items; ascending codes keep ascending ranks.
            var rankOfCode = [Int32](repeating: -1, count: transactions.itemCounts.count)
            for (code, count) in transactions.itemCounts.enumerated() where count >= minCount {
                rankOfCode[code] = Int32(codeOfRank.count)
                codeOfRank.append(Int32(code))
            }
            let rankCount = codeOfRank.count
            guard rankCount >= 2 else { return }

            let reduced = try Reduced(transactions, rankOfCode: rankOfCode, rankCount: rankCount, &pacer)
            let groupItems = reduced.items, groupEnds = reduced.groupEnds
            let occurrenceGroup = reduced.occurrenceGroup, occurrenceNext = reduced.occurrenceNext

            var counter = [Int](repeating: 0, count: rankCount)
            var slotOfRank = [Int](repeating: -1, count: rankCount)
            var touched: [Int32] = []
            for first in 0..<rankCount {
                // Count the partners after `first` in every group holding it.
                let occurrences = reduced.rankStarts[first]..<reduced.rankStarts[first + 1]
                touched.removeAll(keepingCapacity: true)
                for occurrence in occurrences {
                    let end = groupEnds[Int(occurrenceGroup[occurrence])]
                    for position in occurrenceNext[occurrence]..<end {
                        let partner = Int(groupItems[position])
                        if counter[partner] == 0 { touched.append(Int32(partner)) }
                        counter[partner] += 1
                    }
                    try pacer.add(1 + end - occurrenceNext[occurrence])
                }
                touched.sort()
                var partners: [Int32] = []
                for partner in touched {
                    let count = counter[Int(partner)]
                    counter[Int(partner)] = 0
                    guard count >= minCount else { continue }
                    try record([Int32(first), partner], count: count)
                    partners.append(partner)
                }
                guard maxLength >= 3, partners.count >= 2 else { continue }

                // The groups of each frequent pair (first, partner), in a
                // second pass over the same occurrences.
                for (slot, partner) in partners.enumerated() { slotOfRank[Int(partner)] = slot }
                var pairGroups = [[Int32]](repeating: [], count: partners.count)
                for occurrence in occurrences {
                    let group = occurrenceGroup[occurrence]
                    let end = groupEnds[Int(group)]
                    for position in occurrenceNext[occurrence]..<end {
                        let slot = slotOfRank[Int(groupItems[position])]
                        if slot >= 0 { pairGroups[slot].append(group) }
                    }
                    try pacer.add(1 + end - occurrenceNext[occurrence])
                }
                for partner in partners { slotOfRank[Int(partner)] = -1 }
                try growDepthFirst(Prefixed(prefix: [Int32(first)], members: partners, groups: pairGroups), &pacer)
            }
        }

        /// The transactions cut down to frequent items (as ranks), keeping
        /// only groups with two or more of them, and where each rank occurs.
        private struct Reduced {
            /// Items of group `g`: `items[groupEnds[g - 1] ..< groupEnds[g]]` (from 0 for the first).
            var items: [Int32] = []
            var groupEnds: [Int] = []
            /// Occurrences of rank `r`: `rankStarts[r] ..< rankStarts[r + 1]`;
            /// each names its group and the position just after it in
            /// `items`, where the items it pairs with begin.
            var rankStarts: [Int]
            var occurrenceGroup: [Int32]
            var occurrenceNext: [Int]

            init(_ transactions: Transactions, rankOfCode: [Int32], rankCount: Int, _ pacer: inout StopCheck) throws(Failure) {
                var pairWork = 0
                var occurrencesPerRank = [Int](repeating: 0, count: rankCount)
                for group in 0..<transactions.groupCount {
                    let begin = items.count
                    for position in transactions.starts[group]..<transactions.starts[group + 1] {
                        let rank = rankOfCode[Int(transactions.items[position])]
                        if rank >= 0 { items.append(rank) }
                    }
                    let size = items.count - begin
                    if size < 2 {
                        items.removeLast(size)
                        continue
                    }
                    for position in begin..<items.count { occurrencesPerRank[Int(items[position])] += 1 }
                    let limit = ItemsetMiner.pairWorkLimit
                    let (pairs, overflow) = size.multipliedReportingOverflow(by: size - 1)
                    pairWork += overflow ? limit + 1 : min(pairs / 2, limit + 1)
                    guard pairWork <= limit else { throw Failure.tooLarge }
                    groupEnds.append(items.count)
                    try pacer.add(size)
                }

                rankStarts = [Int](repeating: 0, count: rankCount + 1)
                for rank in 0..<rankCount { rankStarts[rank + 1] = rankStarts[rank] + occurrencesPerRank[rank] }
                var cursor = rankStarts
                occurrenceGroup = [Int32](repeating: 0, count: items.count)
                occurrenceNext = [Int](repeating: 0, count: items.count)
                var begin = 0
                for (group, end) in groupEnds.enumerated() {
                    for position in begin..<end {
                        let rank = Int(items[position])
                        occurrenceGroup[cursor[rank]] = Int32(group)
                        occurrenceNext[cursor[rank]] = position + 1
                        cursor[rank] += 1
                    }
                    begin = end
                }
            }
        }

        /// Itemsets sharing `prefix`: `prefix + [members[k]]` occurs in the
        /// groups `groups[k]` (ascending).
        private struct Prefixed {
            var prefix: [Int32]
            var members: [Int32]
            var groups: [[Int32]]
        }

        private mutating func growDepthFirst(_ root: Prefixed, _ pacer: inout StopCheck) throws(Failure) {
            var stack: [(node: Prefixed, next: Int)] = [(root, 0)]
            while let top = stack.last {
                let node = top.node
                let index = top.next
                guard index + 1 < node.members.count else {
                    stack.removeLast()
                    continue
                }
                stack[stack.count - 1].next = index + 1
                var child = Prefixed(prefix: node.prefix + [node.members[index]], members: [], groups: [])
                for other in (index + 1)..<node.members.count {
                    try pacer.add(1 + node.groups[index].count + node.groups[other].count)
                    guard let shared = Self.intersect(node.groups[index], node.groups[other], minCount: minCount)
                    else { continue }
                    try record(child.prefix + [node.members[other]], count: shared.count)
                    child.members.append(node.members[other])
                    child.groups.append(shared)
                }
                if child.members.count >= 2 && child.prefix.count + 2 <= maxLength {
                    stack.append((child, 0))
                }
            }
        }

        private mutating func record(_ ranks: [Int32], count: Int) throws(Failure) {
            guard table.count < maxItemsets else { throw Failure.tooManyItemsets(maxItemsets) }
            table.append(ranks.map { codeOfRank[Int($0)] }, count: count)
        }

        /// The common elements of two ascending lists, or nil as soon as
        /// they can no longer reach `minCount`.
        static func intersect(_ left: [Int32], _ right: [Int32], minCount: Int) -> [Int32]? {
            guard left.count >= minCount, right.count >= minCount else { return nil }
            let (short, long) = left.count <= right.count ? (left, right) : (right, left)
            var shared: [Int32] = []
            shared.reserveCapacity(short.count)
            if long.count / 16 > short.count {
                // Far apart in size: look each short element up by galloping.
                var low = 0
                for (index, value) in short.enumerated() {
                    if shared.count + (short.count - index) < minCount { return nil }
                    var step = 1
                    var high = low
                    while high < long.count && long[high] < value {
                        low = high + 1
                        high += step
                        step *= 2
                    }
                    high = min(high, long.count)
                    while low < high {
                        let middle = (low + high) / 2
                        if long[middle] < value { low = middle + 1 } else { high = middle }
                    }
                    if low < long.count && long[low] == value {
                        shared.append(value)
                        low += 1
                    }
                }
            } else {
                var i = 0, j = 0
                while i < short.count && j < long.count {
                    if shared.count + min(short.count - i, long.count - j) < minCount { return nil }
                    let a = short[i], b = long[j]
                    if a < b {
                        i += 1
                    } else if b < a {
                        j += 1
                    } else {
                        shared.append(a)
                        i += 1
                        j += 1
                    }
                }
            }
            return shared.count >= minCount ? shared : nil
        }
    }
}
