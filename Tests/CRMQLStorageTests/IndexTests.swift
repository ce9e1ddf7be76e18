import CRMQLCore
import XCTest
@testable import CRMQLStorage

final class IndexTests: XCTestCase {
    private func crm() throws -> Store {
        let customers = try loadCSV("id,name,stage\n1,Ada,mature\n2,Ben,growth\n3,Cy,mature\n", as: "customers").store
        let orders = "id,customer,amount\n10,2,5\n11,1,7\n12,2,1\n13,,4\n14,2,9\n"
        return try loadCSV(orders, as: "orders", into: customers).store
    }

    func testKeyIndexIntAndText() throws {
        let ints = Column.make(type: .int, values: [.int(5), .int(-3), .null, .int(5), .int(1 << 40)])
        let index = try XCTUnwrap(KeyIndex(column: ints))
        XCTAssertEqual(index.position(of: Int64(5)), 0, "first row wins")
        XCTAssertEqual(index.position(of: Int64(-3)), 1)
        XCTAssertEqual(index.position(of: Int64(1 << 40)), 4)
        XCTAssertNil(index.position(of: Int64(7)))
        XCTAssertEqual(index.position(of: .number(5)), 0)
        XCTAssertNil(index.position(of: .number(5.5)))
        XCTAssertEqual(index.duplicateCount, 1)
        XCTAssertEqual(index.count, 3)

        let texts = Column.make(type: .text, values: [.text("a"), .text("b"), .text("a")])
        let textIndex = try XCTUnwrap(KeyIndex(column: texts))
        XCTAssertEqual(textIndex.position(of: "a"), 0)
        XCTAssertEqual(textIndex.position(of: .text("b")), 1)
        XCTAssertNil(textIndex.position(of: Int64(1)))
        XCTAssertNil(KeyIndex(column: Column.make(type: .number, values: [.number(1)])))
    }

    func testIntKeyTableGrowsUnderManyKeys() throws {
        let keys = (0..<100_000).map { Int64($0) * 7919 - 50_000 }
        let index = try XCTUnwrap(KeyIndex(column: Column(type: .int, data: .int(keys))))
        for (row, key) in keys.enumerated() where row % 97 == 0 { XCTAssertEqual(index.position(of: key), Int32(row)) }
        XCTAssertNil(index.position(of: Int64(1)))
    }

    func testRefIndexBothDirections() throws {
        let store = try crm()
        let cache = IndexCache()
        let refs = try XCTUnwrap(cache.refIndex(child: store["orders"]!, field: "customer", in: store))
        XCTAssertEqual(refs.parentRows, [1, 0, 1, -1, 1])
        XCTAssertEqual(refs.offsets, [0, 1, 4, 4])
        XCTAssertEqual(Array(refs.children(of: 1)), [0, 2, 4])
        XCTAssertEqual(Array(refs.children(of: 0)), [1])
        XCTAssertEqual(Array(refs.children(of: 2)), [])
        XCTAssertEqual(Array(refs.children(of: 99)), [])
        XCTAssertEqual(refs.childCount(of: 1), 3)
        XCTAssertEqual(refs.danglingCount, 0)
        XCTAssertNil(cache.refIndex(child: store["orders"]!, field: "amount", in: store))
    }

    /// Children stored in parent order are clustered, and any null,
    /// dangling or out-of-order ref makes them not; either way
    /// `markChildren` marks exactly the children the adjacency lists.
    func testClusteredRefsAndMarkingChildren() throws {
        let customers = try loadCSV("id,name\n1,Ada\n2,Ben\n3,Cy\n4,Di\n", as: "customers").store
        let cases: [(String, Bool)] = [
            ("1\n1\n2\n2\n2\n4\n4\n", true),   // parent order, Cy without children
            ("1\n2\n1\n", false),               // out of order
            ("1\n\n2\n", false),                // a null ref
            ("1\n2\n3\n", false),               // a dangling ref once Cy is gone
        ]
        for (refs, clustered) in cases {
            let rows = refs.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            let csv = "id,customer\n" + rows.enumerated().map { "\($0.offset + 1),\($0.element)" }.joined(separator: "\n") + "\n"
            var store = try loadCSV(csv, as: "orders", into: customers).store
            if refs == "1\n2\n3\n" {
                var parents = store["customers"]!
                parents.keepRows([0, 1, 3])
                store["customers"] = parents
            }
            let index = try XCTUnwrap(IndexCache().refIndex(child: store["orders"]!, field: "customer", in: store))
            XCTAssertEqual(index.isClustered, clustered, refs)
            for parents in [[], [0], [1, 3], [3, 1, 0], [0, 1, 2, 3], [2], [7, -1]] as [[Int32]] {
                var bits = [UInt64](repeating: 0, count: 1)
                index.markChildren(of: parents, in: &bits)
                var expected: UInt64 = 0
                for parent in parents { for child in index.children(of: Int(parent)) { expected |= 1 << UInt64(child) } }
                XCTAssertEqual(bits, [expected], "\(refs) \(parents)")
            }
        }
    }

    /// Ranges of bits across word boundaries, one word, and whole words.
    func testMarkingRangesAcrossWords() throws {
        let count = 300
        let refs = (0..<count).map { String(1 + $0 / 70) }  // parents of 70 children, the last of 20
        let parentsCSV = "id\n" + (1...5).map(String.init).joined(separator: "\n") + "\n"
        let customers = try loadCSV(parentsCSV, as: "customers").store
        let csv = "id,customer\n" + refs.enumerated().map { "\($0.offset + 1),\($0.element)" }.joined(separator: "\n") + "\n"
        let store = try loadCSV(csv, as: "orders", into: customers).store
        let index = try XCTUnwrap(IndexCache().refIndex(child: store["orders"]!, field: "customer", in: store))
        XCTAssertTrue(index.isClustered)
        for parents in [[0], [1], [4], [1, 3], [0, 1, 2, 3, 4]] as [[Int32]] {
            var bits = [UInt64](repeating: 0, count: (count + 63) / 64)
            index.markChildren(of: parents, in: &bits)
            let marked = (0..<count).filter { bits[$0 / 64] & (1 << UInt64($0 % 64)) != 0 }
            XCTAssertEqual(marked, (0..<count).filter { parents.contains(Int32($0 / 70)) }, "\(parents)")
        }
    }

    func testDanglingRefsResolveToMinusOne() throws {
        var store = try crm()
        var customers = store["customers"]!
        customers.keepRows([0, 2])  // drop Ben, whose orders now dangle
        store["customers"] = customers
        let refs = try XCTUnwrap(IndexCache().refIndex(child: store["orders"]!, field: "customer", in: store))
        XCTAssertEqual(refs.parentRows, [-1, 0, -1, -1, -1])
        XCTAssertEqual(refs.danglingCount, 3)
        XCTAssertEqual(refs.offsets, [0, 1, 1])
    }

    func testCacheRebuildsAfterChanges() throws {
        var store = try crm()
        let cache = IndexCache()
        let first = try XCTUnwrap(cache.keyIndex(of: store["customers"]!))
        XCTAssertNil(first.position(of: Int64(4)))
        XCTAssertEqual(cache.count, 1)
        _ = cache.keyIndex(of: store["customers"]!)
        XCTAssertEqual(cache.count, 1)

        // Appending customers: the key index and the ref index see them.
        store = try loadCSV("id,name,stage\n4,Di,churned\n", as: "customers", into: store).store
        XCTAssertEqual(cache.keyIndex(of: store["customers"]!)?.position(of: Int64(4)), 3)
        store = try loadCSV("id,customer,amount\n15,4,2\n", as: "orders", into: store).store
        let refs = try XCTUnwrap(cache.refIndex(child: store["orders"]!, field: "customer", in: store))
        XCTAssertEqual(Array(refs.children(of: 3)), [5])
        XCTAssertEqual(cache.count, 2, "one entry per structure, not per version")

        // Keeping rows renumbers them.
        var orders = store["orders"]!
        orders.keepRows([4, 5])
        store["orders"] = orders
        let kept = try XCTUnwrap(cache.refIndex(child: store["orders"]!, field: "customer", in: store))
        XCTAssertEqual(kept.parentRows, [1, 3])
        XCTAssertEqual(Array(kept.children(of: 1)), [0])

        // Changing the parent alone also rebuilds the ref index.
        var customers = store["customers"]!
        customers.keepRows([1, 3])
        store["customers"] = customers
        let afterParent = try XCTUnwrap(cache.refIndex(child: store["orders"]!, field: "customer", in: store))
        XCTAssertEqual(afterParent.parentRows, [0, 1])
        cache.removeAll()
        XCTAssertEqual(cache.count, 0)
    }

    func testEnumPostings() throws {
        let store = try crm()
        let lists = try XCTUnwrap(IndexCache().postings(of: store["customers"]!, field: "stage"))
        let mature = try XCTUnwrap(StandardModel.stage.code(of: "mature"))
        let growth = try XCTUnwrap(StandardModel.stage.code(of: "growth"))
        XCTAssertEqual(Array(lists.rows(for: mature)), [0, 2])
        XCTAssertEqual(Array(lists.rows(for: growth)), [1])
        XCTAssertEqual(lists.rows(forAnyOf: [mature, growth, mature]), [0, 1, 2])
        XCTAssertEqual(Array(lists.rows(for: 99)), [])
        XCTAssertNil(IndexCache().postings(of: store["customers"]!, field: "name"))
    }

    func testSortedIndexLookups() throws {
        let column = Column.make(type: .number, values: [.number(5), .number(1.5), .null, .number(3), .number(5), .number(.nan), .number(-2)])
        let index = try XCTUnwrap(SortedIndex(column: column))
        XCTAssertEqual(index.count, 5, "nulls and NaN are not indexed")
        XCTAssertEqual(index.rows(equalTo: .int(5)), [0, 4])
        XCTAssertEqual(index.rows(lower: IndexBound(.int(3), inclusive: true), upper: nil), [0, 3, 4])
        XCTAssertEqual(index.rows(lower: IndexBound(.int(3), inclusive: false), upper: nil), [0, 4])
        XCTAssertEqual(index.rows(lower: nil, upper: IndexBound(.number(3), inclusive: false)), [1, 6])
        XCTAssertEqual(index.rows(between: .number(1.5), and: .int(3)), [1, 3])
        XCTAssertEqual(index.rows(in: [.int(-2), .int(5), .null, .int(-2)]), [0, 4, 6])
        XCTAssertEqual(index.rows(between: .int(4), and: .int(1)), [])
        XCTAssertNil(index.rows(equalTo: .text("5")))
        XCTAssertEqual(index.positions(lower: IndexBound(.int(5), inclusive: true), upper: nil)?.count, 2)

        let ints = try XCTUnwrap(SortedIndex(column: Column.make(type: .int, values: [.int(1), .int(2), .int(3)])))
        XCTAssertEqual(ints.rows(lower: IndexBound(.number(1.5), inclusive: true), upper: IndexBound(.number(2.5), inclusive: true)), [1])
        XCTAssertEqual(ints.rows(equalTo: .number(2.5)), [])
    }

    func testSortedIndexOnDatesEnumsAndText() throws {
        let store = try loadCSV("id,placed,stage,name\n1,2026-03-01,mature,bob\n2,2026-01-15,prospect,Alice\n3,2026-02-01,churned,alfred\n4,,growth,\n",
                                as: "customers").store
        let cache = IndexCache()
        let dates = try XCTUnwrap(cache.sortedIndex(of: store["customers"]!, field: "placed"))
        let february = DateParsing.parseDate("2026-02-01")!
        XCTAssertEqual(dates.rows(lower: IndexBound(.date(february), inclusive: true), upper: nil), [0, 2])
        XCTAssertNil(dates.rows(equalTo: .datetime(february * 86_400)), "a datetime does not compare with a date index")

        let stages = try XCTUnwrap(cache.sortedIndex(of: store["customers"]!, field: "stage"))
        XCTAssertEqual(stages.rows(lower: IndexBound(.text("mature"), inclusive: true), upper: nil), [0, 2], "declaration order")
        XCTAssertEqual(stages.rows(equalTo: .symbol(0, StandardModel.stage)), [1])
        XCTAssertNil(stages.rows(equalTo: .text("asleep")))

        let names = try XCTUnwrap(cache.sortedIndex(of: store["customers"]!, field: "name"))
        XCTAssertEqual(names.rows(equalTo: .text("bob")), [0])
        XCTAssertEqual(names.rows(equalTo: .text("Bob")), [])
        XCTAssertNil(names.rows(startingWith: "al"), "only a folded index answers starts with")
        let prefixes = try XCTUnwrap(cache.prefixIndex(of: store["customers"]!, field: "name"))
        XCTAssertEqual(prefixes.rows(startingWith: "AL"), [1, 2])
        XCTAssertEqual(prefixes.rows(startingWith: ""), [0, 1, 2])
        XCTAssertEqual(prefixes.rows(startingWith: "z"), [])
        XCTAssertNil(prefixes.rows(equalTo: .text("bob")))
        XCTAssertNil(SortedIndex(column: Column.make(type: .bool, values: [.bool(true)])))
    }

    func testReferencingRows() throws {
        let store = try crm()
        let cache = IndexCache()
        XCTAssertEqual(store.references(to: "customers"), [ReferenceLink(entity: "orders", field: "customer", parent: "customers")])
        let found = store.referencingRows(to: "customers", parentRows: [1, 0], cache: cache)
        XCTAssertEqual(found.count, 1)
        XCTAssertEqual(found.first?.rows, [0, 1, 2, 4])
        XCTAssertEqual(store.referencingRows(to: "customers", parentRows: [2], cache: cache), [])
        XCTAssertEqual(store.referencingRows(to: "orders", parentRows: [0], cache: cache), [])
    }

    func testConcurrentLookupsShareOneCache() throws {
        let store = try crm()
        let cache = IndexCache()
        let orders = store["orders"]!
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            XCTAssertEqual(cache.refIndex(child: orders, field: "customer", in: store)?.childCount(of: 1), 3)
        }
    }
}
