import CRMQLCore
import CRMQLStorage
import CRMQLSyntax
import Foundation
import XCTest
@testable import CRMQLEngine

/// Every fast path computes what the general operators compute: each
/// golden script, example and benchmark query, and random queries over
/// random data, run with fast paths on and off (`set fast_paths = off`)
/// must print the same.
final class FastPathDifferentialTests: XCTestCase {
    /// What a statement printed, less what legitimately differs between
    /// the two modes: the plan itself.
    private func comparable(_ statement: Statement, _ output: String) -> String? {
        if case .explain = statement.kind { return nil }
        return output
    }

    private func bothWays(_ path: String, _ source: SourceFile, demo: Bool) {
        var outputs: [[String]] = []
        var statements: [Statement] = []
        for fastPaths in [true, false] {
            let interpreter = ScriptCorpus.session(demo: demo, fastPaths: fastPaths)
            statements = []
            let printed = ScriptCorpus.inFolder(of: path) {
                ScriptCorpus.run(interpreter, source) { statements.append($0) }
            }
            outputs.append(printed)
        }
        XCTAssertEqual(outputs[0].count, outputs[1].count, path)
        for index in 0..<min(outputs[0].count, outputs[1].count, statements.count) {
            guard let fast = comparable(statements[index], outputs[0][index]),
                  let general = comparable(statements[index], outputs[1][index]) else { continue }
            XCTAssertEqual(fast, general, "\(path): \(source.text(of: statements[index].range))")
        }
    }

    func testScriptsPrintTheSameBothWays() throws {
        for (path, demo) in ScriptCorpus.scripts() {
            bothWays(path, try ScriptCorpus.source(path), demo: demo)
        }
    }

    func testBenchmarkQueriesAnswerTheSameBothWays() {
        let text = ScriptCorpus.benchmarkQueries.joined(separator: "\n")
        bothWays("Examples/benchmark", SourceFile(name: "<benchmark>", text: text), demo: true)
    }

    // MARK: Random data


    /// Parents and their kids as CSV files: money amounts, enums, dates,
    /// nulls, and kids stored in parent order or not.
    private func writeData(_ directory: URL, seed: UInt64, clustered: Bool) throws {
        var random = SeededRandom(state: seed)
        let parents = 300, kids = 4000
        var lines = ["id,region,score,n,joined,name"]
        for id in 1...parents {
            let region = random.below(9) == 0 ? "" : random.pick(["north", "south", "east", "west"])
            let score = random.below(7) == 0 ? "" : String(Double(random.below(10_000)) / 100)
            let joined = "2026-0\(1 + random.below(6))-1\(random.below(10))"
            let name = random.pick(["Acme", "Globex", "Initech", "Umbrella", "Hooli", "acme west", "ÉCOLE", ""]) + " \(random.below(50))"
            lines.append("\(id),\(region),\(score),\(random.below(20)),\(joined),\(name)")
        }
        try lines.joined(separator: "\n").write(to: directory.appendingPathComponent("parents.csv"), atomically: true, encoding: .utf8)
        var owners = (0..<kids).map { _ in 1 + random.below(parents) }
        if clustered { owners.sort() }
        lines = ["id,parent,amount,qty,kind,at"]
        for (index, owner) in owners.enumerated() {
            let amount = random.below(11) == 0 ? "" : String(format: "%.2f", Double(random.below(200_000)) / 100)
            let kind = random.pick(["call", "mail", "visit", "call"])
            let at = "2026-0\(1 + random.below(6))-\(10 + random.below(19))"
            lines.append("\(index + 1),\(owner),\(amount),\(random.below(9)),\(kind),\(at)")
        }
        try lines.joined(separator: "\n").write(to: directory.appendingPathComponent("kids.csv"), atomically: true, encoding: .utf8)
    }

    private func randomQueries(seed: UInt64, count: Int) -> [String] {
        var random = SeededRandom(state: seed &* 31)
        let kidConditions = [
            "amount > \(random.below(2000))", "amount <= \(random.below(2000)).5", "qty = \(random.below(9))", "qty >= 3",
            "kind = call", "kind != visit", "kind in (mail, visit)", "at in last 30 days", "at in this quarter",
            "parent.region = north", "parent.score > \(random.below(100))", "parent.region != south",
            "amount between 100 and 900", "not (qty < 2)", "amount is null", "parent.name contains \"acme\"",
        ]
        let parentConditions = [
            "sum(kids.amount) > \(random.below(20000))", "count(kids) >= \(random.below(20))", "exists(kids where kind = visit)",
            "not exists(kids where amount > 1500)", "exists(kids)", "name contains \"acme\"", "name contains \"É\"",
            "region in (north, east)", "score between 10 and 60", "region = west", "n > 10", "avg(kids.amount) < 900",
            "joined in last 2 months", "max(kids.at) > 2026-05-01", "count(kids where kind = call) > 3",
        ]
        func condition(_ pool: [String]) -> String {
            var text = random.pick(pool)
            for _ in 0..<random.below(3) { text += random.pick([" and ", " and ", " or "]) + random.pick(pool) }
            return text
        }
        var queries: [String] = []
        for _ in 0..<count {
            switch random.below(8) {
            case 0: queries.append("select count kids where \(condition(kidConditions))")
            case 1: queries.append("select kids where \(condition(kidConditions)) show id, amount")
            case 2: queries.append("select kids where \(condition(kidConditions)) group by kind show kind, count(), sum(amount), avg(amount)")
            case 3: queries.append("select count parents where \(condition(parentConditions))")
            case 4: queries.append("select parents where \(condition(parentConditions)) order by score desc limit \(random.below(8)) offset \(random.below(3)) show id, score")
            case 5: queries.append("select parents where \(condition(parentConditions)) show id, sum(kids.amount), exists(kids where qty > 5), count(kids)")
            case 6: queries.append("select parents where \(condition(parentConditions)) group by region show region, count(), sum(score)")
            default:
                // Aggregates of measures: money (exact units), a ratio
                // with divisions by zero, a whole number, flags.
                queries.append("select parents where \(condition(parentConditions)) group by region "
                               + "show region, count(ratio), sum(spend), avg(spend), avg(ratio), sum(twice), avg(twice), count(fair)")
            }
        }
        return queries
    }

    func testRandomQueriesOverRandomDataAnswerTheSameBothWays() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crmql-differential-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (seed, clustered) in [(UInt64(1), true), (2, false), (3, true)] {
            try writeData(directory, seed: seed, clustered: clustered)
            let load = "load parents from \"\(directory.appendingPathComponent("parents.csv").path)\"\n"
                + "load kids from \"\(directory.appendingPathComponent("kids.csv").path)\"\n"
                + "define parents.spend = coalesce(sum(kids.amount), 0) - score\n"
                + "define parents.ratio = score / n + (score - n) * 0.5\n"
                + "define parents.twice = n * 2 - count(kids)\n"
                + "define parents.fair = score > 40 and n < 12 or region = north\n"
            let text = load + randomQueries(seed: seed, count: 150).joined(separator: "\n")
            var outputs: [[String]] = []
            for fastPaths in [true, false] {
                outputs.append(ScriptCorpus.run(ScriptCorpus.session(demo: false, fastPaths: fastPaths), SourceFile(name: "<random>", text: text)))
            }
            let lines = text.split(separator: "\n")
            XCTAssertTrue(outputs[0].first?.contains("loaded") == true, "\(outputs[0].first ?? "")")
            for index in 0..<min(outputs[0].count, outputs[1].count) {
                XCTAssertFalse(outputs[0][index].hasPrefix("error"), "seed \(seed): \(lines[index]): \(outputs[0][index])")
                XCTAssertEqual(outputs[0][index], outputs[1][index], "seed \(seed): \(lines[index])")
            }
        }
    }
}
