import XCTest
import CRMQLCore
@testable import CRMQLEngine

final class SequentialPatternsTests: XCTestCase {
    typealias Threshold = AssociationRules.Threshold

    /// Random histories, every sequence of up to three items counted by
    /// brute force: the miner must return exactly those patterns, in order.
    func testMatchesBruteForceOnRandomHistories() throws {
        var random = DemoRandom(seed: 7)
        for fixture in 0..<12 {
            let itemCount = 2 + fixture % 4
            let customers = 5 + random.below(40)
            var who: [Int32] = [], day: [Int64] = [], item: [Int32] = []
            for c in 0..<customers where random.below(6) > 0 {
                for _ in 0..<random.below(8) {
                    who.append(Int32(c))
                    day.append(Int64(random.below(6)))
                    item.append(Int32(random.below(itemCount)))
                }
            }
            let names = (0..<itemCount).map { "item\($0)" }
            for (support, confidence) in [("0.05", "0"), ("0.2", "0.3"), ("0.5", "0.5"), ("1", "0")] {
                let expected = bruteForce(who, day, item, customers: customers, items: itemCount, names: names,
                                          support: Double(support)!, confidence: Double(confidence)!, length: 3)
                let actual = try SequentialPatterns.mine(
                    customerOfEvent: who, dayOfEvent: day, itemOfEvent: item, customers: customers, itemNames: names,
                    minSupport: XCTUnwrap(Threshold(decimal: support)), minConfidence: XCTUnwrap(Threshold(decimal: confidence)),
                    maxLength: 3, stop: { false })
                XCTAssertEqual(actual.map(\.items), expected.map(\.items), "fixture \(fixture), support \(support)")
                XCTAssertEqual(actual.map(\.count), expected.map(\.count))
                XCTAssertEqual(actual.map(\.lift), expected.map(\.lift))
            }
        }
    }

    /// Items of one day follow nothing of that day: `a > b` needs b on a later day.
    func testSameDayIsNotASequence() throws {
        let patterns = try SequentialPatterns.mine(
            customerOfEvent: [0, 0, 1, 1], dayOfEvent: [1, 1, 1, 2], itemOfEvent: [0, 1, 0, 1], customers: 2,
            itemNames: ["a", "b"], minSupport: Threshold(significand: 1, exponent: -1),
            minConfidence: Threshold(significand: 0, exponent: 0), maxLength: 3, stop: { false })
        XCTAssertEqual(patterns.map(\.items), [[0, 1]])
        XCTAssertEqual(patterns.first?.count, 1)
        XCTAssertEqual(patterns.first?.confidence, 0.5)
    }

    func testStopsWhenAsked() {
        XCTAssertThrowsError(try SequentialPatterns.mine(
            customerOfEvent: [0, 0], dayOfEvent: [1, 2], itemOfEvent: [0, 1], customers: 1, itemNames: ["a", "b"],
            minSupport: Threshold(significand: 1, exponent: -1), minConfidence: Threshold(significand: 0, exponent: 0),
            maxLength: 3, stop: { true }))
    }

    private func bruteForce(_ who: [Int32], _ day: [Int64], _ item: [Int32], customers: Int, items: Int, names: [String],
                            support: Double, confidence: Double, length: Int) -> [SequentialPatterns.Pattern] {
        // Each customer's history: its days in order, each the set of items.
        var histories = [[Int64: Set<Int32>]](repeating: [:], count: customers)
        for e in who.indices { histories[Int(who[e])][day[e], default: []].insert(item[e]) }
        func contains(_ history: [Int64: Set<Int32>], _ pattern: [Int32]) -> Bool {
            var next = 0
            for d in history.keys.sorted() where next < pattern.count && history[d]!.contains(pattern[next]) { next += 1 }
            return next == pattern.count
        }
        func count(_ pattern: [Int32]) -> Int { histories.filter { contains($0, pattern) }.count }
        var result: [SequentialPatterns.Pattern] = []
        var patterns: [[Int32]] = (0..<Int32(items)).map { [$0] }
        for _ in 2...length {
            patterns = patterns.flatMap { p in (0..<Int32(items)).map { p + [$0] } }
            for p in patterns {
                let c = count(p), a = count(Array(p.dropLast())), ever = count([p.last!])
                // Integer comparisons stand for the exact decimal thresholds.
                guard c > 0, Double(c) >= support * Double(customers) - 1e-9, Double(c) >= confidence * Double(a) - 1e-9 else { continue }
                result.append(.init(items: p, count: c, antecedentCount: a, support: Double(c) / Double(customers),
                                    confidence: Double(c) / Double(a), lift: AssociationRules.lift(c, customers, a, ever)))
            }
        }
        func text(_ p: [Int32]) -> String { p.dropLast().map { names[Int($0)] }.joined(separator: " > ") }
        return result.sorted { a, b in
            if a.lift != b.lift { return a.lift > b.lift }
            if text(a.items) != text(b.items) { return text(a.items) < text(b.items) }
            if a.items.last! != b.items.last! { return names[Int(a.items.last!)] < names[Int(b.items.last!)] }
            return a.items.lexicographicallyPrecedes(b.items)
        }
    }
}
