import CRMQLCore
import CRMQLStorage
import XCTest
@testable import CRMQLEngine

/// The kernels behind a relation aggregate over every parent and the
/// population functions, each against a direct computation: `count(distinct
/// …)` counted by rises with segments out of order, `min`/`max` of ints,
/// dates and numbers, and the ranks of the radix-sorted population.
final class AggregationKernelTests: XCTestCase {
    private var state: UInt64 = 7
    private func next(_ bound: Int) -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int((state >> 33) % UInt64(bound))
    }

    private func reduce(_ function: AggregateFunction, _ values: Column, _ segments: [Int32], _ count: Int, distinct: Bool = false,
                        type: DataType = .int) throws -> Column {
        try Aggregation.reduce(function, values: values, segments: segments, segmentCount: count, distinct: distinct,
                               fraction: nil, type: type, range: SourceRange(0, 0))
    }

    func testCountDistinctEqualsADirectCount() throws {
        for trial in 0..<80 {
            let segmentCount = 1 + next(30)
            let n = next(400)
            let ordered = trial % 2 == 0
            var segments = (0..<n).map { _ in Int32(next(segmentCount)) }
            var raw = (0..<n).map { _ in Int64(next(trial % 3 == 0 ? 4 : 50)) - 10 }
            if ordered {
                // Each segment's values rising, as baskets do in order of date.
                var last = [Int64](repeating: -20, count: segmentCount)
                for index in 0..<n {
                    let s = Int(segments[index])
                    last[s] += Int64(next(3))
                    raw[index] = last[s]
                }
            }
            if trial % 5 == 0, n > 0 { segments[next(n)] = -1 }
            let values: [Value] = raw.map { trial % 4 == 1 && $0 % 7 == 0 ? .null : .int($0) }
            var expected = [Set<Int64>](repeating: [], count: segmentCount)
            for index in 0..<n where segments[index] >= 0 {
                if case .int(let v) = values[index] { expected[Int(segments[index])].insert(v) }
            }
            for type in [DataType.int, .date] {
                let column = Column.make(type: type, values: values.map { value in
                    if type == .date, case .int(let v) = value { return .date(v) }
                    return value
                })
                let counted = try reduce(.count, column, segments, segmentCount, distinct: true)
                XCTAssertEqual(counted.ints, expected.map { Int64($0.count) }, "trial \(trial), \(type)")
            }
        }
    }

    func testMinAndMaxEqualADirectSearch() throws {
        for trial in 0..<60 {
            let segmentCount = 1 + next(20)
            let n = next(300)
            let segments = (0..<n).map { _ in Int32(next(segmentCount)) }
            let ints: [Value] = (0..<n).map { _ in next(9) == 0 ? .null : .int(Int64(next(30)) - 15) }
            let numbers: [Value] = (0..<n).map { _ in next(9) == 0 ? .null : .number(Double(next(30)) / 4 - 3) }
            for (type, values) in [(DataType.int, ints), (.number, numbers)] {
                let column = Column.make(type: type, values: values)
                for isMin in [true, false] {
                    var best = [Value](repeating: .null, count: segmentCount)
                    for index in 0..<n where !values[index].isNull {
                        let s = Int(segments[index])
                        if best[s].isNull || (isMin ? ValueOrder.compare(values[index], best[s]) < 0 : ValueOrder.compare(values[index], best[s]) > 0) {
                            best[s] = values[index]
                        }
                    }
                    let got = try reduce(isMin ? .min : .max, column, segments, segmentCount, type: type)
                    XCTAssertEqual((0..<segmentCount).map { got.value(at: $0) }, best, "trial \(trial), \(type), \(isMin ? "min" : "max")")
                }
            }
        }
    }

    /// The radix-sorted ranks equal the comparison sort's: ties, -0 and 0,
    /// infinities, NaN (no rank) and nulls.
    func testRadixRanksEqualTheComparisonSort() {
        let specials: [Double?] = [0, -0.0, .infinity, -.infinity, .nan, nil, 1e300, -1e-300, Double.leastNonzeroMagnitude]
        for trial in 0..<24 {
            // Some populations large enough for the radix passes.
            var values: [Double?] = (0..<(trial % 4 >= 2 ? 5_000 + next(3_000) : next(500))).map { _ in
                switch next(10) {
                case 0: return nil
                case 1: return specials[next(specials.count)]
                default: return trial % 2 == 0 ? Double(next(20)) : Double(next(1_000_000)) / 7 - 70_000
                }
            }
            if trial == 0 { values = [] }
            let n = values.count
            let present = values.map { $0 ?? 0 }
            let nulls = NullBitmap(count: n) { values[$0] == nil }
            for k in [1, 5, 10] {
                let generic = PopulationStatistics.ntile(present, nulls: nulls, k: k)
                let expected: [Double?] = (0..<n).map { row in
                    generic.nulls.isNull(row) ? nil : Double(generic.values[row])
                }
                XCTAssertEqual(PopulationStatistics.ntile(values, k: k), expected, "trial \(trial), k \(k)")
            }
            let rank = PopulationStatistics.rank(present, nulls: nulls)
            XCTAssertEqual(PopulationStatistics.rank(values), (0..<n).map { rank.nulls.isNull($0) ? nil : Double(rank.values[$0]) })
            let percent = PopulationStatistics.percentRank(present, nulls: nulls)
            XCTAssertEqual(PopulationStatistics.percentRank(values), (0..<n).map { percent.nulls.isNull($0) ? nil : percent.values[$0] })
        }
    }
}

/// The relation aggregates split by ranges of parents (`Aggregation.parts`)
/// give one loop's answers, to the row and digit, for any number of parts.
final class SplitAggregationTests: XCTestCase {
    func testPartsOfParentsAnswerAsOneLoop() {
        var random = SeededRandom(state: 11)
        for trial in 0..<20 {
            let segmentCount = 64 + random.below(700)
            let n = random.below(5_000)
            let segments = (0..<n).map { _ in random.below(17) == 0 ? Int32(-1) : Int32(random.below(segmentCount)) }
            let values = (0..<n).map { _ in Int64(random.below(trial % 2 == 0 ? 5 : 1_000)) - 100 }
            let nulls = trial % 3 == 0 ? NullBitmap(count: n) { _ in random.below(9) == 0 } : NullBitmap()
            let hundredths = values.map { Int32($0 * 7) }
            let whole = [0..<segmentCount]
            for threads in [2, 3, 8] {
                let parts = (0..<threads).map { part -> Range<Int> in
                    let size = ((segmentCount + threads - 1) / threads + 63) / 64 * 64
                    return min(segmentCount, part * size)..<min(segmentCount, (part + 1) * size)
                }.filter { !$0.isEmpty }
                let one = Aggregation.hundredthSums(hundredths, nulls, segments, segmentCount: segmentCount, whole)
                let split = Aggregation.hundredthSums(hundredths, nulls, segments, segmentCount: segmentCount, parts)
                XCTAssertEqual(one.sums, split.sums)
                XCTAssertEqual(one.counts, split.counts)
                for isMin in [true, false] {
                    XCTAssertEqual(Aggregation.extremeRows(values, isMin: isMin, nulls, segments, segmentCount: segmentCount, whole),
                                   Aggregation.extremeRows(values, isMin: isMin, nulls, segments, segmentCount: segmentCount, parts))
                }
                let rising = Aggregation.risingDistinctCounts(values, nulls, segments, segmentCount: segmentCount, whole)
                let risingSplit = Aggregation.risingDistinctCounts(values, nulls, segments, segmentCount: segmentCount, parts)
                XCTAssertEqual(rising.counts, risingSplit.counts)
                XCTAssertEqual(rising.unordered, risingSplit.unordered)
                XCTAssertEqual(rising.any, risingSplit.any)
            }
            // The planner's own cut: whole words, every parent in one part.
            let cut = Aggregation.parts(children: 1 << 22, segments: segmentCount, Parallelism(threads: 2))
            XCTAssertEqual(cut.first?.lowerBound, 0)
            XCTAssertEqual(cut.last?.upperBound, segmentCount)
            for part in cut.dropLast() { XCTAssertEqual(part.count % 64, 0) }
        }
    }
}

/// The population functions over a whole column (`wholePopulation`) give
/// the answers of the optionals' path, for whole numbers, fractions, ties,
/// -0, NaN and nulls.
final class WholePopulationTests: XCTestCase {
    func testWholeColumnRanksEqualTheOptionalsPath() throws {
        var random = SeededRandom(state: 5)
        let interpreter = ScriptCorpus.session(demo: false)
        let evaluator = interpreter.runner(SourceFile(name: "", text: "")).evaluator
        for trial in 0..<8 {
            // Past 4,096 values, where the optionals' path radix-sorts too.
            let n = random.below(5_000)
            let values: [Double] = (0..<n).map { _ in
                switch trial % 4 {
                case 0: return Double(random.below(30)) - 10
                case 1: return Double(random.below(100_000)) / 100 - 300
                case 2: return [0.0, -0.0, .nan, 1e300, -1e300, 2.5][random.below(6)]
                default: return Double(random.below(1 << 20)) * 1e6
                }
            }
            let nulls = NullBitmap(count: n) { _ in trial % 3 == 0 && random.below(5) == 0 }
            let column = Column(type: .number, data: .number(values), nulls: nulls)
            let optionals = (0..<n).map { nulls.isNull($0) ? nil : values[$0] } as [Double?]
            let cases: [(PopulationFunction, Int64)] = [(.quintile, 5), (.ntile, 3), (.ntile, 1), (.percentRank, 0), (.rank, 0)]
            for (function, k) in cases {
                for type in [DataType.int, .number] where !(function == .percentRank && type == .int) {
                    let whole = try XCTUnwrap(evaluator.wholePopulation(function, column, k: k, type: type))
                    let expected = Evaluator.population(function, optionals, k: k, keys: nil)
                    for row in 0..<n {
                        let actual: Double? = whole.isNull(row) ? nil : whole.doubles[row]
                        let wanted = expected[row].map { type == .int ? Double(Int64($0)) : $0 }
                        XCTAssertEqual(actual, wanted, "trial \(trial) \(function) row \(row)")
                    }
                }
            }
            // share_above, ties ordered by a key with ties of its own.
            let keys = Column(type: .int, data: .int((0..<n).map { _ in Int64(random.below(n / 2 + 1)) }))
            for key in [keys, nil] as [Column?] {
                guard let whole = try evaluator.wholeShareAbove(column, keys: key) else {
                    XCTAssertTrue(values.contains { $0.isNaN }, "trial \(trial): only NaN stops the codes")
                    continue
                }
                let expected = Evaluator.shareAbove(optionals, keys: key)
                for row in 0..<n {
                    XCTAssertEqual(whole.isNull(row) ? nil : whole.doubles[row], expected[row], "trial \(trial) share_above row \(row)")
                }
            }
        }
    }
}
