import CRMQLCore
import XCTest
@testable import CRMQLStorage

/// `RefIndex.keeping`, the index of an `as of` view's child gathered from
/// the full child's index: for every subset, null and dangling refs, rows
/// in or out of parent order, it equals the index built afresh from the
/// subset's column, and `IndexCache(subsets:)` hands out that index.
final class RefIndexSubsetTests: XCTestCase {
    private var state: UInt64 = 11
    private func next(_ bound: Int) -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int((state >> 33) % UInt64(bound))
    }

    private func assertSame(_ a: RefIndex, _ b: RefIndex, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.parentRows, b.parentRows, what, file: file, line: line)
        XCTAssertEqual(a.offsets, b.offsets, what, file: file, line: line)
        XCTAssertEqual(a.childRows, b.childRows, what, file: file, line: line)
        XCTAssertEqual(a.danglingCount, b.danglingCount, what, file: file, line: line)
        XCTAssertEqual(a.isClustered, b.isClustered, what, file: file, line: line)
    }

    func testKeepingEqualsAFreshBuildOfTheSubset() throws {
        for trial in 0..<60 {
            let parentCount = 1 + next(40)
            let keys = (0..<parentCount).map { Int64($0 * 3 + 1) }
            let parentKeys = try XCTUnwrap(KeyIndex(column: Column(type: .int, data: .int(keys))))
            let childCount = next(300)
            let sorted = trial % 3 == 0
            var refs: [Value] = (0..<childCount).map { _ in
                switch next(20) {
                case 0 where trial % 2 == 0: return .null
                case 1 where trial % 4 == 1: return .int(2)   // no parent has key 2
                default: return .int(keys[next(parentCount)])
                }
            }
            func key(_ value: Value) -> Int64 { if case .int(let int) = value { return int } else { return -1 } }
            if sorted { refs.sort { key($0) < key($1) } }
            let column = Column.make(type: .int, values: refs)
            let full = try XCTUnwrap(RefIndex(childColumn: column, parentKeys: parentKeys, parentCount: parentCount))
            for density in [0, 1, 5, 10] {
                let kept = (0..<Int32(childCount)).filter { _ in density == 10 || next(10) < density }
                let subset = column.gather(kept)
                let fresh = try XCTUnwrap(RefIndex(childColumn: subset, parentKeys: parentKeys, parentCount: parentCount))
                let derived = try XCTUnwrap(full.keeping(kept, childColumn: subset))
                assertSame(derived, fresh, "trial \(trial), \(kept.count) of \(childCount) rows kept")
            }
        }
    }

    func testKeepingRefusesPositionsOutsideTheChild() throws {
        let parentKeys = try XCTUnwrap(KeyIndex(column: Column(type: .int, data: .int([1, 2]))))
        let column = Column(type: .int, data: .int([1, 2, 1]))
        let full = try XCTUnwrap(RefIndex(childColumn: column, parentKeys: parentKeys, parentCount: 2))
        XCTAssertNil(full.keeping([0, 3], childColumn: Column(type: .int, data: .int([1, 1]))))
        XCTAssertNil(full.keeping([0, 1], childColumn: Column(type: .int, data: .int([1]))), "a column of another length")
    }

    /// Through the cache: a view's orders, some rows dropped, get the
    /// index a fresh cache builds; a parent that lost rows too is never
    /// derived from the full index (its positions moved).
    func testCacheDerivesTheSubsetsIndexFromTheFullOne() throws {
        let customers = try loadCSV("id,name\n1,Ada\n2,Ben\n3,Cy\n", as: "customers").store
        let store = try loadCSV("id,customer,placed\n10,2,2025-01-01\n11,1,2025-02-01\n12,,2025-03-01\n13,3,2025-04-01\n14,2,2025-05-01\n",
                                as: "orders", into: customers).store
        let outer = IndexCache()
        let orders = store["orders"]!
        let kept: [Int32] = [0, 2, 4]
        var view = store
        var subset = orders
        subset.keepRows(kept)
        view["orders"] = subset
        let cache = IndexCache(subsets: ["orders": RowSubset(source: orders, kept: kept, cache: outer)])
        let derived = try XCTUnwrap(cache.refIndex(child: subset, field: "customer", in: view))
        let fresh = try XCTUnwrap(IndexCache().refIndex(child: subset, field: "customer", in: view))
        assertSame(derived, fresh, "through the cache")
        XCTAssertEqual(derived.parentRows, [1, -1, 1])
        XCTAssertEqual(outer.count, 2, "the full index (and its parent's key index) were built in the outer cache")

        var parents = store["customers"]!
        parents.keepRows([1, 2])
        view["customers"] = parents
        let both = IndexCache(subsets: ["orders": RowSubset(source: orders, kept: kept, cache: outer),
                                        "customers": RowSubset(source: store["customers"]!, kept: [1, 2], cache: outer)])
        let moved = try XCTUnwrap(both.refIndex(child: subset, field: "customer", in: view))
        XCTAssertEqual(moved.parentRows, [0, -1, 0], "resolved against the parent's own rows")
    }
}
