import CRMQLCore
import CRMQLStorage
import CRMQLSyntax
import XCTest
@testable import CRMQLEngine

/// `explain` never lies: for every query of the golden scripts, the
/// examples and the benchmark, the operators and strategies its plan names
/// are exactly the ones that run, whether the plan runs as `explain
/// analyze` runs it or through the plan cache as a query does.
final class PlanTraceTests: XCTestCase {
    /// The names a plan's run must record: every operator, but the filter
    /// steps that did not run because no rows were left for them.
    private func expectedNames(_ root: PlanNode) -> Set<OperatorName> {
        var names = root.operatorNames
        for node in root.chain {
            guard case .filter(let planned) = node.kind, let steps = node.annotatedSteps else { continue }
            let ran = steps.filter { $0.actual != nil }
            var kept = Set<OperatorName>()
            for step in ran {
                kept.insert(step.strategy)
                for expression in step.expressions { kept.insert(expression.name); kept.formUnion(expression.with) }
            }
            for step in planned where !kept.contains(step.strategy) {
                // Only a step's own names can go; another node may use the same.
                names.remove(step.strategy)
            }
            names.formUnion(kept)
        }
        return names
    }

    /// Every name some plan of the corpus used.
    private var covered = Set<OperatorName>()

    private func check(_ query: Query, _ source: SourceFile, _ interpreter: Interpreter, _ label: String) -> Int {
        let runner = interpreter.runner(source)
        runner.evaluator.trace = []
        guard let plan = try? runner.plan(query) else { return 0 }
        guard (try? runner.execute(plan, run: PlanRun(analyze: true, fresh: true))) != nil else { return 0 }
        let expected = expectedNames(plan.root)
        covered.formUnion(expected)
        let text = source.text(of: query.range)
        XCTAssertEqual(runner.evaluator.trace, expected, "\(label): \(text)\n\(PlanPrinter.lines(plan.root, analyze: true).joined(separator: "\n"))")

        // The query's own route: the plan cache and a compiled plan.
        interpreter.operatorTrace = []
        defer { interpreter.operatorTrace = nil }
        guard (try? interpreter.runQuery(query, source)) != nil else { return 1 }
        XCTAssertEqual(interpreter.operatorTrace, expected, "\(label) (as a query runs): \(text)")
        return 1
    }

    func testExplainNamesTheOperatorsThatRun() throws {
        var checked = 0
        for (path, demo) in ScriptCorpus.scripts() {
            let interpreter = ScriptCorpus.session(demo: demo)
            let source = try ScriptCorpus.source(path)
            ScriptCorpus.inFolder(of: path) {
                ScriptCorpus.run(interpreter, source) { statement in
                    switch statement.kind {
                    case .query(let query), .explain(let query, _): checked += check(query, source, interpreter, path)
                    default: break
                    }
                }
            }
        }
        let interpreter = ScriptCorpus.session(demo: true)
        for text in ScriptCorpus.benchmarkQueries {
            let source = SourceFile(name: "<benchmark>", text: text)
            let (script, _) = Parser.parse(source)
            if case .query(let query)? = script.statements.first?.kind { checked += check(query, source, interpreter, "benchmark") }
        }
        XCTAssertGreaterThan(checked, 150, "the corpus should hold a few hundred queries")
        // The corpus must reach the fast paths, or the check above proves little.
        let fast = Set(OperatorName.allCases.filter { $0.general != nil })
        XCTAssertTrue(fast.subtracting(covered).isEmpty, "no query of the corpus uses \(fast.subtracting(covered).map(\.rawValue).sorted())")
    }

    /// With fast paths off, every plan is made of general operators only.
    func testFastPathsOffChoosesOnlyGeneralOperators() throws {
        let interpreter = ScriptCorpus.session(demo: true, fastPaths: false)
        for text in ScriptCorpus.benchmarkQueries {
            let source = SourceFile(name: "<benchmark>", text: text)
            let (script, _) = Parser.parse(source)
            guard case .query(let query)? = script.statements.first?.kind else { continue }
            let plan = try interpreter.runner(source).plan(query)
            let fast = plan.root.operatorNames.filter { $0.general != nil }
            XCTAssertTrue(fast.isEmpty, "\(text): \(fast)")
        }
    }
}
