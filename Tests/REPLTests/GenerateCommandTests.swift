import Foundation
import XCTest

/// `crmql generate`: demo data of any size as CSV, deterministic by seed,
/// that `--data` loads back.
final class GenerateCommandTests: XCTestCase {
    private var fixture: Fixture!

    override func setUpWithError() throws {
        fixture = try Fixture()
    }

    override func tearDown() {
        fixture = nil
    }

    private func crmql(_ arguments: [String]) throws -> CommandRun {
        try CommandRun.run(arguments, directory: fixture.directory)
    }

    private func contents(_ folder: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in ["customers.csv", "orders.csv", "interactions.csv"] {
            files[name] = try Data(contentsOf: URL(fileURLWithPath: fixture.path(folder + "/" + name)))
        }
        return files
    }

    func testWritesThreeFilesThatLoadBackWithData() throws {
        let run = try crmql(["generate", "--customers", "400", "--seed", "9", "out/crm"])
        XCTAssertEqual(run.status, 0, run.standardError)
        XCTAssertEqual(run.standardOutput, "")
        XCTAssertTrue(run.standardError.contains("wrote 400 customers"), run.standardError)
        let lines = try contents("out/crm").mapValues { data in data.reduce(0) { $0 + ($1 == 10 ? 1 : 0) } - 1 }
        XCTAssertEqual(lines["customers.csv"], 400)
        XCTAssertGreaterThan(lines["orders.csv"] ?? 0, 5 * 400)
        XCTAssertGreaterThan(lines["interactions.csv"] ?? 0, 2 * 400)

        let counts = try crmql([
            "--data", "out/crm", "--today", "2026-06-30", "-c",
            "select count customers; select count orders; select count interactions; select count customers where rfm_segment is not null",
        ])
        XCTAssertEqual(counts.status, 0, counts.standardError)
        let numbers = counts.standardOutput.split(separator: "\n").filter { $0.first?.isNumber ?? false }.map { Int($0) }
        XCTAssertEqual(numbers.count, 4)
        XCTAssertEqual(numbers[0], 400)
        XCTAssertEqual(numbers[1], lines["orders.csv"])
        XCTAssertEqual(numbers[2], lines["interactions.csv"])
        XCTAssertGreaterThan(numbers[3] ?? 0, 200)
    }

    func testTheSameSeedGivesTheSameBytesAndAnotherSeedOthers() throws {
        XCTAssertEqual(try crmql(["generate", "--customers", "150", "--seed", "3", "a"]).status, 0)
        XCTAssertEqual(try crmql(["generate", "--customers", "150", "--seed", "3", "b"]).status, 0)
        XCTAssertEqual(try crmql(["generate", "--customers", "150", "--seed", "4", "c"]).status, 0)
        XCTAssertEqual(try contents("a"), try contents("b"))
        XCTAssertNotEqual(try contents("a")["customers.csv"], try contents("c")["customers.csv"])
    }

    /// Without options it writes the built-in demo itself.
    func testTheDefaultsAreTheDemo() throws {
        XCTAssertEqual(try crmql(["generate", "demo"]).status, 0)
        let query = "select customers group by rfm_segment show rfm_segment, count(), sum(revenue); select count orders"
        let loaded = try crmql(["--data", "demo", "--today", "2026-06-30", "-c", query])
        let demo = try crmql(["--demo", "-c", query])
        XCTAssertEqual(loaded.status, 0, loaded.standardError)
        XCTAssertEqual(loaded.standardOutput, demo.standardOutput)
        XCTAssertTrue(demo.standardOutput.contains("82903"), demo.standardOutput)
    }

    func testBadUsageExitsWithTwoAndAFailedWriteWithOne() throws {
        let negative = try crmql(["generate", "--customers", "-5", "x"])
        XCTAssertEqual(negative.status, 2)
        let huge = try crmql(["generate", "--customers", "100000001", "x"])
        XCTAssertEqual(huge.status, 2)
        XCTAssertTrue(huge.standardError.contains("between 0 and 100000000"), huge.standardError)
        let missing = try crmql(["generate", "--customers", "5"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertFalse(FileManager.default.fileExists(atPath: fixture.path("x")))

        try fixture.write("plain", "not a folder")
        let blocked = try crmql(["generate", "--customers", "5", "plain/inside"])
        XCTAssertEqual(blocked.status, 1)
        XCTAssertTrue(blocked.standardError.contains("error: cannot create folder"), blocked.standardError)

        let help = try crmql(["generate", "--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.standardOutput.contains("--seed"), help.standardOutput)
    }
}
