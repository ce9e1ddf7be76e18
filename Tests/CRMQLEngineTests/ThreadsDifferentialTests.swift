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
    private func session(demo: Bool, threads: Int, morsels: Bool = true) -> Interpreter {
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
