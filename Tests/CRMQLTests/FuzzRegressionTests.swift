import CRMQL
import Foundation
import Testing

/// Every input the fuzzer once crashed or hung on (`Tests/Fuzz/regressions`),
/// run exactly the way the fuzz target (`Tests/Fuzz/Sources/crmql-fuzz`)
/// runs an input; keep the two in step. A regression crashes the test
/// process or runs past the fuzz limits' time.
@Suite struct FuzzRegressionTests {
    private static let fuzzDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz")

    /// The regression inputs, by file name; the folder's README is not one.
    static func regressions() -> [String] {
        let folder = fuzzDirectory.appendingPathComponent("regressions")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0 != "README.md" && !$0.hasPrefix(".") }.sorted()
    }

    /// The fuzz target's options: safe mode, and limits that keep one
    /// statement to half a second.
    private static let options = Database.Options(
        today: "2026-06-30",
        safe: true,
        limits: Database.Limits(timeLimit: .milliseconds(500), maxResultRows: 100_000, maxMemoryBytes: 512 << 20)
    )

    private func freshDatabase() throws -> Database {
        let setup = try String(contentsOf: Self.fuzzDirectory.appendingPathComponent("setup.crmql"), encoding: .utf8)
        let database = try Database(options: Self.options)
        var problems: [String] = []
        var statements = try database.statements(setup, sourceName: "setup.crmql")
        while true {
            do {
                guard try statements.next() != nil else { break }
            } catch {
                problems.append(error.description)
            }
        }
        #expect(problems.isEmpty, "the fuzz store's setup runs cleanly")
        return database
    }

    /// Runs `bytes` as the fuzz target does: every statement, the rendering of
    /// each result, and the helpers a shell calls on partial input.
    private func replay(_ bytes: [UInt8]) throws {
        let text = String(decoding: bytes, as: UTF8.self)
        let database = try freshDatabase()
        let render = RenderOptions(format: .table, terminalWidth: 60, maxRows: 20)
        var statements = try database.statements(text, sourceName: "<fuzz>")
        while true {
            do {
                guard let statement = try statements.next() else { break }
                for case .rows(let result) in statement.outputs {
                    _ = ResultRenderer.render(result, options: render)
                    // As the fuzz target does: every chart kind, drawn or refused.
                    if result.rowCount <= 300 {
                        for kind in ChartKind.allCases {
                            _ = try? result.chart(kind: kind, width: 40, colors: true)
                            _ = try? result.svg(kind: kind)
                        }
                    }
                }
            } catch {
                _ = error.description
            }
        }
        _ = InteractiveInput.needsMoreInput(text)
        _ = InteractiveInput.isSingleQuery(text)
        _ = InteractiveInput.refine("select customers", with: text)
        _ = Completion(schema: database.schema).candidates(for: text, cursor: bytes.count / 2)
        // The store must still answer afterwards.
        #expect(try database.query("select count customers").rowCount == 1)
    }

    @Test(arguments: regressions())
    func regression(_ name: String) throws {
        let path = Self.fuzzDirectory.appendingPathComponent("regressions").appendingPathComponent(name)
        let bytes = Array(try Data(contentsOf: path))
        let started = ContinuousClock.now
        try replay(bytes)
        // Each input once hung the fuzzer; the limits must stop it well within libFuzzer's timeout (10 s).
        #expect(ContinuousClock.now - started < .seconds(5), "\(name) runs within the fuzz limits")
    }

    /// The seeds of regular expressions over data rows (`Tests/Fuzz/seeds`)
    /// each end well inside the fuzz limits.
    @Test(arguments: seeds())
    func seed(_ name: String) throws {
        let started = ContinuousClock.now
        try replay(Array(try Data(contentsOf: Self.fuzzDirectory.appendingPathComponent("seeds").appendingPathComponent(name))))
        #expect(ContinuousClock.now - started < .seconds(5), "\(name) runs within the fuzz limits")
    }

    static func seeds() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: fuzzDirectory.appendingPathComponent("seeds").path)) ?? []
        return names.filter { $0.hasSuffix(".crmql") }.sorted()
    }

    @Test func theSeedScriptsRunTheSameWay() throws {
        // The fuzz corpus starts from the examples; each must go through the target's path without a crash.
        let examples = Self.fuzzDirectory.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Examples")
        let names = try FileManager.default.contentsOfDirectory(atPath: examples.path).filter { $0.hasSuffix(".crmql") }
        #expect(!names.isEmpty)
        for name in names.sorted() {
            try replay(Array(try Data(contentsOf: examples.appendingPathComponent(name))))
        }
    }
}
