import CRMQLCore
import Synchronization
import XCTest
@testable import CRMQLStorage

/// Every index build asks the running statement's `BuildStop` as it goes
/// and gives up when told to: a statement's interrupt or time limit must
/// not wait for an index over millions of rows to finish.
final class IndexBuildStopTests: XCTestCase {
    static let rows = 300_000

    /// A stop that counts how often it was asked and says stop from the
    /// `stopAt`-th question on.
    final class CountingStop: Sendable {
        let asked = Atomic<Int>(0)
        let stopAt: Int
        init(stopAt: Int) { self.stopAt = stopAt }
        var stop: BuildStop {
            BuildStop { self.asked.add(1, ordering: .relaxed).newValue >= self.stopAt }
        }
    }

    private func columns() -> [(String, Column)] {
        var random = SystemRandomNumberGenerator()
        let ints = (0..<Self.rows).map { _ in Int64.random(in: -1_000_000_000...1_000_000_000, using: &random) }
        let texts = (0..<Self.rows).map { "customer \($0 &* 7919 % Self.rows)" }
        let numbers = ints.map { Double($0) / 100 }
        let type = EnumType(["a", "b", "c"])
        let codes = EnumCodes((0..<Self.rows).map { Int32($0 % 3) })
        return [
            ("int", Column(type: .int, data: .int(ints))),
            ("text", Column(type: .text, data: .text(texts))),
            ("number", Column(type: .number, data: .number(numbers))),
            ("enum", Column(type: .enumeration(type), data: .codes(codes))),
        ]
    }

    /// Runs `build` with no stop, with a stop that ends at its first
    /// question, and with one that ends midway: it builds, then gives up
    /// at once, then gives up midway after asking often enough.
    private func check(_ name: String, rows: Int, _ build: () -> Bool) {
        XCTAssertTrue(build(), "\(name): builds when nothing stops it")
        let atOnce = CountingStop(stopAt: 1)
        XCTAssertFalse(built(with: atOnce.stop, build), "\(name): gives up when told to stop")
        let counting = CountingStop(stopAt: .max)
        XCTAssertTrue(built(with: counting.stop, build), "\(name): builds when never told to stop")
        let asked = counting.asked.load(ordering: .relaxed)
        XCTAssertGreaterThanOrEqual(asked, rows / IndexBuild.pollRows, "\(name): asks at least every \(IndexBuild.pollRows) rows")
        let midway = CountingStop(stopAt: max(2, asked / 2))
        XCTAssertFalse(built(with: midway.stop, build), "\(name): gives up midway")
        XCTAssertNil(IndexBuild.current, "\(name): the stop is unbound after its statement")
    }

    private func built(with stop: BuildStop, _ build: () -> Bool) -> Bool {
        var result = false
        IndexBuild.withStop(stop) { result = build() }
        return result
    }

    func testSortedIndexesStop() {
        for (name, column) in columns() {
            check("sorted index of \(name)", rows: Self.rows) { SortedIndex(column: column) != nil }
        }
        let texts = columns().first { $0.0 == "text" }!.1
        check("prefix index", rows: Self.rows) { SortedIndex(column: texts, foldCase: true) != nil }
    }

    func testKeyIndexesStop() {
        let ints = Column(type: .int, data: .int((0..<Int64(Self.rows)).map { $0 &* 7919 % Int64(Self.rows) }))
        check("int key index", rows: Self.rows) { KeyIndex(column: ints) != nil }
        let texts = Column(type: .text, data: .text((0..<Self.rows).map { "k\($0)" }))
        check("text key index", rows: Self.rows) { KeyIndex(column: texts) != nil }
    }

    func testRefIndexAndPostingsStop() throws {
        let parents = Column(type: .int, data: .int((1...Int64(1000)).map { $0 }))
        let keys = try XCTUnwrap(KeyIndex(column: parents))
        let refs = Column(type: .ref("parents"), data: .int((0..<Self.rows).map { Int64($0 % 1000 + 1) }))
        check("ref index", rows: Self.rows) { RefIndex(childColumn: refs, parentKeys: keys, parentCount: 1000) != nil }
        let enums = columns().first { $0.0 == "enum" }!.1
        check("enum postings", rows: Self.rows) { PostingLists(column: enums) != nil }
    }

    /// A text dictionary that gave up is not taken for a column of too
    /// many distinct texts: the cache keeps nothing, and builds it later.
    func testTextDictionariesStopAndAreNotKept() throws {
        let names = Column(type: .text, data: .text((0..<Self.rows).map { "name \($0 % 500)" }))
        check("text dictionary", rows: Self.rows) {
            var stopped = false
            let dictionary = TextDictionary(column: names, stopped: &stopped)
            XCTAssertEqual(stopped, dictionary == nil)
            return dictionary != nil
        }
        let entity = Entity(name: "people", fields: [Field(name: "name", type: .text)], columns: [names])
        let cache = IndexCache()
        XCTAssertFalse(built(with: CountingStop(stopAt: 1).stop) { cache.textDictionary(of: entity, field: "name") != nil })
        XCTAssertEqual(cache.textDictionary(of: entity, field: "name")?.texts.count, 500)
    }

    /// The merge sort that lets a text index stop orders exactly as the
    /// standard library's sort does.
    func testRunMergeSortEqualsTheStandardSort() throws {
        var random = SystemRandomNumberGenerator()
        for count in [0, 1, 2, IndexBuild.pollRows - 1, IndexBuild.pollRows, IndexBuild.pollRows * 3 + 17] {
            let keys = (0..<count).map { _ in Int.random(in: 0..<50, using: &random) }
            let rows = (0..<Int32(count)).map { $0 }
            let isBefore = { (a: Int32, b: Int32) in keys[Int(a)] != keys[Int(b)] ? keys[Int(a)] < keys[Int(b)] : a < b }
            XCTAssertEqual(try XCTUnwrap(RowSort.compared(rows, by: isBefore)), rows.sorted(by: isBefore), "\(count) rows")
        }
    }
}
