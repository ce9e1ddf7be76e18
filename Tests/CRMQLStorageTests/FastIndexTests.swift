import CRMQLCore
import XCTest
@testable import CRMQLStorage

/// The table-free key index, the comparison-free index sorts and the
/// case-folded text buffer: each must answer exactly as the general path.
final class FastIndexTests: XCTestCase {
    func testGaplessKeysNeedNoTable() throws {
        let keys = Column(type: .int, data: .int((0..<1000).map { Int64($0) + 5 }))
        let index = try XCTUnwrap(KeyIndex(column: keys))
        XCTAssertEqual(index.position(of: Int64(5)), 0)
        XCTAssertEqual(index.position(of: Int64(1004)), 999)
        XCTAssertNil(index.position(of: Int64(4)))
        XCTAssertNil(index.position(of: Int64(1005)))
        XCTAssertNil(index.position(of: Int64.min), "a key far below wraps and fails the bound")
        XCTAssertNil(index.position(of: Int64.max))
        XCTAssertEqual(index.position(of: .number(6)), 1)
        XCTAssertEqual(index.count, 1000)
        XCTAssertEqual(index.duplicateCount, 0)
        XCTAssertTrue(index.isIntKeyed)
        XCTAssertEqual(index.position(matching: keys, row: 10), 10)

        // Near the top of Int64 the run cannot be represented: the table serves.
        let top = Column(type: .int, data: .int([Int64.max - 1, Int64.max]))
        let topIndex = try XCTUnwrap(KeyIndex(column: top))
        XCTAssertEqual(topIndex.position(of: Int64.max), 1)
        XCTAssertEqual(topIndex.position(of: Int64.max - 1), 0)
    }

    func testKeysWithAGapANullOrARepeatUseTheTable() throws {
        let gap = try XCTUnwrap(KeyIndex(column: Column(type: .int, data: .int([1, 2, 4]))))
        XCTAssertEqual(gap.position(of: Int64(4)), 2)
        XCTAssertNil(gap.position(of: Int64(3)))

        let withNull = try XCTUnwrap(KeyIndex(column: Column.make(type: .int, values: [.int(1), .null, .int(3)])))
        XCTAssertEqual(withNull.count, 2)
        XCTAssertNil(withNull.position(of: Int64(2)), "the null row's placeholder is no key")
        XCTAssertEqual(withNull.position(of: Int64(3)), 2)

        let repeated = try XCTUnwrap(KeyIndex(column: Column(type: .int, data: .int([1, 2, 2, 3]))))
        XCTAssertEqual(repeated.position(of: Int64(2)), 1)
        XCTAssertEqual(repeated.duplicateCount, 1)
    }

    /// What the index must hold: non-null rows by value, ties by row.
    private func expectedOrder<T: Comparable>(_ values: [T?]) -> [Int32] {
        values.indices.filter { values[$0] != nil }
            .sorted { values[$0]! != values[$1]! ? values[$0]! < values[$1]! : $0 < $1 }
            .map { Int32($0) }
    }

    func testSortsKeepTiesInRowOrderForNarrowAndWideKeys() throws {
        var generator = SystemRandomNumberGenerator()
        // Narrow (counting sort), wide (radix sort) and negative keys.
        for span in [Int64(7), 1 << 20, 1 << 50] {
            let values: [Int64?] = (0..<5000).map { _ in
                Int64.random(in: 0..<30, using: &generator) == 0 ? nil : Int64.random(in: -span...span, using: &generator)
            }
            let column = Column.make(type: .int, values: values.map { $0.map(Value.int) ?? .null })
            let index = try XCTUnwrap(SortedIndex(column: column))
            XCTAssertEqual(index.sortedRows, expectedOrder(values), "span \(span)")
        }
        let dates: [Int64?] = (0..<3000).map { Int64(20_000 + $0 % 97) }
        let dateIndex = try XCTUnwrap(SortedIndex(column: Column(type: .date, data: .temporal(dates.map { $0! }))))
        XCTAssertEqual(dateIndex.sortedRows, expectedOrder(dates))
    }

    func testNumberSortHandlesSignsZerosAndNaN() throws {
        let raw: [Double?] = [3.5, -0.0, 0.0, -2, nil, .nan, -1e300, 1e-300, .infinity, -.infinity, 0.0, -2]
        let column = Column.make(type: .number, values: raw.map { $0.map(Value.number) ?? .null })
        let index = try XCTUnwrap(SortedIndex(column: column))
        let present = raw.map { $0.flatMap { $0.isNaN ? nil : $0 } }
        XCTAssertEqual(index.sortedRows, expectedOrder(present), "-0.0 and 0.0 tie, NaN is left out")
    }

    func testLargeRangesComeBackAscending() throws {
        let values = (0..<20_000).map { Int64(($0 * 7919) % 1000) }
        let index = try XCTUnwrap(SortedIndex(column: Column(type: .int, data: .int(values))))
        let rows = try XCTUnwrap(index.rows(between: .int(100), and: .int(899)))
        XCTAssertEqual(rows, values.indices.filter { (100...899).contains(values[$0]) }.map { Int32($0) })
        let few = try XCTUnwrap(index.rows(equalTo: .int(5)))
        XCTAssertEqual(few, values.indices.filter { values[$0] == 5 }.map { Int32($0) })
    }

    func testFoldedTextFindsRowsWithoutCrossingThem() throws {
        let column = Column.make(type: .text, values: [
            .text("Acme Corp"), .text("no"), .null, .text("xAC"), .text("ME"), .text("ÄCME"), .text("acmeacme"), .text(""),
        ])
        // A stand-in for the engine's folding: lowercase.
        let folded = try XCTUnwrap(FoldedText(column: column) { text, bytes in bytes.append(contentsOf: text.lowercased().utf8) })
        XCTAssertEqual(folded.count, 8)
        XCTAssertEqual(folded.rowsContaining(Array("acme".utf8)), [0, 6], "'xAC' then 'ME' must not join across rows")
        XCTAssertEqual(folded.rowsContaining(Array("äcme".utf8)), [5])
        XCTAssertEqual(folded.rowsContaining(Array("e".utf8)), [0, 4, 5, 6])
        XCTAssertEqual(folded.rowsContaining([]), [], "an empty needle is the caller's to answer")
        XCTAssertTrue(folded.row(3, contains: Array("xac".utf8)))
        XCTAssertFalse(folded.row(3, contains: Array("xacm".utf8)))
        XCTAssertFalse(folded.row(2, contains: Array("a".utf8)))
        XCTAssertFalse(folded.row(99, contains: Array("a".utf8)))
        XCTAssertNil(FoldedText(column: Column(type: .int, data: .int([1]))) { _, _ in })
    }

    /// A column of few distinct texts keeps each once and a code a row;
    /// the rows found, and each row's test, must be the same as over the
    /// rows themselves, nulls, case and non-ASCII texts included.
    func testFoldedTextOfFewDistinctTextsFindsTheSameRows() throws {
        let distinct: [String?] = ["Acme Silva, S.A.", "Sven Dubois", nil, "ÄCME Gmbh", "", "acmeacme", "Initech"]
        var state: UInt64 = 42
        let rows: [String?] = (0..<5_000).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return distinct[Int((state >> 33) % UInt64(distinct.count))]
        }
        let column = Column.make(type: .text, values: rows.map { $0.map(Value.text) ?? .null })
        let folded = try XCTUnwrap(FoldedText(column: column) { text, bytes in bytes.append(contentsOf: text.lowercased().utf8) })
        XCTAssertEqual(folded.count, rows.count)
        for needle in ["acme", "äcme", "sven d", "a", "ch", "zzz", "acmeacme", "gmbh"] {
            let expected = rows.indices.filter { rows[$0]?.lowercased().contains(needle) ?? false }
            XCTAssertEqual(folded.rowsContaining(Array(needle.utf8)), expected.map { Int32($0) }, needle)
            for row in [0, 1, 2, 3, 4_999] {
                XCTAssertEqual(folded.row(row, contains: Array(needle.utf8)), expected.contains(row), "\(needle) in row \(row)")
            }
        }
        XCTAssertFalse(folded.row(5_000, contains: Array("a".utf8)))
    }

    /// Random rows over a small alphabet, so every needle byte is common in
    /// some and rare in others: the search anchored on the rarest byte must
    /// find exactly the rows a plain substring test finds.
    func testFoldedTextSearchAgreesWithASubstringTest() throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let alphabet = Array("aabbbcx ")
        // Needles longer than a 16-byte block, and rows too short for one,
        // take the vector loop's edges and its scalar tail.
        let needles = ["a", "x", "ab", "xa", "bbb", "cxa", "a a", "abcx", "aaaa", "xx", "b b", "bbbbbbbbbbbbbbbbb", "abbbcxaabbbcxaabbbc"]
        // Short rows put many rows in one 64-byte block; long ones, and runs
        // of empty ones, put a row across many blocks (a match finds its row
        // from its block's first row).
        var texts: [String] = []
        for longest in [12, 300] {
            texts = (0..<2_000).map { index in
                index % 17 < 3 ? "" : String((0..<next(longest)).map { _ in alphabet[next(alphabet.count)] })
            }
            let column = Column.make(type: .text, values: texts.map { .text($0) })
            let folded = try XCTUnwrap(FoldedText(column: column) { text, bytes in bytes.append(contentsOf: text.lowercased().utf8) })
            for needle in needles {
                let expected = texts.indices.filter { texts[$0].contains(needle) }.map { Int32($0) }
                XCTAssertEqual(folded.rowsContaining(Array(needle.utf8)), expected, "\(needle), rows up to \(longest) bytes")
            }
        }
        for count in 1...6 {
            let short = Array(texts.prefix(count))
            let small = try XCTUnwrap(FoldedText(column: Column.make(type: .text, values: short.map { .text($0) })) { text, bytes in
                bytes.append(contentsOf: text.lowercased().utf8)
            })
            for needle in needles {
                let expected = short.indices.filter { short[$0].contains(needle) }.map { Int32($0) }
                XCTAssertEqual(small.rowsContaining(Array(needle.utf8)), expected, "\(needle) in \(count) rows")
            }
        }
    }

    func testColumnStatisticsEstimateFromTheValues() throws {
        // 10,000 rows: 1 ... 9,000, then 1,000 nulls.
        let values: [Value] = (1...9_000).map { .int(Int64($0)) } + Array(repeating: .null, count: 1_000)
        let statistics = try XCTUnwrap(ColumnStatistics(column: Column.make(type: .int, values: values)))
        XCTAssertEqual(statistics.nullFraction, 0.1, accuracy: 0.01)
        XCTAssertEqual(statistics.selectivity(from: 4_500, lowInclusive: false, to: nil), 0.45, accuracy: 0.02)
        XCTAssertEqual(statistics.selectivity(from: nil, to: 900), 0.09, accuracy: 0.02)
        XCTAssertEqual(statistics.selectivity(from: 1_000_000, lowInclusive: false, to: nil), 0)
        XCTAssertLessThan(statistics.selectivity(from: 42, to: 42), 0.002)
        XCTAssertGreaterThan(statistics.rareValueShare, 0)
        XCTAssertEqual(statistics.selectivity(from: 1_000, to: 1_900), 0.09, accuracy: 0.02)
        XCTAssertEqual(statistics.selectivity(from: nil, to: nil), 0.9, accuracy: 0.01)
        XCTAssertNil(ColumnStatistics(column: Column.make(type: .text, values: [.text("a")])))
        XCTAssertNil(ColumnStatistics(column: Column.make(type: .int, values: [])))
    }
}
