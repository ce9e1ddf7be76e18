import XCTest
import CRMQLCore
@testable import CRMQLEngine

/// The numeric cores of `clusters` and `classifier`, on data whose answer
/// is known.
final class MiningTests: XCTestCase {
    // MARK: Standardisation

    func testStandardisationUsesPopulationDeviation() {
        let scale = Standardization(columns: [[1, 2, 3, 4], [5, 5, 5, 5]])
        XCTAssertEqual(scale.means, [2.5, 5])
        XCTAssertEqual(scale.deviations[0], (1.25).squareRoot(), accuracy: 1e-15)
        XCTAssertEqual(scale.constantInputs, [1])
        let applied = scale.apply([[1, 4], [5, 5]])
        XCTAssertEqual(applied[0][0], -1.5 / (1.25).squareRoot(), accuracy: 1e-15)
        XCTAssertEqual(applied[1], [0, 0])
        XCTAssertEqual(scale.original(applied[0][1], input: 0), 4, accuracy: 1e-12)
    }

    // MARK: k-means

    /// Three well separated blobs of different sizes: every start finds
    /// them, numbered by size, and the inertia is the within-blob scatter.
    func testKMeansFindsSeparatedBlobsNumberedBySize() throws {
        var random = DemoRandom(seed: 3)
        var x: [Double] = [], y: [Double] = []
        var truth: [Int] = []
        for (blob, (cx, cy, size)) in [(0.0, 0.0, 30), (10.0, 10.0, 50), (-10.0, 10.0, 20)].enumerated() {
            for _ in 0..<size {
                x.append(cx + random.unit() - 0.5)
                y.append(cy + random.unit() - 0.5)
                truth.append(blob)
            }
        }
        let kmeans = KMeans(columns: [x, y])
        let result = try kmeans.fit(k: 3, seed: 1, stop: { false })
        XCTAssertEqual(result.sizes, [50, 30, 20])
        for i in truth.indices {
            XCTAssertEqual(Int(result.assignment[i]), [1, 0, 2][truth[i]])
        }
        var expected = 0.0
        for c in 0..<3 {
            let members = truth.indices.filter { Int(result.assignment[$0]) == c }
            let mx = members.map { x[$0] }.reduce(0, +) / Double(members.count)
            let my = members.map { y[$0] }.reduce(0, +) / Double(members.count)
            XCTAssertEqual(result.centroids[c][0], mx, accuracy: 1e-9)
            expected += members.map { (x[$0] - mx) * (x[$0] - mx) + (y[$0] - my) * (y[$0] - my) }.reduce(0, +)
        }
        XCTAssertEqual(result.inertia, expected, accuracy: 1e-9)
        let silhouette = try XCTUnwrap(kmeans.silhouette(result.assignment, k: 3, seed: 1))
        XCTAssertGreaterThan(silhouette, 0.9)
    }

    func testKMeansIsDeterministicBySeed() throws {
        var random = DemoRandom(seed: 11)
        let columns = (0..<3).map { _ in (0..<200).map { _ in random.unit() } }
        let kmeans = KMeans(columns: columns)
        XCTAssertEqual(try kmeans.fit(k: 4, seed: 5, stop: { false }), try kmeans.fit(k: 4, seed: 5, stop: { false }))
    }

    /// Hamerly's bounds skip distances, never decisions: from the same
    /// starts, `lloyd` gives `lloydPlain`'s assignments, iterations and
    /// inertia, on spread data and on integer data full of exact ties,
    /// through the best of several starts and on several threads.
    func testBoundedLloydEqualsThePlainIterations() throws {
        var random = DemoRandom(seed: 23)
        let spread = (0..<3).map { _ in (0..<3_000).map { _ in random.normal() } }
        let ties = (0..<2).map { _ in (0..<2_000).map { _ in Double(random.below(6)) } }
        for (columns, k) in [(spread, 5), (spread, 9), (ties, 4), (ties, 7)] {
            let kmeans = KMeans(columns: columns)
            for start in 0..<4 {
                var draws = DemoRandom(seed: UInt64(start) &* 977)
                let initial = try kmeans.plusPlus(k: k, &draws, stop: { false })
                let bounded = try kmeans.lloyd(initial, k: k, stop: { false })
                let plain = try kmeans.lloydPlain(initial, k: k, stop: { false })
                XCTAssertEqual(bounded.assignment, plain.assignment, "k \(k), start \(start)")
                XCTAssertEqual(bounded.iterations, plain.iterations, "k \(k), start \(start)")
                XCTAssertEqual(bounded.inertia, plain.inertia, "k \(k), start \(start)")
                XCTAssertEqual(bounded.centroids, plain.centroids, "k \(k), start \(start)")
            }
            XCTAssertEqual(try kmeans.fit(k: k, seed: 3, threads: 1, stop: { false }), try kmeans.fit(k: k, seed: 3, threads: 2, stop: { false }))
        }
    }

    /// Silhouette by its definition on four points in two pairs.
    func testSilhouetteByHand() throws {
        let kmeans = KMeans(columns: [[0, 1, 10, 12]])
        let s = try XCTUnwrap(kmeans.silhouette([0, 0, 1, 1], k: 2, seed: 1))
        let point: [Double] = [(11 - 1) / 11, (10 - 1) / 10, (9.5 - 2) / 9.5, (11.5 - 2) / 11.5]
        XCTAssertEqual(s, point.reduce(0, +) / 4, accuracy: 1e-12)
        XCTAssertNil(try kmeans.silhouette([0, 0, 0, 0], k: 2, seed: 1))
    }

    // MARK: Decision tree

    /// A target that is `x > 5 and z >= 1` is learnt exactly at depth 2,
    /// and printed as rules over whole numbers.
    func testTreeLearnsAConjunctionAndPrintsRules() throws {
        var x: [Double] = [], z: [Double] = [], target: [Bool] = []
        for i in 0..<10 {
            for j in 0..<3 {
                x.append(Double(i))
                z.append(Double(j))
                target.append(i > 5 && j >= 1)
            }
        }
        let tree = try DecisionTree.fit(columns: [x, z], target: target, depth: 2, stop: { false })
        for i in target.indices {
            XCTAssertEqual(tree.probability { [x[i], z[i]][$0] }, target[i] ? 1 : 0)
        }
        XCTAssertEqual(tree.rules(inputNames: ["x", "z"], target: "buys"), [
            "if x <= 5 then not buys (p = 0, 18 rows)",
            "if x >= 6 and z <= 0 then not buys (p = 0, 4 rows)",
            "if x >= 6 and z >= 1 then buys (p = 1, 8 rows)",
        ])
        XCTAssertEqual(tree.depth, 2)
    }

    /// The Gini split of a hand-counted case, at the shortest decimal
    /// between the two training values it falls between.
    func testTreeSplitsAtTheBestGini() throws {
        let x: [Double] = [1, 2, 3, 4, 5, 6]
        let target = [false, false, true, false, true, true]
        let tree = try DecisionTree.fit(columns: [x], target: target, depth: 1, stop: { false })
        // Candidates: 1.5 (score 1+4.8/5... ) — the best separates {1,2} from {3..6}
        // (Σ(p²+n²)/n = 2 + 10/4 = 4.5) over {1..4} | {5,6} (2.5 + 2 = 4.5 is equal;
        // the first in order wins).
        XCTAssertEqual(tree.nodes[0].threshold, 2)
        XCTAssertEqual(tree.nodes[tree.nodes[0].right].probability, 0.75)
    }

    func testShortestThresholdLiesBetweenTheValues() {
        XCTAssertEqual(DecisionTree.shortestThreshold(0.80156, 0.803), 0.802)
        XCTAssertEqual(DecisionTree.shortestThreshold(257, 258), 257)
        XCTAssertEqual(DecisionTree.shortestThreshold(211.5, 340), 300)
        XCTAssertEqual(DecisionTree.shortestThreshold(-3.2, -1), -3)
        XCTAssertEqual(DecisionTree.shortestThreshold(0, 1), 0)
    }

    func testPureTargetNeedsNoSplit() throws {
        let tree = try DecisionTree.fit(columns: [[1, 2, 3]], target: [true, true, true], depth: 3, stop: { false })
        XCTAssertEqual(tree.nodes.count, 1)
        XCTAssertEqual(tree.rules(inputNames: ["x"], target: "t"), ["if true then t (p = 1, 3 rows)"])
    }

    // MARK: Logistic regression

    /// At the optimum the gradient of Σ logloss + ½‖w‖² vanishes.
    func testLogisticReachesTheRegularisedOptimum() throws {
        var random = DemoRandom(seed: 19)
        var a: [Double] = [], b: [Double] = [], target: [Bool] = []
        for _ in 0..<400 {
            let u = random.unit() * 10, v = random.unit() * 3
            a.append(u)
            b.append(v)
            target.append(random.unit() < LogisticRegression.sigmoid(0.8 * (u - 5) - 0.5 * v))
        }
        let model = try LogisticRegression.fit(columns: [a, b], target: target, stop: { false })
        let x = model.scale.apply([a, b])
        var gradient = [model.weights[0], model.weights[1], 0]
        for i in target.indices {
            let p = model.probability { [a[i], b[i]][$0] }
            let r = p - (target[i] ? 1 : 0)
            gradient[0] += r * x[0][i]
            gradient[1] += r * x[1][i]
            gradient[2] += r
        }
        for g in gradient { XCTAssertEqual(g, 0, accuracy: 1e-8) }
        XCTAssertGreaterThan(model.weights[0], 0)
        XCTAssertLessThan(model.weights[1], 0)
    }

    /// Separable data stays finite: the penalty bounds the weights.
    func testLogisticOnSeparableDataIsFinite() throws {
        let model = try LogisticRegression.fit(columns: [[1, 2, 3, 4]], target: [false, false, true, true], stop: { false })
        XCTAssertTrue(model.weights[0].isFinite && model.weights[0] > 0)
        XCTAssertGreaterThan(model.probability { _ in 4 }, 0.5)
    }

    // MARK: Split and measures

    func testHoldoutIsSeededAndSized() {
        let split = HoldoutSplit.heldOut(count: 1000, share: 0.2, seed: 1, poll: {})
        XCTAssertEqual(split.filter { $0 }.count, 200)
        XCTAssertEqual(split, HoldoutSplit.heldOut(count: 1000, share: 0.2, seed: 1, poll: {}))
        XCTAssertNotEqual(split, HoldoutSplit.heldOut(count: 1000, share: 0.2, seed: 2, poll: {}))
    }

    func testMetricsByHand() {
        let metrics = ClassifierMetrics(probabilities: [0.9, 0.6, 0.4, 0.2, 0.6], truth: [true, false, true, false, true])
        XCTAssertEqual(metrics.accuracy, 3.0 / 5)
        XCTAssertEqual(metrics.precision, 2.0 / 3)
        XCTAssertEqual(metrics.recall, 2.0 / 3)
        // Positives 0.9, 0.4, 0.6 against negatives 0.6, 0.2: 1 + 1 + 0 + 1 + 0.5 + 1 = 4.5 of 6.
        XCTAssertEqual(metrics.auc, 4.5 / 6)
        XCTAssertNil(ClassifierMetrics(probabilities: [0.1], truth: [true]).auc)
    }
}
