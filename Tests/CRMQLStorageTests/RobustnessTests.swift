import CRMQLCore
import XCTest
@testable import CRMQLStorage

/// Malformed input of any shape must give an error or a result, never a trap.
final class RobustnessTests: XCTestCase {
    /// A small deterministic generator, so a failure reproduces.
    private struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    private func mutations(of seed: [UInt8], count: Int, alphabet: [UInt8]) -> [[UInt8]] {
        var random = SplitMix(state: 42)
        return (0..<count).map { _ in
            var bytes = seed
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                guard !bytes.isEmpty else { break }
                let at = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes[at] = alphabet.randomElement(using: &random) ?? 0
                case 1: bytes.remove(at: at)
                default: bytes.insert(alphabet.randomElement(using: &random) ?? 0, at: at)
                }
            }
            return bytes
        }
    }

    func testMangledCSVNeverTraps() throws {
        let customers = try loadCSV("id,name\n1,a\n2,b\n", as: "customers").store
        let seed = Array("id,customer,amount,at\n1,1,2.5,2026-01-01\n2,\"2\",\"x\"\"y\",2026-01-02T10:00:00Z\n".utf8)
        let alphabet = Array("\",\r\n;x1-.e\u{7f}".utf8) + [0xFF, 0xC3, 0x00]
        for bytes in mutations(of: seed, count: 2000, alphabet: alphabet) {
            for skipBad in [false, true] {
                _ = try? Loader.load(bytes: bytes, fileName: "o.csv", format: .csv, entityName: "orders", into: customers,
                                     options: LoadOptions(skipBad: skipBad))
            }
        }
    }

    func testMangledJSONNeverTraps() {
        let seed = Array("[{\"id\": 1, \"n\": -2.5e3, \"t\": \"a\\u00e9\\n\", \"x\": [1, {\"y\": null}]}, {\"id\": 2, \"b\": true}]".utf8)
        let alphabet = Array("{}[]\",:\\u0e-.tn ".utf8) + [0xFF]
        for bytes in mutations(of: seed, count: 3000, alphabet: alphabet) {
            _ = try? Loader.load(bytes: bytes, fileName: "o.json", format: .json, entityName: "rows", into: Store(),
                                 options: LoadOptions(skipBad: true))
        }
    }

    func testDamagedSnapshotsNeverTrap() throws {
        var store = try loadCSV("id,name,stage\n1,Ada,mature\n2,,growth\n", as: "customers").store
        store = try loadCSV("id,customer\n1,2\n", as: "orders", into: store).store
        let seed = Snapshot.encode(store, extra: [9, 9])
        for bytes in mutations(of: seed, count: 2000, alphabet: [0, 1, 0xFF, 0x7F, 0x80]) {
            _ = try? Snapshot.decode(bytes, name: "s")
        }
    }

    func testDecimalFastPathAgreesWithTheStandardLibrary() {
        var random = SplitMix(state: 7)
        var texts = ["0", "-0", "0.1", "0.30000000000000004", "1e22", "1e23", "9007199254740993", "123456789012345678",
                     "1.7976931348623157e308", "4.9e-324", "2.5e-22", ".5", "5.", "+3.25", "1E-5", "0.000000000000000000001"]
        for _ in 0..<20_000 {
            let mantissa = UInt64.random(in: 0...(1 << 54), using: &random)
            let exponent = Int.random(in: -30...30, using: &random)
            texts.append(Int.random(in: 0...1, using: &random) == 0 ? "\(mantissa)e\(exponent)" : "\(Double(mantissa) / 1000)")
        }
        for text in texts {
            let parsed = CellParser.number(Array(text.utf8)[...], strict: false)
            XCTAssertEqual(parsed?.bitPattern, Double(text)?.bitPattern, text)
        }
        XCTAssertNil(CellParser.number(Array("1e400".utf8)[...], strict: false), "too large for a double")
        XCTAssertNil(CellParser.number(Array("inf".utf8)[...], strict: false))
        XCTAssertNil(CellParser.number(Array("0x10".utf8)[...], strict: false))
        XCTAssertNil(CellParser.number(Array("1e".utf8)[...], strict: false))
        XCTAssertNil(CellParser.number(Array(".".utf8)[...], strict: false))
        XCTAssertEqual(CellParser.number(Array(" 2.5 ".utf8)[...], strict: false), 2.5, "spaces around a number are ignored")
    }

    func testDateCellsMatchDateParsing() {
        for text in ["2026-02-29", "2024-02-29", "2026-13-01", "2026-00-10", "0000-01-01", "9999-12-31", "2026-1-01", "2026/01/01", "20260101xx"] {
            XCTAssertEqual(CellParser.date(Array(text.utf8)[...]), DateParsing.parseDate(text), text)
        }
    }
}
