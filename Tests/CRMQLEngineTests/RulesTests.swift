import XCTest
import CRMQLCore
import CRMQLStorage
@testable import CRMQLEngine

final class RulesTests: XCTestCase {
    typealias Rule = AssociationRules.Rule
    typealias Threshold = AssociationRules.Threshold

    // MARK: Against exhaustive counting

    /// Random small fixtures, every itemset counted by brute force: the
    /// miner must return exactly the rules the definitions give, in order.
    func testMatchesBruteForceOnRandomFixtures() throws {
        var random = DemoRandom(seed: 42)
        let thresholds: [(support: String, confidence: String)] = [
            ("0", "0"), ("0.05", "0.3"), ("0.1", "0.5"), ("0.02", "0.9"), ("0.25", "0"), ("1", "1"),
        ]
        for fixture in 0..<16 {
            let itemCount = 3 + fixture % 6
            let groupCount = 10 + random.below(90)
            let (groups, items) = Self.randomRows(groupCount: groupCount, itemCount: itemCount, random: &random)
            let names = Self.names(itemCount, shuffled: fixture % 2 == 1, random: &random)
            for (support, confidence) in thresholds {
                for maxLength in [2, 3, Int.max] {
                    let expected = Self.bruteForce(
                        groups: groups, items: items, names: names,
                        support: try XCTUnwrap(Self.ratio(support)), confidence: try XCTUnwrap(Self.ratio(confidence)),
                        maxLength: maxLength)
                    let actual = try AssociationRules.mine(
                        groupOfRow: groups, itemOfRow: items, itemNames: names,
                        minSupport: try XCTUnwrap(Threshold(decimal: support)),
                        minConfidence: try XCTUnwrap(Threshold(decimal: confidence)), maxLength: maxLength)
                    XCTAssertEqual(actual, expected, "fixture \(fixture), support \(support), confidence \(confidence)")
                }
            }
        }
    }

    /// A hand-checked case: four baskets.
    func testSmallKnownCase() throws {
        // baskets: {a, b}, {a, b, c}, {a, c}, {b}
        let groups: [Int64] = [1, 1, 2, 2, 2, 3, 3, 4]
        let items: [Int32] = [0, 1, 0, 1, 2, 0, 2, 1]
        let rules = try AssociationRules.mine(
            groupOfRow: groups, itemOfRow: items, itemNames: ["a", "b", "c"],
            minSupport: Threshold(decimal: "0.5")!, minConfidence: Threshold(decimal: "0.6")!)
        // {a,b} and {a,c} reach support 0.5; a→b 2/3, b→a 2/3, a→c 2/3, c→a 1.
        // Lifts: a→c and c→a 4/3 (ties by antecedent), a→b and b→a 8/9.
        XCTAssertEqual(rules.map { [$0.antecedent.map(Int.init), [Int($0.consequent)]] }, [
            [[0], [2]], [[2], [0]], [[0], [1]], [[1], [0]],
        ])
        XCTAssertEqual(rules[0].count, 2)
        XCTAssertEqual(rules[0].support, 0.5)
        XCTAssertEqual(rules[0].confidence, 2.0 / 3.0)
        XCTAssertEqual(rules[0].lift, 4.0 / 3.0)
        XCTAssertEqual(rules[1].confidence, 1)
        XCTAssertEqual(rules[1].lift, 4.0 / 3.0)
        XCTAssertEqual(rules[2].lift, 8.0 / 9.0)
    }

    // MARK: Thresholds

    /// support 0.01 over 30,000 groups admits an itemset in exactly 300.
    func testThresholdsAreInclusiveOnExactCounts() throws {
        for (pairGroups, expected) in [(300, true), (299, false)] {
            var groups: [Int64] = [], items: [Int32] = []
            for group in 0..<30_000 {
                if group < pairGroups {
                    groups += [Int64(group), Int64(group)]
                    items += [0, 1]
                } else if group < 1_000 {
                    groups.append(Int64(group))
                    items.append(0)  // item a alone: confidence a → b = pairGroups / 1000
                } else {
                    groups.append(Int64(group))
                    items.append(2)
                }
            }
            let rules = try AssociationRules.mine(
                groupOfRow: groups, itemOfRow: items, itemNames: ["a", "b", "c"],
                minSupport: try XCTUnwrap(Threshold(0.01)), minConfidence: try XCTUnwrap(Threshold(0.3)))
            let aToB = rules.first { $0.antecedent == [0] && $0.consequent == 1 }
            XCTAssertEqual(aToB != nil, expected, "\(pairGroups) groups")
            if expected {
                XCTAssertEqual(aToB?.count, 300)
                XCTAssertEqual(aToB?.support, 0.01)
                XCTAssertEqual(aToB?.confidence, 0.3)
            }
            // b → a has confidence 1 and the same support.
            XCTAssertEqual(rules.contains { $0.antecedent == [1] && $0.consequent == 0 }, expected)
        }
    }

    func testConfidenceEqualToThresholdQualifies() throws {
        // 10 groups with a; 7 of them also b: confidence a → b = 0.7 exactly.
        var groups: [Int64] = [], items: [Int32] = []
        for group in 0..<10 {
            groups.append(Int64(group))
            items.append(0)
            if group < 7 {
                groups.append(Int64(group))
                items.append(1)
            }
        }
        for (confidence, expected) in [("0.7", true), ("0.70", true), ("7e-1", true), ("0.7000000001", false)] {
            let rules = try AssociationRules.mine(
                groupOfRow: groups, itemOfRow: items, itemNames: ["a", "b"],
                minSupport: Threshold(decimal: "0.7")!, minConfidence: try XCTUnwrap(Threshold(decimal: confidence)))
            XCTAssertEqual(rules.contains { $0.antecedent == [0] }, expected, confidence)
        }
    }

    func testThresholdParsing() throws {
        let cases: [(String, UInt64, Int)] = [
            ("0.01", 1, -2), (".5", 5, -1), ("3", 3, 0), ("1e-2", 1, -2), ("2.5E+1", 25, 0), ("1_000", 1, 3),
            ("0.30", 3, -1), ("0", 0, 0), ("0.000", 0, 0), (" 0.25 ", 25, -2), ("+0.1", 1, -1),
        ]
        for (text, significand, exponent) in cases {
            let threshold = try XCTUnwrap(Threshold(decimal: text), text)
            XCTAssertEqual(threshold.significand, significand, text)
            XCTAssertEqual(threshold.exponent, exponent, text)
        }
        for bad in ["", "-0.1", "abc", "1e", "0.1.2", "1e-", ".", "0x10", "1,5", "5%"] {
            XCTAssertNil(Threshold(decimal: bad), bad)
        }
        XCTAssertEqual(Threshold(0.1), Threshold(decimal: "0.1"))
        XCTAssertEqual(Threshold(1e-5), Threshold(decimal: "0.00001"))
        XCTAssertEqual(Threshold(0.3), AssociationRules.Threshold.defaultConfidence)
        XCTAssertEqual(Threshold(0), Threshold(decimal: "0"))
        XCTAssertNil(Threshold(-0.5))
        XCTAssertNil(Threshold(.nan))
        XCTAssertNil(Threshold(.infinity))
        XCTAssertEqual(Threshold(decimal: "0.01")?.description, "0.01")
        XCTAssertEqual(Threshold(decimal: "12.5")?.description, "12.5")
        XCTAssertEqual(Threshold(decimal: "300")?.description, "300")
        XCTAssertEqual(Threshold(decimal: "1e-40")?.description, "1e-40")
        // More digits than fit: the extra fraction digits are dropped.
        XCTAssertEqual(Threshold(decimal: "0.123456789012345678901234")?.significand, 1_234_567_890_123_456_789)
    }

    func testMinimumCount() throws {
        let cases: [(String, Int, Int)] = [
            ("0.01", 30_000, 300), ("0.3", 10, 3), ("0.3333", 3, 1), ("0.34", 3, 2), ("1", 7, 7),
            ("0", 100, 0), ("1.5", 10, 15), ("1e-50", 1_000, 1), ("1e50", 2, Int.max), ("0.5", 0, 0),
            ("0.999999999999999999", Int.max, Int.max - 9), ("0.2", Int.max, Int.max / 5 + 1),
        ]
        for (text, total, expected) in cases {
            XCTAssertEqual(try XCTUnwrap(Threshold(decimal: text)).minimumCount(outOf: total), expected, text)
        }
    }

    // MARK: Input handling

    func testNullItemsRepeatsAndEmptyInput() throws {
        XCTAssertEqual(try AssociationRules.mine(groupOfRow: [], itemOfRow: [], itemNames: []), [])
        // -1 (a null item) and out-of-range codes are skipped; group 9 then
        // has no rows and is not counted; a repeated item counts once.
        let groups: [Int64] = [1, 1, 1, 2, 2, 9, 9]
        let items: [Int32] = [0, 1, 1, 0, 1, -1, 5]
        let rules = try AssociationRules.mine(groupOfRow: groups, itemOfRow: items, itemNames: ["x", "y"])
        XCTAssertEqual(rules.count, 2)
        XCTAssertTrue(rules.allSatisfy { $0.count == 2 && $0.support == 1 && $0.confidence == 1 && $0.lift == 1 })
        // Mismatched lengths use the common prefix.
        let prefix = try AssociationRules.mine(groupOfRow: [1, 1, 2], itemOfRow: [0, 1], itemNames: ["x", "y"])
        XCTAssertEqual(prefix.count, 2)
    }

    func testItemsetLimitFails() {
        // One group of 30 items: 2^30 itemsets at support 0.
        let groups = [Int64](repeating: 1, count: 30)
        let items = (0..<30).map(Int32.init)
        let names = (0..<30).map { "item\($0)" }
        XCTAssertThrowsError(try AssociationRules.mine(
            groupOfRow: groups, itemOfRow: items, itemNames: names, minSupport: Threshold(decimal: "0")!,
            maxItemsets: 10_000))
        XCTAssertEqual(try AssociationRules.mine(
            groupOfRow: groups, itemOfRow: items, itemNames: names, minSupport: Threshold(decimal: "0")!,
            maxLength: 2).count, 30 * 29)
        // One group of 30,000 items: too many pairs even to count.
        let huge = (0..<30_000).map(Int32.init)
        XCTAssertThrowsError(try AssociationRules.mine(
            groupOfRow: [Int64](repeating: 1, count: huge.count), itemOfRow: huge,
            itemNames: huge.map { "item\($0)" }, maxLength: 2)
        ) { error in
            XCTAssertEqual(error as? AssociationRules.Failure, AssociationRules.Failure.tooLarge)
        }
    }

    // MARK: Ordering and text

    func testAntecedentTextSortsByName() {
        let names = ["zeta", "alpha", "Mid", "beta"]
        XCTAssertEqual(AssociationRules.antecedentText([0, 1, 3], itemNames: names), "alpha, beta, zeta")
        XCTAssertEqual(AssociationRules.antecedentText([2, 0], itemNames: names), "Mid, zeta")
        XCTAssertEqual(AssociationRules.antecedentText([7], itemNames: names), "")
    }

    func testOrderingByLiftThenAntecedentTextThenConsequent() throws {
        // Symmetric pairs share lifts; names are given out of code order.
        let names = ["pear", "apple", "fig", "banana"]
        var groups: [Int64] = [], items: [Int32] = []
        let baskets: [[Int32]] = [[0, 1], [0, 1], [2, 3], [2, 3], [0, 2], [1, 3], [0, 1, 2, 3], [3]]
        for (group, basket) in baskets.enumerated() {
            for item in basket {
                groups.append(Int64(group))
                items.append(item)
            }
        }
        let rules = try AssociationRules.mine(
            groupOfRow: groups, itemOfRow: items, itemNames: names,
            minSupport: Threshold(decimal: "0")!, minConfidence: Threshold(decimal: "0")!)
        for (earlier, later) in zip(rules, rules.dropFirst()) {
            if earlier.lift != later.lift {
                XCTAssertGreaterThan(earlier.lift, later.lift)
                continue
            }
            let a = AssociationRules.antecedentText(earlier.antecedent, itemNames: names)
            let b = AssociationRules.antecedentText(later.antecedent, itemNames: names)
            XCTAssertLessThanOrEqual(a, b)
            if a == b { XCTAssertLessThan(names[Int(earlier.consequent)], names[Int(later.consequent)]) }
        }
        XCTAssertEqual(Set(rules.map(\.lift)).count < rules.count, true, "the fixture has ties to order")
    }

    // MARK: Speed

    func testTimingOnSevenHundredThousandLines() throws {
        // The demo's order lines, repeated with fresh basket ids.
        let orders = try XCTUnwrap(DemoData.makeStore()["orders"])
        guard case .int(let baskets) = orders.columns[3].data, case .codes(let products) = orders.columns[4].data,
              case .enumeration(let type) = orders.fields[4].type, let lastBasket = baskets.last
        else { return XCTFail("unexpected orders layout") }
        var groups: [Int64] = [], items: [Int32] = []
        for copy in 0..<Int64(9) {
            groups += baskets.map { $0 + copy * lastBasket }
            items += products
        }
        let clock = ContinuousClock()
        var rules: [Rule] = []
        let elapsed = try clock.measure {
            rules = try AssociationRules.mine(groupOfRow: groups, itemOfRow: items, itemNames: type.symbols)
        }
        print("AssociationRules.mine: \(elapsed) for \(groups.count) lines, \(rules.count) rules")
        XCTAssertFalse(rules.isEmpty)
    }

    // MARK: Brute force

    /// Rows of random baskets with planted bundles, so that rules exist.
    static func randomRows(groupCount: Int, itemCount: Int, random: inout DemoRandom) -> ([Int64], [Int32]) {
        var groups: [Int64] = [], items: [Int32] = []
        for group in 0..<groupCount {
            let key = Int64(group * 7 - 100)  // keys need not be dense or positive
            let anchor = Int32(random.below(itemCount))
            var basket: [Int32] = [anchor, anchor]  // a repeat, which must count once
            if random.chance(0.6) { basket.append((anchor + 1) % Int32(itemCount)) }
            if random.chance(0.4) { basket.append((anchor + 2) % Int32(itemCount)) }
            for item in 0..<itemCount where random.chance(0.15) { basket.append(Int32(item)) }
            for item in basket {
                groups.append(key)
                items.append(item)
            }
        }
        // Interleave the groups' rows: a group need not be contiguous.
        var order = Array(groups.indices)
        for index in order.indices.reversed() { order.swapAt(index, random.below(index + 1)) }
        return (order.map { groups[$0] }, order.map { items[$0] })
    }

    static func names(_ count: Int, shuffled: Bool, random: inout DemoRandom) -> [String] {
        var names = (0..<count).map { "item \(Character(Unicode.Scalar(UInt8(97 + $0))))" }
        if shuffled { for index in names.indices.reversed() { names.swapAt(index, random.below(index + 1)) } }
        return names
    }

    /// A decimal as numerator / denominator, independently of `Threshold`.
    static func ratio(_ text: String) -> (Int, Int)? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = Int(parts[0]) else { return nil }
        let fraction = parts.count == 2 ? String(parts[1]) : ""
        var denominator = 1
        for _ in fraction { denominator *= 10 }
        return (whole * denominator + (Int(fraction) ?? 0), denominator)
    }

    static func bruteForce(
        groups: [Int64], items: [Int32], names: [String], support: (Int, Int), confidence: (Int, Int), maxLength: Int
    ) -> [Rule] {
        var transactions: [Int64: Set<Int32>] = [:]
        for (group, item) in zip(groups, items) { transactions[group, default: []].insert(item) }
        let groupCount = transactions.count
        let itemCount = names.count
        var count: [Int: Int] = [:]  // bitmask of an itemset → groups containing it
        for mask in 1..<(1 << itemCount) {
            count[mask] = transactions.values.filter { set in
                (0..<itemCount).allSatisfy { mask & (1 << $0) == 0 || set.contains(Int32($0)) }
            }.count
        }
        var rules: [Rule] = []
        for mask in 1..<(1 << itemCount) where mask.nonzeroBitCount >= 2 && mask.nonzeroBitCount <= maxLength {
            let both = count[mask] ?? 0
            // Frequent: both * denominator >= numerator * groups, and seen at least once.
            guard both > 0, both * support.1 >= support.0 * groupCount else { continue }
            for consequent in 0..<itemCount where mask & (1 << consequent) != 0 {
                let antecedentMask = mask & ~(1 << consequent)
                let left = count[antecedentMask] ?? 0
                guard both * confidence.1 >= confidence.0 * left else { continue }
                let right = count[1 << consequent] ?? 0
                rules.append(Rule(
                    antecedent: (0..<itemCount).filter { antecedentMask & (1 << $0) != 0 }.map(Int32.init),
                    consequent: Int32(consequent), count: both,
                    support: Double(both) / Double(groupCount), confidence: Double(both) / Double(left),
                    lift: Double(both * groupCount) / Double(left * right)))
            }
        }
        func text(_ rule: Rule) -> String {
            rule.antecedent.map { names[Int($0)] }.sorted().joined(separator: ", ")
        }
        return rules.sorted { a, b in
            if a.lift != b.lift { return a.lift > b.lift }
            if text(a) != text(b) { return text(a) < text(b) }
            return names[Int(a.consequent)] < names[Int(b.consequent)]
        }
    }
}
