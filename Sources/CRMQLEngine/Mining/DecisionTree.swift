import CRMQLCore
import CRMQLStorage
import Foundation

/// A CART classification tree (Breiman et al. 1984): binary splits
/// `input <= threshold` chosen by the Gini impurity, grown to at most
/// `depth` levels, each leaf predicting the share of its training rows for
/// which the target holds.
///
/// The tree grows a level at a time. Each input's training rows are sorted
/// once; one pass over that order per level finds the best threshold of the
/// input for every node of the level together, so no node ever sorts its
/// rows again (n·inputs·depth work after the first sorts).
struct DecisionTree: Sendable, Equatable {
    /// A node: a split when `input >= 0`, otherwise a leaf.
    struct Node: Sendable, Equatable {
        var input = -1
        /// Rows with `value <= threshold` go left. A threshold is the
        /// shortest decimal from one training value up to (not including)
        /// the next, so that the rules read `satisfaction <= 0.8`.
        var threshold = 0.0
        var left = -1
        var right = -1
        /// Training rows reaching the node, and those where the target holds.
        var rows = 0
        var positives = 0

        /// The share of the node's training rows where the target holds.
        var probability: Double { rows > 0 ? Double(positives) / Double(rows) : 0 }
    }

    /// The nodes, the root first.
    var nodes: [Node]
    /// Whether each input held only whole numbers in training: its
    /// conditions then print as `x <= 3` / `x >= 4` rather than at midpoints.
    var integral: [Bool]

    /// Why a fit gave no tree.
    enum Failure: Error, Equatable { case stopped }

    /// Fits a tree of at most `depth` levels of splits (`depth` >= 1) on
    /// `columns` (one array per input, no NaN) and `target`.
    static func fit(columns: [[Double]], target: [Bool], depth: Int, stop: @escaping () -> Bool) throws(Failure) -> DecisionTree {
        let count = target.count
        let inputs = columns.count
        var nodes = [Node(rows: count, positives: target.reduce(0) { $0 + ($1 ? 1 : 0) })]
        var poll = StopPoll(stop)
        var integral: [Bool] = []
        for column in columns {
            var whole = true
            for value in column where whole {
                if poll.step() { throw .stopped }
                whole = value.rounded() == value
            }
            integral.append(whole)
        }
        var orders: [[Int32]] = []
        for column in columns {
            // A sort that polls between runs: the order among equal values
            // is free, since a split falls only where the value changes.
            // Each value travels with its row, so comparisons read the
            // pairs in place rather than the column at random rows.
            var pairs = [ValueRow]()
            pairs.reserveCapacity(count)
            for row in 0..<count {
                if poll.step() { throw .stopped }
                pairs.append(ValueRow(value: column[row], row: Int32(row)))
            }
            do {
                try RunMergeSort.sort(&pairs, run: sortRun, poll: { if stop() { throw Failure.stopped } }) { $0.value < $1.value }
            } catch {
                throw .stopped
            }
            orders.append(pairs.map(\.row))
        }
        var nodeOf = [Int32](repeating: 0, count: count)
        var level = [0]
        for _ in 0..<depth {
            // Slots of the level's nodes that can still split.
            var slot = [Int: Int]()
            var open: [Int] = []
            for node in level where nodes[node].positives > 0 && nodes[node].positives < nodes[node].rows {
                slot[node] = open.count
                open.append(node)
            }
            guard !open.isEmpty else { break }
            let slotOfNode: [Int32] = (0..<nodes.count).map { Int32(slot[$0] ?? -1) }
            // Best so far per slot: the Gini score Σ (pos² + neg²) / n over
            // both sides (higher is purer), its input and threshold.
            var bestScore = open.map { parentScore(nodes[$0]) }
            var bestInput = [Int](repeating: -1, count: open.count)
            var bestThreshold = [Double](repeating: 0, count: open.count)
            for input in 0..<inputs {
                let column = columns[input]
                var leftRows = [Int](repeating: 0, count: open.count)
                var leftPositives = [Int](repeating: 0, count: open.count)
                var last = [Double](repeating: .nan, count: open.count)
                for row32 in orders[input] {
                    if poll.step() { throw .stopped }
                    let row = Int(row32)
                    let s = Int(slotOfNode[Int(nodeOf[row])])
                    if s < 0 { continue }
                    let value = column[row]
                    if leftRows[s] > 0 && value > last[s] {
                        let node = nodes[open[s]]
                        let score = splitScore(leftRows[s], leftPositives[s], node.rows - leftRows[s], node.positives - leftPositives[s])
                        // TUNING: a relative margin keeps rounding noise from
                        // preferring a later, equally good split.
                        if score > bestScore[s] * (1 + 1e-12) {
                            bestScore[s] = score
                            bestInput[s] = input
                            bestThreshold[s] = shortestThreshold(last[s], value)
                        }
                    }
                    leftRows[s] += 1
                    if target[row] { leftPositives[s] += 1 }
                    last[s] = value
                }
            }
            var next: [Int] = []
            var childOf = [Int: (Int, Int)]()
            for (s, node) in open.enumerated() where bestInput[s] >= 0 {
                nodes[node].input = bestInput[s]
                nodes[node].threshold = bestThreshold[s]
                nodes[node].left = nodes.count
                nodes[node].right = nodes.count + 1
                childOf[node] = (nodes.count, nodes.count + 1)
                nodes.append(Node())
                nodes.append(Node())
                next += [nodes.count - 2, nodes.count - 1]
            }
            guard !next.isEmpty else { break }
            for row in 0..<count {
                if poll.step() { throw .stopped }
                let node = Int(nodeOf[row])
                guard let (left, right) = childOf[node] else { continue }
                let child = columns[nodes[node].input][row] <= nodes[node].threshold ? left : right
                nodeOf[row] = Int32(child)
                nodes[child].rows += 1
                if target[row] { nodes[child].positives += 1 }
            }
            level = next
        }
        return DecisionTree(nodes: nodes, integral: integral)
    }

    /// A training row's value of one input, sorted by value.
    private struct ValueRow {
        var value: Double
        var row: Int32
    }

    /// Rows the standard library sorts between two polls.
    /// TUNING: 4,096 rows by one number take well under a millisecond, a
    /// few in a debug build.
    static let sortRun = 4096

    /// The decimal of fewest significant digits in `low..<high`: any
    /// number there splits the training rows alike (scikit-learn takes the
    /// midpoint), and a short one makes a readable rule.
    static func shortestThreshold(_ low: Double, _ high: Double) -> Double {
        guard low != 0, low.isFinite, high.isFinite else { return low }
        let magnitude = log10(abs(low)).rounded(.down)
        for digits in 1...17 {
            let scale = pow(10, Double(digits - 1) - magnitude)
            var candidate = (low * scale).rounded(.up) / scale
            if candidate < low { candidate = ((low * scale).rounded(.up) + 1) / scale }
            if candidate >= low && candidate < high { return candidate }
        }
        return low
    }

    private static func parentScore(_ node: Node) -> Double {
        let p = Double(node.positives), n = Double(node.rows - node.positives)
        return (p * p + n * n) / Double(node.rows)
    }

    /// Σ over both sides of (positives² + negatives²) / rows: the Gini
    /// impurity of the split, n - score, is least where this is greatest.
    private static func splitScore(_ leftRows: Int, _ leftPositives: Int, _ rightRows: Int, _ rightPositives: Int) -> Double {
        let lp = Double(leftPositives), ln = Double(leftRows - leftPositives)
        let rp = Double(rightPositives), rn = Double(rightRows - rightPositives)
        return (lp * lp + ln * ln) / Double(leftRows) + (rp * rp + rn * rn) / Double(rightRows)
    }

    /// The probability the target holds for a row whose inputs are `value(i)`.
    func probability(_ value: (Int) -> Double) -> Double {
        var node = 0
        while nodes[node].input >= 0 {
            node = value(nodes[node].input) <= nodes[node].threshold ? nodes[node].left : nodes[node].right
        }
        return nodes[node].probability
    }

    /// Levels of splits actually grown.
    var depth: Int {
        func depth(_ node: Int) -> Int {
            nodes[node].input < 0 ? 0 : 1 + max(depth(nodes[node].left), depth(nodes[node].right))
        }
        return depth(0)
    }

    /// The leaves left to right, the order of `rules`.
    var leavesInOrder: [Int] {
        var leaves: [Int] = []
        func walk(_ node: Int) {
            if nodes[node].input < 0 { leaves.append(node); return }
            walk(nodes[node].left)
            walk(nodes[node].right)
        }
        walk(0)
        return leaves
    }

    /// The tree as one rule per leaf, left to right:
    /// `if recency > 212 and complaints_open >= 1 then churned (p = 0.81, 340 rows)`.
    /// Conditions on one input along a path are merged into its tightest
    /// bounds; `target` names what is predicted.
    func rules(inputNames: [String], target: String) -> [String] {
        var result: [String] = []
        // Per input: the greatest `>` bound and the least `<=` bound so far.
        func walk(_ node: Int, _ lower: [Double?], _ upper: [Double?], _ order: [Int]) {
            let n = nodes[node]
            if n.input < 0 {
                var conditions: [String] = []
                for input in order {
                    if let low = lower[input], let high = upper[input], integral[input], low.rounded(.down) + 1 == high.rounded(.down) {
                        // Whole numbers above 303 and at most 304: just 304.
                        conditions.append("\(inputNames[input]) = \(ValueFormatter.number(high.rounded(.down)))")
                        continue
                    }
                    if let low = lower[input] { conditions.append(condition(input, above: low, inputNames)) }
                    if let high = upper[input] { conditions.append(condition(input, atMost: high, inputNames)) }
                }
                let p = n.probability
                let outcome = p >= 0.5 ? target : "not " + target
                let share = ValueFormatter.number((p * 100).rounded() / 100)
                result.append("if " + (conditions.isEmpty ? "true" : conditions.joined(separator: " and "))
                              + " then \(outcome) (p = \(share), \(n.rows) rows)")
                return
            }
            let order = order.contains(n.input) ? order : order + [n.input]
            var leftUpper = upper
            leftUpper[n.input] = min(upper[n.input] ?? .infinity, n.threshold)
            walk(n.left, lower, leftUpper, order)
            var rightLower = lower
            rightLower[n.input] = max(lower[n.input] ?? -.infinity, n.threshold)
            walk(n.right, rightLower, upper, order)
        }
        let none = [Double?](repeating: nil, count: integral.count)
        walk(0, none, none, [])
        return result
    }

    private func condition(_ input: Int, above bound: Double, _ names: [String]) -> String {
        // Over whole numbers, x > 211.5 is x >= 212 (and x > 3 is x >= 4).
        if integral[input] { return "\(names[input]) >= \(ValueFormatter.number(bound.rounded(.down) + 1))" }
        return "\(names[input]) > \(ValueFormatter.number(bound))"
    }

    private func condition(_ input: Int, atMost bound: Double, _ names: [String]) -> String {
        if integral[input] { return "\(names[input]) <= \(ValueFormatter.number(bound.rounded(.down)))" }
        return "\(names[input]) <= \(ValueFormatter.number(bound))"
    }
}
