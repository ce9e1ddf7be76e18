import CRMQLCore
import XCTest
@testable import CRMQLStorage

/// A file long enough that its later batches are converted on two threads
/// must load exactly as one converted field after field.
final class ParallelLoadTests: XCTestCase {
    /// Rows 2...120,000 of `id,n,m,d`, with `n` bad on `badN` and `m` bad on `badM`.
    private func text(badN: Set<Int>, badM: Set<Int>) -> String {
        var text = "id,n,m,d\n"
        text.reserveCapacity(4_000_000)
        for id in 2...120_000 {
            let n = badN.contains(id) ? "x" : String(id)
            let m = badM.contains(id) ? "y" : "\(id).5"
            text += "\(id),\(n),\(m),2026-01-02\n"
        }
        return text
    }

    func testLaterBatchesKeepTheFirstFieldsReason() throws {
        let seed = try loadCSV("id,n,m,d\n1,1,1.5,2026-01-01\n", as: "t").store
        let big = text(badN: [100_000, 110_000], badM: [100_000, 115_000])
        let result = try loadCSV(big, as: "t", into: seed, options: LoadOptions(skipBad: true))
        XCTAssertEqual(result.rowsLoaded, 120_000 - 1 - 3)
        XCTAssertEqual(result.rejected.map(\.line), [100_000, 110_000, 115_000])
        XCTAssertTrue(result.rejected[0].message.hasPrefix("t.csv:100000"), result.rejected[0].message)
        XCTAssertTrue(result.rejected[0].message.contains(" n: "), "both cells are bad; n comes first: \(result.rejected[0].message)")
        XCTAssertTrue(result.rejected[1].message.contains(" n: "), result.rejected[1].message)
        XCTAssertTrue(result.rejected[2].message.contains(" m: "), result.rejected[2].message)

        let store = result.store
        let ids = values(store, "t", "id")
        let ms = values(store, "t", "m")
        XCTAssertEqual(ids.count, 120_000 - 3)
        XCTAssertEqual(ids.last, .int(120_000))
        XCTAssertEqual(ms.last, .number(120_000.5))
        let position = try XCTUnwrap(ids.firstIndex(of: .int(100_001)))
        XCTAssertEqual(ms[position], .number(100_001.5))
        XCTAssertEqual(ids[position - 1], .int(99_999), "the refused row is gone, nothing else")

        let failure = diagnosticMessage { try loadCSV(big, as: "t", into: seed) }
        XCTAssertEqual(failure.map { $0.hasPrefix("t.csv:100000") && $0.contains(" n: ") }, true, failure ?? "")
    }

    func testInferredColumnsMatchASmallLoad() throws {
        let big = text(badN: [], badM: [])
        let loaded = try loadCSV(big, as: "t").store
        XCTAssertEqual(type(loaded, "t", "n"), .int)
        XCTAssertEqual(type(loaded, "t", "m"), .number)
        XCTAssertEqual(type(loaded, "t", "d"), .date)
        let ns = values(loaded, "t", "n")
        XCTAssertEqual(ns.count, 119_999)
        XCTAssertEqual(ns[99_998], .int(100_000))
    }
}
