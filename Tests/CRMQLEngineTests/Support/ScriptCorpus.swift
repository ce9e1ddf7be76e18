import CRMQLCore
import CRMQLStorage
import CRMQLSyntax
import Foundation
@testable import CRMQLEngine

/// The repository's scripts (golden tests, examples) and the benchmark's
/// queries, run statement by statement in an engine-level session: what the
/// plan tests run both ways.
enum ScriptCorpus {
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The benchmark's queries (`Benchmarks/bench.py`), over the demo data.
    static let benchmarkQueries = [
        "select count customers where loyalty > 0.8 and stage = mature",
        "select customers where id = 4242 show id, name, stage",
        "select count customers where points between 1000 and 1100",
        "select customers group by region, stage show region, stage, count(), avg(loyalty)",
        "select customers order by points desc limit 10 show id, name, points",
        "select count customers where name contains \"acme\"",
        "select orders where placed in last 90 days group by category show category, count(), sum(amount)",
        "select customers where sum(orders.amount) > 5000 show id, name, sum(orders.amount) as spend order by spend desc limit 20",
        "select count customers where stage = mature and not exists(interactions where kind = complaint and outcome = open)",
        "select orders where customer.region = north and amount > 500 group by channel show channel, count()",
    ]

    /// Every `.crmql` script of the golden tests and the examples, by path
    /// relative to the repository, with whether it runs on the demo data.
    static func scripts() -> [(path: String, demo: Bool)] {
        var found: [(String, Bool)] = []
        for folder in ["Tests/CRMQLTests/Golden", "Examples"] {
            let directory = repositoryRoot.appendingPathComponent(folder)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            for name in names.sorted() where name.hasSuffix(".crmql") {
                let path = folder + "/" + name
                let text = (try? String(contentsOf: repositoryRoot.appendingPathComponent(path), encoding: .utf8)) ?? ""
                found.append((path, folder == "Examples" || text.hasPrefix("-- setup: demo")))
            }
        }
        return found
    }

    static func session(demo: Bool, fastPaths: Bool = true) -> Interpreter {
        let interpreter = Interpreter(options: SessionOptions(today: DateParsing.parseDate("2026-06-30")), interrupt: InterruptFlag())
        if demo { interpreter.loadDemo() }
        if !fastPaths { run(interpreter, SourceFile(name: "<setting>", text: "set fast_paths = off")) }
        return interpreter
    }

    /// Runs each statement of `source`, going on after failures; calls
    /// `visit` with each statement before it runs and what it printed or
    /// the error it gave after.
    @discardableResult
    static func run(_ interpreter: Interpreter, _ source: SourceFile,
                    before: (Statement) -> Void = { _ in }) -> [String] {
        let (script, _) = Parser.parse(source)
        var outputs: [String] = []
        for statement in script.statements {
            before(statement)
            var text = ""
            do {
                try interpreter.execute(statement, source) { output in
                    switch output {
                    case .rows(let names, let columns):
                        text += names.joined(separator: "|") + "\n"
                        let count = columns.first?.count ?? 0
                        for row in 0..<count {
                            text += columns.map { ValueFormatter.plain($0.value(at: row)) }.joined(separator: "|") + "\n"
                        }
                    case .message(let message), .text(let message):
                        text += message + "\n"
                    }
                }
            } catch {
                text += "error: \(error)"
            }
            outputs.append(text)
        }
        return outputs
    }

    /// Runs a script from its own folder, so its relative file names resolve.
    @discardableResult
    static func inFolder<T>(of path: String, _ body: () throws -> T) rethrows -> T {
        let previous = FileManager.default.currentDirectoryPath
        _ = FileManager.default.changeCurrentDirectoryPath(repositoryRoot.appendingPathComponent(path).deletingLastPathComponent().path)
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
        return try body()
    }

    static func source(_ path: String) throws -> SourceFile {
        SourceFile(name: (path as NSString).lastPathComponent,
                   text: try String(contentsOf: repositoryRoot.appendingPathComponent(path), encoding: .utf8))
    }
}
