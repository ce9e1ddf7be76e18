import CRMQLCore
import CRMQLStorage
import CRMQLSyntax
import XCTest
@testable import CRMQLEngine

/// Answers do not depend on the thread count: every golden script, example
/// and benchmark query printed with 1 and 2 threads, loops split from 64
/// rows in morsels of 64 (so the small test data runs through the morsel
/// kernels), must print the same, and the same as without morsels wherever
/// the answer is exact.
final class ThreadsDifferentialTests: XCTestCase {
    /// A session whose loops split from 64 rows.
    func session(demo: Bool, threads: Int, morsels: Bool = true) -> Interpreter {
        let interpreter = ScriptCorpus.session(demo: false)
        interpreter.state.parallelism = morsels
            ? Parallelism(threads: threads, minimumRows: 64, morselRows: 64)
            : Parallelism(threads: threads)
        if demo { interpreter.loadDemo() }
        return interpreter
    }

    private func printed(_ path: String, _ source: SourceFile, demo: Bool, threads: Int) -> ([String], [Statement]) {
        let interpreter = session(demo: demo, threads: threads)
        var statements: [Statement] = []
        let outputs = ScriptCorpus.inFolder(of: path) {
            ScriptCorpus.run(interpreter, source) { statements.append($0) }
        }
        return (outputs, statements)
    }

    private func sameEveryWay(_ path: String, _ source: SourceFile, demo: Bool) {
        let (one, statements) = printed(path, source, demo: demo, threads: 1)
        for threads in [2] {
            let (many, _) = printed(path, source, demo: demo, threads: threads)
            XCTAssertEqual(one.count, many.count, path)
            for index in 0..<min(one.count, many.count, statements.count) {
                // A plan names its degree of parallelism.
                if case .explain = statements[index].kind { continue }
                XCTAssertEqual(one[index], many[index], "\(path), \(threads) threads: \(source.text(of: statements[index].range))")
            }
        }
    }

    func testScriptsPrintTheSameWithAnyThreadCount() throws {
        for (path, demo) in ScriptCorpus.scripts() {
            sameEveryWay(path, try ScriptCorpus.source(path), demo: demo)
        }
    }

    func testBenchmarkQueriesAnswerTheSameWithAnyThreadCount() {
        let text = ScriptCorpus.benchmarkQueries.joined(separator: "\n")
        sameEveryWay("Examples/benchmark", SourceFile(name: "<benchmark>", text: text), demo: true)
    }

    /// The settings: `set threads`, its bounds, and a typo's suggestion.
    func testSetThreads() {
        let interpreter = ScriptCorpus.session(demo: false)
        XCTAssertEqual(interpreter.state.parallelism.threads, Parallelism.machineThreads)
        ScriptCorpus.run(interpreter, SourceFile(name: "<t>", text: "set threads = 1"))
        XCTAssertEqual(interpreter.state.parallelism.threads, 1)
        let refused = ScriptCorpus.run(interpreter, SourceFile(name: "<t>", text: "set threads = 0"))
        XCTAssertTrue(refused.joined().contains("threads must be a number from 1 to 256"), refused.joined())
        let typo = ScriptCorpus.run(interpreter, SourceFile(name: "<t>", text: "set thread = 2"))
        XCTAssertTrue(typo.joined().contains("did you mean 'threads'"), typo.joined())
        XCTAssertEqual(interpreter.state.parallelism.threads, 1)
        let started = Interpreter(options: SessionOptions(threads: 3), interrupt: InterruptFlag())
        XCTAssertEqual(started.state.parallelism.threads, 3)
    }
}

extension ThreadsDifferentialTests {
    /// `explain` names the degree of what runs in morsels, and only with
    /// more than one thread; `explain analyze` runs it so.
    func testExplainShowsTheDegreeOfParallelism() {
        for threads in [1, 2] {
            let interpreter = session(demo: true, threads: threads)
            let plan = ScriptCorpus.run(interpreter, SourceFile(name: "<t>", text: """
                explain analyze select orders where amount > 100 group by category show category, count(), sum(amount)
                """)).joined(separator: "\n") + "\n" + clusteredPlan(interpreter)
            let marked = plan.components(separatedBy: "\n").filter { $0.contains("[parallel 2]") }
            if threads == 1 {
                XCTAssertTrue(marked.isEmpty, plan)
            } else {
                XCTAssertTrue(marked.contains { $0.contains("FILTER amount > 100") }, plan)
                XCTAssertTrue(marked.contains { $0.contains("PERFECT HASH GROUP BY category") }, plan)
                XCTAssertTrue(marked.contains { $0.contains("[ClusteredChildRangeSum") }, plan)
            }
        }
    }

    /// The plan of a sum over children stored in their parents' order, 100
    /// parents of three children each.
    private func clusteredPlan(_ interpreter: Interpreter) -> String {
        let parents = (1...100).map { "(\($0))" }.joined(separator: ", ")
        let kids = (0..<300).map { "(\($0), \($0 / 3 + 1), \($0 % 7))" }.joined(separator: ", ")
        return ScriptCorpus.run(interpreter, SourceFile(name: "<t>", text: """
            create entity parents (id int key)
            insert into parents (id) values \(parents)
            create entity kids (id int key, parent ref parents, n int)
            insert into kids (id, parent, n) values \(kids)
            explain select parents show id, sum(kids.n)
            """)).joined(separator: "\n")
    }
}
